import ArgumentParser
import Foundation
import SiamData

struct PreviewCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "preview",
    abstract: "Write a PNG grid of augmented views: see what an augmentation setting does before training.",
    discussion: HelpText.reflowed(
      """
      Each row is one sample: the original, then --views augmented views of each preset.

      Examples:
        siam preview -o preview.png
        siam preview --preset byol_view1,byol_view2 --strength 0.5 -o byol.png
        siam preview --dataset cifar10 --path data/cifar-10-batches-bin -o cifar.png
      """)
  )

  @Option(
    help: "Dataset: fashion-mnist, mnist, cifar10, cifar100 or synthetic.",
    completion: .list(["fashion-mnist", "mnist", "cifar10", "cifar100", "synthetic"]))
  var dataset = "fashion-mnist"

  @Option(
    help: "Folder of the dataset files (default for fashion-mnist: \(DatasetSource.defaultFashionMNISTPath)).",
    completion: .directory)
  var path: String?

  @Option(
    help:
      "Comma-separated augmentation presets, one column group each: \(AugmentationPreset.allCases.map(\.rawValue).joined(separator: ", ")).",
    completion: .list(AugmentationPreset.allCases.map(\.rawValue)))
  var preset = "simclr"

  @Option(help: "Colour-jitter strength multiplier.")
  var strength: Float = 1

  @Option(help: "Rows (samples), one per class first.")
  var samples = 8

  @Option(help: "Augmented views per preset and sample.")
  var views = 4

  @Option(help: "Seed of the augmentation draws.")
  var seed: UInt64 = 0

  @Option(help: "Integer magnification of each cell.")
  var scale = 3

  @Option(name: [.short, .customLong("output")], help: "PNG file to write.", completion: .file(extensions: ["png"]))
  var output = "preview.png"

  func validate() throws {
    guard samples >= 1, views >= 1, scale >= 1 else {
      throw ValidationError("--samples, --views and --scale must be at least 1")
    }
    guard strength >= 0 else { throw ValidationError("--strength must be non-negative, got \(strength)") }
    _ = try presets()
    _ = try source()
  }

  func presets() throws -> [AugmentationPreset] {
    try preset.split(separator: ",").map { name in
      let name = name.trimmingCharacters(in: .whitespaces)
      guard let found = AugmentationPreset(rawValue: name) else {
        throw ValidationError(
          "--preset: unknown preset '\(name)'; known presets: \(AugmentationPreset.allCases.map(\.rawValue).joined(separator: ", "))"
        )
      }
      return found
    }
  }

  func source() throws -> DatasetSource {
    switch dataset {
    case "fashion-mnist": return .fashionMNIST(path: path ?? DatasetSource.defaultFashionMNISTPath)
    case "mnist", "cifar10", "cifar100":
      guard let path else { throw ValidationError("--dataset \(dataset) needs --path (the folder of its files)") }
      return dataset == "mnist"
        ? .mnist(path: path) : dataset == "cifar10" ? .cifar10(path: path) : .cifar100(path: path)
    case "synthetic": return .synthetic(classes: 10, count: 100, channels: 1, size: 28, seed: seed)
    default:
      throw ValidationError(
        "--dataset: unknown dataset '\(dataset)'; known: fashion-mnist, mnist, cifar10, cifar100, synthetic")
    }
  }

  func run() throws {
    let data = try source().load(split: .train)
    let chains = try presets().map {
      $0.makeChain(size: data.imageShape[1], strength: strength, channels: data.imageShape[0])
    }
    try AugmentationPreview.write(
      to: output, dataset: data, sampleIndices: AugmentationPreview.representativeSamples(of: data, count: samples),
      chains: chains, viewsPerChain: views, seed: seed, scale: scale)
    print("Wrote \(output): \(samples) samples of \(data.name), \(views) views of \(preset) each.")
    print("Next: open \(output), then try --strength or another --preset.")
  }
}
