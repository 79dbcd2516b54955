import type { RngState } from '../util/rng.js';

/**
 * The gym-like surface every environment offers. Observations are float32 (as D4RL
 * stores them); the physics keeps float64 inside.
 */
export interface StepResult {
  observation: Float32Array;
  reward: number;
  /** The task ended by its own rule (e.g. Hopper fell): no bootstrapping past this step. */
  terminated: boolean;
  /** The time limit cut the episode: the state is not terminal, bootstrapping continues. */
  truncated: boolean;
}

export interface PhysicsState {
  qpos: Float64Array;
  qvel: Float64Array;
}

/**
 * Everything that decides how an environment continues: the simulator's integration
 * state (including the solver's warm start), the reset-noise generator and the
 * episode's step count. Plain JSON, so a checkpoint can carry it.
 */
export interface EnvSnapshot {
  physics: number[];
  rng: RngState;
  elapsedSteps: number;
  episodeRunning: boolean;
}

export interface Env {
  /** Gym-style name, e.g. `HalfCheetah`. */
  readonly id: string;
  readonly observationSize: number;
  readonly actionSize: number;
  /** Steps after which an episode is truncated (1000 for the D4RL locomotion tasks). */
  readonly maxEpisodeSteps: number;
  /** Starts an episode. A seed reseeds the env's generator; without one the stream continues. */
  reset(seed?: number): Float32Array;
  /** Actions are clipped to [-1, 1] before they reach the simulator. */
  step(action: ArrayLike<number>): StepResult;
  /** Copy of the simulator state, for D4RL's `infos/qpos` and `infos/qvel`. */
  physicsState(): PhysicsState;
  /** Frees the WASM objects; the env is unusable afterwards. */
  close(): void;
  /** Optional: the whole state, for resuming an online run mid-episode. */
  snapshot?(): EnvSnapshot;
  /** Optional: continue exactly from a snapshot of the same environment; returns its observation. */
  restore?(snapshot: EnvSnapshot): Float32Array;
}

/**
 * Batched termination check used inside model rollouts: `nextObservations` holds
 * `count = length / observationSize` rows; returns 1 where the row's episode ends.
 */
export type TerminationFn = (
  nextObservations: Float32Array,
  observationSize: number,
  out?: Uint8Array,
) => Uint8Array;
