/**
 * A Q network for n discrete actions: Q(s, ·) = f(s), an MLP with one output per
 * action, with a Polyak target copy and its own Adam. DDQN has one, discrete SAC two.
 *
 * Actions travel as rows of one index (action-space.ts); the loss of a batch only
 * involves the column each row took:
 *   loss = mean_i wᵢ·(Q(sᵢ, aᵢ) − yᵢ)²        (wᵢ = 1 without importance weights)
 * so the gradient at the output is 2wᵢ(Q(sᵢ, aᵢ) − yᵢ)/B in column aᵢ and 0 elsewhere.
 * Before each Adam step the gradient is clipped to `maxGradNorm` (global L2 norm), as
 * pytorchrl clips every network; null does not clip.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../nn/adam.js';
import type { MlpShape } from '../nn/layout.js';
import { MlpStack } from '../nn/mlp-stack.js';
import { clipByGlobalNorm } from './clip-gradient.js';
import { captureTargetNetwork, polyakUpdate, restoreTargetNetwork, type TargetNetwork, type TargetNetworkState } from './target-network-state.js';

export interface DiscreteCriticSpec {
  observationSize: number;
  /** n, the number of actions. */
  actionCount: number;
  hiddenSize: number;
  layers: number;
  lr: number;
  /** Polyak rate of the target: θ′ ← (1 − τ)θ′ + τθ. */
  tau: number;
  /** The gradient is clipped to this global L2 norm before each Adam step; null: no clipping. */
  maxGradNorm: number | null;
}

export interface DiscreteCriticStep {
  /** mean wᵢ·(Q(sᵢ, aᵢ) − yᵢ)² before the step. */
  loss: number;
  /** Q(sᵢ, aᵢ) of each row before the step. */
  chosen: Float32Array;
}

export function discreteCriticShape(spec: Pick<DiscreteCriticSpec, 'observationSize' | 'actionCount' | 'hiddenSize' | 'layers'>): MlpShape {
  return {
    inputSize: spec.observationSize,
    hiddenSizes: Array<number>(spec.layers).fill(spec.hiddenSize),
    outputSize: spec.actionCount,
    activation: 'relu',
  };
}

export class DiscreteCritic {
  private readonly online: MlpStack;
  private readonly target: MlpStack;
  private readonly adam: Adam;

  /** The target starts as a copy of the network. */
  constructor(
    readonly spec: DiscreteCriticSpec,
    initialParams: Float32Array,
  ) {
    const shape = discreteCriticShape(spec);
    this.online = new MlpStack(shape, 1, initialParams);
    this.target = new MlpStack(shape, 1, initialParams);
    this.adam = new Adam(this.online.layout.size, { lr: spec.lr });
  }

  /** Parameters of the network. */
  get size(): number {
    return this.online.layout.size;
  }

  /** Q(s, ·) of the network, [rows, n]. */
  values(observations: Float32Array, rows: number): Float32Array {
    return this.evaluate(this.online, observations, rows);
  }

  /** Q′(s, ·) of the target network, [rows, n]. */
  targetValues(observations: Float32Array, rows: number): Float32Array {
    return this.evaluate(this.target, observations, rows);
  }

  /** One Adam step on mean wᵢ·(Q(sᵢ, aᵢ) − yᵢ)², aᵢ the index in `actions` (one per row). */
  train(observations: Float32Array, actions: Float32Array, targets: Float32Array, rows: number, weights?: Float32Array): DiscreteCriticStep {
    const { observationSize: O, actionCount: n } = this.spec;
    const taken = new Float32Array(rows * n);
    for (let i = 0; i < rows; i++) taken[i * n + actionIndex(actions[i]!, n)] = 1;
    const read = tf.tidy(() => {
      const { output, trace } = this.online.forward(0, tf.tensor2d(observations.subarray(0, rows * O), [rows, O]), true);
      const mask = tf.tensor2d(taken, [rows, n]);
      const chosen = tf.sum(tf.mul(output, mask), 1, true);
      const error = tf.sub(chosen, tf.tensor2d(targets.subarray(0, rows), [rows, 1]));
      const w = weights ? tf.tensor2d(weights.subarray(0, rows), [rows, 1]) : null;
      const weighted = w ? tf.mul(error, w) : error;
      const dOutput = tf.mul(mask, tf.mul(weighted, 2 / rows));
      const gradient = this.online.backwardFlat([{ network: 0, trace: trace!, dOutput }], { params: true, input: false }).params!;
      this.online.setParams(this.adam.apply(this.online.params, clipByGlobalNorm(gradient, this.spec.maxGradNorm)));
      const loss = tf.mean(tf.mul(weighted, error));
      return tf.keep(tf.concat([tf.reshape(loss, [1]), tf.reshape(chosen, [-1])]));
    });
    const values = read.dataSync() as Float32Array;
    read.dispose();
    return { loss: values[0]!, chosen: values.slice(1, 1 + rows) };
  }

  /** θ′ ← (1 − τ)θ′ + τθ. */
  updateTarget(): void {
    polyakUpdate(this.parts(), this.spec.tau);
  }

  setLr(lr: number): void {
    this.adam.lr = lr;
  }

  getState(): TargetNetworkState {
    return captureTargetNetwork(this.parts());
  }

  setState(state: TargetNetworkState): void {
    restoreTargetNetwork(this.parts(), state);
  }

  dispose(): void {
    for (const owned of [this.online, this.target, this.adam]) owned.dispose();
  }

  private parts(): TargetNetwork {
    return { online: this.online, target: this.target, adam: this.adam };
  }

  private evaluate(network: MlpStack, observations: Float32Array, rows: number): Float32Array {
    const O = this.spec.observationSize;
    const output = tf.tidy(() => network.forward(0, tf.tensor2d(observations.subarray(0, rows * O), [rows, O])).output);
    const values = output.dataSync() as Float32Array;
    output.dispose();
    // A copy: on the cpu backend dataSync hands out the tensor's own storage.
    return values.slice();
  }
}

/** The index a stored action row holds; anything else is a bug upstream (the loader and envs check indices). */
export function actionIndex(value: number, n: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= n) throw new RangeError(`expected an action index in 0…${n - 1}, got ${value}`);
  return value;
}

/** Per row, the index of the largest of n values (the first one on ties, as torch.argmax). */
export function argmaxRows(values: Float32Array, rows: number, n: number): Int32Array {
  const best = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let k = 0;
    for (let a = 1; a < n; a++) if (values[r * n + a]! > values[r * n + k]!) k = a;
    best[r] = k;
  }
  return best;
}
