/**
 * MPO for discrete actions (Abdolmaleki et al. 2018; pytorchrl's MPO when the action
 * space is Discrete): a categorical actor (n logits) and one Q(s, ·) critic with one
 * output per action, each with a Polyak target. With n actions every expectation over a
 * policy is a sum, so an update draws no random numbers. One `update` on a batch
 * (s, a, r, s′, d) is, in order:
 *   1. critic:  y = r + γ(1−d) · Σ_a π′(a|s′) Q′(s′, a);  loss = mse(Q(s,a), y)
 *   2. E-step:  over all n actions of each s, q(a|s) ∝ π′(a|s)·exp(Q′(s, a)/η), η the
 *               minimiser of the dual with π′ as the prior (mpo-estep.ts)
 *   3. M-step:  mstepIterations actor steps on L = −(F + α(ε_π − KL(π′‖π))), α moved
 *               before each (mpo-mstep-categorical.ts)
 *   4. targets: θ′ ← (1−τ)θ′ + τθ for the actor and the critic, every
 *               targetUpdateInterval-th update.
 * As the continuous MPO (mpo.ts): each network's gradient is clipped to maxGradNorm
 * before its Adam step; with batch `discounts` (n-step rows) γ becomes each row's γᵏ;
 * with `weights` (prioritized replay) the importance weights weigh the critic's loss only.
 *
 * Acting: `act(s, true)` takes argmax π(·|s); `act(s, false, rng)` draws a ~ π(·|s)
 * with one `rng.uniform()` per row.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TransitionBatch } from '../data/replay-buffer.js';
import { CheckpointError } from '../errors.js';
import { initialParams } from '../nn/init.js';
import { ParamLayout } from '../nn/layout.js';
import type { Json, ModuleState } from '../nn/state.js';
import { Rng } from '../util/rng.js';
import { mean } from '../util/stats.js';
import { targetRate } from './actor-critic-options.js';
import { savedMeta } from './deterministic-learner.js';
import { argmaxRows, DiscreteCritic, discreteCriticShape, type DiscreteCriticSpec } from './discrete-critic.js';
import { logSoftmax } from './discrete-sac.js';
import type { UpdateOptions } from './learner.js';
import { MpoActor, mpoActorShape, type MpoActorSpec } from './mpo-actor.js';
import { sampleWeights, solveTemperature } from './mpo-estep.js';
import { categoricalKl, categoricalMStepTerms, nextMultiplier } from './mpo-mstep-categorical.js';
import { resolveDiscreteMpoOptions, type DiscreteMpoOptions, type ResolvedDiscreteMpoOptions } from './mpo-options.js';
import { readTargetNetwork, targetNetworkTensors } from './target-network-state.js';

export type DiscreteMpoMetrics = {
  /** mse(Q(s,a), y) before this update's critic step. */
  criticLoss: number;
  /** Mean Q(s, a) over the batch. */
  qMean: number;
  /** L of the last M-step iteration (before its step). */
  actorLoss: number;
  /** The E-step temperature η. */
  eta: number;
  /** KL(π′‖π) before the last M-step iteration. */
  kl: number;
  /** The Lagrange multiplier α used in the last iteration. */
  alpha: number;
  /** Mean over the batch of H(π(·|s)), before the last iteration. */
  entropy: number;
};

/** The dual variables carried from update to update. */
interface Duals {
  eta: number;
  alpha: number;
}

export const DISCRETE_MPO_STATE_FORMAT = 'mopo-discrete-mpo';

export interface DiscreteMpoMeta {
  format: typeof DISCRETE_MPO_STATE_FORMAT;
  version: 1;
  options: ResolvedDiscreteMpoOptions;
  updates: number;
  duals: Duals & { [key: string]: Json };
  adamSteps: { actor: number; critic: number };
  [key: string]: Json;
}

export class DiscreteMpo {
  readonly options: ResolvedDiscreteMpoOptions;
  /** Updates done so far. */
  updates = 0;
  private readonly actor: MpoActor;
  private readonly critic: DiscreteCritic;
  /** η starts at 1 as in the continuous MPO; it only seeds the search for the minimiser. */
  private duals: Duals = { eta: 1, alpha: 0 };

  constructor(options: DiscreteMpoOptions) {
    const o = resolveDiscreteMpoOptions(options);
    this.options = o;
    const init = new Rng(o.seed, 1);
    const tau = targetRate(o);
    const actorSpec: MpoActorSpec = {
      observationSize: o.observationSize,
      actionSize: o.actionCount,
      policy: 'categorical',
      hiddenSize: o.actorHiddenSize,
      layers: o.actorLayers,
      lr: o.actorLr,
      tau,
      maxGradNorm: o.maxGradNorm,
    };
    this.actor = new MpoActor(actorSpec, initialParams(new ParamLayout(mpoActorShape(actorSpec), 1), 'torch_default', init));
    const criticSpec: DiscreteCriticSpec = {
      observationSize: o.observationSize,
      actionCount: o.actionCount,
      hiddenSize: o.criticHiddenSize,
      layers: o.criticLayers,
      lr: o.criticLr,
      tau,
      maxGradNorm: o.maxGradNorm,
    };
    this.critic = new DiscreteCritic(criticSpec, initialParams(new ParamLayout(discreteCriticShape(criticSpec), 1), 'torch_default', init));
  }

  /** A learner in the state `state` (see getState); `overrides` may change e.g. learning rates or constraints. */
  static fromState(state: ModuleState, overrides: Partial<DiscreteMpoOptions> = {}): DiscreteMpo {
    const meta = savedMeta<DiscreteMpoMeta>(state, DISCRETE_MPO_STATE_FORMAT, 'discrete MPO');
    const mpo = new DiscreteMpo({ ...meta.options, ...overrides, observationSize: meta.options.observationSize, actionCount: meta.options.actionCount });
    mpo.setState(state);
    return mpo;
  }

  /** Small networks: nothing to spread over compute workers. */
  distribute(): void {}

  /** One update of critic, policy (E- and M-step) and, when due, targets on `batch`. */
  update(batch: TransitionBatch, { metrics = true, tdErrors = null }: Partial<UpdateOptions> = {}): DiscreteMpoMetrics | null {
    const { observationSize: O, actionCount: n, gamma } = this.options;
    const B = batch.size;
    const observations = batch.observations.subarray(0, B * O);
    const nextObservations = batch.nextObservations.subarray(0, B * O);

    // 1. critic
    const nextPolicy = probabilities(logSoftmax(this.actor.outputs(nextObservations, 'target'), B, n));
    const y = criticTargets(batch, gamma, nextPolicy, this.critic.targetValues(nextObservations, B), n);
    const step = this.critic.train(observations, batch.actions.subarray(0, B), y, B, batch.weights);
    if (tdErrors) for (let i = 0; i < B; i++) tdErrors[i] = Math.abs(step.chosen[i]! - y[i]!);

    // 2. E-step, with the target policy's probabilities as the prior
    const targetLogPolicy = logSoftmax(this.actor.outputs(observations, 'target'), B, n);
    const prior = probabilities(targetLogPolicy);
    const q = this.critic.targetValues(observations, B);
    this.duals.eta = solveTemperature(q, B, n, this.options.dualConstraint, this.duals.eta, prior);
    const improved = sampleWeights(q, B, n, this.duals.eta, new Float64Array(B * n), prior);

    // 3. M-step
    const last = this.mStep(observations, targetLogPolicy, improved);

    // 4. targets
    if ((this.updates + 1) % this.options.targetUpdateInterval === 0) {
      this.critic.updateTarget();
      this.actor.updateTarget();
    }
    this.updates += 1;
    if (!metrics) return null;
    return { criticLoss: step.loss, qMean: mean(step.chosen), actorLoss: last.loss, eta: this.duals.eta, kl: last.kl, alpha: this.duals.alpha, entropy: last.entropy };
  }

  /** The M-step's actor iterations on the E-step's weights; what the last one measured. */
  private mStep(observations: Float32Array, targetLogPolicy: Float64Array, improved: Float64Array) {
    const o = this.options;
    const { observationSize: O, actionCount: n } = o;
    const B = observations.length / O;
    const multiplier = { scale: o.alphaScale, bound: o.klConstraint, max: o.alphaMax };
    let last = { loss: NaN, kl: NaN, entropy: NaN };
    for (let iteration = 0; iteration < o.mstepIterations; iteration++) {
      tf.tidy(() => {
        const pass = this.actor.forward(tf.tensor2d(observations, [B, O]));
        const logPolicy = logSoftmax(pass.output.dataSync() as Float32Array, B, n);
        this.duals.alpha = nextMultiplier(this.duals.alpha, multiplier, categoricalKl(targetLogPolicy, logPolicy, B, n));
        const terms = categoricalMStepTerms(logPolicy, targetLogPolicy, improved, { rows: B, n, alpha: this.duals.alpha, klConstraint: o.klConstraint });
        this.actor.step(pass.trace, tf.tensor2d(terms.dLogits, [B, n]));
        last = { loss: terms.loss, kl: terms.kl, entropy: meanEntropy(logPolicy, B, n) };
      });
    }
    return last;
  }

  /** argmax π(·|s) when `deterministic`, else a ~ π(·|s) drawn with `rng`. One index per row. */
  act(observations: Float32Array, deterministic: boolean, rng?: Rng): Float32Array {
    if (!deterministic && !rng) throw new Error('act: a stochastic action needs an Rng');
    const { observationSize: O, actionCount: n } = this.options;
    const rows = observations.length / O;
    const logits = this.actor.outputs(observations, 'online');
    if (deterministic) return Float32Array.from(argmaxRows(logits, rows, n));
    const policy = probabilities(logSoftmax(logits, rows, n));
    const actions = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const u = rng!.uniform();
      let a = 0;
      let cumulative = policy[r * n]!;
      while (a < n - 1 && u >= cumulative) cumulative += policy[r * n + ++a]!;
      actions[r] = a;
    }
    return actions;
  }

  /** Everything a resumed run needs to continue exactly: weights, targets, Adam moments and steps, duals. */
  getState(): ModuleState<DiscreteMpoMeta> {
    const actor = this.actor.getState();
    const critic = this.critic.getState();
    return {
      tensors: { ...targetNetworkTensors('actor', actor), ...targetNetworkTensors('critic', critic) },
      meta: {
        format: DISCRETE_MPO_STATE_FORMAT,
        version: 1,
        options: { ...this.options },
        updates: this.updates,
        duals: { ...this.duals },
        adamSteps: { actor: actor.adamStep, critic: critic.adamStep },
      },
    };
  }

  setState(state: ModuleState): void {
    const meta = savedMeta<DiscreteMpoMeta>(state, DISCRETE_MPO_STATE_FORMAT, 'discrete MPO');
    for (const key of ['observationSize', 'actionCount', 'actorHiddenSize', 'actorLayers', 'criticHiddenSize', 'criticLayers'] as const) {
      if (meta.options[key] !== this.options[key]) throw new CheckpointError(`The discrete MPO state has ${key} ${meta.options[key]}, this learner ${this.options[key]}.`);
    }
    const { tensors } = state;
    this.actor.setState(readTargetNetwork(tensors, 'actor', this.actor.size, meta.adamSteps.actor));
    this.critic.setState(readTargetNetwork(tensors, 'critic', this.critic.size, meta.adamSteps.critic));
    this.updates = meta.updates;
    this.duals = { eta: meta.duals.eta, alpha: meta.duals.alpha };
  }

  dispose(): void {
    this.actor.dispose();
    this.critic.dispose();
  }
}

/**
 * The critic's targets y_i = r_i + γ_i(1 − d_i)·Σ_a π′(a|s′_i)·Q′(s′_i, a): the exact
 * expectation of the target critic under the target policy (`nextPolicy` and
 * `nextValues`, [rows, n]); γ_i is the row's n-step discount where the batch has them.
 */
export function criticTargets(
  batch: Pick<TransitionBatch, 'size' | 'rewards' | 'terminals' | 'discounts'>,
  gamma: number,
  nextPolicy: ArrayLike<number>,
  nextValues: ArrayLike<number>,
  n: number,
): Float32Array {
  const { size: B, rewards, terminals, discounts } = batch;
  const y = new Float32Array(B);
  for (let i = 0; i < B; i++) {
    let expected = 0;
    for (let a = 0; a < n; a++) expected += nextPolicy[i * n + a]! * nextValues[i * n + a]!;
    y[i] = rewards[i]! + (discounts ? discounts[i]! : gamma) * (1 - terminals[i]!) * expected;
  }
  return y;
}

function probabilities(logProbs: Float64Array): Float64Array {
  return logProbs.map(Math.exp);
}

function meanEntropy(logProbs: Float64Array, rows: number, n: number): number {
  let entropy = 0;
  for (let i = 0; i < rows * n; i++) entropy -= Math.exp(logProbs[i]!) * logProbs[i]!;
  return entropy / rows;
}
