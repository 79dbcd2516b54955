/**
 * One of SAC's twin critics with its target network and optimiser. SAC drives the two
 * through the steps of an update (see sac.ts); everything crosses this boundary as
 * Float32Arrays, so a critic can live in this thread or in a compute worker and
 * compute exactly the same numbers either way.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../nn/adam.js';
import type { MlpShape } from '../nn/layout.js';
import { MlpStack, type MlpTrace } from '../nn/mlp-stack.js';
import { wasmFloats } from '../nn/wasm/fast-kernels.js';
import { clipByGlobalNorm } from './clip-gradient.js';
import { captureTargetNetwork, polyakUpdate, restoreTargetNetwork, type TargetNetwork } from './target-network-state.js';

export interface CriticSpec {
  observationSize: number;
  actionSize: number;
  hiddenSize: number;
  layers: number;
  lr: number;
  tau: number;
  /** Adam's ε; default 1e-8. */
  adamEpsilon?: number;
  /** The gradient is clipped to this global norm before each Adam step; null or absent: no clipping. */
  maxGradNorm?: number | null;
}

export interface CriticState {
  params: Float32Array;
  target: Float32Array;
  adamM: Float32Array;
  adamV: Float32Array;
  adamStep: number;
}

export interface CriticStep {
  /** Mean squared error against the targets before the step (weighted by the rows' importance weights, when given). */
  loss: number;
  /** Mean Q(s, a) before the step. */
  qMean: number;
  /** Q(s, ã) with the updated weights. */
  probe: Float32Array;
  /** Q(s, a) of each row before the step, when asked for (TD errors for prioritized replay). */
  values?: Float32Array;
}

export interface CriticTraining {
  /** Importance weights of the rows: the loss is mean(wᵢ·(Q(sᵢ, aᵢ) − yᵢ)²). */
  weights?: Float32Array;
  /** Also return Q(s, a) of each row before the step. */
  values?: boolean;
}

export function criticShape(spec: Pick<CriticSpec, 'observationSize' | 'actionSize' | 'hiddenSize' | 'layers'>): MlpShape {
  return {
    inputSize: spec.observationSize + spec.actionSize,
    hiddenSizes: Array<number>(spec.layers).fill(spec.hiddenSize),
    outputSize: 1,
    activation: 'relu',
  };
}

export class Critic {
  private readonly online: MlpStack;
  private readonly target: MlpStack;
  private readonly adam: Adam;
  /** Q(s, a) of the current batch with its trace (and a copy of s), from `evaluate` until `train`. */
  private batch: { observations: Float32Array; q: tf.Tensor; trace: MlpTrace } | null = null;
  /** Q(s, ã) with its trace, from `train` until `actionGradient`. */
  private probe: { trace: MlpTrace } | null = null;

  constructor(
    readonly spec: CriticSpec,
    initialParams: Float32Array,
  ) {
    const shape = criticShape(spec);
    this.online = new MlpStack(shape, 1, initialParams);
    this.target = new MlpStack(shape, 1, initialParams);
    this.adam = new Adam(this.online.layout.size, { lr: spec.lr, epsilon: spec.adamEpsilon });
  }

  /** Q(s, a) for the batch about to be trained on; kept for `train`. */
  evaluate(observations: Float32Array, actions: Float32Array, rows: number): void {
    this.release();
    tf.tidy(() => {
      const { output, trace } = this.online.forward(0, this.input(observations, actions, rows), true);
      this.batch = { observations: observations.slice(0, rows * this.spec.observationSize), ...keepAll({ q: output, trace: trace! }) };
    });
  }

  /** Q(s, a) of the online network, keeping nothing for a later step (estimates, Fitted Q Evaluation). */
  values(observations: Float32Array, actions: Float32Array, rows: number): Float32Array {
    return readAndDispose(tf.tidy(() => this.online.forward(0, this.input(observations, actions, rows)).output));
  }

  /** Q′(s′, a′) of the target network. */
  targetValues(observations: Float32Array, actions: Float32Array, rows: number): Float32Array {
    return readAndDispose(tf.tidy(() => this.target.forward(0, this.input(observations, actions, rows)).output));
  }

  /** One Adam step of mse(Q(s, a), y) on the evaluated batch, then Q(s, ã) with the new weights, kept for `actionGradient`. */
  /** A new learning rate for the next steps (a schedule's). */
  setLr(lr: number): void {
    this.adam.lr = lr;
  }

  train(targets: Float32Array, probeActions: Float32Array, rows: number, training: CriticTraining = {}): CriticStep {
    const batch = this.batch;
    if (!batch) throw new Error('Critic.train needs evaluate() first');
    let values: tf.Tensor | null = null;
    let probe: { trace: MlpTrace } | null = null;
    tf.tidy(() => {
      const error = tf.sub(batch.q, tf.tensor2d(targets.subarray(0, rows), [rows, 1]));
      const weights = training.weights ? tf.tensor2d(training.weights.subarray(0, rows), [rows, 1]) : null;
      const dOutput = weights ? tf.mul(tf.mul(error, weights), 2 / rows) : tf.mul(error, 2 / rows);
      const gradient = this.online.backwardFlat([{ network: 0, trace: batch.trace, dOutput }], { params: true, input: false }).params!;
      this.online.setParams(this.adam.apply(this.online.params, clipByGlobalNorm(gradient, this.spec.maxGradNorm ?? null)));
      const { output, trace } = this.online.forward(0, this.input(batch.observations, probeActions, rows), true);
      const squared = weights ? tf.mul(tf.square(error), weights) : tf.square(error);
      const parts = [tf.reshape(tf.mean(squared), [1]), tf.reshape(tf.mean(batch.q), [1]), tf.reshape(output, [-1])];
      if (training.values) parts.push(tf.reshape(batch.q, [-1]));
      values = tf.keep(tf.concat(parts));
      probe = keepAll({ trace: trace! });
    });
    this.release();
    this.probe = probe;
    const read = readAndDispose(values!);
    const step: CriticStep = { loss: read[0]!, qMean: read[1]!, probe: read.slice(2, 2 + rows) };
    if (training.values) step.values = read.slice(2 + rows, 2 + 2 * rows);
    return step;
  }

  /** d(Σᵢ wᵢ·Q(sᵢ, ãᵢ))/dã for the probe of `train`, [rows, actionSize]. */
  actionGradient(weights: Float32Array, rows: number): Float32Array {
    const probe = this.probe;
    if (!probe) throw new Error('Critic.actionGradient needs train() first');
    const { observationSize: O, actionSize: A } = this.spec;
    const dInput = readAndDispose(
      tf.tidy(() => this.online.backward(0, probe.trace, tf.tensor2d(weights.subarray(0, rows), [rows, 1]), { params: false, input: true }).input!),
    );
    this.release();
    // the action columns of d/d[s, a]
    const gradient = new Float32Array(rows * A);
    for (let r = 0; r < rows; r++) gradient.set(dInput.subarray(r * (O + A) + O, (r + 1) * (O + A)), r * A);
    return gradient;
  }

  /** Writes the online (or target) network's weights into `into`: for a gradient computed elsewhere (algos/onnx-sac-gradients.ts). */
  copyParams(into: Float32Array, network: 'online' | 'target'): void {
    const params = (network === 'online' ? this.online : this.target).params;
    into.set(wasmFloats(params) ?? (params.dataSync() as Float32Array));
  }

  /** One Adam step with a gradient computed elsewhere, clipped as in `train`. */
  applyGradient(gradient: Float32Array): void {
    tf.tidy(() => this.online.setParams(this.adam.apply(this.online.params, clipByGlobalNorm(tf.tensor1d(gradient), this.spec.maxGradNorm ?? null))));
  }

  private parts(): TargetNetwork {
    return { online: this.online, target: this.target, adam: this.adam };
  }

  /** θ′ ← (1 − τ)θ′ + τθ. */
  updateTarget(): void {
    polyakUpdate(this.parts(), this.spec.tau);
  }

  getState(): CriticState {
    return captureTargetNetwork(this.parts());
  }

  setState(state: CriticState): void {
    this.release();
    restoreTargetNetwork(this.parts(), state);
  }

  dispose(): void {
    this.release();
    for (const owned of [this.online, this.target, this.adam]) owned.dispose();
  }

  /** Rows [s, a] (joined here: tfjs's concat along columns is slow on WASM). */
  private input(observations: Float32Array, actions: Float32Array, rows: number): tf.Tensor {
    const { observationSize: O, actionSize: A } = this.spec;
    const joined = new Float32Array(rows * (O + A));
    for (let r = 0; r < rows; r++) {
      joined.set(observations.subarray(r * O, (r + 1) * O), r * (O + A));
      joined.set(actions.subarray(r * A, (r + 1) * A), r * (O + A) + O);
    }
    return tf.tensor2d(joined, [rows, O + A]);
  }

  /** Frees the tensors kept between calls. */
  private release(): void {
    if (this.batch) tf.dispose([this.batch.q, ...this.batch.trace.inputs, ...this.batch.trace.slopes]);
    if (this.probe) tf.dispose([...this.probe.trace.inputs, ...this.probe.trace.slopes]);
    this.batch = null;
    this.probe = null;
  }
}

function keepAll<T extends object>(value: T): T {
  const visit = (v: unknown): void => {
    if (v instanceof tf.Tensor) tf.keep(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return value;
}

function readAndDispose(tensor: tf.Tensor): Float32Array {
  const data = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return data;
}
