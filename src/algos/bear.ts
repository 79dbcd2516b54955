/**
 * BEAR, Bootstrapping Error Accumulation Reduction (Kumar et al. 2019), as d3rlpy
 * offers it: a SAC-style tanh-Gaussian actor kept on the support of the data by an MMD
 * constraint against a learned behaviour model. One `update` is, in order:
 *   1. behaviour model (bear-imitator.ts): one step of its VAE loss on (s, a).
 *   2. critics:  a′₁…a′_N ~ π(s′) (N = n_action_samples); for each,
 *                  m(a′) = λ·minₖ Q′ₖ(s′, a′) + (1 − λ)·maxₖ Q′ₖ(s′, a′)
 *                y = r + γ(1 − d)(max_j m(a′_j) − T·log π(a′_j*|s′)),  j* the best a′;
 *                loss = Σₖ mse(Qₖ(s, a), y)
 *   every update_actor_interval-th update:
 *   3. actor:    loss = mean(T·log π(ã|s) − minₖ Qₖ(s, ã)) + α·mean(MMD(s) − ε),
 *                ã ~ π(s) with the critics just updated; MMD (bear-mmd.ts) between N
 *                actions of the policy and N of the behaviour model per state.
 *                During the first rl_start_epoch epochs (the warm-up) the loss is the
 *                MMD term alone: the actor only follows the behaviour model.
 *   4. temperature (after the warm-up): log T descends −T·mean(log π(ã|s) − |A|)
 *      (d3rlpy's loss; target entropy −|A|).
 *   5. Lagrange multiplier: log α ascends α·(mean MMD − ε) — α grows while the policy
 *      strays further than ε from the behaviour model and shrinks once it is inside —
 *      then log α is clipped to [−5, 10] (d3rlpy).
 *   6. targets:  θ′ ← (1 − τ)θ′ + τθ for every critic.
 * T, α in steps 2–3 are their values before steps 4–5. Learning rate 0 holds T or α
 * fixed. Every sample comes from our Rng, so a seed fixes every update and a restored
 * state continues exactly.
 *
 * Acting: tanh of the mean when deterministic (d3rlpy 0.x's `predict`), else a sample;
 * `sample` gives log π too, so MOPO's model rollouts can drive this policy.
 *
 * `distribute(threads)` moves critics 2…n into compute workers (as SAC and TD3 do):
 * they then work at once with this thread, with the same results.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TransitionBatch } from '../data/replay-buffer.js';
import { CheckpointError } from '../errors.js';
import { Adam } from '../nn/adam.js';
import { HostAdam, hostAdamTensors, restoreHostAdam } from '../nn/host-adam.js';
import { initialParams } from '../nn/init.js';
import { ParamLayout, type MlpShape } from '../nn/layout.js';
import { MlpStack } from '../nn/mlp-stack.js';
import { requireTensor, vectorState, type Json, type ModuleState, type TensorRecord } from '../nn/state.js';
import { waitAll } from '../nn/threads/handle.js';
import type { WorkerThread } from '../nn/threads/worker-thread.js';
import { Rng, type RngState } from '../util/rng.js';
import { mean } from '../util/stats.js';
import { BehaviourVae, repeatRows } from './bear-imitator.js';
import { mmd } from './bear-mmd.js';
import { resolveBearOptions, warmupUpdates, type BearOptions, type ResolvedBearOptions } from './bear-options.js';
import type { CriticSpec } from './critic.js';
import { CriticSet } from './critic-set.js';
import type { Learner, LearnerMetrics } from './learner.js';
import { mlpLayers, type PolicyGraph } from './policy-graph.js';
import { sampleActions } from './policy-sampler.js';
import { readTargetNetwork, targetNetworkTensors } from './target-network-state.js';
import { deterministicAction, sampleSquashed, squashedBackward, type LogStdBounds } from './tanh-gaussian.js';

/**
 * What an update measures: `imitatorLoss`, `criticLoss` (Σₖ mse(Qₖ(s, a), y) before the
 * step), `qMean` (mean Q(s, a) over critics and batch), `temp` and `alpha` (the T and α
 * it used); with an actor step also `actorLoss`, `mmd` (mean MMD) and `alphaLoss`, and
 * after the warm-up `tempLoss` and `entropy` (−mean log π(ã|s)).
 */
export type BearMetrics = LearnerMetrics;

export interface BearMeta {
  format: 'mopo-bear';
  version: 1;
  options: ResolvedBearOptions;
  updates: number;
  adamSteps: { actor: number; critics: number[]; imitator: { encoder: number; decoder: number }; temperature: number; alpha: number };
  rng: RngState;
  [key: string]: Json;
}

const STATE_FORMAT = 'mopo-bear';
const LOG_ALPHA_MIN = -5;
const LOG_ALPHA_MAX = 10;

export class Bear implements Learner {
  readonly options: ResolvedBearOptions;
  /** Updates done so far. */
  updates = 0;
  private readonly actor: MlpStack;
  private readonly actorAdam: Adam;
  private readonly critics: CriticSet;
  private readonly imitator: BehaviourVae;
  private readonly logTemperature: Float32Array;
  private readonly temperatureAdam: HostAdam;
  private readonly logAlpha: Float32Array;
  private readonly alphaAdam: HostAdam;
  private readonly warmup: number;
  private rng: Rng;

  constructor(options: BearOptions) {
    const o = resolveBearOptions(options);
    this.options = o;
    const init = new Rng(o.seed, 1);
    const actorShape: MlpShape = {
      inputSize: o.observationSize,
      hiddenSizes: Array<number>(o.actorLayers).fill(o.actorHiddenSize),
      outputSize: 2 * o.actionSize,
      activation: 'relu',
    };
    this.actor = new MlpStack(actorShape, 1, initialParams(new ParamLayout(actorShape, 1), 'torch_default', init));
    this.actorAdam = new Adam(this.actor.layout.size, { lr: o.actorLr, epsilon: o.adamEpsilon });
    const criticSpec: CriticSpec = {
      observationSize: o.observationSize,
      actionSize: o.actionSize,
      hiddenSize: o.criticHiddenSize,
      layers: o.criticLayers,
      lr: o.criticLr,
      tau: o.tau,
      adamEpsilon: o.adamEpsilon,
    };
    this.critics = new CriticSet(criticSpec, o.criticCount, init);
    this.imitator = new BehaviourVae(
      {
        observationSize: o.observationSize,
        actionSize: o.actionSize,
        latentSize: o.latentSize,
        hiddenSize: o.imitatorHiddenSize,
        layers: o.imitatorLayers,
        lr: o.imitatorLr,
        klWeight: o.klWeight,
        adamEpsilon: o.adamEpsilon,
      },
      init,
    );
    this.logTemperature = Float32Array.of(Math.log(o.initialTemperature));
    this.temperatureAdam = new HostAdam(1, o.temperatureLr, 0.9, 0.999, o.adamEpsilon);
    this.logAlpha = Float32Array.of(Math.log(o.initialAlpha));
    this.alphaAdam = new HostAdam(1, o.alphaLr, 0.9, 0.999, o.adamEpsilon);
    this.warmup = warmupUpdates(o);
    this.rng = new Rng(o.seed, 2);
  }

  /** A learner in the state `state` (see getState); `overrides` may change what keeps the networks' shapes (learning rates, λ, …). */
  static fromState(state: ModuleState, overrides: Partial<BearOptions> = {}): Bear {
    const meta = bearMeta(state);
    const bear = new Bear({ ...meta.options, ...overrides });
    bear.setState(state);
    return bear;
  }

  /** Moves critics 2…n into the compute workers, round robin; `distribute([])` brings them back. Results are unchanged. */
  distribute(threads: WorkerThread[]): void {
    for (let k = 1; k < this.options.criticCount; k++) this.critics.place(k, threads.length > 0 ? threads[(k - 1) % threads.length] : undefined);
  }

  /** One update (steps 1–6 above) on `batch`; its measurements, or null with `{ metrics: false }`. */
  update(batch: TransitionBatch, { metrics = true }: { metrics?: boolean } = {}): BearMetrics | null {
    const o = this.options;
    const { observationSize: O, actionSize: A, latentSize: L, actionSamples: N } = o;
    const B = batch.size;
    const observations = batch.observations.subarray(0, B * O);
    const actions = batch.actions.subarray(0, B * A);
    const nextObservations = batch.nextObservations.subarray(0, B * O);
    const warm = this.updates < this.warmup;
    const actorStep = this.updates % o.updateActorInterval === 0;
    const temperature = Math.exp(this.logTemperature[0]!);
    const alpha = Math.exp(this.logAlpha[0]!);
    // Every sample of this update, drawn in one fixed order.
    const vaeNoise = this.rng.fillNormal(new Float32Array(B * L));
    const nextNoise = this.rng.fillNormal(new Float32Array(B * N * A));
    const piNoise = actorStep && !warm ? this.rng.fillNormal(new Float32Array(B * A)) : null;
    const policyNoise = actorStep ? this.rng.fillNormal(new Float32Array(B * N * A)) : null;
    const latents = actorStep ? this.imitator.drawLatents(B * N, this.rng) : null;

    // 2a. the critics' targets start first: a worker's run while this thread trains the behaviour model
    const critics = this.critics.all;
    const repeatedNext = repeatRows(nextObservations, O, B, N);
    const next = sampleActions(this.actor, repeatedNext, nextNoise, B * N, this.logStdBounds());
    const evaluating = critics.map((critic) => critic.call('evaluate', observations, actions, B));
    const targetValues = critics.map((critic) => critic.call('targetValues', repeatedNext, next.subarray(0, B * N * A), B * N));

    // 1. behaviour model
    const imitation = this.imitator.train(observations, actions, vaeNoise, B);

    // 2b. y = r + γ(1 − d)(best λ-mix − T log π)
    const q = waitAll(targetValues);
    const nextLogProb = next.subarray(B * N * A);
    const y = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      let best = -Infinity;
      let bestLogProb = 0;
      for (let j = 0; j < N; j++) {
        let low = Infinity;
        let high = -Infinity;
        for (const values of q) {
          low = Math.min(low, values![b * N + j]!);
          high = Math.max(high, values![b * N + j]!);
        }
        const mix = o.lam * low + (1 - o.lam) * high;
        if (mix > best) {
          best = mix;
          bestLogProb = nextLogProb[b * N + j]!;
        }
      }
      y[b] = batch.rewards[b]! + o.gamma * (1 - batch.terminals[b]!) * (best - temperature * bestLogProb);
    }
    waitAll(evaluating);

    const measured = { criticLoss: 0, qMean: 0, actorLoss: NaN, mmd: NaN, meanLogProb: NaN };
    tf.tidy(() => {
      const head = actorStep ? this.actor.forward(0, tf.tensor2d(observations, [B, O]), true) : null;
      const pi = head && !warm ? sampleSquashed(head.output, tf.tensor2d(piNoise!, [B, A]), this.logStdBounds()) : null;
      const piRead = pi ? (tf.concat([tf.reshape(pi.action, [-1]), tf.reshape(pi.logProb, [-1])]).dataSync() as Float32Array) : null;
      // Critic.train always probes Q(s, ·) for an actor step; without a SAC term the batch's own actions will do.
      const probeActions = piRead ? piRead.subarray(0, B * A) : actions;
      const steps = waitAll(critics.map((critic) => critic.call('train', y, probeActions, B)));
      measured.criticLoss = steps.reduce((sum, step) => sum + step!.loss, 0);
      measured.qMean = mean(steps.map((step) => step!.qMean));
      if (!head) return;

      // 3. actor: the MMD term on the host, the SAC term through tanh-gaussian.ts
      const headValues = head.output.dataSync() as Float32Array;
      const policy = this.policySamples(headValues, policyNoise!, B);
      const behaviour = this.imitator.sample(observations, latents!, B, N);
      const divergence = mmd({ x: policy.actions, y: behaviour, rows: B, actionSize: A }, o.mmdKernel, o.mmdSigma, true);
      measured.mmd = mean(divergence.values);
      let actorLoss = alpha * (measured.mmd - o.alphaThreshold);
      const dHead = this.mmdHeadGradient(policy, divergence.gradient!, alpha / B, B);
      let dOutput = tf.tensor2d(dHead, [B, 2 * A]);
      if (pi) {
        // the gradient of −min Q flows into the critic that is smallest on each row
        const piLogProb = piRead!.subarray(B * A);
        const weights = critics.map(() => new Float32Array(B));
        for (let b = 0; b < B; b++) {
          let smallest = 0;
          for (let k = 1; k < steps.length; k++) if (steps[k]!.probe[b]! < steps[smallest]!.probe[b]!) smallest = k;
          weights[smallest]![b] = -1 / B;
          actorLoss += (temperature * piLogProb[b]! - steps[smallest]!.probe[b]!) / B;
        }
        const gradients = waitAll(critics.map((critic, k) => critic.call('actionGradient', weights[k]!, B)));
        const dAction = new Float32Array(B * A);
        for (const g of gradients) for (let i = 0; i < B * A; i++) dAction[i]! += g![i]!;
        dOutput = tf.add(dOutput, squashedBackward(pi, tf.tensor2d(dAction, [B, A]), temperature / B));
        measured.meanLogProb = mean(piLogProb);
      }
      const gradient = this.actor.backwardFlat([{ network: 0, trace: head.trace!, dOutput }], { params: true, input: false }).params!;
      this.actor.setParams(this.actorAdam.apply(this.actor.params, gradient));
      measured.actorLoss = actorLoss;
    });

    const result: BearMetrics = { imitatorLoss: imitation.loss, criticLoss: measured.criticLoss, qMean: measured.qMean, temp: temperature, alpha };
    if (actorStep) {
      // 6. targets (issued first: a worker's run during steps 4–5)
      const targets = critics.map((critic) => critic.call('updateTarget'));
      // 4. temperature
      if (!warm) {
        const entropyGap = measured.meanLogProb - A;
        result.tempLoss = -temperature * entropyGap;
        result.entropy = -measured.meanLogProb;
        if (o.temperatureLr > 0) this.temperatureAdam.apply(this.logTemperature, [-temperature * entropyGap]);
      }
      // 5. Lagrange multiplier
      const slack = measured.mmd - o.alphaThreshold;
      result.alphaLoss = -alpha * slack;
      if (o.alphaLr > 0) {
        this.alphaAdam.apply(this.logAlpha, [-alpha * slack]);
        this.logAlpha[0] = Math.min(LOG_ALPHA_MAX, Math.max(LOG_ALPHA_MIN, this.logAlpha[0]!));
      }
      waitAll(targets);
      result.actorLoss = measured.actorLoss;
      result.mmd = measured.mmd;
    }
    this.updates += 1;
    return metrics ? result : null;
  }

  /**
   * Actions for `observations` (rows of observationSize): tanh of the mean when
   * `deterministic`, else a sample with noise from `rng`.
   */
  act(observations: Float32Array, deterministic: boolean, rng?: Rng): Float32Array {
    if (!deterministic) {
      if (!rng) throw new Error('act: a stochastic action needs an Rng');
      return this.sample(observations, rng).actions;
    }
    const rows = this.rowsOf(observations, 'act');
    const actions = tf.tidy(() => deterministicAction(this.actor.forward(0, tf.tensor2d(observations, [rows, this.options.observationSize])).output));
    const out = actions.dataSync() as Float32Array;
    actions.dispose();
    return out;
  }

  /** Stochastic actions with log π(a|s) under the squashed Gaussian. */
  sample(observations: Float32Array, rng: Rng): { actions: Float32Array; logProbs: Float32Array } {
    const rows = this.rowsOf(observations, 'sample');
    const A = this.options.actionSize;
    const values = sampleActions(this.actor, observations, rng.fillNormal(new Float32Array(rows * A)), rows, this.logStdBounds());
    return { actions: values.slice(0, rows * A), logProbs: values.slice(rows * A) };
  }

  /** The deterministic policy tanh(μ(s)) as a network description, for mopo-export (SAC's head). */
  policyGraph(): PolicyGraph {
    const { observationSize, actionSize } = this.options;
    return { observationSize, actionSize, normaliser: null, layers: mlpLayers(this.actor.shape, this.actor.read()), head: 'tanh_gaussian_mean' };
  }

  /** Behaviour-model actions for latents drawn from `rng`, one per row: what the imitator has learned. */
  behaviourActions(observations: Float32Array, rng: Rng): Float32Array {
    const rows = this.rowsOf(observations, 'behaviourActions');
    return this.imitator.sample(observations, this.imitator.drawLatents(rows, rng), rows, 1);
  }

  /** Current temperature T and Lagrange multiplier α. */
  multipliers(): { temperature: number; alpha: number } {
    return { temperature: Math.exp(this.logTemperature[0]!), alpha: Math.exp(this.logAlpha[0]!) };
  }

  /** Everything a resumed run needs to continue exactly: weights, targets, Adam moments and steps, log T, log α, Rng. */
  getState(): ModuleState<BearMeta> {
    const actorAdam = this.actorAdam.getState('actor/adam');
    const critics = this.critics.getState();
    const imitator = this.imitator.getState('imitator');
    const tensors: TensorRecord = {
      'actor/params': vectorState(this.actor.read()),
      ...actorAdam.tensors,
      ...imitator.tensors,
      ...hostAdamTensors('log_temperature', this.logTemperature, this.temperatureAdam),
      ...hostAdamTensors('log_alpha', this.logAlpha, this.alphaAdam),
    };
    critics.forEach((critic, k) => Object.assign(tensors, targetNetworkTensors(`critic${k + 1}`, critic)));
    return {
      tensors,
      meta: {
        format: STATE_FORMAT,
        version: 1,
        options: { ...this.options },
        updates: this.updates,
        adamSteps: {
          actor: actorAdam.step,
          critics: critics.map((critic) => critic.adamStep),
          imitator: imitator.adamSteps,
          temperature: this.temperatureAdam.step,
          alpha: this.alphaAdam.step,
        },
        rng: this.rng.getState(),
      },
    };
  }

  setState(state: ModuleState): void {
    const meta = bearMeta(state);
    for (const key of ['observationSize', 'actionSize', 'actorHiddenSize', 'actorLayers', 'criticHiddenSize', 'criticLayers', 'criticCount', 'imitatorHiddenSize', 'imitatorLayers', 'latentSize'] as const) {
      if (meta.options[key] !== this.options[key]) throw new CheckpointError(`The BEAR state has ${key} ${meta.options[key]}, this learner ${this.options[key]}.`);
    }
    const { tensors } = state;
    this.actor.setParams(tf.tensor1d(requireTensor(tensors, 'actor/params', [this.actor.layout.size])));
    this.actorAdam.setState(tensors, 'actor/adam', meta.adamSteps.actor);
    this.critics.setState(meta.adamSteps.critics.map((step, k) => readTargetNetwork(tensors, `critic${k + 1}`, this.critics.size, step)));
    this.imitator.setState(tensors, 'imitator', meta.adamSteps.imitator);
    restoreHostAdam(tensors, 'log_temperature', this.logTemperature, this.temperatureAdam, meta.adamSteps.temperature);
    restoreHostAdam(tensors, 'log_alpha', this.logAlpha, this.alphaAdam, meta.adamSteps.alpha);
    this.updates = meta.updates;
    this.rng = Rng.fromState(meta.rng);
  }

  dispose(): void {
    this.actor.dispose();
    this.actorAdam.dispose();
    this.critics.dispose();
    this.imitator.dispose();
  }

  /** a = tanh(μ + σε) for N noise rows per state, with σ and whether the log-std clamp passes gradient. */
  private policySamples(head: Float32Array, noise: Float32Array, rows: number): PolicySamples {
    const { actionSize: A, actionSamples: N, logStdMin, logStdMax } = this.options;
    const actions = new Float32Array(rows * N * A);
    const std = new Float32Array(rows * A);
    const free = new Uint8Array(rows * A);
    for (let b = 0; b < rows; b++) {
      for (let d = 0; d < A; d++) {
        const raw = head[b * 2 * A + A + d]!;
        std[b * A + d] = Math.exp(Math.min(logStdMax, Math.max(logStdMin, raw)));
        free[b * A + d] = raw >= logStdMin && raw <= logStdMax ? 1 : 0;
        for (let j = 0; j < N; j++) actions[(b * N + j) * A + d] = Math.tanh(head[b * 2 * A + d]! + std[b * A + d]! * noise[(b * N + j) * A + d]!);
      }
    }
    return { actions, noise, std, free };
  }

  /** d(scale · Σ MMD)/d[mean, raw log-std] of the actor's output, through a = tanh(μ + σε). */
  private mmdHeadGradient(policy: PolicySamples, dActions: Float32Array, scale: number, rows: number): Float32Array {
    const { actionSize: A, actionSamples: N } = this.options;
    const dHead = new Float32Array(rows * 2 * A);
    for (let b = 0; b < rows; b++) {
      for (let d = 0; d < A; d++) {
        let dMean = 0;
        let dLogStd = 0;
        for (let j = 0; j < N; j++) {
          const k = (b * N + j) * A + d;
          const dU = dActions[k]! * (1 - policy.actions[k]! * policy.actions[k]!);
          dMean += dU;
          dLogStd += dU * policy.noise[k]!;
        }
        dHead[b * 2 * A + d] = scale * dMean;
        dHead[b * 2 * A + A + d] = scale * dLogStd * policy.std[b * A + d]! * policy.free[b * A + d]!;
      }
    }
    return dHead;
  }

  private rowsOf(observations: Float32Array, what: string): number {
    const rows = observations.length / this.options.observationSize;
    if (!Number.isInteger(rows)) throw new RangeError(`${what}: ${observations.length} values are not whole rows of ${this.options.observationSize}`);
    return rows;
  }

  private logStdBounds(): LogStdBounds {
    return { min: this.options.logStdMin, max: this.options.logStdMax };
  }
}

interface PolicySamples {
  /** Rows × N × A sampled actions. */
  actions: Float32Array;
  noise: Float32Array;
  /** Rows × A. */
  std: Float32Array;
  free: Uint8Array;
}

function bearMeta(state: ModuleState): BearMeta {
  const meta = state.meta as Partial<BearMeta> | null;
  if (!meta || meta.format !== STATE_FORMAT || meta.version !== 1) throw new CheckpointError('This is not a BEAR state saved by mopo (format mopo-bear, version 1).');
  return meta as BearMeta;
}
