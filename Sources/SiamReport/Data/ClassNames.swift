import SiamPipeline

/// Readable class names of the datasets Siam knows; `class i` for the others.
public enum ClassNames {
  public static let fashionMNIST = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
  ]
  public static let cifar10 = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
  ]

  /// `count` names for the classes of a dataset stage's source.
  public static func names(source: DatasetParameters.Source?, count: Int) -> [String] {
    let known: [String]?
    switch source {
    case .fashionMNIST: known = fashionMNIST
    case .cifar10: known = cifar10
    case .mnist: known = (0..<10).map(String.init)
    default: known = nil
    }
    if let known, known.count == count { return known }
    return (0..<count).map { "class \($0)" }
  }
}
