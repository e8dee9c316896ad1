import Foundation

/// The store's time format: ISO 8601 in UTC with milliseconds
/// (`2026-11-29T04:17:02.123Z`). Sorts as text; SQLite's date functions read it.
public enum Timestamp {
  /// `date` as the store writes it.
  ///
  /// Formatted by hand: an `ISO8601DateFormatter` costs milliseconds to make on Linux,
  /// and one is needed per metric value.
  public static func string(_ date: Date = Date()) -> String {
    let seconds = date.timeIntervalSince1970
    let whole = seconds.rounded(.down)
    var time = time_t(whole)
    var parts = tm()
    gmtime_r(&time, &parts)
    let millis = min(999, Int(((seconds - whole) * 1000).rounded(.down)))
    func pad(_ value: Int32, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
      + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "." + pad(Int32(millis), 3)
      + "Z"
  }

  /// The date of a store timestamp, or nil when `text` is not one.
  public static func date(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
  }
}
