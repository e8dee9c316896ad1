/// "Did you mean …?": the nearest of a set of known names to a misspelled one.
enum Suggestion {
  /// The candidate nearest to `word`: the one with the smallest Damerau–Levenshtein
  /// distance (optimal string alignment) when that is at most 2 (1 for words of up to 3
  /// characters), else a candidate that `word` is a prefix of or that is a prefix of
  /// `word`; ties go to the alphabetically first. `nil` when nothing is close.
  ///
  /// - Complexity: O(candidates · |word| · |candidate|).
  static func nearest<S: Sequence>(to word: String, in candidates: S) -> String? where S.Element == String {
    let sorted = Set(candidates).sorted()
    let limit = word.count <= 3 ? 1 : 2
    var best: (name: String, distance: Int)?
    for candidate in sorted where candidate != word {
      let d = distance(word, candidate)
      if d <= limit, d < (best?.distance ?? .max) { best = (candidate, d) }
    }
    if let best { return best.name }
    let lowered = word.lowercased()
    guard lowered.count >= 2 else { return nil }
    return sorted.first { $0.lowercased().hasPrefix(lowered) || lowered.hasPrefix($0.lowercased()) }
  }

  /// Optimal-string-alignment distance: insertions, deletions, substitutions and
  /// transpositions of adjacent characters each cost 1.
  static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
        }
      }
    }
    return d[a.count][b.count]
  }
}
