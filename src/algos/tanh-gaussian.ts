/**
 * The tanh-squashed diagonal Gaussian policy head of SAC, forward and backward.
 *
 * The actor's output row is [mean (A), raw log-std (A)]. With ℓ = clamp(raw, lo, hi),
 * σ = eˡ, u = mean + σ·ε (ε ~ N(0, 1) from our Rng) and a = tanh(u):
 *   log π(a|s) = Σⱼ [ −ε²/2 − ℓ − log(2π)/2 − log(1 − tanh²u) ],
 * with log(1 − tanh²u) = 2(log 2 − u − softplus(−2u)), exact and stable where
 * tanh saturates (the 1 − a² + 1e-6 form caps the correction there instead).
 *
 * The backward pass treats ε as a constant (the reparameterisation trick); the
 * Gaussian term then contributes only through −ℓ. Call both inside `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fastKernels, runFused, SQUASHED_BACKWARD, SQUASHED_SAMPLE } from '../nn/wasm/fast-kernels.js';

export interface LogStdBounds {
  min: number;
  max: number;
}

export interface SquashedSample {
  action: tf.Tensor;
  /** log π(a|s), shape [rows, 1]. */
  logProb: tf.Tensor;
  std: tf.Tensor;
  noise: tf.Tensor;
  /** 1 where the raw log-std lies inside the bounds (the clamp passes gradient there), else 0. */
  logStdFree: tf.Tensor;
}

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

export function sampleSquashed(head: tf.Tensor, noise: tf.Tensor, bounds: LogStdBounds): SquashedSample {
  if (fastKernels()) {
    const [action, logProb, std, logStdFree] = runFused(SQUASHED_SAMPLE, { head, noise }, { min: bounds.min, max: bounds.max }) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    return { action, logProb, std, noise, logStdFree };
  }
  const [mean, rawLogStd] = tf.split(head, 2, 1) as [tf.Tensor, tf.Tensor];
  const logStd = tf.clipByValue(rawLogStd, bounds.min, bounds.max);
  const std = tf.exp(logStd);
  const u = tf.add(mean, tf.mul(std, noise));
  const action = tf.tanh(u);
  const logOneMinusTanhSq = tf.mul(tf.sub(tf.sub(Math.LN2, u), tf.softplus(tf.mul(u, -2))), 2);
  const perDim = tf.add(tf.add(tf.mul(tf.square(noise), 0.5), logStd), logOneMinusTanhSq);
  const logProb = tf.sub(tf.neg(tf.sum(perDim, 1, true)), noise.shape[1]! * HALF_LOG_TWO_PI);
  const logStdFree = tf.cast(tf.equal(logStd, rawLogStd), 'float32');
  return { action, logProb, std, noise, logStdFree };
}

/**
 * Gradient of a loss with respect to the actor's output row, given the loss's
 * gradient w.r.t. the action (`dAction`, [rows, A]) and w.r.t. each row's log π
 * (`dLogProb`, the same for every row, e.g. α/B for SAC's actor loss).
 * On the WASM backend both passes are one fused kernel each (same formulas).
 */
export function squashedBackward(sample: SquashedSample, dAction: tf.Tensor, dLogProb: tf.Tensor | number): tf.Tensor {
  if (fastKernels()) {
    const inputs = { action: sample.action, std: sample.std, noise: sample.noise, free: sample.logStdFree, dAction };
    return runFused(SQUASHED_BACKWARD, inputs, { dLogProb: typeof dLogProb === 'number' ? dLogProb : dLogProb.dataSync()[0]! })[0]!;
  }
  if (typeof dLogProb === 'number') dLogProb = tf.scalar(dLogProb);
  const a = sample.action;
  // ∂a/∂u = 1 − a², ∂ log π/∂u = 2a
  const dU = tf.add(tf.mul(dAction, tf.sub(1, tf.square(a))), tf.mul(tf.mul(a, 2), dLogProb));
  const dLogStd = tf.mul(tf.sub(tf.mul(tf.mul(dU, sample.std), sample.noise), dLogProb), sample.logStdFree);
  return tf.concat([dU, dLogStd], 1);
}

export function deterministicAction(head: tf.Tensor): tf.Tensor {
  const [mean] = tf.split(head, 2, 1) as [tf.Tensor, tf.Tensor];
  return tf.tanh(mean);
}
