import Foundation
import SiamNN
import SiamPipeline
import Testing

@testable import siam

/// The progress renderer in each mode, driven by hand-made events and times (no clock,
/// no terminal).
@Suite struct ProgressRendererTests {
  static let start = Date(timeIntervalSince1970: 1_800_000_000)

  /// Two epochs of four steps of `pretrain`, at `secondsPerStep` apart, with its runner's
  /// lines (the LineLogger's step lines included) and an epoch summary after each epoch.
  static func events(secondsPerStep: Double = 0.5, loss: Double = 5.1234) -> [(ProgressEvent, Date)] {
    var time = start
    var out: [(ProgressEvent, Date)] = [
      (
        .runStarted(id: "20261129-031502-a3f9", directory: "runs/20261129-031502-a3f9", stagesToRun: 2, stages: 3), time
      ),
      (.log(stage: "data", line: "data: cache hit 0123456789ab"), time),
      (.stageFinished(stage: "data", status: "cached", seconds: 0, error: nil), time),
      (.stageStarted(stage: "pretrain", kind: "pretrain"), time),
      (.log(stage: "pretrain", line: "pretrain: running (new)"), time),
    ]
    for epoch in 0..<2 {
      for step in 0..<4 {
        time += secondsPerStep
        let progress = TrainingProgress(
          epoch: epoch, epochs: 2, step: step, stepsPerEpoch: 4, loss: loss, imagesPerSecond: 800,
          estimatedSecondsRemaining: Double(7 - (epoch * 4 + step)) * secondsPerStep)
        out.append((.progress(stage: "pretrain", progress), time))
        if step % 2 == 0 {
          out.append(
            (
              .log(
                stage: "pretrain", line: "pretrain: epoch \(epoch + 1)/2 step \(step + 1)/4 loss 5.1234 eta 0:00:03"),
              time
            ))
        }
      }
      out.append(
        (
          .progress(
            stage: "pretrain",
            TrainingProgress(event: .epoch, epoch: epoch, epochs: 2, step: 3, stepsPerEpoch: 4, loss: loss)), time
        ))
      out.append((.log(stage: "pretrain", line: "pretrain: epoch \(epoch + 1)/2 done loss 5.0000 images/s 800"), time))
    }
    out.append((.log(stage: "pretrain", line: "pretrain: done in 4.0 s"), time))
    out.append((.stageFinished(stage: "pretrain", status: "completed", seconds: 4, error: nil), time))
    out.append((.runFinished(id: "20261129-031502-a3f9", status: "finished", seconds: 4), time))
    return out
  }

  static func render(_ renderer: inout ProgressRenderer, _ events: [(ProgressEvent, Date)]) -> [String] {
    events.map { renderer.render($0.0, at: $0.1) } + [renderer.finish()]
  }

  /// What a terminal would show line by line: each `\r` or newline starts a new piece,
  /// escape codes removed.
  static func visibleLines(_ output: String) -> [String] {
    Palette.stripped(output).split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\r" || $0 == "\n" })
      .map(String.init)
  }

  // MARK: - Pieces

  @Test func barFillsWithTheFraction() {
    #expect(ProgressRenderer.bar(0) == "[--------------------]")
    #expect(ProgressRenderer.bar(0.5) == "[##########----------]")
    #expect(ProgressRenderer.bar(1) == "[####################]")
    #expect(ProgressRenderer.bar(1.7, width: 4) == "[####]")
    #expect(ProgressRenderer.bar(0.49, width: 4) == "[#---]")
  }

  @Test func etaIsThePaceSoFarTimesTheStepsLeft() {
    #expect(ProgressRenderer.estimatedSecondsRemaining(done: 25, total: 100, elapsed: 10) == 30)
    #expect(ProgressRenderer.estimatedSecondsRemaining(done: 100, total: 100, elapsed: 10) == 0)
    #expect(ProgressRenderer.estimatedSecondsRemaining(done: 0, total: 100, elapsed: 10) == nil)
    #expect(ProgressRenderer.duration(3725) == "1:02:05")
    #expect(ProgressRenderer.duration(nil) == "?" && ProgressRenderer.duration(.infinity) == "?")
    // Without the stage's own estimate the renderer uses the time since the stage started.
    var renderer = ProgressRenderer(isTerminal: false, width: nil, isColored: false, format: .text)
    renderer.plainInterval = 1
    _ = renderer.render(.stageStarted(stage: "probe", kind: "linear_probe"), at: Self.start)
    let text = renderer.render(
      .progress(stage: "probe", TrainingProgress(epoch: 0, epochs: 4, step: 0, stepsPerEpoch: 1)), at: Self.start + 10)
    #expect(text == "probe: epoch 1/4 eta 0:00:30 (25%)\n", "no step counter for one-step epochs")
  }

  @Test func stepFractionParsesTheStepCounter() {
    #expect(ProgressRenderer.stepFraction("pretrain: epoch 1/15 step 51/234 loss 5.6 eta 0:24:44") == 51.0 / 234.0)
    #expect(ProgressRenderer.stepFraction("pretrain: done in 75.2 s") == nil)
    #expect(ProgressRenderer.stepFraction("step x/y") == nil)
  }

  @Test func stageProgressCountsStepsOverEpochs() {
    let progress = TrainingProgress(epoch: 1, epochs: 3, step: 1, stepsPerEpoch: 4)
    #expect(progress.stepsDone == 6 && progress.totalSteps == 12 && progress.fraction == 0.5)
  }

  // MARK: - Modes

  @Test func terminalDrawsOneStatusLineInPlace() {
    var renderer = ProgressRenderer(isTerminal: true, width: 100, isColored: false, format: .text)
    let output = Self.render(&renderer, Self.events()).joined()
    #expect(renderer.mode == .terminal)
    #expect(
      output.contains(
        "\r\u{1B}[K[1/2] pretrain [#####---------------]  25% epoch 1/2 step 2/4 loss 5.1234 800 img/s eta 0:00:03"))
    #expect(output.contains("[####################] 100% epoch 2/2 step 4/4"))
    // The step log lines are left out (the bar shows them); the others are printed.
    #expect(!output.contains("step 1/4 loss 5.1234 eta"))
    for line in [
      "pretrain: running (new)", "pretrain: epoch 1/2 done loss 5.0000 images/s 800", "pretrain: done in 4.0 s",
    ] {
      #expect(output.contains(line + "\n"), "missing \(line)")
    }
    // The status line is cleared before a line is printed and at the end.
    #expect(output.contains("\r\u{1B}[Kpretrain: epoch 1/2 done"))
    #expect(output.hasSuffix("\n") || output.hasSuffix("\r\u{1B}[K"))
    #expect(!output.contains("\u{1B}[3"), "no colour when not asked")
  }

  @Test func terminalRedrawsAtMostTenTimesASecond() {
    var renderer = ProgressRenderer(isTerminal: true, width: 80, isColored: false, format: .text)
    let output = Self.render(&renderer, Self.events(secondsPerStep: 0.01)).joined()
    // Eight steps 10 ms apart: the first and each epoch's last are drawn.
    #expect(output.components(separatedBy: "pretrain [").count - 1 == 3)
  }

  @Test func oneStepEpochsAreThrottledButTheLastIsDrawn() {
    var renderer = ProgressRenderer(isTerminal: true, width: 80, isColored: false, format: .text)
    var output = ""
    for epoch in 0..<100 {
      let progress = TrainingProgress(epoch: epoch, epochs: 100, step: 0, stepsPerEpoch: 1, loss: 0.5)
      output += renderer.render(.progress(stage: "linear", progress), at: Self.start + Double(epoch) * 0.001)
    }
    #expect(output.components(separatedBy: "linear [").count - 1 == 2)
    #expect(output.hasSuffix("linear [####################] 100% epoch 100/100 loss 0.5000 eta 0:00:00"))
  }

  @Test func terminalStatusLineFitsTheWidth() {
    for width in [20, 40, 60] {
      var renderer = ProgressRenderer(isTerminal: true, width: width, isColored: true, format: .text)
      let output = Self.render(&renderer, Self.events(loss: 123456.789)).joined()
      let statusLines = Self.visibleLines(output).filter { $0.contains("pretrain [") || $0.hasPrefix("[") }
      #expect(!statusLines.isEmpty)
      for line in statusLines { #expect(line.count <= width - 1, "\(line.count) > \(width - 1): \(line)") }
    }
  }

  @Test func aNarrowTerminalKeepsThePositionAndTheETA() {
    var renderer = ProgressRenderer(isTerminal: true, width: 70, isColored: false, format: .text)
    _ = renderer.render(.runStarted(id: "r", directory: "runs/r", stagesToRun: 2, stages: 3), at: Self.start)
    _ = renderer.render(.stageStarted(stage: "pretrain", kind: "pretrain"), at: Self.start)
    let progress = TrainingProgress(
      epoch: 6, epochs: 15, step: 50, stepsPerEpoch: 234, loss: 5.6123, imagesPerSecond: 812,
      estimatedSecondsRemaining: 1484)
    let line = renderer.render(.progress(stage: "pretrain", progress), at: Self.start + 1)
    #expect(line == "\r\u{1B}[K[1/2] pretrain [####------]  41% epoch 7/15 step 51/234 eta 0:24:44")
    // Narrower still, the bar goes too; at last the end is cut.
    var narrow = ProgressRenderer(isTerminal: true, width: 40, isColored: false, format: .text)
    let cut = narrow.render(.progress(stage: "pretrain", progress), at: Self.start)
    #expect(cut == "\r\u{1B}[Kpretrain  41% epoch 7/15 step 51/234 e…")
  }

  @Test func notATerminalGivesPeriodicPlainLines() {
    var renderer = ProgressRenderer(isTerminal: false, width: nil, isColored: false, format: .text)
    let output = Self.render(&renderer, Self.events(secondsPerStep: 3)).joined()
    #expect(renderer.mode == .plain)
    #expect(!output.contains("\r") && !output.contains("\u{1B}"))
    let lines = output.split(separator: "\n").map(String.init)
    // Steps at 3, 6, ... 24 s: a progress line once 10 s have passed since the last (12 and 24 s).
    let progressLines = lines.filter { $0.hasPrefix("pretrain: epoch") && !$0.contains("done") }
    #expect(
      progressLines == [
        "pretrain: epoch 1/2 step 4/4 loss 5.1234 800 img/s eta 0:00:12 (50%)",
        "pretrain: epoch 2/2 step 4/4 loss 5.1234 800 img/s eta 0:00:00 (100%)",
      ])
    // One line per epoch, besides.
    #expect(lines.filter { $0.contains("done loss") }.count == 2)
    #expect(lines.first == "run 20261129-031502-a3f9: 2 of 3 stages to run (runs/20261129-031502-a3f9)")
  }

  @Test func jsonGivesOneObjectPerEventLine() throws {
    var renderer = ProgressRenderer(isTerminal: true, width: 80, isColored: true, format: .json)
    let output = Self.render(&renderer, Self.events()).joined()
    #expect(!output.contains("\u{1B}"), "JSON is never coloured")
    let lines = output.split(separator: "\n")
    var events: [[String: Any]] = []
    for line in lines {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      let event = try #require(object, "not an object: \(line)")
      #expect(event["event"] is String && event["time"] is String)
      events.append(event)
    }
    let names = events.map { $0["event"] as! String }
    #expect(names.first == "run_started" && names.last == "run_finished")
    #expect(names.filter { $0 == "epoch" }.count == 2)
    let progress = events.filter { ($0["event"] as! String) == "progress" }
    // Steps 0.5 s apart, one per second at most, and every epoch's last step.
    #expect(progress.count >= 4 && progress.count < 8)
    let last = try #require(progress.last)
    #expect(last["stage"] as? String == "pretrain")
    #expect(last["epoch"] as? Int == 2 && last["step"] as? Int == 4 && last["steps"] as? Int == 4)
    #expect(last["loss"] as? Double == 5.1234 && last["images_per_second"] as? Double == 800)
    #expect(last["eta_seconds"] as? Double == 0)
    #expect((events.first!["time"] as! String).hasPrefix("2027-01-15T08:00:00"))
    let finished = events.first {
      ($0["event"] as! String) == "stage_finished" && ($0["stage"] as! String) == "pretrain"
    }
    #expect(finished?["status"] as? String == "completed")
  }

  @Test func jsonWritesNullForANonFiniteLoss() throws {
    var renderer = ProgressRenderer(isTerminal: false, width: nil, isColored: false, format: .json)
    let text = renderer.render(
      .progress(stage: "p", TrainingProgress(epoch: 0, epochs: 1, step: 0, stepsPerEpoch: 1, loss: .nan)),
      at: Self.start)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    #expect(object["loss"] is NSNull)
  }

  @Test func quietWritesNothing() {
    var renderer = ProgressRenderer(isTerminal: true, width: 80, isColored: true, format: .json, isQuiet: true)
    let output = Self.render(&renderer, Self.events())
    #expect(output.allSatisfy { $0.isEmpty })
  }

  // MARK: - Colour

  @Test func noColorTurnsAutoColourOff() {
    #expect(Terminal.isColored(.auto, isTerminal: true, environment: [:]))
    #expect(!Terminal.isColored(.auto, isTerminal: false, environment: [:]))
    #expect(!Terminal.isColored(.auto, isTerminal: true, environment: ["NO_COLOR": "1"]))
    #expect(Terminal.isColored(.auto, isTerminal: true, environment: ["NO_COLOR": ""]), "an empty NO_COLOR is unset")
    #expect(!Terminal.isColored(.auto, isTerminal: true, environment: ["TERM": "dumb"]))
    #expect(Terminal.isColored(.always, isTerminal: false, environment: ["NO_COLOR": "1"]), "an explicit flag wins")
    #expect(!Terminal.isColored(.never, isTerminal: true, environment: [:]))
  }

  @Test func statusWordsAndErrorsAreColoured() {
    let palette = Palette(isEnabled: true)
    #expect(palette.status("finished") == "\u{1B}[32mfinished\u{1B}[0m")
    #expect(palette.status("failed") == "\u{1B}[31mfailed\u{1B}[0m")
    #expect(palette.status("cached") == "\u{1B}[36mcached\u{1B}[0m")
    #expect(palette.status("killed") == "\u{1B}[33mkilled\u{1B}[0m")
    #expect(palette.status("yes") == "yes")
    #expect(palette.message("error: no such file") == "\u{1B}[31merror:\u{1B}[0m no such file")
    #expect(Palette.plain.message("error: x") == "error: x" && Palette.plain.status("failed") == "failed")
    var renderer = ProgressRenderer(isTerminal: true, width: 80, isColored: true, format: .text)
    #expect(
      renderer.render(.log(stage: "knn", line: "knn: error: boom"), at: Self.start)
        == "knn: \u{1B}[31merror:\u{1B}[0m boom\n")
    #expect(renderer.render(.log(stage: "knn", line: "knn: done in 1.0 s"), at: Self.start).contains("\u{1B}[32mdone"))
    let point = renderer.render(
      .pointFinished(index: 0, count: 2, overrides: "k=5", status: "failed", detail: ""), at: Self.start)
    #expect(point == "[1/2] k=5: \u{1B}[31mfailed\u{1B}[0m\n")
    #expect(Palette.stripped(point) == "[1/2] k=5: failed\n")
  }

  @Test func terminalWidthComesFromColumnsElseTheTerminal() throws {
    let pipe = Pipe()
    let descriptor = pipe.fileHandleForWriting.fileDescriptor
    #expect(Terminal.width(of: descriptor, environment: ["COLUMNS": "57"]) == 57)
    #expect(Terminal.width(of: descriptor, environment: ["COLUMNS": "wide"]) == nil, "a pipe has no width")
    #expect(Terminal.width(of: descriptor, environment: [:]) == nil)
  }
}
