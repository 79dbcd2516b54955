/**
 * Importance weights of prioritized replay in the actors' losses. pytorchrl weights
 * each row's actor (and SAC's temperature) loss by its importance weight as well as
 * the critic's: every loss of an update is an expectation over the replay, which the
 * prioritized sampling skews. Without weights these are the plain means, computed
 * exactly as before the weights existed.
 */
import { mean } from '../util/stats.js';

/** The gradient weights of −mean(wᵢ·Q(sᵢ, ãᵢ)) with respect to each Q: −wᵢ/B (−1/B without weights). */
export function actorWeights(weights: Float32Array | undefined, rows: number): Float32Array {
  if (!weights) return new Float32Array(rows).fill(-1 / rows);
  const out = new Float32Array(rows);
  for (let i = 0; i < rows; i++) out[i] = -weights[i]! / rows;
  return out;
}

/** mean(wᵢ·vᵢ) over the rows of `values` (the plain mean without weights). */
export function weightedMean(values: ArrayLike<number>, weights: Float32Array | undefined): number {
  if (!weights) return mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += weights[i]! * values[i]!;
  return sum / values.length;
}
