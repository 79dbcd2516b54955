import type { TransitionBatch } from './replay-buffer.js';

/**
 * What training consumes: transitions (s, a, r, s′, done), row-major Float32Arrays of
 * `size` rows. Flags are Float32Array 0/1 so they enter arithmetic such as
 * `r + γ·(1 − terminal)·V(s′)` without conversion.
 */
export interface OfflineDataset extends TransitionBatch {
  observationSize: number;
  actionSize: number;
  /** 1 where the time limit cut the episode; s′ is a real state and bootstrapping continues. */
  timeouts: Float32Array;
  source: DatasetSource;
}

export interface DatasetSource {
  /** The HDF5 file read (for a D4RL id, its cached download). */
  path: string;
  /** The D4RL id it was asked for by, if any. */
  d4rlId?: string;
  /** Gym env id that produced the data, from the D4RL registry or the file's `metadata/env_id`. */
  envId?: string;
  /** Rows in the file, before the Q-learning view dropped any. */
  rowsInFile: number;
  /**
   * Rows left out for want of a next observation: in files without `next_observations`,
   * the time-limit ends and the last row.
   */
  droppedRows: number;
  /** Whether s′ came from `next_observations` (else from the following row). */
  nextObservationsFromFile: boolean;
  /** The file's `metadata/*` scalars. */
  metadata: Record<string, string | number | boolean>;
}
