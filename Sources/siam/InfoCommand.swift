import ArgumentParser
import SiamTensor

struct InfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Show what the engine runs on: version, BLAS kernels and threads.",
    discussion: HelpText.reflowed(
      """
      OPENBLAS_CORETYPE overrides the detected kernels (see README: OpenBLAS at full speed).

      Examples:
        siam info
        siam info --threads 1
        OPENBLAS_CORETYPE=Haswell siam info
      """)
  )

  @OptionGroup var engine: EngineOptions

  func run() throws {
    engine.apply()
    let blas = BLAS.info
    print("siam \(SiamVersion.engine)")
    print(
      "BLAS: OpenBLAS \(blas.coreType) kernels (core type from \(blas.coreTypeSource)), \(BLAS.threadCount) threads, \(blas.isVerified ? "verified against the reference kernel" : "NOT verified")"
    )
    if let problem = blas.problem { print("BLAS problem: \(problem)") }
    print("Engine threads: \(Parallel.threadCount)")
    print("Convolutions: \(OneDNN.summary)")
    print("Next: siam bench")
  }
}
