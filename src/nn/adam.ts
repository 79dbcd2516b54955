/**
 * Adam on one flat parameter vector, with PyTorch's update rule:
 *   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
 *   p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε).
 *
 * Our own rather than tf.train.adam: tfjs's optimiser runs ~10 ops per variable (a
 * SAC critic pair has 12 variables), keeps its moments by position in a variable
 * list, and exposes no exact save/restore of moments and step count — which a
 * resumed run needs to continue bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { requireTensor, vectorState, type TensorRecord } from './state.js';
import { ADAM_STEP, fastKernels, runFused } from './wasm/fast-kernels.js';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private m: tf.Tensor;
  private v: tf.Tensor;
  /** Updates applied so far (PyTorch's `step`). */
  step = 0;

  constructor(
    readonly size: number,
    options: AdamOptions,
  ) {
    this.lr = options.lr;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.m = tf.keep(tf.zeros([size]));
    this.v = tf.keep(tf.zeros([size]));
  }

  /**
   * Returns the updated parameters; `params` itself is left for its owner to dispose.
   * With `decay`, the gradient is `gradient + decay ⊙ params` (L2 weight decay).
   */
  apply(params: tf.Tensor, gradient: tf.Tensor, decay?: tf.Tensor): tf.Tensor {
    this.step += 1;
    const stepSize = this.lr / (1 - this.beta1 ** this.step);
    const sqrtCorrection2 = Math.sqrt(1 - this.beta2 ** this.step);
    if (fastKernels()) {
      const [next, m, v] = runFused(ADAM_STEP, { params, gradient, m: this.m, v: this.v, ...(decay ? { decay } : {}) }, {
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        sqrtCorrection2,
        stepSize,
      });
      this.m.dispose();
      this.v.dispose();
      this.m = tf.keep(m!);
      this.v = tf.keep(v!);
      return next!;
    }
    const [m, v, next] = tf.tidy(() => {
      if (decay) gradient = tf.add(gradient, tf.mul(decay, params));
      const m = tf.add(tf.mul(this.m, this.beta1), tf.mul(gradient, 1 - this.beta1));
      const v = tf.add(tf.mul(this.v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
      const denominator = tf.add(tf.div(tf.sqrt(v), sqrtCorrection2), this.epsilon);
      const next = tf.sub(params, tf.mul(tf.div(m, denominator), stepSize));
      return [m, v, next] as tf.Tensor[];
    });
    this.m.dispose();
    this.v.dispose();
    this.m = tf.keep(m!);
    this.v = tf.keep(v!);
    return next!;
  }

  getState(prefix: string): { tensors: TensorRecord; step: number } {
    return {
      tensors: {
        [`${prefix}/m`]: vectorState(this.m.dataSync().slice() as Float32Array),
        [`${prefix}/v`]: vectorState(this.v.dataSync().slice() as Float32Array),
      },
      step: this.step,
    };
  }

  setState(tensors: TensorRecord, prefix: string, step: number): void {
    const m = requireTensor(tensors, `${prefix}/m`, [this.size]);
    const v = requireTensor(tensors, `${prefix}/v`, [this.size]);
    this.m.dispose();
    this.v.dispose();
    this.m = tf.keep(tf.tensor1d(m));
    this.v = tf.keep(tf.tensor1d(v));
    this.step = step;
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
