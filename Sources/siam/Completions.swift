import ArgumentParser
import Foundation

/// Shell completion of run ids: the run folders under `runs/` (or the folder given with
/// `--runs` earlier on the command line), newest first.
enum RunFolders {
  static let completion = CompletionKind.custom { words, _, prefix in
    var root = "runs"
    if let index = words.firstIndex(of: "--runs"), index + 1 < words.count { root = words[index + 1] }
    return ids(in: root).filter { $0.hasPrefix(prefix) }
  }

  /// The names of the folders of `root` that hold a run (a `plan.json`), newest first.
  static func ids(in root: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    return names.filter { FileManager.default.fileExists(atPath: root + "/" + $0 + "/plan.json") }.sorted(by: >)
  }
}
