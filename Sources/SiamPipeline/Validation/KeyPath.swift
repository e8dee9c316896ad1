/// Dotted key paths: `stages.pretrain.method.temperature`, list items by index
/// (`stages.pretrain.views.0`), the same spelling `--set` uses.
enum KeyPath {
  static func appending(_ key: String, to path: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
  }

  static func appending(_ index: Int, to path: String) -> String {
    appending(String(index), to: path)
  }

  /// The components of a dotted path (empty components dropped).
  static func components(_ path: String) -> [String] {
    path.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
  }
}
