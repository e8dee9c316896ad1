import SiamTensor

/// The self-distillation loss of DINO (Caron et al., 2021): cross entropy between the
/// sharpened, centred teacher distribution of each global view and the student
/// distribution of every other view.
///
/// With `S` student views (the 2 global views first, then the local ones) and the
/// teacher's 2 global views:
///
///     Pₜ⁽ⁱ⁾ = softmax((tᵢ − c) / τₜ)         (a constant: no gradient)
///     Pₛ⁽ᵛ⁾ = log_softmax(sᵥ / τₛ)
///     ℓ = 1/M · Σᵢ Σ_{v ≠ i} (1/N) Σₙ −Pₜ⁽ⁱ⁾ₙ · log Pₛ⁽ᵛ⁾ₙ        M = 2(S − 1) pairs
///
/// This is `DINOLoss.forward` of the paper's code (`main_dino.py`). Centring (`c`, an
/// EMA of the teacher's batch mean, `dinoUpdatedCenter`) and sharpening (`τₜ < τₛ`)
/// together keep the teacher from collapsing to one prototype or to the uniform
/// distribution.
///
/// - Parameters:
///   - student: `S ≥ 2` tensors `[N, K]`, the student's logits per view (global views
///     first).
///   - teacher: 2 tensors `[N, K]`, the teacher's logits of the global views.
///   - center: `c`, `[1, K]` or `[K]`.
///   - studentTemperature: `τₛ > 0` (the paper: 0.1).
///   - teacherTemperature: `τₜ > 0` (the paper: 0.04 after a warmup from 0.04).
/// - Returns: The mean cross entropy, shape `[]`.
public func dinoLoss(
  student: [Tensor], teacher: [Tensor], center: Tensor, studentTemperature: Float, teacherTemperature: Float
) -> Tensor {
  let targets = dinoTeacherProbabilities(teacher, center: center, temperature: teacherTemperature)
  precondition(
    student.count >= 2 && student.allSatisfy { $0.rank == 2 && $0.shape == teacher[0].shape },
    "dinoLoss: needs at least 2 student views shaped like the teacher's \(teacher[0].shape), got \(student.map(\.shape))"
  )
  precondition(studentTemperature > 0, "dinoLoss: student temperature \(studentTemperature) must be positive")
  return crossViewEntropy(targets: targets, logits: student, temperature: studentTemperature)
}

/// The mean over pairs `(i, v ≠ i)` of `(1/N) Σₙ −targetsᵢ · log_softmax(logitsᵥ / τ)`:
/// each target distribution (of global view `i`) predicted from every other view, the
/// loss DINO and SwAV share. `targets` are constants.
func crossViewEntropy(targets: [Tensor], logits: [Tensor], temperature: Float) -> Tensor {
  let logProbabilities = logits.map { logSoftmax($0 / temperature, alongAxis: 1) }
  var terms: [Tensor] = []
  for (i, target) in targets.enumerated() {
    for (v, logP) in logProbabilities.enumerated() where v != i {
      terms.append(-(target.detached() * logP).sum(alongAxis: 1).mean())
    }
  }
  return terms.dropFirst().reduce(terms[0], +) / Float(terms.count)
}

/// The teacher's targets: `softmax((tᵢ − c) / τₜ)` of each global view, untracked.
///
/// - Precondition: 2 tensors `[N, K]` with `N > 0`; `center` has `K` values; `τₜ > 0`.
public func dinoTeacherProbabilities(_ teacher: [Tensor], center: Tensor, temperature: Float) -> [Tensor] {
  precondition(
    teacher.count == 2 && teacher.allSatisfy { $0.rank == 2 && $0.shape == teacher[0].shape && $0.shape[0] > 0 },
    "dinoTeacherProbabilities: needs 2 teacher views [N, K] of one shape, got \(teacher.map(\.shape))")
  let k = teacher[0].shape[1]
  precondition(center.count == k, "dinoTeacherProbabilities: center \(center.shape) for \(k) prototypes")
  precondition(temperature > 0, "dinoTeacherProbabilities: teacher temperature \(temperature) must be positive")
  let c = center.detached().reshaped(to: [1, k])
  return teacher.map { softmax(($0.detached() - c) / temperature, alongAxis: 1).detached() }
}

/// DINO's centre after one step: `c ← m·c + (1 − m)·mean(teacher rows)`, the mean over
/// the rows of both global views (`update_center` of the paper's code).
///
/// - Parameters:
///   - center: `[1, K]`.
///   - teacher: The teacher's logits of this step's global views, each `[N, K]`.
///   - momentum: `m` in `[0, 1]` (the paper: 0.9).
/// - Returns: The new centre, `[1, K]`.
public func dinoUpdatedCenter(_ center: Tensor, teacher: [Tensor], momentum: Float) -> Tensor {
  let rows = concatenated(teacher.map { $0.detached() }, alongAxis: 0)
  let batchCenter = rows.mean(alongAxis: 0, keepingDimensions: true)
  return center.detached().reshaped(to: batchCenter.shape) * momentum + batchCenter * (1 - momentum)
}
