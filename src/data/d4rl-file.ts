import type { ActionSpace } from '../envs/action-space.js';

/**
 * The contents of a D4RL-layout HDF5 file, row by row as recorded: what the collector
 * produces, the writer stores and the reader returns before the Q-learning view.
 * Matrices are row-major (`size` rows).
 */
export interface D4rlFileContents {
  size: number;
  observationSize: number;
  actionSize: number;
  observations: Float32Array;
  /** `actionSize` numbers a row; a discrete action is its index (`actionSize` 1). */
  actions: Float32Array;
  /**
   * The env's action space, when known. The writer stores a discrete space's actions as
   * integers of shape (N,), as gym's `Discrete` gives them; box actions as float32 (N, size).
   */
  actionSpace?: ActionSpace;
  rewards: Float32Array;
  /** Absent in older D4RL files, where row i + 1 holds the next observation. */
  nextObservations?: Float32Array;
  /** 1 where the task itself ended the episode. */
  terminals: Uint8Array;
  /** 1 on the last row of an episode cut short by the time limit (or by the end of collection). */
  timeouts: Uint8Array;
  /** `infos/qpos` and `infos/qvel`: simulator state before the row's action, as D4RL stores it. */
  qpos?: Float64Array;
  qvel?: Float64Array;
  /** `infos/action_log_probs`, when the behaviour policy can say. */
  actionLogProbs?: Float64Array;
  /** `metadata/*`: algorithm, policy, env id, seed, command, … */
  metadata: Record<string, string | number | boolean>;
}

export const D4RL_KEYS = {
  observations: 'observations',
  actions: 'actions',
  rewards: 'rewards',
  nextObservations: 'next_observations',
  terminals: 'terminals',
  timeouts: 'timeouts',
  qpos: 'infos/qpos',
  qvel: 'infos/qvel',
  actionLogProbs: 'infos/action_log_probs',
  metadata: 'metadata',
} as const;
