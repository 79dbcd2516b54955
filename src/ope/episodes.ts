/**
 * The episodes of a dataset of transitions, found from the transitions alone: a row
 * starts an episode when it is the first, when the row before ended one (a terminal or
 * a time-limit row), or when the row before does not lead to it (s′ of the previous row
 * is not this row's s: files without `next_observations` lose the time-limit rows, see
 * q-learning-view.ts).
 */
import type { OfflineDataset } from '../data/offline-dataset.js';

export interface Episodes {
  /** Row of each episode's first transition. */
  starts: Uint32Array;
  /** Episode of each row. */
  episodeOf: Uint32Array;
  /** Sum of each episode's rewards. */
  returns: Float64Array;
}

export function episodesOf(dataset: Pick<OfflineDataset, 'size' | 'observationSize' | 'observations' | 'nextObservations' | 'rewards' | 'terminals' | 'timeouts'>): Episodes {
  const { size, observationSize: O, observations, nextObservations } = dataset;
  const episodeOf = new Uint32Array(size);
  const starts: number[] = [];
  for (let i = 0; i < size; i++) {
    if (i === 0 || dataset.terminals[i - 1] === 1 || dataset.timeouts[i - 1] === 1 || !sameRow(nextObservations, i - 1, observations, i, O)) starts.push(i);
    episodeOf[i] = starts.length - 1;
  }
  const returns = new Float64Array(starts.length);
  for (let i = 0; i < size; i++) returns[episodeOf[i]!]! += dataset.rewards[i]!;
  return { starts: Uint32Array.from(starts), episodeOf, returns };
}

/** Each episode's discounted return Σₜ γᵗ rₜ from its first row. */
export function discountedReturns(dataset: Pick<OfflineDataset, 'size' | 'rewards'>, episodes: Episodes, gamma: number): Float64Array {
  const out = new Float64Array(episodes.starts.length);
  let discount = 1;
  for (let i = 0; i < dataset.size; i++) {
    const episode = episodes.episodeOf[i]!;
    if (episodes.starts[episode] === i) discount = 1;
    out[episode]! += discount * dataset.rewards[i]!;
    discount *= gamma;
  }
  return out;
}

function sameRow(a: Float32Array, rowA: number, b: Float32Array, rowB: number, width: number): boolean {
  for (let k = 0; k < width; k++) if (a[rowA * width + k] !== b[rowB * width + k]) return false;
  return true;
}

export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
