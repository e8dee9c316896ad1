// swift-tools-version: 6.1
import PackageDescription

// Layers (bottom to top; each imports only those below it), see DESIGN.md:
// COpenBLAS → SiamTensor → SiamNN → (SiamData, SiamSSL, SiamEval, ...) → siam.
// SiamStore (GRDB) sits beside them: SiamPipeline records into it.
let package = Package(
  name: "Siam",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "siam", targets: ["siam"]),
    .library(name: "SiamTensor", targets: ["SiamTensor"]),
    .library(name: "SiamNN", targets: ["SiamNN"]),
    .library(name: "SiamData", targets: ["SiamData"]),
    .library(name: "SiamSSL", targets: ["SiamSSL"]),
    .library(name: "SiamEval", targets: ["SiamEval"]),
    .library(name: "SiamStore", targets: ["SiamStore"]),
    .library(name: "SiamPipeline", targets: ["SiamPipeline"]),
    .library(name: "SiamReport", targets: ["SiamReport"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
  ],
  targets: [
    // Header-only: the CBLAS declarations. OpenBLAS itself is loaded with dlopen by
    // `BLAS` so that OPENBLAS_CORETYPE can be chosen before the library initialises
    // (linking with -lopenblas would run its constructor before `main`).
    .systemLibrary(
      name: "COpenBLAS",
      path: "Sources/COpenBLAS",
      providers: [.apt(["libopenblas-dev"])]
    ),
    // oneDNN 2.x (libdnnl-dev), the convolution kernels of the convolution stacks
    // (SiamTensor's OneDNN.swift is the only file that calls it).
    .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
    // Siam's own kernels on the blocked layout (C, AVX2 + FMA chosen at run time): direct
    // convolutions, and the stacks' batch-norm passes. -O3 also in debug builds (the tests
    // run them); no FP contraction, so the batch-norm passes match their Swift twins.
    .target(
      name: "CSiamKernels", path: "Sources/CSiamKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
    .target(
      name: "SiamTensor",
      dependencies: ["COpenBLAS", "CDNNL", "CSiamKernels"],
      linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("m")]
    ),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
    .target(name: "SiamNN", dependencies: ["SiamTensor"]),
    .target(
      name: "SiamData",
      dependencies: ["SiamTensor", "CZlib", "CPNG", .product(name: "Crypto", package: "swift-crypto")]
    ),
    .target(
      name: "SiamSSL",
      dependencies: ["SiamTensor", "SiamNN", "SiamData", .product(name: "Crypto", package: "swift-crypto")]
    ),
    .target(name: "SiamEval", dependencies: ["SiamTensor", "SiamNN", "SiamData"]),
    // The SQLite run store; GRDB links the system SQLite (libsqlite3-dev).
    .target(name: "SiamStore", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
    .target(
      name: "SiamPipeline",
      dependencies: [
        "SiamNN", "SiamData", "SiamSSL", "SiamEval", "SiamStore", "Yams",
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    // The HTML report (`siam report`): SVG charts over the store and the run folders.
    .target(
      name: "SiamReport",
      dependencies: [
        "SiamTensor", "SiamNN", "SiamData", "SiamEval", "SiamStore", "SiamPipeline",
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .target(
      name: "SiamBench",
      dependencies: ["SiamTensor", "SiamNN", "SiamData", "SiamSSL"]
    ),
    .executableTarget(
      name: "siam",
      dependencies: [
        "SiamTensor", "SiamNN", "SiamData", "SiamSSL", "SiamEval", "SiamStore", "SiamPipeline", "SiamReport",
        "SiamBench",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .target(name: "_SiamTestSupport", dependencies: ["SiamTensor"], path: "Sources/_SiamTestSupport"),
    .testTarget(name: "SiamTensorTests", dependencies: ["SiamTensor", "_SiamTestSupport"]),
    .testTarget(
      name: "SiamNNTests", dependencies: ["SiamNN", "SiamTensor", "_SiamTestSupport"],
      exclude: ["Checkpoints/Fixtures"]),
    .testTarget(name: "SiamDataTests", dependencies: ["SiamData", "SiamTensor", "_SiamTestSupport"]),
    .testTarget(
      name: "SiamSSLTests", dependencies: ["SiamSSL", "SiamNN", "SiamData", "SiamTensor", "_SiamTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "SiamEvalTests", dependencies: ["SiamEval", "SiamNN", "SiamTensor", "SiamData", "_SiamTestSupport"]),
    .testTarget(
      name: "SiamPipelineTests",
      dependencies: ["SiamPipeline", "SiamStore", "SiamSSL", "SiamData", "SiamTensor", "_SiamTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "SiamStoreTests", dependencies: ["SiamStore", .product(name: "GRDB", package: "GRDB.swift")]),
    .testTarget(
      name: "SiamReportTests",
      dependencies: ["SiamReport", "SiamPipeline", "SiamStore", "SiamData", "_SiamTestSupport"]),
    .testTarget(
      name: "SiamCLITests",
      dependencies: ["siam", "SiamBench", "SiamTensor", "SiamStore", "SiamPipeline", "SiamReport", "_SiamTestSupport"]),
  ]
)
