/**
 * Soft Actor-Critic for discrete actions (Christodoulou 2019): a categorical policy
 * π(·|s) = softmax(f(s)), twin Q networks with one output per action (Q(s, ·)), Polyak
 * targets and a learned temperature. With n actions every expectation over π is a sum,
 * so an update draws no random numbers. One `update` is, in order (as our SAC):
 *   1. critics:  V′(s′) = Σ_a π(a|s′)·(min_k Q′ₖ(s′, a) − α log π(a|s′))
 *                y = r + γ(1−d)·V′(s′);  loss = mse(Q₁(s,a), y) + mse(Q₂(s,a), y)
 *   2. actor:    loss = mean_s Σ_a π(a|s)·(α log π(a|s) − min_k Qₖ(s, a)), updated critics;
 *                its gradient at the logits z is π_a·(c_a − Σ_b π_b c_b)/B with
 *                c_a = α log π(a|s) − min_k Qₖ(s, a)
 *   3. alpha:    loss = −log α · (−H(π(·|s)) + target entropy), averaged over s
 *   4. targets:  θ′ ← (1−τ)θ′ + τθ, on every targetUpdateInterval-th update
 * α in steps 1–2 is the value before step 3. As for SAC: with batch `discounts` (n-step
 * rows) γ becomes each row's γᵏ; with `weights` (prioritized replay) each row's critic,
 * actor and temperature loss is weighted; gradients are clipped to `maxGradNorm` when set.
 *
 * Acting: `act(s, true)` takes argmax π(·|s); `act(s, false, rng)` and `sample` draw
 * a ~ π(·|s) with one `rng.uniform()` per row. This is the policy MOPO's model rollouts
 * follow on discrete tasks (see the learner table: a density, so `stochastic`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TransitionBatch } from '../data/replay-buffer.js';
import { CheckpointError } from '../errors.js';
import { Adam } from '../nn/adam.js';
import { HostAdam, hostAdamTensors, restoreHostAdam } from '../nn/host-adam.js';
import { initialParams } from '../nn/init.js';
import { ParamLayout, type MlpShape } from '../nn/layout.js';
import { scheduledLr } from '../nn/lr-schedule.js';
import { MlpStack } from '../nn/mlp-stack.js';
import { requireTensor, vectorState, type Json, type ModuleState, type TensorRecord } from '../nn/state.js';
import { Rng } from '../util/rng.js';
import { mean } from '../util/stats.js';
import { targetRate } from './actor-critic-options.js';
import { clipByGlobalNorm } from './clip-gradient.js';
import { savedMeta } from './deterministic-learner.js';
import { argmaxRows, DiscreteCritic, discreteCriticShape, type DiscreteCriticSpec } from './discrete-critic.js';
import type { UpdateOptions } from './learner.js';
import { resolveDiscreteSacOptions, type DiscreteSacOptions, type ResolvedDiscreteSacOptions } from './discrete-sac-options.js';
import { readTargetNetwork, targetNetworkTensors } from './target-network-state.js';

export type DiscreteSacMetrics = {
  criticLoss: number;
  actorLoss: number;
  alphaLoss: number;
  alpha: number;
  /** Mean of both critics' Q(s, a) over the batch. */
  qMean: number;
  /** Mean over the batch of H(π(·|s)). */
  entropy: number;
};

export interface DiscreteSacMeta {
  format: 'mopo-discrete-sac';
  version: 1;
  options: ResolvedDiscreteSacOptions;
  updates: number;
  adamSteps: { actor: number; critic1: number; critic2: number; alpha: number };
  [key: string]: Json;
}

const STATE_FORMAT = 'mopo-discrete-sac';

export class DiscreteSac {
  readonly options: ResolvedDiscreteSacOptions;
  /** Updates done so far. */
  updates = 0;
  private readonly actor: MlpStack;
  private readonly actorAdam: Adam;
  private readonly critics: DiscreteCritic[];
  private readonly logAlpha: Float32Array;
  private readonly alphaAdam: HostAdam;

  constructor(options: DiscreteSacOptions) {
    const o = resolveDiscreteSacOptions(options);
    this.options = o;
    const init = new Rng(o.seed, 1);
    const actorShape: MlpShape = {
      inputSize: o.observationSize,
      hiddenSizes: Array<number>(o.actorLayers).fill(o.actorHiddenSize),
      outputSize: o.actionCount,
      activation: 'relu',
    };
    this.actor = new MlpStack(actorShape, 1, initialParams(new ParamLayout(actorShape, 1), 'torch_default', init));
    this.actorAdam = new Adam(this.actor.layout.size, { lr: o.actorLr });
    const spec: DiscreteCriticSpec = {
      observationSize: o.observationSize,
      actionCount: o.actionCount,
      hiddenSize: o.criticHiddenSize,
      layers: o.criticLayers,
      lr: o.criticLr,
      tau: targetRate(o),
      maxGradNorm: o.maxGradNorm,
    };
    const pair = new ParamLayout(discreteCriticShape(spec), 2);
    const params = initialParams(pair, 'torch_default', init);
    this.critics = [0, 1].map((k) => new DiscreteCritic(spec, params.slice(k * pair.perNetwork, (k + 1) * pair.perNetwork)));
    this.logAlpha = Float32Array.of(Math.log(o.initialAlpha));
    this.alphaAdam = new HostAdam(1, o.alphaLr);
  }

  /** A learner in the state `state` (see getState); `overrides` may change e.g. learning rates. */
  static fromState(state: ModuleState, overrides: Partial<DiscreteSacOptions> = {}): DiscreteSac {
    const meta = savedMeta<DiscreteSacMeta>(state, STATE_FORMAT, 'discrete SAC');
    const sac = new DiscreteSac({ ...meta.options, ...overrides, observationSize: meta.options.observationSize, actionCount: meta.options.actionCount });
    sac.setState(state);
    return sac;
  }

  /** Small networks: nothing to spread over compute workers. */
  distribute(): void {}

  /** One step of critics, actor, temperature and targets on `batch`; its metrics, or null with `{ metrics: false }`. */
  update(batch: TransitionBatch, { metrics = true, tdErrors = null }: Partial<UpdateOptions> = {}): DiscreteSacMetrics | null {
    const { observationSize: O, actionCount: n, gamma } = this.options;
    const B = batch.size;
    const { discounts, weights } = batch;
    const observations = batch.observations.subarray(0, B * O);
    const nextObservations = batch.nextObservations.subarray(0, B * O);
    const alpha = this.alpha();

    // 1. critics
    const next = logSoftmax(this.logits(nextObservations, B), B, n);
    const [t1, t2] = this.critics.map((critic) => critic.targetValues(nextObservations, B));
    const y = new Float32Array(B);
    for (let i = 0; i < B; i++) {
      let value = 0;
      for (let a = 0; a < n; a++) {
        const k = i * n + a;
        value += Math.exp(next[k]!) * (Math.min(t1![k]!, t2![k]!) - alpha * next[k]!);
      }
      y[i] = batch.rewards[i]! + (discounts ? discounts[i]! : gamma) * (1 - batch.terminals[i]!) * value;
    }
    const [step1, step2] = this.critics.map((critic) => critic.train(observations, batch.actions.subarray(0, B), y, B, weights));
    // As SAC's (pytorchrl's): the mean of both critics' |Q − y|
    if (tdErrors) for (let i = 0; i < B; i++) tdErrors[i] = 0.5 * Math.abs(step1!.chosen[i]! - y[i]!) + 0.5 * Math.abs(step2!.chosen[i]! - y[i]!);

    // 2. actor, against the updated critics
    const [q1, q2] = this.critics.map((critic) => critic.values(observations, B));
    const minQ = q1!.map((q, k) => Math.min(q, q2![k]!));
    let policy = { loss: 0, entropy: 0, weightedEntropy: 0 };
    tf.tidy(() => {
      const { output, trace } = this.actor.forward(0, tf.tensor2d(observations, [B, O]), true);
      const { dLogits, ...measured } = categoricalPolicyLoss(logSoftmax(output.dataSync() as Float32Array, B, n), minQ, alpha, B, n, weights);
      const gradient = this.actor.backwardFlat([{ network: 0, trace: trace!, dOutput: tf.tensor2d(dLogits, [B, n]) }], { params: true, input: false }).params!;
      this.actor.setParams(this.actorAdam.apply(this.actor.params, clipByGlobalNorm(gradient, this.options.maxGradNorm)));
      policy = measured;
    });
    const { loss: actorLoss, entropy, weightedEntropy } = policy;

    // 3. temperature, 4. targets
    const entropyGap = this.options.targetEntropy - weightedEntropy;
    const alphaLoss = -this.logAlpha[0]! * entropyGap;
    if (this.options.learnAlpha) this.alphaAdam.apply(this.logAlpha, [-entropyGap]);
    if ((this.updates + 1) % this.options.targetUpdateInterval === 0) for (const critic of this.critics) critic.updateTarget();
    this.updates += 1;
    if (!metrics) return null;
    const qMean = (mean(step1!.chosen) + mean(step2!.chosen)) / 2;
    return { criticLoss: step1!.loss + step2!.loss, actorLoss, alphaLoss, alpha, qMean, entropy };
  }

  /** argmax π(·|s) when `deterministic`, else a ~ π(·|s) drawn with `rng`. One index per row. */
  act(observations: Float32Array, deterministic: boolean, rng?: Rng): Float32Array {
    if (deterministic) {
      const rows = this.rowsOf(observations);
      return Float32Array.from(argmaxRows(this.logits(observations, rows), rows, this.options.actionCount));
    }
    if (!rng) throw new Error('act: a stochastic action needs an Rng');
    return this.sample(observations, rng).actions;
  }

  /** a ~ π(·|s) for each row, with log π(a|s). */
  sample(observations: Float32Array, rng: Rng): { actions: Float32Array; logProbs: Float32Array } {
    const rows = this.rowsOf(observations);
    const n = this.options.actionCount;
    const logProbs = logSoftmax(this.logits(observations, rows), rows, n);
    const actions = new Float32Array(rows);
    const chosen = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const u = rng.uniform();
      let a = 0;
      let cumulative = Math.exp(logProbs[r * n]!);
      while (a < n - 1 && u >= cumulative) cumulative += Math.exp(logProbs[r * n + ++a]!);
      actions[r] = a;
      chosen[r] = logProbs[r * n + a]!;
    }
    return { actions, logProbs: chosen };
  }

  /** log π(·|s) for rows of observations, [rows, n]. */
  logPolicy(observations: Float32Array): Float64Array {
    const rows = this.rowsOf(observations);
    return logSoftmax(this.logits(observations, rows), rows, this.options.actionCount);
  }

  /** The temperature α the losses use: exp(log α), capped at `alphaMax` when set. */
  alpha(): number {
    const alpha = Math.exp(this.logAlpha[0]!);
    return this.options.alphaMax === null ? alpha : Math.min(alpha, this.options.alphaMax);
  }

  /** Sets the learning rates for `progress` (0 → 1) of training, following each optimiser's schedule. */
  setTrainingProgress(progress: number): void {
    const o = this.options;
    this.actorAdam.lr = scheduledLr(o.actorLr, o.actorLrSchedule, progress);
    this.alphaAdam.lr = scheduledLr(o.alphaLr, o.alphaLrSchedule, progress);
    for (const critic of this.critics) critic.setLr(scheduledLr(o.criticLr, o.criticLrSchedule, progress));
  }

  /** Everything a resumed run needs to continue exactly: weights, targets, Adam moments and steps, log α. */
  getState(): ModuleState<DiscreteSacMeta> {
    const actorAdam = this.actorAdam.getState('actor/adam');
    const [critic1, critic2] = this.critics.map((critic) => critic.getState());
    const tensors: TensorRecord = {
      'actor/params': vectorState(this.actor.read()),
      ...actorAdam.tensors,
      ...targetNetworkTensors('critic1', critic1!),
      ...targetNetworkTensors('critic2', critic2!),
      ...hostAdamTensors('log_alpha', this.logAlpha, this.alphaAdam),
    };
    return {
      tensors,
      meta: {
        format: STATE_FORMAT,
        version: 1,
        options: { ...this.options },
        updates: this.updates,
        adamSteps: { actor: actorAdam.step, critic1: critic1!.adamStep, critic2: critic2!.adamStep, alpha: this.alphaAdam.step },
      },
    };
  }

  setState(state: ModuleState): void {
    const meta = savedMeta<DiscreteSacMeta>(state, STATE_FORMAT, 'discrete SAC');
    for (const key of ['observationSize', 'actionCount', 'actorHiddenSize', 'actorLayers', 'criticHiddenSize', 'criticLayers'] as const) {
      if (meta.options[key] !== this.options[key]) throw new CheckpointError(`The discrete SAC state has ${key} ${meta.options[key]}, this learner ${this.options[key]}.`);
    }
    const { tensors } = state;
    this.actor.setParams(tf.tensor1d(requireTensor(tensors, 'actor/params', [this.actor.layout.size])));
    this.actorAdam.setState(tensors, 'actor/adam', meta.adamSteps.actor);
    const steps = [meta.adamSteps.critic1, meta.adamSteps.critic2];
    this.critics.forEach((critic, k) => critic.setState(readTargetNetwork(tensors, `critic${k + 1}`, critic.size, steps[k]!)));
    restoreHostAdam(tensors, 'log_alpha', this.logAlpha, this.alphaAdam, meta.adamSteps.alpha);
    this.updates = meta.updates;
  }

  dispose(): void {
    this.actor.dispose();
    this.actorAdam.dispose();
    for (const critic of this.critics) critic.dispose();
  }

  private logits(observations: Float32Array, rows: number): Float32Array {
    const O = this.options.observationSize;
    const output = tf.tidy(() => this.actor.forward(0, tf.tensor2d(observations.subarray(0, rows * O), [rows, O])).output);
    const values = (output.dataSync() as Float32Array).slice();
    output.dispose();
    return values;
  }

  private rowsOf(observations: Float32Array): number {
    const O = this.options.observationSize;
    const rows = observations.length / O;
    if (!Number.isInteger(rows)) throw new RangeError(`act: ${observations.length} values are not whole rows of ${O}`);
    return rows;
  }
}

/**
 * The actor's loss mean_s w_s·Σ_a π(a|s)·c(s, a), c = α log π(a|s) − q(s, a), from log π
 * and q (both [rows, n]) and the rows' importance weights w (1 without); its gradient at
 * the logits, w_s·π_a·(c_a − Σ_b π_b c_b)/rows (the α-term of ∂ log π adds
 * Σ_a π_a·(δ_ak − π_k) = 0); the mean entropy of π, and its w-weighted mean.
 */
export function categoricalPolicyLoss(
  logProbs: Float64Array,
  q: ArrayLike<number>,
  alpha: number,
  rows: number,
  n: number,
  weights?: Float32Array,
): { loss: number; entropy: number; weightedEntropy: number; dLogits: Float32Array } {
  const dLogits = new Float32Array(rows * n);
  const costs = new Float64Array(n);
  let loss = 0;
  let entropy = 0;
  let weightedEntropy = 0;
  for (let r = 0; r < rows; r++) {
    const w = weights ? weights[r]! : 1;
    let expected = 0;
    let rowEntropy = 0;
    for (let a = 0; a < n; a++) {
      const k = r * n + a;
      costs[a] = alpha * logProbs[k]! - q[k]!;
      expected += Math.exp(logProbs[k]!) * costs[a]!;
      rowEntropy -= Math.exp(logProbs[k]!) * logProbs[k]!;
    }
    for (let a = 0; a < n; a++) dLogits[r * n + a] = (w * Math.exp(logProbs[r * n + a]!) * (costs[a]! - expected)) / rows;
    loss += w * expected;
    entropy += rowEntropy;
    weightedEntropy += w * rowEntropy;
  }
  return { loss: loss / rows, entropy: entropy / rows, weightedEntropy: weightedEntropy / rows, dLogits };
}

/** log softmax of each row of n logits, in float64 (z − max − log Σ exp(z − max)). */
export function logSoftmax(logits: ArrayLike<number>, rows: number, n: number): Float64Array {
  const out = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let a = 0; a < n; a++) max = Math.max(max, logits[r * n + a]!);
    let sum = 0;
    for (let a = 0; a < n; a++) sum += Math.exp(logits[r * n + a]! - max);
    const log = Math.log(sum);
    for (let a = 0; a < n; a++) out[r * n + a] = logits[r * n + a]! - max - log;
  }
  return out;
}
