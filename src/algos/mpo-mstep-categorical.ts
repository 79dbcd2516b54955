/**
 * MPO's M-step for a categorical policy over n discrete actions (Abdolmaleki et al. 2018,
 * arXiv 1812.02256, §4.2 with one KL bound): fit π(·|s) = softmax(z(s)) to the E-step's
 * weights q(a|s) over all n actions, keeping it within ε_π (kl_constraint) of the target
 * policy π′:
 *   F  = (1/(B·n)) Σ_s Σ_a q_sa · log π_sa
 *   KL = (1/B) Σ_s Σ_a π′_sa · (log π′_sa − log π_sa)            KL(π′‖π), the paper's direction
 *   L  = −( F + α(ε_π − KL) )
 * and before each actor step the multiplier moves as the continuous ones do:
 *   α ← clip(α − alpha_scale·(ε_π − KL), 0, alpha_max).
 * F is a mean over the B·n (state, action) pairs as in pytorchrl, so its multiplier
 * defaults weigh the KL term as they do there.
 *
 * With log π_sa = z_sa − log Σ_b exp(z_sb), the gradient at the logits is
 *   ∂L/∂z_sb = −(q_sb − π_sb·Σ_a q_sa)/(B·n) + α·(π_sb − π′_sb)/B.
 *
 * Where this differs from pytorchrl's port: it measures kl_divergence(π, π′), i.e.
 * KL(π‖π′), and takes q = softmax(Q′/η) without the prior π′ that its own dual uses;
 * here KL(π′‖π) and q ∝ π′·exp(Q′/η), as in the paper (mpo-estep.ts).
 */

/** KL(π′‖π) averaged over the rows, from log-probabilities [rows, n] of both. */
export function categoricalKl(targetLogProbs: ArrayLike<number>, logProbs: ArrayLike<number>, rows: number, n: number): number {
  let kl = 0;
  for (let i = 0; i < rows * n; i++) {
    const p = Math.exp(targetLogProbs[i]!);
    // 0·log 0 = 0: an action the target policy never takes adds nothing.
    if (p > 0) kl += p * (targetLogProbs[i]! - logProbs[i]!);
  }
  return kl / rows;
}

/** The multiplier before an M-step iteration: clip(α − scale·(bound − KL), 0, max). */
export function nextMultiplier(alpha: number, o: { scale: number; bound: number; max: number }, kl: number): number {
  return Math.min(o.max, Math.max(0, alpha - o.scale * (o.bound - kl)));
}

export interface CategoricalMStepTerms {
  /** L, the loss of this step. */
  loss: number;
  /** F, the weighted log-likelihood. */
  fit: number;
  /** KL(π′‖π). */
  kl: number;
  /** ∂L/∂z for each row of logits [rows, n]. */
  dLogits: Float32Array;
}

/**
 * L and its gradient with respect to the logits, from the policy's log-probabilities
 * `logProbs`, the target policy's `targetLogProbs` and the E-step weights `weights`
 * (all [rows, n]).
 */
export function categoricalMStepTerms(
  logProbs: ArrayLike<number>,
  targetLogProbs: ArrayLike<number>,
  weights: ArrayLike<number>,
  o: { rows: number; n: number; alpha: number; klConstraint: number },
): CategoricalMStepTerms {
  const { rows: B, n } = o;
  const fitScale = 1 / (B * n);
  let fit = 0;
  const dLogits = new Float32Array(B * n);
  for (let s = 0; s < B; s++) {
    let weightSum = 0;
    for (let a = 0; a < n; a++) {
      const i = s * n + a;
      fit += weights[i]! * logProbs[i]!;
      weightSum += weights[i]!;
    }
    for (let a = 0; a < n; a++) {
      const i = s * n + a;
      const p = Math.exp(logProbs[i]!);
      const dFit = fitScale * (weights[i]! - p * weightSum);
      const dKl = (p - Math.exp(targetLogProbs[i]!)) / B;
      dLogits[i] = -dFit + o.alpha * dKl;
    }
  }
  fit *= fitScale;
  const kl = categoricalKl(targetLogProbs, logProbs, B, n);
  return { loss: -(fit + o.alpha * (o.klConstraint - kl)), fit, kl, dLogits };
}
