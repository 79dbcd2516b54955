/**
 * TD3 (Fujimoto et al. 2018): a deterministic tanh actor, twin Q critics, targets for
 * all three. One `update` is, in order:
 *   1. critics:  a′ = clip(μ′(s′) + clip(σ̃ε, −c, c), −1, 1)        (target policy smoothing)
 *                y  = r + γ(1−d) min(Q₁′(s′, a′), Q₂′(s′, a′))         (clipped double Q)
 *                loss = mse(Q₁(s,a), y) + mse(Q₂(s,a), y)
 *   every policyDelay-th update (the 1st, then every policyDelay later: pytorchrl's
 *   `iter % target_update_interval == 0` before counting; Fujimoto's code counts first,
 *   so its first actor step is the 2nd update):
 *   2. actor:    loss = −mean Q₁(s, μ(s)), with the critics just updated (as Fujimoto's
 *                code and our SAC; pytorchrl uses the critics from before their step)
 *   3. targets:  θ′ ← (1−τ)θ′ + τθ for the actor and both critics (with
 *                targetUpdateInterval = k: on every k-th update instead, actor step or not).
 * With batch `discounts` (n-step rows) γ becomes each row's γᵏ; with `weights`
 * (prioritized replay) each row's critic and actor loss is weighted.
 * The smoothing noise comes from our Rng, so a seed fixes every update and a restored
 * state continues exactly.
 *
 * Metrics: `criticLoss` is mse₁ + mse₂ before the step, `qMean` the mean of both
 * critics' Q(s, a). `actorLoss` is the loss of the latest actor step — on the updates
 * between actor steps it repeats (as pytorchrl's prev_loss_pi), so averages over
 * updates stay finite; the first update always has an actor step.
 *
 * `distribute([thread])` moves the second critic into a compute worker (as SAC does):
 * both critics then work at once, with the same results as in one thread.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TransitionBatch } from '../data/replay-buffer.js';
import type { Json, ModuleState } from '../nn/state.js';
import { waitAll, type Handle } from '../nn/threads/handle.js';
import type { WorkerThread } from '../nn/threads/worker-thread.js';
import { Rng, type RngState } from '../util/rng.js';
import { smoothTargetActions } from './action-noise.js';
import type { Critic } from './critic.js';
import type { CriticSet } from './critic-set.js';
import type { DeterministicActor } from './deterministic-actor.js';
import type { PolicyGraph } from './policy-graph.js';
import { buildActorAndCritics, checkSameArchitecture, explore, savedMeta } from './deterministic-learner.js';
import type { UpdateOptions } from './learner.js';
import { actorWeights, weightedMean } from './replay-weights.js';
import { readTargetNetwork, targetNetworkTensors } from './target-network-state.js';
import { resolveTd3Options, type ResolvedTd3Options, type Td3Options } from './td3-options.js';

export type { TransitionBatch };

export type Td3Metrics = {
  /** mse(Q₁(s,a), y) + mse(Q₂(s,a), y) before this update's critic step. */
  criticLoss: number;
  /** −mean Q₁(s, μ(s)) of the latest actor step (this update's, or the last one before it). */
  actorLoss: number;
  /** Mean of both critics' Q(s, a) over the batch. */
  qMean: number;
};

export interface Td3Meta {
  format: 'mopo-td3';
  version: 1;
  options: ResolvedTd3Options;
  updates: number;
  actorUpdates: number;
  /** The latest actor loss (null before the first update). */
  actorLoss: number | null;
  adamSteps: { actor: number; critic1: number; critic2: number };
  rng: RngState;
  [key: string]: Json;
}

const STATE_FORMAT = 'mopo-td3';

export class Td3 {
  readonly options: ResolvedTd3Options;
  /** Updates (critic steps) done so far. */
  updates = 0;
  /** Actor steps (and target updates) done so far: one per policyDelay updates. */
  actorUpdates = 0;
  private lastActorLoss = NaN;
  private readonly actor: DeterministicActor;
  private readonly critics: CriticSet;
  private rng: Rng;

  constructor(options: Td3Options) {
    this.options = resolveTd3Options(options);
    ({ actor: this.actor, critics: this.critics } = buildActorAndCritics(this.options, 2));
    this.rng = new Rng(this.options.seed, 2);
  }

  /** A learner in the state `state` (see getState); `overrides` may change e.g. learning rates or noise. */
  static fromState(state: ModuleState, overrides: Partial<Td3Options> = {}): Td3 {
    const meta = savedMeta<Td3Meta>(state, STATE_FORMAT, 'TD3');
    const td3 = new Td3({ ...meta.options, ...overrides });
    td3.setState(state);
    return td3;
  }

  /** Moves the second critic into `threads[0]` (a compute worker); results are unchanged. `distribute([])` brings it back. */
  distribute(threads: WorkerThread[]): void {
    this.critics.place(1, threads[0]);
  }

  /**
   * One critic step on `batch`, and on every policyDelay-th update an actor step and
   * target update. Returns the step's metrics, or null with `{ metrics: false }`.
   */
  update(batch: TransitionBatch, { metrics = true, tdErrors = null }: Partial<UpdateOptions> = {}): Td3Metrics | null {
    const { observationSize: O, actionSize: A, gamma, targetNoise, targetNoiseClip, targetUpdateInterval } = this.options;
    const B = batch.size;
    const observations = batch.observations.subarray(0, B * O);
    const nextObservations = batch.nextObservations.subarray(0, B * O);
    const actions = batch.actions.subarray(0, B * A);
    const { discounts, weights } = batch;
    const trainActor = this.updates % this.options.policyDelay === 0;
    const moveTargets = targetUpdateInterval === null ? trainActor : (this.updates + 1) % targetUpdateInterval === 0;
    const critics = this.critics.all;
    // A worker's critic evaluates Q(s, a) while this thread runs the actors.
    const evaluating = critics.map((critic) => critic.call('evaluate', observations, actions, B));
    let result = { criticLoss: 0, qMean: 0 };
    tf.tidy(() => {
      const target = this.actor.targetForward(tf.tensor2d(nextObservations, [B, O]));
      const pass = trainActor ? this.actor.forward(tf.tensor2d(observations, [B, O])) : null;
      const read = (pass ? tf.concat([tf.reshape(target, [-1]), tf.reshape(pass.action, [-1])]) : target).dataSync() as Float32Array;
      // A copy: on the cpu backend dataSync hands out the tensor's own storage.
      const nextActions = smoothTargetActions(read.slice(0, B * A), targetNoise, targetNoiseClip, this.rng);
      // Critic.train always evaluates Q(s, ·) at some actions for the actor step; without one, the batch's own will do.
      const piActions = pass ? read.subarray(B * A) : actions;
      waitAll(evaluating);

      // 1. critics (γ becomes each row's γᵏ for n-step rows)
      const [q1, q2] = waitAll(critics.map((critic) => critic.call('targetValues', nextObservations, nextActions, B)));
      const y = new Float32Array(B);
      for (let i = 0; i < B; i++) y[i] = batch.rewards[i]! + (discounts ? discounts[i]! : gamma) * (1 - batch.terminals[i]!) * Math.min(q1![i]!, q2![i]!);
      const [step1, step2] = waitAll(critics.map((critic) => critic.call('train', y, piActions, B, { weights, values: tdErrors !== null })));
      result = { criticLoss: step1!.loss + step2!.loss, qMean: (step1!.qMean + step2!.qMean) / 2 };
      // pytorchrl's TD error of TD3: |min(Q₁, Q₂) − y|
      if (tdErrors) for (let i = 0; i < B; i++) tdErrors[i] = Math.abs(Math.min(step1!.values![i]!, step2!.values![i]!) - y[i]!);
      if (!pass) {
        if (moveTargets) this.moveTargets(critics);
        return;
      }

      // 2. actor: d(−mean wQ₁)/da
      const dAction = critics[0]!.call('actionGradient', actorWeights(weights, B), B).wait();
      // 3. targets (the critics' are issued first: a worker's runs during the actor step)
      const targets = moveTargets ? critics.map((critic) => critic.call('updateTarget')) : [];
      this.actor.step(pass, tf.tensor2d(dAction, [B, A]));
      if (moveTargets) this.actor.updateTarget();
      waitAll(targets);
      this.lastActorLoss = -weightedMean(step1!.probe, weights);
      this.actorUpdates += 1;
    });
    this.updates += 1;
    if (!metrics) return null;
    return { criticLoss: result.criticLoss, actorLoss: this.lastActorLoss, qMean: result.qMean };
  }

  /** θ′ ← (1−τ)θ′ + τθ for both critics and the actor. */
  private moveTargets(critics: readonly Handle<Critic>[]): void {
    const targets = critics.map((critic) => critic.call('updateTarget'));
    this.actor.updateTarget();
    waitAll(targets);
  }

  /**
   * Actions for `observations` (rows of observationSize): μ(s) when `deterministic`,
   * else μ(s) + N(0, explorationNoise²) noise from `rng`, clipped to [−1, 1].
   */
  act(observations: Float32Array, deterministic: boolean, rng?: Rng): Float32Array {
    return explore(this.actor, this.options.explorationNoise, observations, deterministic, rng);
  }

  /** The deterministic policy μ(s), for the exporters. */
  policyGraph(): PolicyGraph {
    return this.actor.policyGraph();
  }

  /** Everything a resumed run needs to continue exactly: weights, targets, Adam moments and steps, counters, Rng. */
  getState(): ModuleState<Td3Meta> {
    const actor = this.actor.getState();
    const [critic1, critic2] = this.critics.getState();
    return {
      tensors: { ...targetNetworkTensors('actor', actor), ...targetNetworkTensors('critic1', critic1!), ...targetNetworkTensors('critic2', critic2!) },
      meta: {
        format: STATE_FORMAT,
        version: 1,
        options: { ...this.options },
        updates: this.updates,
        actorUpdates: this.actorUpdates,
        actorLoss: Number.isNaN(this.lastActorLoss) ? null : this.lastActorLoss,
        adamSteps: { actor: actor.adamStep, critic1: critic1!.adamStep, critic2: critic2!.adamStep },
        rng: this.rng.getState(),
      },
    };
  }

  setState(state: ModuleState): void {
    const meta = savedMeta<Td3Meta>(state, STATE_FORMAT, 'TD3');
    checkSameArchitecture('TD3', meta.options, this.options);
    const { tensors } = state;
    this.actor.setState(readTargetNetwork(tensors, 'actor', this.actor.size, meta.adamSteps.actor));
    this.critics.setState([
      readTargetNetwork(tensors, 'critic1', this.critics.size, meta.adamSteps.critic1),
      readTargetNetwork(tensors, 'critic2', this.critics.size, meta.adamSteps.critic2),
    ]);
    this.updates = meta.updates;
    this.actorUpdates = meta.actorUpdates;
    this.lastActorLoss = meta.actorLoss ?? NaN;
    this.rng = Rng.fromState(meta.rng);
  }

  dispose(): void {
    this.actor.dispose();
    this.critics.dispose();
  }
}
