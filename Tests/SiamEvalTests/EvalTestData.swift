import SiamData
import SiamTensor

@testable import SiamEval

/// Gaussian clusters: class `c` centred at `separation · e_c` in `D` dimensions with
/// isotropic noise, samples interleaved by class.
func makeClusters(
  perClass: Int, classes: Int, dimension: Int, separation: Float = 6, noise: Float = 0.5, seed: UInt64,
  split: String = "clusters"
) -> FeatureSet {
  precondition(dimension >= classes)
  var x = Tensor.randomNormal(
    shape: [perClass * classes, dimension], standardDeviation: noise, key: RandomKey(seed: seed))
  var labels: [Int] = []
  x.withUnsafeMutableBufferPointer { p in
    for i in 0..<(perClass * classes) {
      let label = i % classes
      labels.append(label)
      p[i * dimension + label] += separation
    }
  }
  return FeatureSet(features: x, labels: labels, classCount: classes, split: split)
}

/// 1×6×6 float images of two classes: class 0 has a bright top half, class 1 a bright
/// bottom half, both with Gaussian noise of std 0.3.
func makeHalvesDataset(count: Int, seed: UInt64, name: String) -> Dataset {
  let side = 6
  let noise = Tensor.randomNormal(shape: [count * side * side], standardDeviation: 0.3, key: RandomKey(seed: seed))
    .scalars
  var pixels = [Float](repeating: 0, count: count * side * side)
  var labels: [Int] = []
  for i in 0..<count {
    let label = i % 2
    labels.append(label)
    for row in 0..<side {
      for column in 0..<side {
        let index = i * side * side + row * side + column
        let isBright = label == 0 ? row < side / 2 : row >= side / 2
        pixels[index] = (isBright ? 1 : 0) + noise[index]
      }
    }
  }
  return Dataset(name: name, imageShape: [1, side, side], classCount: 2, pixels: .float32(pixels), labels: labels)
}

/// The pixels of a float dataset.
func floatPixels(_ dataset: Dataset) -> [Float] {
  guard case .float32(let pixels) = dataset.pixels else { preconditionFailure("expected float pixels") }
  return pixels
}
