/**
 * The policy a dataset is collected with. Anything that maps an observation to an
 * action fits: the uniform-random policy here, a trained actor later.
 */
import { sampleAction, type ActionSpace } from '../envs/action-space.js';
import type { Rng } from '../util/rng.js';

export interface BehaviourPolicy {
  /** Recorded in the file's `metadata/policy`. */
  readonly name: string;
  /** Draws an action; all randomness must come from `rng` so collection is reproducible. */
  act(observation: Float32Array, rng: Rng): PolicyAction;
}

export interface PolicyAction {
  action: Float32Array;
  /**
   * log π(action | observation) of the action drawn, recorded as `infos/action_log_probs`.
   * A policy reports it on every step or on none (a deterministic one has no density).
   */
  logProb?: number;
}

/**
 * Uniformly random actions, D4RL's "random" policy: independent U(−1, 1) in each box
 * dimension, or an index drawn uniformly from 0 … n − 1.
 */
export function uniformRandomPolicy(space: ActionSpace): BehaviourPolicy {
  // The density of U(−1, 1)^d is 2^−d everywhere inside the box; each of n choices has 1/n.
  const logProb = space.kind === 'box' ? -space.size * Math.LN2 : -Math.log(space.n);
  return {
    name: 'uniform-random',
    act(_observation, rng) {
      return { action: sampleAction(space, rng), logProb };
    },
  };
}
