/**
 * Global-norm gradient clipping, as PyTorch's `clip_grad_norm_` (which pytorchrl's
 * learners apply to each network before its optimiser step): when ‖g‖₂ exceeds
 * `maxNorm`, g is scaled by maxNorm / (‖g‖₂ + 1e-6), so the clipped norm stays below
 * maxNorm; otherwise g is left as it is.
 *
 * The norm is summed in float64 from the gradient's values: a float32 sum over a
 * critic's ~70 000 parameters errs by up to 5e-5 relative here, enough to let a
 * clipped gradient end above the bound. What remains is the float32 rounding of the
 * scaled values (≤ 6e-8 relative).
 *
 * `null` turns clipping off and returns `gradient` itself, so a learner without
 * clipping computes exactly what it did before the option existed. Call in `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';

export function clipByGlobalNorm(gradient: tf.Tensor, maxNorm: number | null): tf.Tensor {
  if (maxNorm === null) return gradient;
  const values = gradient.dataSync();
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += values[i]! * values[i]!;
  const norm = Math.sqrt(squares);
  return norm > maxNorm ? tf.mul(gradient, maxNorm / (norm + 1e-6)) : gradient;
}
