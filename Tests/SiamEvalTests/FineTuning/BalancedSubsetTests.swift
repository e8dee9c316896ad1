import Testing

@testable import SiamEval

@Test func balancedSubsetTakesEqualCountsPerClass() {
  let labels = (0..<1000).map { $0 % 10 }
  let subset = balancedSubset(labels: labels, fraction: 0.1, seed: 1)
  #expect(subset.count == 100)
  for c in 0..<10 { #expect(subset.filter { labels[$0] == c }.count == 10) }
  #expect(subset == subset.sorted() && Set(subset).count == subset.count)
  // 1 % of 1000 over 10 classes: one per class.
  #expect(balancedSubset(labels: labels, fraction: 0.01, seed: 1).count == 10)
}

@Test func balancedSubsetIsSeededAndNested() {
  let labels = (0..<600).map { ($0 * 7) % 3 }
  let small = balancedSubset(labels: labels, fraction: 0.05, seed: 4)
  let large = balancedSubset(labels: labels, fraction: 0.5, seed: 4)
  #expect(small == balancedSubset(labels: labels, fraction: 0.05, seed: 4))
  #expect(Set(small).isSubset(of: Set(large)))
  #expect(small != balancedSubset(labels: labels, fraction: 0.05, seed: 5))
}

@Test func balancedSubsetCapsSmallClasses() {
  let labels = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2]
  let subset = balancedSubset(labels: labels, fraction: 0.9, seed: 0)  // 3 per class wanted
  #expect(subset.filter { labels[$0] == 0 }.count == 3)
  #expect(subset.filter { labels[$0] == 1 }.count == 1 && subset.filter { labels[$0] == 2 }.count == 1)
}
