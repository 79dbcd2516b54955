import type { Json } from '../nn/state.js';
import type { RngState } from '../util/rng.js';
import type { ActionSpace } from './action-space.js';

/**
 * The gym-like surface every environment offers. Observations are float32 (as gym
 * returns them and D4RL stores them); the state keeps float64 inside.
 */
export interface StepResult {
  observation: Float32Array;
  reward: number;
  /** The task ended by its own rule (e.g. Hopper fell): no bootstrapping past this step. */
  terminated: boolean;
  /** The time limit cut the episode: the state is not terminal, bootstrapping continues. */
  truncated: boolean;
}

/** Positions and velocities (for MuJoCo its qpos and qvel), float64. */
export interface PhysicsState {
  qpos: Float64Array;
  qvel: Float64Array;
}

/**
 * Everything that decides how an environment continues: the simulator's integration
 * state (for MuJoCo including the solver's warm start), the reset-noise generator and
 * the episode's step count. Plain JSON, so a checkpoint can carry it.
 */
export interface EnvSnapshot {
  physics: number[];
  rng: RngState;
  elapsedSteps: number;
  episodeRunning: boolean;
  /** A user env's own snapshot() (JSON), when it has one. */
  custom?: Json;
}

export interface Env {
  /** Gym-style name, e.g. `HalfCheetah`, `CartPole`. */
  readonly id: string;
  readonly observationSize: number;
  readonly actionSpace: ActionSpace;
  /** Numbers in a stored action row: `actionRowWidth(actionSpace)` (a discrete action is its index). */
  readonly actionSize: number;
  /** Steps after which an episode is truncated (1000 for the D4RL locomotion tasks, 500 for CartPole-v1). */
  readonly maxEpisodeSteps: number;
  /** Starts an episode. A seed reseeds the env's generator; without one the stream continues. */
  reset(seed?: number): Float32Array;
  /**
   * One action row: box actions are clipped to [-1, 1] before they reach the simulator;
   * a discrete action is `[index]`, and anything but an index in 0 … n − 1 is refused.
   */
  step(action: ArrayLike<number>): StepResult;
  /** Copy of the state, for D4RL's `infos/qpos` and `infos/qvel`. */
  physicsState(): PhysicsState;
  /** Puts the env in a given state (gym's `set_state`) and returns its observation; the step count is untouched. */
  setPhysicsState(state: PhysicsState): Float32Array;
  /** The whole state, for resuming an online run mid-episode. */
  snapshot(): EnvSnapshot;
  /** Continues exactly from a snapshot of the same environment; returns its observation. */
  restore(snapshot: EnvSnapshot): Float32Array;
  /** Frees what the env holds (MuJoCo's WASM objects); the env is unusable afterwards. */
  close(): void;
}

/** What `makeEnv` takes, for every kind of environment. */
export interface EnvOptions {
  /** Seed of the env's generator until `reset(seed)` gives another. Default 0. */
  seed?: number;
  /** Overrides the spec's time limit (e.g. short episodes in tests). */
  maxEpisodeSteps?: number;
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
