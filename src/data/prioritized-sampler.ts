/**
 * Proportional prioritized experience replay (Schaul et al. 2016, arXiv 1511.05952):
 * row i is drawn with probability P(i) = p_i^α / Σ_k p_k^α, where p_i = |δ_i| + ε is its
 * latest TD error, and its update is weighted by the importance weight
 *   w_i = (N·P(i))^−β / max_k (N·P(k))^−β = (min_k p_k^α / p_i^α)^β,
 * which undoes the bias of the skewed sampling as β → 1 (the loops anneal β linearly
 * from its initial value to 1 over training). A row not yet replayed gets the highest
 * priority seen so far, so every new transition is replayed at least once soon.
 *
 * The sampler knows rows only by index: the replay buffer holds the transitions and
 * tells it which row it (over)wrote. Priorities live in a sum tree (sum-tree.ts), so a
 * draw and an update are O(log n).
 */
import type { Rng } from '../util/rng.js';
import { SumTree } from './sum-tree.js';

export interface PrioritySettings {
  /** α: 0 samples uniformly, 1 fully in proportion to the TD errors. */
  alpha: number;
  /** ε: keeps rows with a zero TD error drawable. */
  epsilon: number;
}

export interface PrioritizedSamplerState {
  capacity: number;
  /** Rows [0, filled) have a priority. */
  filled: number;
  /** The largest p^α so far: what a new row gets. */
  maxPriority: number;
  /** p^α of rows [0, filled). */
  priorities: Float32Array;
}

/** β after `progress` ∈ [0, 1] of training: linear from `initial` to 1. */
export function annealedBeta(initial: number, progress: number): number {
  return initial + (1 - initial) * Math.min(1, Math.max(0, progress));
}

export class PrioritizedSampler {
  private readonly tree: SumTree;
  private maxPriority = 1;
  private filled = 0;

  constructor(
    readonly capacity: number,
    readonly settings: PrioritySettings,
  ) {
    this.tree = new SumTree(capacity);
  }

  /** Row `row` holds a new transition: it gets the highest priority so far. */
  added(row: number): void {
    this.tree.set(row, this.maxPriority);
    this.filled = Math.max(this.filled, row + 1);
  }

  /** Rows [0, count) hold transitions not yet replayed (a dataset). */
  addedAll(count: number): void {
    for (let row = 0; row < count; row++) this.added(row);
  }

  /** Draws `indices.length` rows with replacement in proportion to p^α, and their importance weights under `beta`. */
  sample(rng: Rng, beta: number, indices: Uint32Array, weights: Float32Array): void {
    const total = this.tree.total();
    if (!(total > 0)) throw new RangeError('Cannot sample: no row has a priority yet');
    const smallest = this.tree.min();
    for (let i = 0; i < indices.length; i++) {
      const row = this.tree.find(rng.uniform() * total);
      indices[i] = row;
      weights[i] = (smallest / this.tree.get(row)) ** beta;
    }
  }

  /** New priorities p = (|δ| + ε)^α for the rows just replayed, from their TD errors. */
  update(indices: ArrayLike<number>, tdErrors: ArrayLike<number>): void {
    const { alpha, epsilon } = this.settings;
    for (let i = 0; i < indices.length; i++) {
      const priority = Math.fround((Math.abs(tdErrors[i]!) + epsilon) ** alpha);
      this.tree.set(indices[i]!, priority);
      if (priority > this.maxPriority) this.maxPriority = priority;
    }
  }

  /** p^α of row `row`. */
  priority(row: number): number {
    return this.tree.get(row);
  }

  getState(): PrioritizedSamplerState {
    return { capacity: this.capacity, filled: this.filled, maxPriority: this.maxPriority, priorities: this.tree.leaves(this.filled) };
  }

  static fromState(state: PrioritizedSamplerState, settings: PrioritySettings): PrioritizedSampler {
    if (state.priorities.length !== state.filled) throw new RangeError(`Prioritized replay state holds ${state.priorities.length} priorities for ${state.filled} rows`);
    const sampler = new PrioritizedSampler(state.capacity, settings);
    state.priorities.forEach((priority, row) => sampler.tree.set(row, priority));
    sampler.filled = state.filled;
    sampler.maxPriority = state.maxPriority;
    return sampler;
  }
}
