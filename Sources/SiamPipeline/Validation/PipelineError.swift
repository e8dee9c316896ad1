/// The error of the `SiamPipeline` module: every problem found in a pipeline file, sorted
/// by position.
///
/// The whole file (with its includes and overrides) is checked before anything runs, and
/// all errors are reported at once rather than only the first. `description` prints one
/// diagnostic a line: `file:line:column: error: key.path: message`.
public struct PipelineError: Error, Sendable, CustomStringConvertible {
  /// The errors, sorted by position, without duplicates; never empty.
  public let diagnostics: [Diagnostic]

  /// - Precondition: `diagnostics` is not empty.
  public init(_ diagnostics: [Diagnostic]) {
    precondition(!diagnostics.isEmpty, "a PipelineError needs at least one diagnostic")
    self.diagnostics = Array(Set(diagnostics)).sorted()
  }

  /// A single problem.
  public init(_ code: Diagnostic.Code, at location: SourceLocation, keyPath: String = "", _ message: String) {
    self.init([Diagnostic(code, at: location, keyPath: keyPath, message)])
  }

  public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
