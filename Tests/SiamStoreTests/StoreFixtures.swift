import Foundation
import SiamStore

/// Rows for store tests and a temporary folder per test.
struct StoreFixture {
  let folder: String

  init() {
    folder =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("siam-store-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
  }

  var path: String { folder + "/siam.sqlite" }

  func remove() {
    try? FileManager.default.removeItem(atPath: folder)
  }

  static func fingerprint(_ seed: Int) -> String {
    String(repeating: String(format: "%02x", seed % 256), count: 32)
  }

  /// A running run with stages `data` and `pretrain` and three parameters.
  static func begin(
    _ store: RunStore, id: String, temperature: Double = 0.5, seed: Int = 1, method: String = "simclr",
    pid: Int? = ProcessLiveness.currentPID, host: String = ProcessLiveness.hostName
  ) throws {
    let run = RunRecord(
      id: id, pipeline: "tiny", configJSON: #"{"name":"tiny"}"#, seed: seed, engineVersion: "0.1.0", host: host,
      pid: pid)
    let stages = [
      StageRunRecord(run: id, stage: "data", position: 0, kind: "dataset", fingerprint: fingerprint(1)),
      StageRunRecord(run: id, stage: "pretrain", position: 1, kind: "pretrain", fingerprint: fingerprint(2)),
    ]
    let params = [
      ParamRecord(run: id, key: "seed", value: "\(seed)", numeric: Double(seed)),
      ParamRecord(run: id, key: "stages.pretrain.method.type", value: "\"\(method)\""),
      ParamRecord(run: id, key: "stages.pretrain.method.temperature", value: "\(temperature)", numeric: temperature),
    ]
    try store.beginRun(run, stages: stages, params: params)
  }
}
