/**
 * What one environment is. Every env states the same facts (`EnvSpec`: sizes, action
 * space, time limit, rollout termination rule), which the registry reads without
 * creating anything. How it runs comes in one of two shapes, one file per env:
 * - a MuJoCo task (`MujocoEnvSpec`): its model and gym rules, played by the shared
 *   `MujocoEnv` plumbing, so the file holds only what differs between tasks;
 * - a plain environment class (`EnvClass`): its own code, with its `EnvSpec` as the
 *   static `spec` (the classic-control tasks, which need no simulator).
 */
import type { ActionSpace, BoxSpace } from './action-space.js';
import type { Env, EnvOptions, TerminationFn } from './types.js';

export interface EnvSpec {
  /** Gym-style name without the version, e.g. `HalfCheetah`, `CartPole`. */
  id: string;
  /**
   * The gym version whose rules the env follows (CartPole-v1: 1). When given, an id
   * naming another version is refused, since versions differ in rules such as the
   * time limit. Unset for the MuJoCo tasks: D4RL's v2 data are played with v3 rules.
   */
  version?: number;
  /** Prefix of the D4RL dataset ids of this task, e.g. `halfcheetah` in `halfcheetah-medium-v2`; none if D4RL has no such task. */
  d4rlName?: string;
  observationSize: number;
  actionSpace: ActionSpace;
  maxEpisodeSteps: number;
  /** The task's end rule judged on next observations only, batched, for model rollouts. */
  terminationFn: TerminationFn;
}

/** Reset noise on each coordinate: U(−scale, scale) or scale·N(0, 1). */
export interface ResetNoise {
  distribution: 'uniform' | 'normal';
  scale: number;
}

export interface MujocoEnvSpec extends EnvSpec {
  d4rlName: string;
  /** The MuJoCo tasks take box actions: one per actuator. */
  actionSpace: BoxSpace;
  modelXml: string;
  /** Physics steps per env step: dt = timestep · frameSkip. */
  frameSkip: number;
  resetNoise: { qpos: ResetNoise; qvel: ResetNoise };
  /** Writes the observation of the physics state into `out` (length `observationSize`). */
  observe(qpos: Float64Array, qvel: Float64Array, out: Float32Array): void;
  /** Reward of one env step, from the torso's x velocity over the step and the applied (clipped) action. */
  reward(xVelocity: number, action: Float64Array): number;
  /** The task's own end rule, judged on the physics state after the step. */
  isTerminated(qpos: Float64Array, qvel: Float64Array): boolean;
}

/** An environment written as a class: `new Row(options)` creates it, `Row.spec` describes it. */
export interface EnvClass {
  readonly spec: EnvSpec;
  new (options?: EnvOptions): Env;
}
