/// The report's colours: a categorical palette for series and classes (Tableau 10,
/// distinguishable and print-safe) and a sequential ramp for heatmaps.
public enum Palette {
  /// Ten categorical colours; series beyond ten cycle (line charts also vary the dash).
  public static let categorical = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
  ]

  /// The colour of series or class `index`.
  public static func color(_ index: Int) -> String {
    categorical[((index % categorical.count) + categorical.count) % categorical.count]
  }

  /// The dash pattern of series `index`: solid for the first ten, then dashed variants.
  public static func dash(_ index: Int) -> String? {
    switch (index / categorical.count) % 3 {
    case 0: nil
    case 1: "6 3"
    default: "2 2"
    }
  }

  /// A colour from white (`t` = 0) to dark blue (`t` = 1), clamped.
  public static func sequential(_ t: Double) -> String {
    let t = t.isFinite ? min(max(t, 0), 1) : 0
    let (r, g, b) = (255 - t * (255 - 8), 255 - t * (255 - 48), 255 - t * (255 - 107))
    return "#" + [r, g, b].map { hex(Int($0.rounded())) }.joined()
  }

  /// Whether `sequential(t)` is dark enough to need light text (the page's CSS gives
  /// `text.on-dark` white).
  public static func isDark(_ t: Double) -> Bool { t > 0.55 }

  private static func hex(_ value: Int) -> String {
    let digits = Array("0123456789abcdef")
    let v = min(max(value, 0), 255)
    return String([digits[v / 16], digits[v % 16]])
  }
}
