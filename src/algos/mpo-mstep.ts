/**
 * MPO's M-step for a diagonal Gaussian policy (Abdolmaleki et al. 2018, arXiv
 * 1812.02256, decoupled updates): fit the policy π = N(μ(s), σ(s)²) to the E-step's
 * weighted samples a_k ~ π′ of the target policy N(μ′, σ′²), the mean and the
 * covariance each in its own term, each with its own KL bound:
 *   F      = (1/(N·B)) Σ_s Σ_k q_sk [ log N(a_sk; μ_s, σ′_s²) + log N(a_sk; μ′_s, σ_s²) ]
 *   KL_μ   = (1/B) Σ_s ½ Σ_j (μ_sj − μ′_sj)² / σ′_sj²
 *   KL_Σ   = (1/B) Σ_s ½ Σ_j (σ′_sj²/σ_sj² − 1 + ln(σ_sj²/σ′_sj²))
 *   L      = −( F + α_μ(ε_μ − KL_μ) + α_Σ(ε_Σ − KL_Σ) )
 * The Lagrange multipliers follow pytorchrl (after daisatojp/mpo): before each actor step
 *   α_μ ← clip(α_μ − scale_μ·(ε_μ − KL_μ), 0, max_μ),  α_Σ likewise with KL_Σ.
 * F is a mean over the N·B sample pairs as in pytorchrl, so the multipliers' defaults
 * weigh the KL terms as they do there.
 *
 * Because Σ_k q_sk = 1, F depends on the samples only through their weighted moments
 *   ā = Σ_k q a,  ā₂ = Σ_k q a²,  S = Σ_k q (a − μ′)²   (per state and action dimension),
 * which are computed once per update; each M-step iteration is then O(B·A).
 *
 * The policy head: the actor's output row is [m (A), r (A)], μ = tanh(m) (means inside
 * the action box) and σ = softplus(r) + MIN_STD.
 */

/** The smallest standard deviation, so that log-densities stay finite in float32. */
export const MIN_STD = 1e-4;

/** A diagonal Gaussian per row: means and standard deviations, [rows, A] each. */
export interface Gaussians {
  mean: Float64Array;
  std: Float64Array;
}

/** μ and σ of each row of actor outputs [rows, 2A]. */
export function gaussianHeads(output: ArrayLike<number>, rows: number, actionSize: number): Gaussians {
  const A = actionSize;
  const mean = new Float64Array(rows * A);
  const std = new Float64Array(rows * A);
  for (let s = 0; s < rows; s++) {
    for (let j = 0; j < A; j++) {
      mean[s * A + j] = Math.tanh(output[s * 2 * A + j]!);
      std[s * A + j] = softplus(output[s * 2 * A + A + j]!) + MIN_STD;
    }
  }
  return { mean, std };
}

/** The weighted moments of the E-step samples that the M-step needs, [rows, A] each. */
export interface SampleMoments {
  /** ā = Σ_k q_k a_k */
  first: Float64Array;
  /** ā₂ = Σ_k q_k a_k² */
  second: Float64Array;
  /** S = Σ_k q_k (a_k − μ′)² */
  spread: Float64Array;
}

/** Moments of `actions` [rows, N, A] under the weights `weights` [rows, N] (each row summing to 1) around the target means. */
export function sampleMoments(actions: ArrayLike<number>, weights: ArrayLike<number>, target: Gaussians, rows: number, samples: number, actionSize: number): SampleMoments {
  const A = actionSize;
  const first = new Float64Array(rows * A);
  const second = new Float64Array(rows * A);
  const spread = new Float64Array(rows * A);
  for (let s = 0; s < rows; s++) {
    for (let k = 0; k < samples; k++) {
      const q = weights[s * samples + k]!;
      for (let j = 0; j < A; j++) {
        const a = actions[(s * samples + k) * A + j]!;
        const d = a - target.mean[s * A + j]!;
        first[s * A + j]! += q * a;
        second[s * A + j]! += q * a * a;
        spread[s * A + j]! += q * d * d;
      }
    }
  }
  return { first, second, spread };
}

/** KL_μ and KL_Σ of `current` from `target` (see the header), averaged over the rows. */
export function decoupledKl(target: Gaussians, current: Gaussians, rows: number, actionSize: number): { mean: number; variance: number } {
  let klMean = 0;
  let klVariance = 0;
  for (let i = 0; i < rows * actionSize; i++) {
    const d = current.mean[i]! - target.mean[i]!;
    const ratio = (target.std[i]! / current.std[i]!) ** 2;
    klMean += (0.5 * d * d) / target.std[i]! ** 2;
    klVariance += 0.5 * (ratio - 1 - Math.log(ratio));
  }
  return { mean: klMean / rows, variance: klVariance / rows };
}

export interface MStepTerms {
  /** L, the loss of this step. */
  loss: number;
  /** F, the weighted log-likelihood. */
  fit: number;
  /** dL/d(output) for each row [rows, 2A]: [dL/dm, dL/dr]. */
  dOutput: Float32Array;
}

/** L and its gradient with respect to the actor's outputs `output` [rows, 2A] (whose Gaussians are `current`). */
export function mStepTerms(
  output: ArrayLike<number>,
  current: Gaussians,
  target: Gaussians,
  moments: SampleMoments,
  o: { rows: number; samples: number; actionSize: number; alphaMean: number; alphaVariance: number; klMeanConstraint: number; klVarConstraint: number },
): MStepTerms {
  const { rows: B, samples: N, actionSize: A } = o;
  const fitScale = 1 / (N * B);
  let fit = 0;
  const dOutput = new Float32Array(B * 2 * A);
  for (let s = 0; s < B; s++) {
    for (let j = 0; j < A; j++) {
      const i = s * A + j;
      const mu = current.mean[i]!;
      const sigma = current.std[i]!;
      const targetMu = target.mean[i]!;
      const targetSigma = target.std[i]!;
      const targetVar = targetSigma * targetSigma;
      const { first, second, spread } = moments;
      // Σ_k q [log N(a; μ, σ′²) + log N(a; μ′, σ²)]
      const meanSquares = second[i]! - 2 * mu * first[i]! + mu * mu;
      fit += -meanSquares / (2 * targetVar) - Math.log(targetSigma) - spread[i]! / (2 * sigma * sigma) - Math.log(sigma) - LOG_TWO_PI;
      const dFitMean = (fitScale * (first[i]! - mu)) / targetVar;
      const dFitStd = fitScale * (spread[i]! / sigma ** 3 - 1 / sigma);
      const dKlMean = (mu - targetMu) / targetVar / B;
      const dKlStd = (1 / sigma - targetVar / sigma ** 3) / B;
      const dMean = -dFitMean + o.alphaMean * dKlMean;
      const dStd = -dFitStd + o.alphaVariance * dKlStd;
      // through μ = tanh(m) and σ = softplus(r) + MIN_STD
      dOutput[s * 2 * A + j] = dMean * (1 - mu * mu);
      dOutput[s * 2 * A + A + j] = dStd * sigmoid(output[s * 2 * A + A + j]!);
    }
  }
  fit *= fitScale;
  const kl = decoupledKl(target, current, B, A);
  const loss = -(fit + o.alphaMean * (o.klMeanConstraint - kl.mean) + o.alphaVariance * (o.klVarConstraint - kl.variance));
  return { loss, fit, dOutput };
}

const LOG_TWO_PI = Math.log(2 * Math.PI);

function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
