/**
 * Maximum a Posteriori Policy Optimisation (Abdolmaleki et al. 2018, arXiv 1806.06920
 * and 1812.02256) for continuous actions, as pytorchrl's MPO (adapted from
 * daisatojp/mpo): a diagonal Gaussian actor and one Q critic, each with a Polyak target.
 * (Discrete actions: discrete-mpo.ts; `algo=mpo` picks by the env, mpo-learner.ts.)
 * One `update` on a batch (s, a, r, s′, d) is, in order:
 *   1. critic:  y = r + γ(1−d) · (1/N) Σ_k Q′(s′, a′_k),  a′_k ~ π′(·|s′);  loss = mse(Q(s,a), y)
 *   2. E-step:  a_k ~ π′(·|s), Q_k = Q′(s, a_k); the temperature η minimises the dual
 *               and q_k = softmax(Q_k/η) (mpo-estep.ts)
 *   3. M-step:  mstepIterations actor steps on L = −(F + α_μ(ε_μ − KL_μ) + α_Σ(ε_Σ − KL_Σ)),
 *               the multipliers moved before each (mpo-mstep.ts)
 *   4. targets: θ′ ← (1−τ)θ′ + τθ for the actor and the critic, every
 *               targetUpdateInterval-th update.
 * Each network's gradient is clipped to maxGradNorm before its Adam step.
 *
 * The Gaussian is over unbounded actions; the environment gets them clipped to the
 * action box [−1, 1], so Q′ is evaluated at clipped samples (the critic only ever sees
 * actions in the box) while the M-step fits the Gaussian to the samples themselves.
 *
 * Where this differs from pytorchrl's port: its M-step loop recomputes the loss
 * `mstep_iterations` times but steps the optimiser once (daisatojp/mpo steps every
 * iteration, as here); its loss adds the target policy's log-density where the decoupled
 * update uses π(μ, Σ′) and π(μ′, Σ) (here: the decoupled one); its KL builds Σ from the
 * variances as if they were Cholesky factors, i.e. Σ = diag(σ⁴) (here: diag(σ²)); the
 * E-step dual is minimised exactly (mpo-estep.ts) where it runs SLSQP from the previous η. With prioritized replay the importance weights weigh the
 * critic's loss only, as in pytorchrl's MPO.
 *
 * All sampling noise comes from our Rng, so a seed fixes every update and a restored
 * state continues exactly. `distribute([thread])` moves the critic into a compute
 * worker; it then trains while this thread runs the E- and M-steps, with the same results.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TransitionBatch } from '../data/replay-buffer.js';
import { initialParams } from '../nn/init.js';
import { ParamLayout } from '../nn/layout.js';
import type { Json, ModuleState } from '../nn/state.js';
import type { WorkerThread } from '../nn/threads/worker-thread.js';
import { Rng, type RngState } from '../util/rng.js';
import { targetRate } from './actor-critic-options.js';
import type { CriticSpec } from './critic.js';
import { CriticSet } from './critic-set.js';
import { checkSameArchitecture, savedMeta } from './deterministic-learner.js';
import type { UpdateOptions } from './learner.js';
import { MpoActor, mpoActorShape } from './mpo-actor.js';
import { sampleWeights, solveTemperature } from './mpo-estep.js';
import { decoupledKl, gaussianHeads, mStepTerms, sampleMoments, type Gaussians } from './mpo-mstep.js';
import type { PolicyGraph } from './policy-graph.js';
import { resolveMpoOptions, type MpoOptions, type ResolvedMpoOptions } from './mpo-options.js';
import { readTargetNetwork, targetNetworkTensors } from './target-network-state.js';

export type { TransitionBatch };

export type MpoMetrics = {
  /** mse(Q(s,a), y) before this update's critic step. */
  criticLoss: number;
  /** Mean Q(s, a) over the batch. */
  qMean: number;
  /** L of the last M-step iteration (before its step). */
  actorLoss: number;
  /** The E-step temperature η. */
  eta: number;
  /** KL_μ and KL_Σ of the policy from the target policy, before the last M-step iteration. */
  klMean: number;
  klVar: number;
  /** The Lagrange multipliers α_μ and α_Σ used in the last iteration. */
  alphaMean: number;
  alphaVar: number;
  /** Mean σ of the policy over the batch's states and action dimensions. */
  std: number;
};

/** The dual variables MPO carries from update to update. */
interface Duals {
  eta: number;
  alphaMean: number;
  alphaVar: number;
}

export interface MpoMeta {
  format: 'mopo-mpo';
  version: 1;
  options: ResolvedMpoOptions;
  updates: number;
  duals: Duals & { [key: string]: Json };
  adamSteps: { actor: number; critic: number };
  rng: RngState;
  [key: string]: Json;
}

const STATE_FORMAT = 'mopo-mpo';

export class Mpo {
  readonly options: ResolvedMpoOptions;
  /** Updates done so far. */
  updates = 0;
  private readonly actor: MpoActor;
  private readonly critics: CriticSet;
  /** η starts at 1 (pytorchrl draws it uniformly in [0, 1)); it only seeds the search for the minimiser. */
  private duals: Duals = { eta: 1, alphaMean: 0, alphaVar: 0 };
  private rng: Rng;

  constructor(options: MpoOptions) {
    const o = resolveMpoOptions(options);
    this.options = o;
    const init = new Rng(o.seed, 1);
    const tau = targetRate(o);
    const actorSpec = { observationSize: o.observationSize, actionSize: o.actionSize, hiddenSize: o.actorHiddenSize, layers: o.actorLayers, lr: o.actorLr, tau, maxGradNorm: o.maxGradNorm };
    this.actor = new MpoActor(actorSpec, initialParams(new ParamLayout(mpoActorShape(actorSpec), 1), 'torch_default', init));
    const criticSpec: CriticSpec = { observationSize: o.observationSize, actionSize: o.actionSize, hiddenSize: o.criticHiddenSize, layers: o.criticLayers, lr: o.criticLr, tau, maxGradNorm: o.maxGradNorm };
    this.critics = new CriticSet(criticSpec, 1, init);
    this.rng = new Rng(o.seed, 2);
  }

  /** A learner in the state `state` (see getState); `overrides` may change e.g. learning rates or constraints. */
  static fromState(state: ModuleState, overrides: Partial<MpoOptions> = {}): Mpo {
    const meta = savedMeta<MpoMeta>(state, STATE_FORMAT, 'MPO');
    const mpo = new Mpo({ ...meta.options, ...overrides });
    mpo.setState(state);
    return mpo;
  }

  /** Moves the critic into `threads[0]` (a compute worker); results are unchanged. `distribute([])` brings it back. */
  distribute(threads: WorkerThread[]): void {
    this.critics.place(0, threads[0]);
  }

  /** One update of critic, policy (E- and M-step) and, when due, targets on `batch`. */
  update(batch: TransitionBatch, { metrics = true, tdErrors = null }: Partial<UpdateOptions> = {}): MpoMetrics | null {
    const { observationSize: O, actionSize: A, gamma, sampleActionNum: N } = this.options;
    const B = batch.size;
    const observations = batch.observations.subarray(0, B * O);
    const nextObservations = batch.nextObservations.subarray(0, B * O);
    const { discounts, weights } = batch;
    const critic = this.critics.all[0]!;
    const evaluating = critic.call('evaluate', observations, batch.actions.subarray(0, B * A), B);

    // Samples of the target policy at s′ (for the critic's target) and at s (for the E-step).
    const nextPolicy = gaussianHeads(this.actor.outputs(nextObservations, 'target'), B, A);
    const targetPolicy = gaussianHeads(this.actor.outputs(observations, 'target'), B, A);
    const nextSamples = this.sampleActions(nextPolicy, B);
    const samples = this.sampleActions(targetPolicy, B);
    const nextValues = critic.call('targetValues', repeatRows(nextObservations, O, N), clipToBox(nextSamples), B * N);
    const sampleValues = critic.call('targetValues', repeatRows(observations, O, N), clipToBox(samples), B * N);
    evaluating.wait();

    // 1. critic
    const nextQ = nextValues.wait();
    const y = new Float32Array(B);
    for (let i = 0; i < B; i++) {
      let expected = 0;
      for (let k = 0; k < N; k++) expected += nextQ[i * N + k]!;
      y[i] = batch.rewards[i]! + (discounts ? discounts[i]! : gamma) * (1 - batch.terminals[i]!) * (expected / N);
    }
    const training = critic.call('train', y, batch.actions.subarray(0, B * A), B, { weights, values: tdErrors !== null });

    // 2. E-step (while a worker's critic trains)
    const q = sampleValues.wait();
    this.duals.eta = solveTemperature(q, B, N, this.options.dualConstraint, this.duals.eta);
    const moments = sampleMoments(samples, sampleWeights(q, B, N, this.duals.eta, new Float64Array(B * N)), targetPolicy, B, N, A);

    // 3. M-step
    const last = this.mStep(observations, targetPolicy, moments);

    const step = training.wait();
    if (tdErrors) for (let i = 0; i < B; i++) tdErrors[i] = Math.abs(step.values![i]! - y[i]!);
    // 4. targets
    if ((this.updates + 1) % this.options.targetUpdateInterval === 0) {
      const criticTarget = critic.call('updateTarget');
      this.actor.updateTarget();
      criticTarget.wait();
    }
    this.updates += 1;
    if (!metrics) return null;
    return {
      criticLoss: step.loss,
      qMean: step.qMean,
      actorLoss: last.loss,
      eta: this.duals.eta,
      klMean: last.klMean,
      klVar: last.klVar,
      alphaMean: this.duals.alphaMean,
      alphaVar: this.duals.alphaVar,
      std: last.std,
    };
  }

  /** The M-step's actor iterations on the E-step's sample moments; what the last one measured. */
  private mStep(observations: Float32Array, targetPolicy: Gaussians, moments: ReturnType<typeof sampleMoments>) {
    const o = this.options;
    const { actionSize: A, observationSize: O } = o;
    const B = observations.length / O;
    let last = { loss: NaN, klMean: NaN, klVar: NaN, std: NaN };
    for (let iteration = 0; iteration < o.mstepIterations; iteration++) {
      tf.tidy(() => {
        const pass = this.actor.forward(tf.tensor2d(observations, [B, O]));
        const output = pass.output.dataSync() as Float32Array;
        const current = gaussianHeads(output, B, A);
        const kl = decoupledKl(targetPolicy, current, B, A);
        const d = this.duals;
        d.alphaMean = clamp(d.alphaMean - o.alphaMeanScale * (o.klMeanConstraint - kl.mean), 0, o.alphaMeanMax);
        d.alphaVar = clamp(d.alphaVar - o.alphaVarScale * (o.klVarConstraint - kl.variance), 0, o.alphaVarMax);
        const terms = mStepTerms(output, current, targetPolicy, moments, {
          rows: B,
          samples: o.sampleActionNum,
          actionSize: A,
          alphaMean: d.alphaMean,
          alphaVariance: d.alphaVar,
          klMeanConstraint: o.klMeanConstraint,
          klVarConstraint: o.klVarConstraint,
        });
        this.actor.step(pass.trace, tf.tensor2d(terms.dOutput, [B, 2 * A]));
        last = { loss: terms.loss, klMean: kl.mean, klVar: kl.variance, std: current.std.reduce((sum, s) => sum + s, 0) / current.std.length };
      });
    }
    return last;
  }

  /** N samples a ~ N(μ, σ²) per row of `policy`, [rows, N, A]. */
  private sampleActions(policy: Gaussians, rows: number): Float32Array {
    const { actionSize: A, sampleActionNum: N } = this.options;
    const out = new Float32Array(rows * N * A);
    for (let s = 0; s < rows; s++) {
      for (let k = 0; k < N; k++) {
        for (let j = 0; j < A; j++) out[(s * N + k) * A + j] = policy.mean[s * A + j]! + policy.std[s * A + j]! * this.rng.normal();
      }
    }
    return out;
  }

  /**
   * Actions for `observations` (rows of observationSize): the policy's mean when
   * `deterministic`, else a sample with noise from `rng`, clipped to [−1, 1].
   */
  act(observations: Float32Array, deterministic: boolean, rng?: Rng): Float32Array {
    if (!deterministic && !rng) throw new Error('act: a stochastic action needs an Rng');
    const { observationSize: O, actionSize: A } = this.options;
    const rows = observations.length / O;
    const policy = gaussianHeads(this.actor.outputs(observations, 'online'), rows, A);
    const actions = new Float32Array(rows * A);
    for (let i = 0; i < rows * A; i++) actions[i] = deterministic ? policy.mean[i]! : clamp(policy.mean[i]! + policy.std[i]! * rng!.normal(), -1, 1);
    return actions;
  }

  /** The deterministic policy (the Gaussian's mean) for mopo-export. */
  policyGraph(): PolicyGraph {
    return this.actor.policyGraph();
  }

  /** Everything a resumed run needs to continue exactly: weights, targets, Adam moments and steps, duals, Rng. */
  getState(): ModuleState<MpoMeta> {
    const actor = this.actor.getState();
    const [critic] = this.critics.getState();
    return {
      tensors: { ...targetNetworkTensors('actor', actor), ...targetNetworkTensors('critic', critic!) },
      meta: {
        format: STATE_FORMAT,
        version: 1,
        options: { ...this.options },
        updates: this.updates,
        duals: { ...this.duals },
        adamSteps: { actor: actor.adamStep, critic: critic!.adamStep },
        rng: this.rng.getState(),
      },
    };
  }

  setState(state: ModuleState): void {
    const meta = savedMeta<MpoMeta>(state, STATE_FORMAT, 'MPO');
    checkSameArchitecture('MPO', meta.options, this.options);
    const { tensors } = state;
    this.actor.setState(readTargetNetwork(tensors, 'actor', this.actor.size, meta.adamSteps.actor));
    this.critics.setState([readTargetNetwork(tensors, 'critic', this.critics.size, meta.adamSteps.critic)]);
    this.updates = meta.updates;
    this.duals = { eta: meta.duals.eta, alphaMean: meta.duals.alphaMean, alphaVar: meta.duals.alphaVar };
    this.rng = Rng.fromState(meta.rng);
  }

  dispose(): void {
    this.actor.dispose();
    this.critics.dispose();
  }
}

/** Each row of `rows` (of `width` values) `times` times in a row: [r₀ r₀ … r₁ r₁ …]. */
function repeatRows(rows: Float32Array, width: number, times: number): Float32Array {
  const count = rows.length / width;
  const out = new Float32Array(count * times * width);
  for (let r = 0; r < count; r++) {
    const row = rows.subarray(r * width, (r + 1) * width);
    for (let k = 0; k < times; k++) out.set(row, (r * times + k) * width);
  }
  return out;
}

/** A copy of `actions` clipped to the action box [−1, 1]. */
function clipToBox(actions: Float32Array): Float32Array {
  return actions.map((a) => clamp(a, -1, 1));
}

function clamp(x: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, x));
}
