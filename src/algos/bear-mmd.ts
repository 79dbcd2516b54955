/**
 * Maximum mean discrepancy between two sets of action samples per state, and its
 * gradient with respect to the first set (BEAR's policy samples), in plain JavaScript:
 * at BEAR's sizes (a batch of 100–256 states, 4–10 samples of 6 actions each) this is
 * a few hundred thousand flops, cheaper on the host than as tfjs ops.
 *
 * For one state with samples x₁…x_N (policy) and y₁…y_M (behaviour model):
 *   MMD² = 1/N² Σᵢᵢ′ k(xᵢ, xᵢ′) − 2/(NM) Σᵢⱼ k(xᵢ, yⱼ) + 1/M² Σⱼⱼ′ k(yⱼ, yⱼ′)
 *   MMD  = √(MMD² + 10⁻⁶)   (the offset keeps the square root differentiable at 0)
 * with the kernels of BEAR's code (Kumar et al.; d3rlpy's are the same):
 *   laplacian  k(x, y) = exp(−‖x − y‖₁ / (2σ))
 *   gaussian   k(x, y) = exp(−‖x − y‖₂² / (2σ))
 * (σ, not σ², divides: BEAR's σ = 20 is tuned for that form.)
 */
import type { MmdKernel } from './bear-options.js';

export interface MmdSamples {
  /** Rows × N × A values: N samples of A actions for each row. */
  x: Float32Array;
  /** Rows × M × A values. */
  y: Float32Array;
  rows: number;
  actionSize: number;
}

export interface MmdResult {
  /** MMD for each row. */
  values: Float64Array;
  /** ∂MMDᵣ/∂x for every value of `x` (rows × N × A), when asked for. */
  gradient: Float32Array | null;
}

export function mmd(samples: MmdSamples, kernel: MmdKernel, sigma: number, withGradient: boolean): MmdResult {
  const { x, y, rows, actionSize: A } = samples;
  const N = x.length / (rows * A);
  const M = y.length / (rows * A);
  if (!Number.isInteger(N) || !Number.isInteger(M) || N < 1 || M < 1) {
    throw new RangeError(`mmd: ${x.length} and ${y.length} values are not rows × samples × ${A} for ${rows} rows`);
  }
  const values = new Float64Array(rows);
  const gradient = withGradient ? new Float32Array(x.length) : null;
  const scale = 1 / (2 * sigma);
  const laplacian = kernel === 'laplacian';
  // k(u, v) and, into `slope` (A values), ∂k(u, v)/∂u.
  const slope = new Float64Array(A);
  const evaluate = (u: Float32Array, uAt: number, v: Float32Array, vAt: number, wantSlope: boolean): number => {
    let distance = 0;
    for (let d = 0; d < A; d++) {
      const diff = u[uAt + d]! - v[vAt + d]!;
      distance += laplacian ? Math.abs(diff) : diff * diff;
    }
    const k = Math.exp(-distance * scale);
    if (wantSlope) {
      for (let d = 0; d < A; d++) {
        const diff = u[uAt + d]! - v[vAt + d]!;
        slope[d] = laplacian ? -k * scale * Math.sign(diff) : -k * scale * 2 * diff;
      }
    }
    return k;
  };

  const dSquared = new Float64Array(N * A);
  for (let r = 0; r < rows; r++) {
    const xBase = r * N * A;
    const yBase = r * M * A;
    dSquared.fill(0);
    let xx = 0;
    let xy = 0;
    let yy = 0;
    for (let i = 0; i < N; i++) {
      for (let i2 = 0; i2 < N; i2++) {
        xx += evaluate(x, xBase + i * A, x, xBase + i2 * A, gradient !== null);
        // xᵢ appears as the first and as the second argument: 2/N² Σᵢ′ ∂k(xᵢ, xᵢ′)/∂xᵢ.
        if (gradient) for (let d = 0; d < A; d++) dSquared[i * A + d]! += (2 / (N * N)) * slope[d]!;
      }
      for (let j = 0; j < M; j++) {
        xy += evaluate(x, xBase + i * A, y, yBase + j * A, gradient !== null);
        if (gradient) for (let d = 0; d < A; d++) dSquared[i * A + d]! -= (2 / (N * M)) * slope[d]!;
      }
    }
    for (let j = 0; j < M; j++) for (let j2 = 0; j2 < M; j2++) yy += evaluate(y, yBase + j * A, y, yBase + j2 * A, false);
    const value = Math.sqrt(xx / (N * N) - (2 * xy) / (N * M) + yy / (M * M) + 1e-6);
    values[r] = value;
    if (gradient) for (let k = 0; k < N * A; k++) gradient[xBase + k] = dSquared[k]! / (2 * value);
  }
  return { values, gradient };
}
