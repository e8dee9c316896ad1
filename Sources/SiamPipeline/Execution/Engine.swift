/// Facts about the engine that enter every fingerprint.
public enum Engine {
  /// The engine's version. It is part of every stage fingerprint: bumping it invalidates
  /// the whole cache (do so when a change alters results without changing a kind's
  /// implementation version).
  public static let version = "0.4.0"
}
