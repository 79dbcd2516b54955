/**
 * MPO's E-step (Abdolmaleki et al. 2018, arXiv 1806.06920, §4.1 and appendix): for each
 * state s of the batch, N actions a_k ~ π′(·|s) of the target policy with their target
 * values Q_k = Q′(s, a_k) become the non-parametric improved policy
 *   q(a_k|s) = exp(Q_k/η) / Σ_j exp(Q_j/η),
 * whose temperature η minimises the convex dual
 *   g(η) = η·ε + (1/B) Σ_s [ m_s + η · log( (1/N) Σ_k exp((Q_sk − m_s)/η) ) ],  η ≥ 1e-6,
 * with m_s = max_k Q_sk for numerical stability and ε the KL bound (dual_constraint).
 *
 * With z_sk = (Q_sk − m_s)/η, w = softmax_k(z) and L_s = log mean_k exp(z_sk):
 *   g′(η) = ε + (1/B) Σ_s (L_s − E_w[z_s]),   g″(η) = (1/(B·η)) Σ_s Var_w(z_s) ≥ 0,
 * so the minimiser is the root of the increasing g′ (or the bound, where g′ ≥ 0 there).
 * pytorchrl (after daisatojp/mpo) runs a few steps of scipy's SLSQP from the previous η;
 * here a safeguarded Newton iteration on g′ finds the same minimiser to ~1e-12.
 *
 * Q is row-major [B, N]: row s holds the N samples of state s.
 *
 * With a prior (the discrete variant, discrete-mpo.ts): row s holds Q′(s, a) for every
 * one of the N = n actions, and `prior` [B, N] the target policy's probabilities π′(a|s).
 * The improved policy and the dual then weigh each action by its probability,
 *   q(a|s) = π′(a|s)·exp(Q_sa/η) / Σ_b π′(b|s)·exp(Q_sb/η),
 *   g(η) = η·ε + (1/B) Σ_s [ m_s + η · log Σ_a π′(a|s)·exp((Q_sa − m_s)/η) ],
 * the samples' 1/N being the prior of N equally likely samples. g′ and g″ keep their form
 * with w ∝ π′·exp(z) and L_s = log Σ_a π′(a|s)·exp(z_sa); m_s is the maximum over the
 * actions π′ gives any probability. Without a prior every line below computes exactly
 * what it did before priors existed.
 */

/** The smallest temperature (the bound pytorchrl gives SLSQP). */
export const MIN_TEMPERATURE = 1e-6;

/** g(η), the dual of the E-step. */
export function temperatureDual(q: ArrayLike<number>, rows: number, samples: number, epsilon: number, eta: number, prior?: ArrayLike<number>): number {
  let sum = 0;
  for (let s = 0; s < rows; s++) {
    const m = rowMax(q, s, samples, prior);
    let total = 0;
    for (let k = 0; k < samples; k++) total += weight(prior, s * samples + k) * Math.exp((q[s * samples + k]! - m) / eta);
    sum += m + eta * Math.log(prior ? total : total / samples);
  }
  return eta * epsilon + sum / rows;
}

/** g′(η) and g″(η). */
export function temperatureSlope(
  q: ArrayLike<number>,
  rows: number,
  samples: number,
  epsilon: number,
  eta: number,
  prior?: ArrayLike<number>,
): { slope: number; curvature: number } {
  let slope = 0;
  let curvature = 0;
  for (let s = 0; s < rows; s++) {
    const m = rowMax(q, s, samples, prior);
    let total = 0;
    let first = 0;
    let second = 0;
    for (let k = 0; k < samples; k++) {
      const z = (q[s * samples + k]! - m) / eta;
      const e = weight(prior, s * samples + k) * Math.exp(z);
      total += e;
      first += e * z;
      second += e * z * z;
    }
    const meanZ = first / total;
    slope += Math.log(prior ? total : total / samples) - meanZ;
    curvature += Math.max(0, second / total - meanZ * meanZ);
  }
  return { slope: epsilon + slope / rows, curvature: curvature / (rows * eta) };
}

/** The η ≥ MIN_TEMPERATURE that minimises g, starting the search at `start` (the previous update's η). */
export function solveTemperature(q: ArrayLike<number>, rows: number, samples: number, epsilon: number, start: number, prior?: ArrayLike<number>): number {
  const slope = (eta: number) => temperatureSlope(q, rows, samples, epsilon, eta, prior);
  if (slope(MIN_TEMPERATURE).slope >= 0) return MIN_TEMPERATURE;
  // A bracket [lo, hi] with g′(lo) < 0 ≤ g′(hi); g′ tends to ε > 0 as η grows.
  let lo = MIN_TEMPERATURE;
  let hi = Math.max(start, 2 * MIN_TEMPERATURE);
  for (let i = 0; i < 1000 && slope(hi).slope < 0; i++) {
    lo = hi;
    hi *= 2;
  }
  let eta = Math.min(Math.max(start, lo), hi);
  for (let i = 0; i < 200; i++) {
    const { slope: s, curvature } = slope(eta);
    if (s === 0) break;
    if (s < 0) lo = eta;
    else hi = eta;
    const newton = eta - s / curvature;
    eta = newton > lo && newton < hi ? newton : 0.5 * (lo + hi);
    if (hi - lo <= 1e-12 * hi || Math.abs(s) <= 1e-13) break;
  }
  return eta;
}

/** q(a_k|s) = softmax_k(Q_sk/η) for every row (with a prior: ∝ π′(a_k|s)·exp(Q_sk/η)), into `out` [B, N]. */
export function sampleWeights(q: ArrayLike<number>, rows: number, samples: number, eta: number, out: Float64Array, prior?: ArrayLike<number>): Float64Array {
  for (let s = 0; s < rows; s++) {
    const m = rowMax(q, s, samples, prior);
    let total = 0;
    for (let k = 0; k < samples; k++) {
      const e = weight(prior, s * samples + k) * Math.exp((q[s * samples + k]! - m) / eta);
      out[s * samples + k] = e;
      total += e;
    }
    for (let k = 0; k < samples; k++) out[s * samples + k]! /= total;
  }
  return out;
}

/** max_k Q_sk over the entries the prior gives any probability (all of them without a prior). */
function rowMax(q: ArrayLike<number>, s: number, samples: number, prior?: ArrayLike<number>): number {
  let m = -Infinity;
  for (let k = 0; k < samples; k++) if (!prior || prior[s * samples + k]! > 0) m = Math.max(m, q[s * samples + k]!);
  return m;
}

/** The prior probability of entry i; 1 without a prior (multiplying by 1 changes no bit). */
function weight(prior: ArrayLike<number> | undefined, i: number): number {
  return prior ? prior[i]! : 1;
}
