/**
 * Soft Actor-Critic: twin Q critics with Polyak-averaged targets, a tanh-Gaussian
 * actor and a learned temperature. One `update` is, in order (as in PyTorch SAC):
 *   1. critics:  y = r + γ(1−d)(min Q′(s′, a′) − α log π(a′|s′)),  a′ ~ π(s′);
 *                loss = mse(Q₁(s,a), y) + mse(Q₂(s,a), y)
 *   2. actor:    loss = mean(α log π(ã|s) − min Q(s, ã)),  ã ~ π(s), updated critics
 *   3. alpha:    loss = −mean(log α · (log π(ã|s) + target entropy))
 *   4. targets:  θ′ ← (1−τ)θ′ + τθ
 * α in steps 1–2 is the value before step 3. Policy noise comes from our Rng, so a
 * seed fixes every update and a restored state continues exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TransitionBatch } from '../data/replay-buffer.js';
import { CheckpointError } from '../errors.js';
import { Adam } from '../nn/adam.js';
import { initialParams } from '../nn/init.js';
import { ParamLayout, type MlpShape } from '../nn/layout.js';
import { MlpStack } from '../nn/mlp-stack.js';
import { requireTensor, vectorState, type Json, type ModuleState } from '../nn/state.js';
import { Rng, type RngState } from '../util/rng.js';
import { resolveSacOptions, type ResolvedSacOptions, type SacOptions } from './sac-options.js';
import { deterministicAction, sampleSquashed, squashedBackward } from './tanh-gaussian.js';

export type { TransitionBatch };

export interface SacMetrics {
  criticLoss: number;
  actorLoss: number;
  alphaLoss: number;
  alpha: number;
  /** Mean of both critics' Q(s, a) over the batch. */
  qMean: number;
  /** −mean log π(ã|s): the policy's entropy estimate. */
  entropy: number;
}

export interface SacMeta {
  format: 'mopo-sac';
  version: 1;
  options: ResolvedSacOptions;
  updates: number;
  adamSteps: { actor: number; critics: number; alpha: number };
  rng: RngState;
  [key: string]: Json;
}

const STATE_FORMAT = 'mopo-sac';

export class Sac {
  readonly options: ResolvedSacOptions;
  /** Updates done so far. */
  updates = 0;
  private readonly actor: MlpStack;
  private readonly critics: MlpStack;
  private readonly targets: MlpStack;
  private readonly actorAdam: Adam;
  private readonly criticAdam: Adam;
  private readonly alphaAdam: Adam;
  private logAlpha: tf.Tensor;
  private rng: Rng;

  constructor(options: SacOptions) {
    const o = resolveSacOptions(options);
    this.options = o;
    const init = new Rng(o.seed, 1);
    const actorShape = mlpShape(o.observationSize, o.actorHiddenSize, o.actorLayers, 2 * o.actionSize);
    const criticShape = mlpShape(o.observationSize + o.actionSize, o.criticHiddenSize, o.criticLayers, 1);
    this.actor = new MlpStack(actorShape, 1, initialParams(new ParamLayout(actorShape, 1), 'torch_default', init));
    const criticParams = initialParams(new ParamLayout(criticShape, 2), 'torch_default', init);
    this.critics = new MlpStack(criticShape, 2, criticParams);
    this.targets = new MlpStack(criticShape, 2, criticParams);
    this.actorAdam = new Adam(this.actor.layout.size, { lr: o.actorLr });
    this.criticAdam = new Adam(this.critics.layout.size, { lr: o.criticLr });
    this.alphaAdam = new Adam(1, { lr: o.alphaLr });
    this.logAlpha = tf.keep(tf.tensor1d([Math.log(o.initialAlpha)]));
    this.rng = new Rng(o.seed, 2);
  }

  /** A learner in the state `state` (see getState); `overrides` may change e.g. learning rates. */
  static fromState(state: ModuleState, overrides: Partial<SacOptions> = {}): Sac {
    const meta = sacMeta(state);
    const sac = new Sac({ ...meta.options, ...overrides });
    sac.setState(state);
    return sac;
  }

  /**
   * One gradient step of critics, actor, temperature and targets on `batch`.
   * Returns the step's metrics (one small read-back), or null with `{ metrics: false }`.
   */
  update(batch: TransitionBatch, { metrics = true }: { metrics?: boolean } = {}): SacMetrics | null {
    const { observationSize: O, actionSize: A, gamma, tau } = this.options;
    const B = batch.size;
    const bounds = { min: this.options.logStdMin, max: this.options.logStdMax };
    const nextNoise = this.rng.fillNormal(new Float32Array(B * A));
    const actorNoise = this.rng.fillNormal(new Float32Array(B * A));
    const values = tf.tidy(() => {
      const s = tf.tensor2d(batch.observations.subarray(0, B * O), [B, O]);
      const a = tf.tensor2d(batch.actions.subarray(0, B * A), [B, A]);
      const r = tf.tensor2d(batch.rewards.subarray(0, B), [B, 1]);
      const s2 = tf.tensor2d(batch.nextObservations.subarray(0, B * O), [B, O]);
      const notDone = tf.sub(1, tf.tensor2d(batch.terminals.subarray(0, B), [B, 1]));
      const alpha = tf.exp(this.logAlpha);

      // 1. critics
      const next = sampleSquashed(this.actor.forward(0, s2).output, tf.tensor2d(nextNoise, [B, A]), bounds);
      const nextInput = tf.concat([s2, next.action], 1);
      const nextQ = tf.minimum(this.targets.forward(0, nextInput).output, this.targets.forward(1, nextInput).output);
      const y = tf.add(r, tf.mul(tf.mul(notDone, gamma), tf.sub(nextQ, tf.mul(alpha, next.logProb))));
      const input = tf.concat([s, a], 1);
      const q1 = this.critics.forward(0, input, true);
      const q2 = this.critics.forward(1, input, true);
      const error1 = tf.sub(q1.output, y);
      const error2 = tf.sub(q2.output, y);
      const criticLoss = tf.add(tf.mean(tf.square(error1)), tf.mean(tf.square(error2)));
      const qMean = tf.mul(tf.add(tf.mean(q1.output), tf.mean(q2.output)), 0.5);
      const paramsOnly = { params: true, input: false };
      const g1 = this.critics.backward(0, q1.trace!, tf.mul(error1, 2 / B), paramsOnly);
      const g2 = this.critics.backward(1, q2.trace!, tf.mul(error2, 2 / B), paramsOnly);
      this.critics.setParams(this.criticAdam.apply(this.critics.params, MlpStack.flatten([g1.params!, g2.params!])));

      // 2. actor
      const head = this.actor.forward(0, s, true);
      const pi = sampleSquashed(head.output, tf.tensor2d(actorNoise, [B, A]), bounds);
      const piInput = tf.concat([s, pi.action], 1);
      const p1 = this.critics.forward(0, piInput, true);
      const p2 = this.critics.forward(1, piInput, true);
      const firstIsMin = tf.cast(tf.lessEqual(p1.output, p2.output), 'float32');
      const minQ = tf.add(tf.mul(firstIsMin, p1.output), tf.mul(tf.sub(1, firstIsMin), p2.output));
      const actorLoss = tf.mean(tf.sub(tf.mul(alpha, pi.logProb), minQ));
      const inputOnly = { params: false, input: true };
      const d1 = this.critics.backward(0, p1.trace!, tf.mul(firstIsMin, -1 / B), inputOnly).input!;
      const d2 = this.critics.backward(1, p2.trace!, tf.mul(tf.sub(1, firstIsMin), -1 / B), inputOnly).input!;
      const dAction = tf.slice(tf.add(d1, d2), [0, O], [B, A]);
      const dHead = squashedBackward(pi, dAction, tf.div(alpha, B));
      const gActor = this.actor.backward(0, head.trace!, dHead, paramsOnly);
      this.actor.setParams(this.actorAdam.apply(this.actor.params, MlpStack.flatten([gActor.params!])));

      // 3. temperature
      const entropyGap = tf.add(tf.mean(pi.logProb), this.options.targetEntropy);
      const alphaLoss = tf.neg(tf.mul(this.logAlpha, entropyGap));
      if (this.options.learnAlpha) {
        const next = this.alphaAdam.apply(this.logAlpha, tf.reshape(tf.neg(entropyGap), [1]));
        this.logAlpha.dispose();
        this.logAlpha = tf.keep(next);
      }

      // 4. targets
      this.targets.setParams(tf.add(tf.mul(this.targets.params, 1 - tau), tf.mul(this.critics.params, tau)));

      const entropy = tf.neg(tf.mean(pi.logProb));
      return tf.concat([criticLoss, actorLoss, alphaLoss, alpha, qMean, entropy].map((t) => tf.reshape(t, [1])));
    });
    this.updates += 1;
    const read = metrics ? values.dataSync() : null;
    values.dispose();
    if (read === null) return null;
    const [criticLoss, actorLoss, alphaLoss, alpha, qMean, entropy] = Array.from(read);
    return { criticLoss: criticLoss!, actorLoss: actorLoss!, alphaLoss: alphaLoss!, alpha: alpha!, qMean: qMean!, entropy: entropy! };
  }

  /**
   * Actions for `observations` (rows of observationSize): tanh of the mean when
   * `deterministic`, else a sample with noise from `rng`.
   */
  act(observations: Float32Array, deterministic: boolean, rng?: Rng): Float32Array {
    const { observationSize: O, actionSize: A } = this.options;
    const rows = observations.length / O;
    if (!Number.isInteger(rows)) throw new RangeError(`act: ${observations.length} values are not whole rows of ${O}`);
    if (!deterministic && !rng) throw new Error('act: a stochastic action needs an Rng');
    const noise = deterministic ? null : rng!.fillNormal(new Float32Array(rows * A));
    const actions = tf.tidy(() => {
      const head = this.actor.forward(0, tf.tensor2d(observations, [rows, O])).output;
      if (noise === null) return deterministicAction(head);
      return sampleSquashed(head, tf.tensor2d(noise, [rows, A]), { min: this.options.logStdMin, max: this.options.logStdMax }).action;
    });
    const out = actions.dataSync() as Float32Array;
    actions.dispose();
    return out;
  }

  /** Current temperature α (one read-back). */
  alpha(): number {
    return Math.exp(this.logAlpha.dataSync()[0]!);
  }

  /** Everything a resumed run needs to continue exactly: weights, targets, Adam moments and steps, log α, Rng. */
  getState(): ModuleState<SacMeta> {
    const actorAdam = this.actorAdam.getState('actor/adam');
    const criticAdam = this.criticAdam.getState('critics/adam');
    const alphaAdam = this.alphaAdam.getState('log_alpha/adam');
    return {
      tensors: {
        'actor/params': vectorState(this.actor.read()),
        'critics/params': vectorState(this.critics.read()),
        'critic_targets/params': vectorState(this.targets.read()),
        log_alpha: vectorState(this.logAlpha.dataSync().slice() as Float32Array),
        ...actorAdam.tensors,
        ...criticAdam.tensors,
        ...alphaAdam.tensors,
      },
      meta: {
        format: STATE_FORMAT,
        version: 1,
        options: { ...this.options },
        updates: this.updates,
        adamSteps: { actor: actorAdam.step, critics: criticAdam.step, alpha: alphaAdam.step },
        rng: this.rng.getState(),
      },
    };
  }

  setState(state: ModuleState): void {
    const meta = sacMeta(state);
    const { tensors } = state;
    const sizeOf = (stack: MlpStack) => [stack.layout.size];
    for (const key of ['observationSize', 'actionSize'] as const) {
      if (meta.options[key] !== this.options[key]) {
        throw new CheckpointError(`The SAC state has ${key} ${meta.options[key]}, this learner ${this.options[key]}.`);
      }
    }
    this.actor.setParams(tf.tensor1d(requireTensor(tensors, 'actor/params', sizeOf(this.actor))));
    this.critics.setParams(tf.tensor1d(requireTensor(tensors, 'critics/params', sizeOf(this.critics))));
    this.targets.setParams(tf.tensor1d(requireTensor(tensors, 'critic_targets/params', sizeOf(this.targets))));
    const logAlpha = requireTensor(tensors, 'log_alpha', [1]);
    this.logAlpha.dispose();
    this.logAlpha = tf.keep(tf.tensor1d(logAlpha));
    this.actorAdam.setState(tensors, 'actor/adam', meta.adamSteps.actor);
    this.criticAdam.setState(tensors, 'critics/adam', meta.adamSteps.critics);
    this.alphaAdam.setState(tensors, 'log_alpha/adam', meta.adamSteps.alpha);
    this.updates = meta.updates;
    this.rng = Rng.fromState(meta.rng);
  }

  dispose(): void {
    for (const owned of [this.actor, this.critics, this.targets, this.actorAdam, this.criticAdam, this.alphaAdam]) owned.dispose();
    this.logAlpha.dispose();
  }
}

function mlpShape(inputSize: number, hidden: number, layers: number, outputSize: number): MlpShape {
  return { inputSize, hiddenSizes: Array<number>(layers).fill(hidden), outputSize, activation: 'relu' };
}

function sacMeta(state: ModuleState): SacMeta {
  const meta = state.meta as Partial<SacMeta> | null;
  if (!meta || meta.format !== STATE_FORMAT || meta.version !== 1) {
    throw new CheckpointError('This is not a SAC state saved by mopo (format mopo-sac, version 1).');
  }
  return meta as SacMeta;
}
