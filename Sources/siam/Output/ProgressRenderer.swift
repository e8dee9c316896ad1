import Foundation
import SiamNN
import SiamPipeline

/// Turns progress events into the text written to stderr: a pure value (give it the
/// event and the time; it returns what to write), so that every mode is tested without
/// a terminal or a clock.
///
/// Modes:
/// - **terminal** (stderr is a terminal, text format): one status line redrawn in place
///   (`\r`, erase line) at most every `redrawInterval` seconds, e.g.
///   `[2/3] pretrain [#######-------------]  35% epoch 2/5 step 12/39 loss 5.1234 812 img/s eta 0:01:40`,
///   cut to the terminal's width; other lines (stage start and end, epoch summaries)
///   are printed above it. A stage's own step log lines are left out once the stage
///   reports progress (the bar shows them).
/// - **plain** (not a terminal): the same lines, no escape codes; progress at most one
///   line every `plainInterval` seconds per stage, besides the epoch summaries.
/// - **json** (`--log-format json`): one JSON object per line and event, with `event`,
///   `time` (ISO 8601, UTC) and the event's fields (`stage`, `epoch`, `step`, `loss`,
///   `images_per_second`, `eta_seconds`, ...; epochs and steps 1-based). Step progress
///   is written at most every `jsonInterval` seconds per stage, and always for an
///   epoch's last step.
/// - **quiet** (`--quiet`): nothing (errors and the final summary are the command's).
struct ProgressRenderer {
  enum Mode: String, Sendable {
    case terminal, plain, json, quiet
  }

  let mode: Mode
  /// Columns of the terminal (the status line is cut to `width - 1`).
  let width: Int
  let palette: Palette
  var redrawInterval = 0.1
  var plainInterval = 10.0
  var jsonInterval = 1.0
  /// Cells of the bar.
  var barWidth = 20

  // MARK: State
  private var isStatusLineOpen = false
  private var stagesToRun = 0
  private var stageNumber = 0
  private var stages: [String: StageState] = [:]

  private struct StageState {
    var number: Int
    var startedAt: Date?
    var reportsProgress = false
    var lastOutput: Date?
    var smoothedImagesPerSecond: Double?
  }

  /// - Parameters:
  ///   - isTerminal: Whether stderr is a terminal (text format: draw in place).
  ///   - width: Its columns (nil: 80).
  ///   - isColored: Whether to colour status words and errors.
  ///   - format: `text` or `json`.
  ///   - isQuiet: `--quiet`: nothing at all.
  init(isTerminal: Bool, width: Int?, isColored: Bool, format: LogFormat, isQuiet: Bool = false) {
    if isQuiet {
      mode = .quiet
    } else if format == .json {
      mode = .json
    } else {
      mode = isTerminal ? .terminal : .plain
    }
    self.width = max(width ?? 80, 20)
    palette = Palette(isEnabled: isColored && mode != .json)
  }

  // MARK: - Rendering

  /// The text to write for `event` at `time` (possibly empty; lines end with `\n`,
  /// except an open status line).
  mutating func render(_ event: ProgressEvent, at time: Date) -> String {
    switch mode {
    case .quiet: return ""
    case .json: return renderJSON(event, at: time)
    case .terminal, .plain: return renderText(event, at: time)
    }
  }

  /// Closes an open status line (before the command prints its summary).
  mutating func finish() -> String {
    guard isStatusLineOpen else { return "" }
    isStatusLineOpen = false
    return Self.clearLine
  }

  static let clearLine = "\r\u{1B}[K"

  private mutating func line(_ text: String) -> String {
    var out = ""
    if isStatusLineOpen {
      out += Self.clearLine
      isStatusLineOpen = false
    }
    return out + text + "\n"
  }

  private mutating func renderText(_ event: ProgressEvent, at time: Date) -> String {
    switch event {
    case .runStarted(let id, let directory, let toRun, let total):
      stagesToRun = toRun
      stageNumber = 0
      stages = [:]
      return line("run \(id): \(toRun) of \(total) stages to run (\(directory))")
    case .stageStarted(let stage, _):
      stageNumber += 1
      stages[stage] = StageState(number: stageNumber, startedAt: time)
      return ""
    case .log(let stage, let text):
      if let stage, stages[stage]?.reportsProgress == true, Self.stepFraction(text) != nil { return "" }
      return line(highlighted(text, stage: stage))
    case .progress(let stage, let progress):
      return renderProgress(stage, progress, at: time)
    case .stageFinished:
      return finish()
    case .runFinished:
      return finish()
    case .pointStarted(let index, let count, let overrides):
      return line("[\(index + 1)/\(count)] \(overrides)")
    case .pointFinished(let index, let count, let overrides, let status, let detail):
      return line(
        "[\(index + 1)/\(count)] \(overrides): " + palette.status(status) + (detail.isEmpty ? "" : " " + detail))
    }
  }

  private mutating func renderProgress(_ stage: String, _ progress: TrainingProgress, at time: Date) -> String {
    var state = stages[stage] ?? StageState(number: stageNumber, startedAt: time)
    state.reportsProgress = true
    if let rate = progress.imagesPerSecond, rate.isFinite, progress.event == .step {
      state.smoothedImagesPerSecond = state.smoothedImagesPerSecond.map { 0.8 * $0 + 0.2 * rate } ?? rate
    }
    defer { stages[stage] = state }
    guard progress.event == .step else { return "" }
    let isEpochEnd = Self.isMilestone(progress)
    let elapsed = state.lastOutput.map { time.timeIntervalSince($0) } ?? .infinity
    let eta =
      progress.estimatedSecondsRemaining
      ?? state.startedAt.flatMap {
        Self.estimatedSecondsRemaining(
          done: progress.stepsDone, total: progress.totalSteps, elapsed: time.timeIntervalSince($0))
      }
    switch mode {
    case .terminal:
      guard elapsed >= redrawInterval || isEpochEnd else { return "" }
      state.lastOutput = time
      isStatusLineOpen = true
      return Self.clearLine
        + statusLine(stage, number: state.number, progress, imagesPerSecond: state.smoothedImagesPerSecond, eta: eta)
    default:
      // The first report starts the interval, so that a short stage prints no progress line.
      guard let last = state.lastOutput ?? state.startedAt else {
        state.lastOutput = time
        return ""
      }
      guard time.timeIntervalSince(last) >= plainInterval else { return "" }
      state.lastOutput = time
      return line(
        "\(stage): " + Self.counters(progress, imagesPerSecond: state.smoothedImagesPerSecond, eta: eta)
          + String(format: " (%d%%)", Int((progress.fraction * 100).rounded(.down))))
    }
  }

  /// The terminal's status line, fitted to `width - 1` columns by leaving out, in turn,
  /// half the bar, images/s, the loss and the bar (then cutting the end): the position
  /// and the ETA stay longest.
  func statusLine(
    _ stage: String, number: Int, _ progress: TrainingProgress, imagesPerSecond: Double?, eta: Double?
  ) -> String {
    let prefix = stagesToRun > 0 ? "[\(number)/\(stagesToRun)] " : ""
    let percent = String(format: "%3d%%", Int((progress.fraction * 100).rounded(.down)))
    var text = ""
    for variant in 0..<5 {
      let bar = variant >= 4 ? "" : Self.bar(progress.fraction, width: variant == 0 ? barWidth : barWidth / 2) + " "
      var counters = progress
      if variant >= 3 { counters.loss = nil }
      let rate = variant >= 2 ? nil : imagesPerSecond ?? progress.imagesPerSecond
      if variant >= 2 { counters.imagesPerSecond = nil }
      text = prefix + stage + " " + bar + percent + " " + Self.counters(counters, imagesPerSecond: rate, eta: eta)
      if text.count < width { return text }
    }
    return Ellipsis.end(text, to: width - 1)
  }

  /// A runner's lifecycle line with its status words coloured: `STAGE: done in …`,
  /// `STAGE: cache hit …`, `STAGE: error: …`; other lines as they are (an `error:`
  /// prefix coloured).
  func highlighted(_ text: String, stage: String?) -> String {
    guard palette.isEnabled else { return text }
    guard let stage, text.hasPrefix(stage + ": ") else { return palette.message(text) }
    let rest = String(text.dropFirst(stage.count + 2))
    for (word, status) in [("done", "done"), ("cache hit", "cache hit"), ("error:", "error"), ("running", "running")]
    where rest.hasPrefix(word) {
      let tone = Palette.tone(ofStatus: status)!
      return stage + ": " + palette.paint(word, tone) + rest.dropFirst(word.count)
    }
    return text
  }

  // MARK: - JSON lines

  private mutating func renderJSON(_ event: ProgressEvent, at time: Date) -> String {
    var fields: [String: CanonicalJSON]
    switch event {
    case .runStarted(let id, let directory, let toRun, let total):
      stages = [:]
      fields = [
        "event": "run_started", "run": .string(id), "directory": .string(directory),
        "stages_to_run": .number(toRun), "stages": .number(total),
      ]
    case .stageStarted(let stage, let kind):
      stages[stage] = StageState(number: stages.count + 1, startedAt: time)
      fields = ["event": "stage_started", "stage": .string(stage), "kind": .string(kind)]
    case .log(let stage, let text):
      fields = ["event": "log", "message": .string(text)]
      if let stage { fields["stage"] = .string(stage) }
    case .progress(let stage, let progress):
      var state = stages[stage] ?? StageState(number: stages.count + 1, startedAt: time)
      defer { stages[stage] = state }
      let isEpochEnd = Self.isMilestone(progress)
      if progress.event == .step, !isEpochEnd, let last = state.lastOutput,
        time.timeIntervalSince(last) < jsonInterval
      {
        return ""
      }
      state.lastOutput = time
      let eta =
        progress.estimatedSecondsRemaining
        ?? state.startedAt.flatMap {
          Self.estimatedSecondsRemaining(
            done: progress.stepsDone, total: progress.totalSteps, elapsed: time.timeIntervalSince($0))
        }
      fields = [
        "event": .string(progress.event == .step ? "progress" : "epoch"), "stage": .string(stage),
        "epoch": .number(progress.epoch + 1), "epochs": .number(progress.epochs),
        "step": .number(progress.step + 1), "steps": .number(progress.stepsPerEpoch),
        "fraction": Self.number(progress.fraction), "loss": Self.number(progress.loss),
        "images_per_second": Self.number(progress.imagesPerSecond), "eta_seconds": Self.number(eta),
      ]
    case .stageFinished(let stage, let status, let seconds, let error):
      fields = [
        "event": "stage_finished", "stage": .string(stage), "status": .string(status),
        "seconds": Self.number(seconds), "error": error.map(CanonicalJSON.string) ?? .null,
      ]
    case .runFinished(let id, let status, let seconds):
      fields = [
        "event": "run_finished", "run": .string(id), "status": .string(status), "seconds": Self.number(seconds),
      ]
    case .pointStarted(let index, let count, let overrides):
      fields = [
        "event": "point_started", "point": .number(index + 1), "points": .number(count),
        "overrides": .string(overrides),
      ]
    case .pointFinished(let index, let count, let overrides, let status, let detail):
      fields = [
        "event": "point_finished", "point": .number(index + 1), "points": .number(count),
        "overrides": .string(overrides), "status": .string(status), "detail": .string(detail),
      ]
    }
    fields["time"] = .string(Self.timestamp(time))
    return CanonicalJSON.object(fields).canonicalString + "\n"
  }

  static func number(_ value: Double?) -> CanonicalJSON {
    guard let value, value.isFinite else { return .null }
    return .number(value)
  }

  /// ISO 8601 in UTC with milliseconds: `2026-11-29T07:15:02.123Z`.
  static func timestamp(_ time: Date) -> String {
    time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
  }

  // MARK: - Pieces

  /// Whether a step is always shown (never throttled): the last of an epoch of several
  /// steps, or the stage's last.
  static func isMilestone(_ progress: TrainingProgress) -> Bool {
    progress.step == progress.stepsPerEpoch - 1 && (progress.stepsPerEpoch > 1 || progress.fraction >= 1)
  }

  /// `epoch 2/5 step 12/39 loss 5.1234 812 img/s eta 0:01:40` (what is known of it; no
  /// step counter when an epoch is one step, as in the linear probe).
  static func counters(_ progress: TrainingProgress, imagesPerSecond: Double?, eta: Double?) -> String {
    var parts = ["epoch \(progress.epoch + 1)/\(progress.epochs)"]
    if progress.stepsPerEpoch > 1 { parts.append("step \(progress.step + 1)/\(progress.stepsPerEpoch)") }
    if let loss = progress.loss { parts.append("loss " + (loss.isFinite ? String(format: "%.4f", loss) : "\(loss)")) }
    if let rate = imagesPerSecond ?? progress.imagesPerSecond, rate.isFinite {
      parts.append("\(Int(rate.rounded())) img/s")
    }
    parts.append("eta " + duration(eta))
    return parts.joined(separator: " ")
  }

  /// Seconds left at the pace so far: `elapsed · (total − done) / done`; nil before the
  /// first step or without a total.
  static func estimatedSecondsRemaining(done: Int, total: Int, elapsed: Double) -> Double? {
    guard done > 0, total > 0, elapsed.isFinite, elapsed >= 0 else { return nil }
    return elapsed * Double(max(total - done, 0)) / Double(done)
  }

  /// `h:mm:ss`; `?` when unknown.
  static func duration(_ seconds: Double?) -> String {
    guard let seconds, seconds.isFinite, seconds >= 0 else { return "?" }
    let total = Int(seconds.rounded())
    return String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
  }

  /// A text bar, e.g. `[#########-----------]` for 0.45 of 20 cells.
  static func bar(_ fraction: Double, width: Int = 20) -> String {
    let filled = min(width, max(0, Int((fraction * Double(width)).rounded(.down))))
    return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
  }

  /// The fraction `c/d` of the first `step c/d` in a progress line, if any.
  static func stepFraction(_ line: String) -> Double? {
    guard let range = line.range(of: "step ") else { return nil }
    let rest = line[range.upperBound...].prefix { $0.isNumber || $0 == "/" }
    let parts = rest.split(separator: "/")
    guard parts.count == 2, let done = Double(parts[0]), let total = Double(parts[1]), total > 0 else { return nil }
    return min(1, max(0, done / total))
  }
}
