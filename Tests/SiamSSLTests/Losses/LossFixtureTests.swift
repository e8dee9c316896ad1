import Foundation
import SiamSSL
import SiamTensor
import Testing
import _SiamTestSupport

/// The losses against `Fixtures/losses.json`: values and gradients computed in float64 by
/// PyTorch from the solo-learn / official formulations (`Fixtures/make_loss_fixtures.py`).
@Suite struct LossFixtureTests {
  struct FixtureTensor: Decodable {
    let shape: [Int]
    let values: [Double]
    var tensor: Tensor { Tensor(shape: shape, scalars: values.map(Float.init)) }
  }

  struct Case: Decodable {
    let name: String
    let loss: String
    let parameters: [String: Double]
    let inputs: [String: FixtureTensor]
    let value: Double
    let gradients: [String: FixtureTensor]
    /// Further expected outputs (DINO's updated centre).
    let expected: [String: FixtureTensor]?
  }

  struct Fixture: Decodable {
    let torchVersion: String
    let cases: [Case]

    enum CodingKeys: String, CodingKey {
      case torchVersion = "torch_version"
      case cases
    }
  }

  static func loadFixture() throws -> Fixture {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/losses.json")
    return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
  }

  /// The input names (in argument order) and the loss as a function of those inputs.
  static func lossFunction(_ c: Case) -> (names: [String], function: ([Tensor]) -> Tensor) {
    func p(_ key: String) -> Float { Float(c.parameters[key]!) }
    switch c.loss {
    case "nt_xent":
      return (["z1", "z2"], { ntXentLoss($0[0], $0[1], temperature: p("temperature")) })
    case "info_nce":
      return (
        ["query", "key", "queue"],
        { infoNCELoss(query: $0[0], key: $0[1], queue: $0[2], temperature: p("temperature")) }
      )
    case "byol":
      return (["prediction", "target"], { byolLoss(prediction: $0[0], target: $0[1]) })
    case "negative_cosine":
      return (["prediction", "target"], { negativeCosineLoss(prediction: $0[0], target: $0[1]) })
    case "barlow_twins":
      return (["z1", "z2"], { barlowTwinsLoss($0[0], $0[1], lambda: p("lambda")) })
    case "vicreg":
      return (
        ["z1", "z2"],
        {
          vicregLoss($0[0], $0[1], invariance: p("invariance"), variance: p("variance"), covariance: p("covariance"))
        }
      )
    case "mocov3":
      return (["query", "key"], { mocoV3Loss(query: $0[0], key: $0[1], temperature: p("temperature")) })
    case "nnclr":
      return (
        ["neighbours", "predictions"],
        { nnclrLoss(neighbours: $0[0], predictions: $0[1], temperature: p("temperature")) }
      )
    case "swav":
      let views = Int(p("views"))
      return (
        (0..<views).map { "s\($0)" },
        { scores in
          let codes = (0..<2).map { sinkhornKnopp(scores[$0], epsilon: p("epsilon"), iterations: Int(p("iterations"))) }
          return swavLoss(scores: scores, codes: codes, temperature: p("temperature"))
        }
      )
    case "dino":
      let views = Int(p("views"))
      return (
        (0..<views).map { "s\($0)" } + ["t0", "t1", "center"],
        {
          dinoLoss(
            student: Array($0[0..<views]), teacher: [$0[views], $0[views + 1]], center: $0[views + 2],
            studentTemperature: p("student_temperature"), teacherTemperature: p("teacher_temperature"))
        }
      )
    default:
      preconditionFailure("unknown loss \(c.loss) in fixture \(c.name)")
    }
  }

  @Test func fixtureCoversEveryLoss() throws {
    let fixture = try Self.loadFixture()
    #expect(
      Set(fixture.cases.map(\.loss)) == [
        "nt_xent", "info_nce", "byol", "negative_cosine", "barlow_twins", "vicreg", "mocov3", "dino", "nnclr", "swav",
      ])
  }

  @Test func sinkhornCodesMatchThePapersCode() throws {
    for c in try Self.loadFixture().cases where c.loss == "swav" {
      for i in 0..<2 {
        let codes = sinkhornKnopp(
          c.inputs["s\(i)"]!.tensor, epsilon: Float(c.parameters["epsilon"]!),
          iterations: Int(c.parameters["iterations"]!))
        let expected = c.expected!["codes\(i)"]!
        #expect(codes.shape == expected.shape)
        expectClose(
          codes.scalars.map(Double.init), expected.values, absolute: 1e-6, relative: 1e-5, "\(c.name) codes \(i)")
      }
    }
  }

  @Test func dinoCenterMovesLikeThePapersCode() throws {
    for c in try Self.loadFixture().cases where c.loss == "dino" {
      let updated = dinoUpdatedCenter(
        c.inputs["center"]!.tensor, teacher: [c.inputs["t0"]!.tensor, c.inputs["t1"]!.tensor],
        momentum: Float(c.parameters["center_momentum"]!))
      let expected = c.expected!["center"]!
      #expect(updated.shape == expected.shape)
      expectClose(updated.scalars.map(Double.init), expected.values, absolute: 1e-6, relative: 1e-5, "\(c.name) centre")
    }
  }

  @Test func valuesAndGradientsMatchPyTorch() throws {
    for c in try Self.loadFixture().cases {
      let (names, function) = Self.lossFunction(c)
      let inputs = names.map { c.inputs[$0]!.tensor }
      let (value, gradients) = valueAndGradient(at: inputs, of: function)
      expectClose([Double(value.scalar)], [c.value], absolute: 1e-5, relative: 1e-4, "\(c.name) value")
      for (name, gradient) in zip(names, gradients) {
        let expected = c.gradients[name]!
        #expect(gradient.shape == expected.shape, "\(c.name) ∂/∂\(name) shape")
        expectClose(
          gradient.scalars.map(Double.init), expected.values, absolute: 2e-5, relative: 1e-3,
          "\(c.name) ∂/∂\(name)")
      }
    }
  }

  @Test func gradientsMatchCentralDifferences() throws {
    for c in try Self.loadFixture().cases {
      var (names, function) = Self.lossFunction(c)
      let inputs = names.map { c.inputs[$0]!.tensor }
      if c.loss == "swav" {
        // The codes are constants of the loss: computed once, at the unperturbed scores.
        let p = { (key: String) in Float(c.parameters[key]!) }
        let codes = (0..<2).map { sinkhornKnopp(inputs[$0], epsilon: p("epsilon"), iterations: Int(p("iterations"))) }
        function = { swavLoss(scores: $0, codes: codes, temperature: p("temperature")) }
      }
      // Stop-gradient inputs (key, queue, target) are constants of the loss.
      let differentiable: [Int] =
        switch c.loss {
        case "info_nce", "byol", "negative_cosine", "mocov3": [0]
        case "dino": Array(0..<Int(c.parameters["views"]!))
        case "nnclr": [1]
        default: Array(names.indices)
        }
      // Larger steps where the loss value is large (its Float rounding dominates) and the
      // loss is close to quadratic.
      let step: Float = c.loss == "vicreg" || c.loss == "barlow_twins" ? 1e-2 : 1e-3
      GradientCheck.check(
        c.name, at: inputs, differentiable: differentiable, step: step,
        absolute: 5e-3, relative: 1e-2, of: function)
    }
  }
}
