/**
 * DDPG (Lillicrap et al. 2015): a deterministic tanh actor and one Q critic, each with a
 * Polyak-averaged target. One `update` is, in order:
 *   1. critic:   y = r + γ(1−d) Q′(s′, μ′(s′));  loss = mse(Q(s,a), y)
 *   2. actor:    loss = −mean Q(s, μ(s)), with the critic just updated (as Fujimoto's
 *                DDPG code and our SAC; pytorchrl uses the critic from before its step)
 *   3. targets:  θ′ ← (1−τ)θ′ + τθ for the actor and the critic, on every
 *                targetUpdateInterval-th update.
 * With batch `discounts` (n-step rows) γ becomes each row's γᵏ; with `weights`
 * (prioritized replay) each row's critic and actor loss is weighted.
 * An update draws no random numbers; exploration noise is added only by `act`.
 *
 * `distribute([thread])` moves the critic into a compute worker: it evaluates Q(s, a)
 * while this thread runs the actors, and averages its target during the actor step.
 * Results are the same as in one thread.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TransitionBatch } from '../data/replay-buffer.js';
import type { Json, ModuleState } from '../nn/state.js';
import type { WorkerThread } from '../nn/threads/worker-thread.js';
import type { Rng } from '../util/rng.js';
import type { UpdateOptions } from './learner.js';
import { actorWeights, weightedMean } from './replay-weights.js';
import type { CriticSet } from './critic-set.js';
import { resolveDdpgOptions, type DdpgOptions, type ResolvedDdpgOptions } from './ddpg-options.js';
import type { DeterministicActor } from './deterministic-actor.js';
import type { PolicyGraph } from './policy-graph.js';
import { buildActorAndCritics, checkSameArchitecture, explore, savedMeta } from './deterministic-learner.js';
import { readTargetNetwork, targetNetworkTensors } from './target-network-state.js';

export type { TransitionBatch };

export type DdpgMetrics = {
  /** mse(Q(s,a), y) before this update's critic step. */
  criticLoss: number;
  /** −mean Q(s, μ(s)) with the updated critic. */
  actorLoss: number;
  /** Mean Q(s, a) over the batch. */
  qMean: number;
};

export interface DdpgMeta {
  format: 'mopo-ddpg';
  version: 1;
  options: ResolvedDdpgOptions;
  updates: number;
  adamSteps: { actor: number; critic: number };
  [key: string]: Json;
}

const STATE_FORMAT = 'mopo-ddpg';

export class Ddpg {
  readonly options: ResolvedDdpgOptions;
  /** Updates done so far. */
  updates = 0;
  private readonly actor: DeterministicActor;
  private readonly critics: CriticSet;

  constructor(options: DdpgOptions) {
    this.options = resolveDdpgOptions(options);
    ({ actor: this.actor, critics: this.critics } = buildActorAndCritics(this.options, 1));
  }

  /** A learner in the state `state` (see getState); `overrides` may change e.g. learning rates or noise. */
  static fromState(state: ModuleState, overrides: Partial<DdpgOptions> = {}): Ddpg {
    const meta = savedMeta<DdpgMeta>(state, STATE_FORMAT, 'DDPG');
    const ddpg = new Ddpg({ ...meta.options, ...overrides });
    ddpg.setState(state);
    return ddpg;
  }

  /** Moves the critic into `threads[0]` (a compute worker); results are unchanged. `distribute([])` brings it back. */
  distribute(threads: WorkerThread[]): void {
    this.critics.place(0, threads[0]);
  }

  /**
   * One step of critic, actor and (every targetUpdateInterval-th update) targets on
   * `batch`. Returns the step's metrics, or null with `{ metrics: false }`.
   */
  update(batch: TransitionBatch, { metrics = true, tdErrors = null }: Partial<UpdateOptions> = {}): DdpgMetrics | null {
    const { observationSize: O, actionSize: A, gamma } = this.options;
    const B = batch.size;
    const observations = batch.observations.subarray(0, B * O);
    const nextObservations = batch.nextObservations.subarray(0, B * O);
    const { discounts, weights } = batch;
    const moveTargets = (this.updates + 1) % this.options.targetUpdateInterval === 0;
    const critic = this.critics.all[0]!;
    const evaluating = critic.call('evaluate', observations, batch.actions.subarray(0, B * A), B);
    let result: DdpgMetrics = { criticLoss: 0, actorLoss: 0, qMean: 0 };
    tf.tidy(() => {
      const target = this.actor.targetForward(tf.tensor2d(nextObservations, [B, O]));
      const pass = this.actor.forward(tf.tensor2d(observations, [B, O]));
      const read = tf.concat([tf.reshape(target, [-1]), tf.reshape(pass.action, [-1])]).dataSync() as Float32Array;
      const nextActions = read.subarray(0, B * A);
      const piActions = read.subarray(B * A);
      evaluating.wait();

      // 1. critic (γ becomes each row's γᵏ for n-step rows)
      const q = critic.call('targetValues', nextObservations, nextActions, B).wait();
      const y = new Float32Array(B);
      for (let i = 0; i < B; i++) y[i] = batch.rewards[i]! + (discounts ? discounts[i]! : gamma) * (1 - batch.terminals[i]!) * q[i]!;
      const step = critic.call('train', y, piActions, B, { weights, values: tdErrors !== null }).wait();
      if (tdErrors) for (let i = 0; i < B; i++) tdErrors[i] = Math.abs(step.values![i]! - y[i]!);

      // 2. actor: d(−mean wQ)/da
      const dAction = critic.call('actionGradient', actorWeights(weights, B), B).wait();
      // 3. targets (the critic's is issued first: in a worker it runs during the actor step)
      const criticTarget = moveTargets ? critic.call('updateTarget') : null;
      this.actor.step(pass, tf.tensor2d(dAction, [B, A]));
      if (moveTargets) this.actor.updateTarget();
      criticTarget?.wait();
      result = { criticLoss: step.loss, actorLoss: -weightedMean(step.probe, weights), qMean: step.qMean };
    });
    this.updates += 1;
    return metrics ? result : null;
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

  /** Everything a resumed run needs to continue exactly: weights, targets, Adam moments and steps, update count. */
  getState(): ModuleState<DdpgMeta> {
    const actor = this.actor.getState();
    const [critic] = this.critics.getState();
    return {
      tensors: { ...targetNetworkTensors('actor', actor), ...targetNetworkTensors('critic', critic!) },
      meta: {
        format: STATE_FORMAT,
        version: 1,
        options: { ...this.options },
        updates: this.updates,
        adamSteps: { actor: actor.adamStep, critic: critic!.adamStep },
      },
    };
  }

  setState(state: ModuleState): void {
    const meta = savedMeta<DdpgMeta>(state, STATE_FORMAT, 'DDPG');
    checkSameArchitecture('DDPG', meta.options, this.options);
    const { tensors } = state;
    this.actor.setState(readTargetNetwork(tensors, 'actor', this.actor.size, meta.adamSteps.actor));
    this.critics.setState([readTargetNetwork(tensors, 'critic', this.critics.size, meta.adamSteps.critic)]);
    this.updates = meta.updates;
  }

  dispose(): void {
    this.actor.dispose();
    this.critics.dispose();
  }
}
