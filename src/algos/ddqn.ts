/**
 * Double DQN (van Hasselt, Guez & Silver 2016) with a Polyak target network, in
 * pytorchrl's shape (one Q network, Adam, gradient clipping, ε-greedy acting). One
 * `update` is, in order:
 *   1. target:  a*ᵢ = argmax_a Q(s′ᵢ, a)                     (the online network picks)
 *               yᵢ  = rᵢ + γ(1 − dᵢ)·Q′(s′ᵢ, a*ᵢ)            (the target network judges)
 *   2. step:    one Adam step on mean (Q(sᵢ, aᵢ) − yᵢ)², gradient clipped to max_grad_norm;
 *   3. target network, on every target_update_interval-th update (counted after it):
 *               θ′ ← polyak·θ′ + (1 − polyak)·θ;
 *   4. exploration: ε ← max(min_epsilon, ε·epsilon_decay).
 * pytorchrl's own DDQN bootstraps from max_a Q′(s′, a) (plain DQN with a target); here
 * the online network chooses a* as Double DQN does, which is what the name promises.
 * With batch `discounts` (n-step rows) γ becomes each row's γᵏ, as pytorchrl's γ^n_step;
 * with `weights` (prioritized replay) each row's squared error is weighted, and the TD
 * errors |Q(s, a) − y| go back to the sampler.
 *
 * Acting: `act(s, true)` is greedy (argmax Q(s, ·)); `act(s, false, rng)` takes, per row,
 * a uniformly random action with probability ε (one `rng.uniform()` < ε, then
 * `rng.int(n)`), else the greedy one. Actions are rows of one index (action-space.ts).
 *
 * ε and the update count are part of the state, so a resumed run explores exactly as
 * the run left alone would have.
 */
import type { TransitionBatch } from '../data/replay-buffer.js';
import { CheckpointError } from '../errors.js';
import type { Json, ModuleState } from '../nn/state.js';
import { initialParams } from '../nn/init.js';
import { ParamLayout } from '../nn/layout.js';
import { Rng } from '../util/rng.js';
import { mean } from '../util/stats.js';
import { resolveDdqnOptions, type DdqnOptions, type ResolvedDdqnOptions } from './ddqn-options.js';
import { savedMeta } from './deterministic-learner.js';
import { argmaxRows, DiscreteCritic, discreteCriticShape } from './discrete-critic.js';
import type { UpdateOptions } from './learner.js';
import { readTargetNetwork, targetNetworkTensors } from './target-network-state.js';

export type DdqnMetrics = {
  /** mean (Q(s, a) − y)² before this update's step. */
  criticLoss: number;
  /** Mean Q(s, a) over the batch. */
  qMean: number;
  /** ε before this update (what acting used since the previous one). */
  epsilon: number;
};

export interface DdqnMeta {
  format: 'mopo-ddqn';
  version: 1;
  options: ResolvedDdqnOptions;
  updates: number;
  epsilon: number;
  adamStep: number;
  [key: string]: Json;
}

const STATE_FORMAT = 'mopo-ddqn';

export class Ddqn {
  readonly options: ResolvedDdqnOptions;
  /** Updates done so far. */
  updates = 0;
  /** ε of ε-greedy acting. */
  epsilon: number;
  private readonly q: DiscreteCritic;

  constructor(options: DdqnOptions) {
    const o = resolveDdqnOptions(options);
    this.options = o;
    const spec = {
      observationSize: o.observationSize,
      actionCount: o.actionCount,
      hiddenSize: o.hiddenSize,
      layers: o.layers,
      lr: o.lr,
      tau: 1 - o.polyak,
      maxGradNorm: o.maxGradNorm,
    };
    this.q = new DiscreteCritic(spec, initialParams(new ParamLayout(discreteCriticShape(spec), 1), 'torch_default', new Rng(o.seed, 1)));
    this.epsilon = o.initialEpsilon;
  }

  /** A learner in the state `state` (see getState); `overrides` may change e.g. the learning rate. */
  static fromState(state: ModuleState, overrides: Partial<DdqnOptions> = {}): Ddqn {
    const meta = savedMeta<DdqnMeta>(state, STATE_FORMAT, 'DDQN');
    const ddqn = new Ddqn({ ...meta.options, ...overrides, observationSize: meta.options.observationSize, actionCount: meta.options.actionCount });
    ddqn.setState(state);
    return ddqn;
  }

  /** One network: nothing to spread over compute workers. */
  distribute(): void {}

  /** One Double DQN step on `batch`; its metrics, or null with `{ metrics: false }`. */
  update(batch: TransitionBatch, { metrics = true, tdErrors = null }: Partial<UpdateOptions> = {}): DdqnMetrics | null {
    const { observationSize: O, targetUpdateInterval, epsilonDecay, minEpsilon } = this.options;
    const B = batch.size;
    const y = this.targets(batch);
    const step = this.q.train(batch.observations.subarray(0, B * O), batch.actions.subarray(0, B), y, B, batch.weights);
    if (tdErrors) for (let i = 0; i < B; i++) tdErrors[i] = Math.abs(step.chosen[i]! - y[i]!);
    this.updates += 1;
    if (this.updates % targetUpdateInterval === 0) this.q.updateTarget();
    const epsilon = this.epsilon;
    this.epsilon = Math.max(minEpsilon, this.epsilon * epsilonDecay);
    if (!metrics) return null;
    return { criticLoss: step.loss, qMean: mean(step.chosen), epsilon };
  }

  /** yᵢ = rᵢ + γᵢ(1 − dᵢ)·Q′(s′ᵢ, argmax_a Q(s′ᵢ, a)) for every row of `batch` (γᵢ: the row's discount, else γ). */
  targets(batch: TransitionBatch): Float32Array {
    const { observationSize: O, actionCount: n, gamma } = this.options;
    const B = batch.size;
    const { discounts } = batch;
    const nextObservations = batch.nextObservations.subarray(0, B * O);
    const best = argmaxRows(this.q.values(nextObservations, B), B, n);
    const judged = this.q.targetValues(nextObservations, B);
    const y = new Float32Array(B);
    for (let i = 0; i < B; i++) y[i] = batch.rewards[i]! + (discounts ? discounts[i]! : gamma) * (1 - batch.terminals[i]!) * judged[i * n + best[i]!]!;
    return y;
  }

  /** Q(s, ·) for rows of observations, [rows, n]. */
  qValues(observations: Float32Array): Float32Array {
    return this.q.values(observations, this.rowsOf(observations));
  }

  /** Greedy actions when `deterministic`; else ε-greedy with `rng`. One index per row. */
  act(observations: Float32Array, deterministic: boolean, rng?: Rng): Float32Array {
    if (!deterministic && !rng) throw new Error('act: an exploring action needs an Rng');
    const rows = this.rowsOf(observations);
    const n = this.options.actionCount;
    const greedy = argmaxRows(this.q.values(observations, rows), rows, n);
    const actions = new Float32Array(rows);
    for (let r = 0; r < rows; r++) actions[r] = !deterministic && rng!.uniform() < this.epsilon ? rng!.int(n) : greedy[r]!;
    return actions;
  }

  /** Weights, target, Adam moments and step, the update count and ε. */
  getState(): ModuleState<DdqnMeta> {
    const q = this.q.getState();
    return {
      tensors: targetNetworkTensors('q', q),
      meta: { format: STATE_FORMAT, version: 1, options: { ...this.options }, updates: this.updates, epsilon: this.epsilon, adamStep: q.adamStep },
    };
  }

  setState(state: ModuleState): void {
    const meta = savedMeta<DdqnMeta>(state, STATE_FORMAT, 'DDQN');
    for (const key of ['observationSize', 'actionCount', 'hiddenSize', 'layers'] as const) {
      if (meta.options[key] !== this.options[key]) throw new CheckpointError(`The DDQN state has ${key} ${meta.options[key]}, this learner ${this.options[key]}.`);
    }
    this.q.setState(readTargetNetwork(state.tensors, 'q', this.q.size, meta.adamStep));
    this.updates = meta.updates;
    this.epsilon = meta.epsilon;
  }

  dispose(): void {
    this.q.dispose();
  }

  private rowsOf(observations: Float32Array): number {
    const O = this.options.observationSize;
    const rows = observations.length / O;
    if (!Number.isInteger(rows)) throw new RangeError(`act: ${observations.length} values are not whole rows of ${O}`);
    return rows;
  }
}
