/**
 * n-step transitions read from a replay buffer whose rows are episodes in order (the
 * online replay, a D4RL dataset). From row t the view follows the episode for up to n
 * rows and returns
 *   r = Σ_{i<k} γⁱ r_{t+i},  s′ = s′_{t+k−1},  done = done_{t+k−1},  discount = γᵏ
 * with k = n, or fewer where the episode ends first: at a termination (done = 1: no
 * bootstrap), at a time-limit cut (done = 0: the learner bootstraps from the real
 * s′ of the last step, with γᵏ), or at the newest stored row (its successor is not
 * stored yet). The learner's target is then y = r + discount·(1 − done)·V(s′).
 */
import type { ReplayBuffer, TransitionBatch } from './replay-buffer.js';

export interface NStepSettings {
  n: number;
  gamma: number;
}

/** Writes the n-step transitions starting at rows `indices` into `out` from row `offset` on; `out.discounts` receives γᵏ. */
export function writeNStepRows(buffer: ReplayBuffer, indices: ArrayLike<number>, out: TransitionBatch, offset: number, { n, gamma }: NStepSettings): void {
  if (!out.discounts) throw new Error('writeNStepRows needs a batch with discounts');
  const { observationSize: o, actionSize: a } = buffer;
  const stored = buffer.rows;
  for (let i = 0; i < indices.length; i++) {
    const first = indices[i]!;
    const to = offset + i;
    out.observations.set(stored.observations.subarray(first * o, first * o + o), to * o);
    out.actions.set(stored.actions.subarray(first * a, first * a + a), to * a);
    let last = first;
    let reward = 0;
    let discount = 1;
    for (let k = 1; ; k++) {
      reward += discount * stored.rewards[last]!;
      discount *= gamma;
      if (k === n) break;
      const next = buffer.following(last);
      if (next < 0) break;
      last = next;
    }
    out.rewards[to] = reward;
    out.nextObservations.set(stored.nextObservations.subarray(last * o, last * o + o), to * o);
    out.terminals[to] = stored.terminals[last]!;
    out.discounts[to] = discount;
  }
}
