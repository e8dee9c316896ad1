import Crypto
import Foundation
import SiamPipeline

/// The commands that reproduce a run, as the report's header prints them:
///
/// - `siam rerun ID --verify`: always; re-executes the recorded resolved pipeline and
///   checks every metric and artifact bit for bit.
/// - `siam run FILE [--set k=v …]`: when the pipeline file is still there and unchanged
///   (its SHA-256 equals the recorded one). The `--set`s are the parameters in which
///   the run differs from the file as it stands (a sweep point's overrides, a
///   command-line `--set`); they are derived by comparing the resolved pipelines (a
///   value that is not a mapping, and a stage the file lacks, are set whole), so a
///   change inside an augmentation chain or encoder definition (which the resolved
///   pipeline inlines into the stages) yields no `--set` form.
/// - `siam run RUN_FOLDER/pipeline.resolved.json`: when the run folder exists; the
///   resolved pipeline is itself a pipeline file.
public struct ReproduceCommands: Sendable, Hashable {
  public var commands: [String]
  /// Why the `siam run FILE` form is missing, when it is.
  public var note: String?

  /// The commands of `run`. Its runs folder (where its run folder is, else `runsRoot`) is
  /// added as `--runs` when it is not `runs`, and `storePath` as `--store` when it is not
  /// that folder's `siam.sqlite`.
  public init(run: ReportRun, runsRoot: String, storePath: String? = nil) {
    let root = run.directory.map { ($0 as NSString).deletingLastPathComponent } ?? runsRoot
    var runsOption = root == "runs" ? "" : " --runs " + Self.quoted(root)
    if let storePath, storePath != root + "/siam.sqlite" { runsOption += " --store " + Self.quoted(storePath) }
    var commands = ["siam rerun \(run.id) --verify" + runsOption]
    var note: String?
    if let file = run.record.pipelinePath {
      if let data = FileManager.default.contents(atPath: file) {
        let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        if let recorded = run.record.pipelineSHA256, recorded != sha {
          note = "\(file) has changed since the run; siam rerun reproduces it"
        } else if let overrides = Self.overrides(file: file, run: run) {
          commands.append(
            (["siam run", Self.quoted(file)] + overrides.map { "--set " + Self.quoted($0) }).joined(separator: " ")
              + runsOption)
        } else {
          note = "the run changes \(file) in ways --set cannot name (augmentation or encoder definitions)"
        }
      } else {
        note = "\(file) is not on this machine"
      }
    }
    if let directory = run.directory {
      commands.append("siam run " + Self.quoted(directory + "/pipeline.resolved.json") + runsOption)
    }
    self.commands = commands
    self.note = note
  }

  /// The `--set` values turning `file` into the run's parameters; nil when some
  /// difference is not a plain key of the file.
  static func overrides(file: String, run: ReportRun) -> [String]? {
    guard let spec = try? PipelineLoader.load(path: file).spec, let recorded = run.spec?.resolved else { return nil }
    var sets: [String] = []
    return difference(from: spec.resolved, to: recorded, path: "", into: &sets) ? sets : nil
  }

  /// Appends the overrides that turn `old` into `new` below `path`: objects key by key,
  /// anything else (numbers, strings, lists) whole; a key only in `new` is added with
  /// `+`, a key only in `old` deleted with `~`. False when a difference lies in an
  /// augmentation chain or encoder definition.
  static func difference(from old: CanonicalJSON, to new: CanonicalJSON, path: String, into sets: inout [String])
    -> Bool
  {
    if old == new { return true }
    if path.hasPrefix("augmentations") || path.hasPrefix("encoders") || path.hasSuffix(".views")
      || path.contains(".views.") || path.hasSuffix(".encoder") || path.contains(".encoder.")
    {
      return false
    }
    guard let oldObject = old.objectValue, let newObject = new.objectValue else {
      sets.append("\(path)=\(new.canonicalString)")
      return true
    }
    for key in Set(oldObject.keys).union(newObject.keys).sorted() {
      let child = path.isEmpty ? key : path + "." + key
      switch (oldObject[key], newObject[key]) {
      case (let a?, let b?):
        if !difference(from: a, to: b, path: child, into: &sets) { return false }
      case (nil, let b?): sets.append("+\(child)=\(b.canonicalString)")
      case (.some, nil): sets.append("~\(child)")
      case (nil, nil): break
      }
    }
    return true
  }

  /// `text` single-quoted for a POSIX shell when it holds anything but safe characters.
  static func quoted(_ text: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=+,:@%~")
    if !text.isEmpty, text.allSatisfy({ safe.contains($0) }), !text.hasPrefix("~") || text.count > 1 { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
