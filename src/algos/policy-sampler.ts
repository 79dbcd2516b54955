/**
 * Samples a′ ~ π(s′) with log π(a′|s′) for SAC's critic targets. SAC keeps a copy of
 * its actor in a compute worker (see Sac.distribute) so the worker samples the next
 * actions while this thread runs the actor on s; the copy gets the actor's weights
 * after every update and computes exactly what the actor itself would.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MlpShape } from '../nn/layout.js';
import { MlpStack } from '../nn/mlp-stack.js';
import { sampleSquashed, type LogStdBounds } from './tanh-gaussian.js';

/** [actions (rows × A), log-probabilities (rows)] of a squashed sample with the given noise. */
export function sampleActions(actor: MlpStack, observations: Float32Array, noise: Float32Array, rows: number, bounds: LogStdBounds): Float32Array {
  const O = actor.shape.inputSize;
  const A = actor.shape.outputSize / 2;
  const values = tf.tidy(() => {
    const sample = sampleSquashed(actor.forward(0, tf.tensor2d(observations.subarray(0, rows * O), [rows, O])).output, tf.tensor2d(noise.subarray(0, rows * A), [rows, A]), bounds);
    return tf.concat([tf.reshape(sample.action, [-1]), tf.reshape(sample.logProb, [-1])]);
  });
  const data = values.dataSync() as Float32Array;
  values.dispose();
  return data;
}

export class PolicySampler {
  private readonly actor: MlpStack;

  constructor(
    shape: MlpShape,
    params: Float32Array,
    private readonly bounds: LogStdBounds,
  ) {
    this.actor = new MlpStack(shape, 1, params);
  }

  setParams(params: Float32Array): void {
    this.actor.setParams(tf.tensor1d(params));
  }

  sample(observations: Float32Array, noise: Float32Array, rows: number): Float32Array {
    return sampleActions(this.actor, observations, noise, rows, this.bounds);
  }

  dispose(): void {
    this.actor.dispose();
  }
}
