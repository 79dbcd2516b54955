/**
 * The policy a dataset is collected with. Anything that maps an observation to an
 * action fits: the uniform-random policy here, a trained actor later.
 */
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

/** Actions drawn independently from U(−1, 1) in every dimension: D4RL's "random" policy. */
export function uniformRandomPolicy(actionSize: number): BehaviourPolicy {
  // The density of U(−1, 1)^d is 2^−d everywhere inside the box.
  const logDensity = -actionSize * Math.LN2;
  return {
    name: 'uniform-random',
    act(_observation, rng) {
      return { action: rng.fillUniform(new Float32Array(actionSize), -1, 1), logProb: logDensity };
    },
  };
}
