/**
 * Soft Actor-Critic: twin Q critics with Polyak-averaged targets, a tanh-Gaussian
 * actor and a learned temperature. One `update` is, in order (as in PyTorch SAC):
 *   1. critics:  y = r + γ(1−d)(min Q′(s′, a′) − α log π(a′|s′)),  a′ ~ π(s′);
 *                loss = mse(Q₁(s,a), y) + mse(Q₂(s,a), y)
 *   2. actor:    loss = mean(α log π(ã|s) − min Q(s, ã)),  ã ~ π(s), updated critics
 *   3. alpha:    loss = −mean(log α · (log π(ã|s) + target entropy))
 *   4. targets:  θ′ ← (1−τ)θ′ + τθ, on every targetUpdateInterval-th update
 * α in steps 1–2 is the value before step 3. With batch `discounts` (n-step rows) γ
 * becomes each row's γᵏ; with `weights` (prioritized replay) each row's critic, actor
 * and temperature loss is weighted, as in pytorchrl. Gradients of the critics and the
 * actor are clipped to `maxGradNorm` when it is set. Policy noise comes from our Rng, so a
 * seed fixes every update and a restored state continues exactly.
 *
 * The critics are separate objects driven through handles (critic.ts), so
 * `distribute([thread])` can move the second one to a compute worker: both then work
 * at once, with the same results as in one thread. The worker also keeps a copy of the
 * actor (policy-sampler.ts) that samples a′ ~ π(s′) while this thread runs the actor on s.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TransitionBatch } from '../data/replay-buffer.js';
import { CheckpointError } from '../errors.js';
import { Adam } from '../nn/adam.js';
import { HostAdam, hostAdamTensors, restoreHostAdam } from '../nn/host-adam.js';
import { initialParams } from '../nn/init.js';
import { scheduledLr } from '../nn/lr-schedule.js';
import { ParamLayout, type MlpShape } from '../nn/layout.js';
import { MlpStack } from '../nn/mlp-stack.js';
import { wasmFloats } from '../nn/wasm/fast-kernels.js';
import { requireTensor, vectorState, type Json, type ModuleState, type TensorRecord } from '../nn/state.js';
import type { SacGraphShape } from '../nn/onnx/sac-train-graphs.js';
import { LocalHandle, RemoteHandle, waitAll, type Handle, type Pending, type Resolved } from '../nn/threads/handle.js';
import { WorkerThread } from '../nn/threads/worker-thread.js';
import { Rng, type RngState } from '../util/rng.js';
import { mean } from '../util/stats.js';
import { targetRate } from './actor-critic-options.js';
import { clipByGlobalNorm } from './clip-gradient.js';
import { Critic, criticShape, type CriticSpec } from './critic.js';
import { readTargetNetwork, targetNetworkTensors } from './target-network-state.js';
import type { UpdateOptions } from './learner.js';
import { sacWorkspace, type OnnxSacGradients, type SacWorkspace } from './onnx-sac-gradients.js';
import { weightedMean } from './replay-weights.js';
import { resolveSacOptions, type ResolvedSacOptions, type SacOptions } from './sac-options.js';
import { mlpLayers, type PolicyGraph } from './policy-graph.js';
import { PolicySampler, sampleActions } from './policy-sampler.js';
import { deterministicAction, sampleSquashed, squashedBackward, type LogStdBounds } from './tanh-gaussian.js';

export type { TransitionBatch };

export type SacMetrics = {
  criticLoss: number;
  actorLoss: number;
  alphaLoss: number;
  alpha: number;
  /** Mean of both critics' Q(s, a) over the batch. */
  qMean: number;
  /** −mean log π(ã|s): the policy's entropy estimate. */
  entropy: number;
};

export interface SacMeta {
  format: 'mopo-sac';
  version: 1;
  options: ResolvedSacOptions;
  updates: number;
  adamSteps: { actor: number; critic1: number; critic2: number; alpha: number };
  rng: RngState;
  [key: string]: Json;
}

const STATE_FORMAT = 'mopo-sac';

/** What steps 1 and 2 of an update measured. */
interface GradientSteps {
  criticLoss: number;
  actorLoss: number;
  qMean: number;
  meanLogProb: number;
  weightedLogProb: number;
}

export class Sac {
  readonly options: ResolvedSacOptions;
  /** Updates done so far. */
  updates = 0;
  private readonly actor: MlpStack;
  private readonly actorAdam: Adam;
  private critics: Handle<Critic>[];
  private readonly criticSpec: CriticSpec;
  private readonly logAlpha: Float32Array;
  private readonly alphaAdam: HostAdam;
  private rng: Rng;
  /** The actor's copy in a compute worker, and its pending weight upload. */
  private sampler: Handle<PolicySampler> | null = null;
  private samplerUpload: Pending<void> | null = null;
  /** ONNX Runtime's gradients (trainWithOnnxRuntime) and the worker it runs in; null: tfjs computes them. */
  private onnx: Handle<Resolved<OnnxSacGradients>> | null = null;
  private onnxThread: WorkerThread | null = null;
  /** The shared arrays each update hands to ONNX Runtime's worker and reads back. */
  private workspace: SacWorkspace | null = null;

  constructor(options: SacOptions) {
    const o = resolveSacOptions(options);
    this.options = o;
    const init = new Rng(o.seed, 1);
    const actorShape: MlpShape = {
      inputSize: o.observationSize,
      hiddenSizes: Array<number>(o.actorLayers).fill(o.actorHiddenSize),
      outputSize: 2 * o.actionSize,
      activation: 'relu',
    };
    this.actor = new MlpStack(actorShape, 1, initialParams(new ParamLayout(actorShape, 1), 'torch_default', init));
    this.actorAdam = new Adam(this.actor.layout.size, { lr: o.actorLr });
    this.criticSpec = {
      observationSize: o.observationSize,
      actionSize: o.actionSize,
      hiddenSize: o.criticHiddenSize,
      layers: o.criticLayers,
      lr: o.criticLr,
      tau: targetRate(o),
      maxGradNorm: o.maxGradNorm,
    };
    const pair = new ParamLayout(criticShape(this.criticSpec), 2);
    const criticParams = initialParams(pair, 'torch_default', init);
    this.critics = [0, 1].map((k) => new LocalHandle(new Critic(this.criticSpec, criticParams.slice(k * pair.perNetwork, (k + 1) * pair.perNetwork))));
    this.logAlpha = Float32Array.of(Math.log(o.initialAlpha));
    this.alphaAdam = new HostAdam(1, o.alphaLr);
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
   * Moves the second critic and a copy of the actor into `threads[0]` (a compute
   * worker) so both critics work at once and the next actions are sampled meanwhile;
   * results are unchanged. `distribute([])` brings everything back.
   */
  distribute(threads: WorkerThread[]): void {
    const second = this.critics[1]!;
    const state = second.call('getState').wait();
    second.dispose();
    const critic: Handle<Critic> = threads[0]
      ? RemoteHandle.create<Critic>(threads[0], './critic.js', import.meta.url, 'Critic', [this.criticSpec, state.params])
      : new LocalHandle(new Critic(this.criticSpec, state.params));
    critic.call('setState', state).wait();
    this.critics = [this.critics[0]!, critic];
    this.releaseSampler();
    if (threads[0]) {
      this.sampler = RemoteHandle.create<PolicySampler>(threads[0], './policy-sampler.js', import.meta.url, 'PolicySampler', [this.actor.shape, this.actor.read(), this.logStdBounds()]);
    }
  }

  /**
   * One gradient step of critics, actor, temperature and targets on `batch`.
   * Returns the step's metrics, or null with `{ metrics: false }`.
   */
  update(batch: TransitionBatch, { metrics = true, tdErrors = null }: Partial<UpdateOptions> = {}): SacMetrics | null {
    const { actionSize: A } = this.options;
    const B = batch.size;
    const alpha = this.alpha();
    const nextNoise = this.rng.fillNormal(new Float32Array(B * A));
    const actorNoise = this.rng.fillNormal(new Float32Array(B * A));
    this.samplerUpload?.wait();
    this.samplerUpload = null;
    const result = this.onnx ? this.onnxGradientSteps(batch, alpha, nextNoise, actorNoise, tdErrors) : this.gradientSteps(batch, alpha, nextNoise, actorNoise, tdErrors);
    // The worker's actor copy samples a′ on the tfjs route only (ONNX Runtime's model samples it itself; the route stays on until dispose).
    if (this.sampler && !this.onnx) this.samplerUpload = this.sampler.call('setParams', this.actor.read());

    // 4. targets (issued before the temperature step: it runs meanwhile in a worker)
    const moveTargets = (this.updates + 1) % this.options.targetUpdateInterval === 0;
    const targets = moveTargets ? this.critics.map((critic) => critic.call('updateTarget')) : [];
    // 3. temperature
    const entropyGap = result.weightedLogProb + this.options.targetEntropy;
    const alphaLoss = -this.logAlpha[0]! * entropyGap;
    if (this.options.learnAlpha) this.alphaAdam.apply(this.logAlpha, [-entropyGap]);
    waitAll(targets);
    this.updates += 1;
    if (!metrics) return null;
    return { criticLoss: result.criticLoss, actorLoss: result.actorLoss, alphaLoss, alpha, qMean: result.qMean, entropy: -result.meanLogProb };
  }

  /** Steps 1 and 2 on tfjs (the WASM kernels), the critics and the worker's actor copy working at once. */
  private gradientSteps(batch: TransitionBatch, alpha: number, nextNoise: Float32Array, actorNoise: Float32Array, tdErrors: Float32Array | null): GradientSteps {
    const { observationSize: O, actionSize: A, gamma } = this.options;
    const B = batch.size;
    const { discounts, weights } = batch;
    const observations = batch.observations.subarray(0, B * O);
    const nextObservations = batch.nextObservations.subarray(0, B * O);
    const bounds = this.logStdBounds();
    // A worker's actor copy samples a′ ~ π(s′) and its critic evaluates Q(s, a) while this thread runs the actor on s.
    const nextSample = this.sampler?.call('sample', nextObservations, nextNoise, B) ?? null;
    const evaluating = this.critics.map((critic) => critic.call('evaluate', observations, batch.actions.subarray(0, B * A), B));
    let result = { criticLoss: 0, actorLoss: 0, qMean: 0, meanLogProb: 0, weightedLogProb: 0 };
    tf.tidy(() => {
      const head = this.actor.forward(0, tf.tensor2d(observations, [B, O]), true);
      const pi = sampleSquashed(head.output, tf.tensor2d(actorNoise, [B, A]), bounds);
      const sampled = tf.concat([pi.action, pi.logProb].map((t) => tf.reshape(t, [-1]))).dataSync() as Float32Array;
      const piActions = sampled.subarray(0, B * A);
      const piLogProb = sampled.subarray(B * A);
      const next = nextSample ? nextSample.wait() : sampleActions(this.actor, nextObservations, nextNoise, B, bounds);
      const nextActions = next.subarray(0, B * A);
      const nextLogProb = next.subarray(B * A);

      // 1. critics (a worker's target values start before this thread's Q(s, a))
      const targetValues = this.critics.map((critic) => critic.call('targetValues', nextObservations, nextActions, B));
      waitAll(evaluating);
      const [q1, q2] = waitAll(targetValues);
      const y = new Float32Array(B);
      for (let i = 0; i < B; i++) {
        y[i] = batch.rewards[i]! + (discounts ? discounts[i]! : gamma) * (1 - batch.terminals[i]!) * (Math.min(q1![i]!, q2![i]!) - alpha * nextLogProb[i]!);
      }
      const [step1, step2] = waitAll(this.critics.map((critic) => critic.call('train', y, piActions, B, { weights, values: tdErrors !== null })));
      // pytorchrl's TD error of SAC: the mean of both critics' |Q − y|
      if (tdErrors) for (let i = 0; i < B; i++) tdErrors[i] = 0.5 * Math.abs(step1!.values![i]! - y[i]!) + 0.5 * Math.abs(step2!.values![i]! - y[i]!);

      // 2. actor: the gradient of −min Q flows into the critic that is smaller on each row
      const qWeights = [new Float32Array(B), new Float32Array(B)];
      let actorLoss = 0;
      for (let i = 0; i < B; i++) {
        const first = step1!.probe[i]! <= step2!.probe[i]!;
        qWeights[first ? 0 : 1]![i] = -1 / B;
        actorLoss += ((weights ? weights[i]! : 1) * (alpha * piLogProb[i]! - (first ? step1!.probe[i]! : step2!.probe[i]!))) / B;
      }
      const [g1, g2] = waitAll(this.critics.map((critic, k) => critic.call('actionGradient', qWeights[k]!, B)));
      const dAction = g1!.map((g, j) => g + g2![j]!);
      // Each row's gradient is linear in its loss, so importance weights scale its row of dL/d(head).
      const unweighted = squashedBackward(pi, tf.tensor2d(dAction, [B, A]), alpha / B);
      const dHead = weights ? tf.mul(unweighted, tf.tensor2d(weights.subarray(0, B), [B, 1])) : unweighted;
      const gradient = this.actor.backwardFlat([{ network: 0, trace: head.trace!, dOutput: dHead }], { params: true, input: false }).params!;
      this.actor.setParams(this.actorAdam.apply(this.actor.params, clipByGlobalNorm(gradient, this.options.maxGradNorm)));
      result = { criticLoss: step1!.loss + step2!.loss, actorLoss, qMean: (step1!.qMean + step2!.qMean) / 2, meanLogProb: mean(piLogProb), weightedLogProb: weightedMean(piLogProb, weights) };
    });
    return result;
  }

  /**
   * Steps 1 and 2 with their gradients from ONNX Runtime (onnx-sac-gradients.ts): the same
   * losses, noise, clipping and Adam steps as gradientSteps, the products on its kernels.
   */
  private onnxGradientSteps(batch: TransitionBatch, alpha: number, nextNoise: Float32Array, actorNoise: Float32Array, tdErrors: Float32Array | null): GradientSteps {
    const { observationSize: O, actionSize: A, gamma } = this.options;
    const B = batch.size;
    const { discounts, weights } = batch;
    const onnx = this.onnx!;
    if (!this.workspace || this.workspace.capacity < B) {
      this.workspace = sacWorkspace(this.graphShape(), B);
      onnx.call('useWorkspace', this.workspace).wait();
    }
    const space = this.workspace;
    const P = space.critics.length / 2;
    const rowWeight = (i: number) => (weights ? weights[i]! : 1);
    const copyCritics = (into: Float32Array, network: 'online' | 'target') =>
      waitAll(this.critics.map((critic, k) => critic.call('copyParams', into.subarray(k * P, (k + 1) * P), network)));
    space.actor.set(wasmFloats(this.actor.params) ?? (this.actor.params.dataSync() as Float32Array));
    copyCritics(space.critics, 'online');
    copyCritics(space.targets, 'target');
    space.observations.set(batch.observations.subarray(0, B * O));
    space.actions.set(batch.actions.subarray(0, B * A));
    space.rewards.set(batch.rewards.subarray(0, B));
    space.nextObservations.set(batch.nextObservations.subarray(0, B * O));
    space.nextNoise.set(nextNoise);
    space.noise.set(actorNoise);
    for (let i = 0; i < B; i++) {
      space.discounts[i] = (discounts ? discounts[i]! : gamma) * (1 - batch.terminals[i]!);
      space.criticScale[i] = (2 * rowWeight(i)) / B;
      space.actorScale[i] = rowWeight(i) / B;
    }

    // 1. critics
    onnx.call('critic', B, alpha).wait();
    const training = this.critics.map((critic, k) => critic.call('applyGradient', space.criticGradient.subarray(k * P, (k + 1) * P)));
    const { q, y } = space;
    let criticLoss = 0;
    let qSum = 0;
    for (let k = 0; k < 2; k++) {
      let loss = 0;
      for (let i = 0; i < B; i++) {
        const error = q[k * B + i]! - y[i]!;
        loss += rowWeight(i) * error * error;
        qSum += q[k * B + i]!;
      }
      criticLoss += loss / B;
    }
    // pytorchrl's TD error of SAC: the mean of both critics' |Q − y|
    if (tdErrors) for (let i = 0; i < B; i++) tdErrors[i] = 0.5 * Math.abs(q[i]! - y[i]!) + 0.5 * Math.abs(q[B + i]! - y[i]!);
    waitAll(training);

    // 2. actor, with the updated critics
    copyCritics(space.critics, 'online');
    onnx.call('actor', B, alpha).wait();
    const { probe } = space;
    const logProb = space.logProb.subarray(0, B);
    let actorLoss = 0;
    for (let i = 0; i < B; i++) actorLoss += (rowWeight(i) * (alpha * logProb[i]! - Math.min(probe[i]!, probe[B + i]!))) / B;
    tf.tidy(() => this.actor.setParams(this.actorAdam.apply(this.actor.params, clipByGlobalNorm(tf.tensor1d(space.actorGradient), this.options.maxGradNorm))));
    return { criticLoss, actorLoss, qMean: qSum / (2 * B), meanLogProb: mean(logProb), weightedLogProb: weightedMean(logProb, weights) };
  }

  /**
   * Takes the gradients of every update from ONNX Runtime's CPU provider when
   * MOPO_ONNXRUNTIME=cpu asks for it (onnx-sac-gradients.ts, in a worker of its own with
   * up to `cpuThreads` threads); the Adam steps, Polyak and α stay ours. Its results are
   * ONNX Runtime's: deterministic for a machine, package and thread count, not the WASM
   * kernels' bits. Returns the route's description, or null with the reason the updates
   * stay on the tfjs backend.
   */
  async trainWithOnnxRuntime(cpuThreads: number): Promise<{ route: string | null; reason: string | null }> {
    const { probeInference } = await import('../nn/onnx/inference-route.js');
    const { route, reason } = await probeInference(cpuThreads);
    if (!route) return { route: null, reason };
    if (route.provider !== 'cpu') return { route: null, reason: `SAC's updates take ONNX Runtime's CPU provider only (MOPO_ONNXRUNTIME=cpu), not ${route.provider}` };
    this.releaseOnnx();
    this.onnxThread = await WorkerThread.start('wasm');
    this.onnx = RemoteHandle.create<Resolved<OnnxSacGradients>>(this.onnxThread, './onnx-sac-gradients.js', import.meta.url, 'OnnxSacGradients', [this.graphShape(), route]);
    return { route: route.description, reason: null };
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
      return sampleSquashed(head, tf.tensor2d(noise, [rows, A]), this.logStdBounds()).action;
    });
    const out = actions.dataSync() as Float32Array;
    actions.dispose();
    return out;
  }

  /**
   * Stochastic actions for `observations` (rows × O) with their log-probabilities
   * log π(a|s) under the squashed Gaussian: what a dataset records as the behaviour
   * policy's `action_log_probs`.
   */
  sample(observations: Float32Array, rng: Rng): { actions: Float32Array; logProbs: Float32Array } {
    const { observationSize: O, actionSize: A } = this.options;
    const rows = observations.length / O;
    if (!Number.isInteger(rows)) throw new RangeError(`sample: ${observations.length} values are not whole rows of ${O}`);
    const values = sampleActions(this.actor, observations, rng.fillNormal(new Float32Array(rows * A)), rows, this.logStdBounds());
    return { actions: values.slice(0, rows * A), logProbs: values.slice(rows * A) };
  }

  /** The deterministic policy, tanh of the Gaussian mean, for the exporters. */
  policyGraph(): PolicyGraph {
    const { observationSize, actionSize } = this.options;
    return { observationSize, actionSize, normaliser: null, layers: mlpLayers(this.actor.shape, this.actor.read()), head: 'tanh_gaussian_mean' };
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
    const criticLr = scheduledLr(o.criticLr, o.criticLrSchedule, progress);
    waitAll(this.critics.map((critic) => critic.call('setLr', criticLr)));
  }

  /** Everything a resumed run needs to continue exactly: weights, targets, Adam moments and steps, log α, Rng. */
  getState(): ModuleState<SacMeta> {
    this.samplerUpload?.wait();
    this.samplerUpload = null;
    const actorAdam = this.actorAdam.getState('actor/adam');
    const critics = waitAll(this.critics.map((critic) => critic.call('getState')));
    const tensors: TensorRecord = {
      'actor/params': vectorState(this.actor.read()),
      ...actorAdam.tensors,
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
        adamSteps: { actor: actorAdam.step, critic1: critics[0]!.adamStep, critic2: critics[1]!.adamStep, alpha: this.alphaAdam.step },
        rng: this.rng.getState(),
      },
    };
  }

  setState(state: ModuleState): void {
    const meta = sacMeta(state);
    const { tensors } = state;
    for (const key of ['observationSize', 'actionSize', 'actorHiddenSize', 'actorLayers', 'criticHiddenSize', 'criticLayers'] as const) {
      if (meta.options[key] !== this.options[key]) {
        throw new CheckpointError(`The SAC state has ${key} ${meta.options[key]}, this learner ${this.options[key]}.`);
      }
    }
    this.actor.setParams(tf.tensor1d(requireTensor(tensors, 'actor/params', [this.actor.layout.size])));
    if (this.sampler) {
      this.samplerUpload?.wait();
      this.samplerUpload = null;
      this.sampler.call('setParams', this.actor.read()).wait();
    }
    this.actorAdam.setState(tensors, 'actor/adam', meta.adamSteps.actor);
    const criticSize = new ParamLayout(criticShape(this.criticSpec), 1).size;
    const steps = [meta.adamSteps.critic1, meta.adamSteps.critic2];
    waitAll(this.critics.map((critic, k) => critic.call('setState', readTargetNetwork(tensors, `critic${k + 1}`, criticSize, steps[k]!))));
    restoreHostAdam(tensors, 'log_alpha', this.logAlpha, this.alphaAdam, meta.adamSteps.alpha);
    this.updates = meta.updates;
    this.rng = Rng.fromState(meta.rng);
  }

  dispose(): void {
    this.releaseSampler();
    this.releaseOnnx();
    this.actor.dispose();
    this.actorAdam.dispose();
    for (const critic of this.critics) critic.dispose();
    this.critics = [];
  }

  private logStdBounds(): LogStdBounds {
    return { min: this.options.logStdMin, max: this.options.logStdMax };
  }

  private graphShape(): SacGraphShape {
    const o = this.options;
    return {
      observationSize: o.observationSize,
      actionSize: o.actionSize,
      actorHiddenSize: o.actorHiddenSize,
      actorLayers: o.actorLayers,
      criticHiddenSize: o.criticHiddenSize,
      criticLayers: o.criticLayers,
      logStdMin: o.logStdMin,
      logStdMax: o.logStdMax,
    };
  }

  private releaseOnnx(): void {
    this.onnx?.dispose();
    this.onnx = null;
    this.workspace = null;
    this.onnxThread?.close();
    this.onnxThread = null;
  }

  private releaseSampler(): void {
    this.samplerUpload?.wait();
    this.samplerUpload = null;
    this.sampler?.dispose();
    this.sampler = null;
  }
}

function sacMeta(state: ModuleState): SacMeta {
  const meta = state.meta as Partial<SacMeta> | null;
  if (!meta || meta.format !== STATE_FORMAT || meta.version !== 1) {
    throw new CheckpointError('This is not a SAC state saved by mopo (format mopo-sac, version 1).');
  }
  return meta as SacMeta;
}
