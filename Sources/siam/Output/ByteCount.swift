import Foundation

/// Byte counts for people: `0 B`, `512 B`, `1.5 KiB`, `12.3 MiB`, `1.02 GiB` (powers of
/// 1024, three significant digits).
enum ByteCount {
  static func text(_ bytes: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while abs(value) >= 1024, unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    if unit == 0 { return "\(bytes) B" }
    let digits = abs(value) < 10 ? 2 : abs(value) < 100 ? 1 : 0
    return String(format: "%.\(digits)f", value) + " " + units[unit]
  }
}
