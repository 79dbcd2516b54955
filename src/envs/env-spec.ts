/**
 * What one environment is: its model, its gym rules and its name in D4RL. An
 * environment file exports one `EnvSpec` and the registry lists it; the MuJoCo
 * plumbing (`MujocoEnv`) is shared, so a spec holds only what differs between tasks.
 */
import type { TerminationFn } from './types.js';

/** Reset noise on each coordinate: U(−scale, scale) or scale·N(0, 1). */
export interface ResetNoise {
  distribution: 'uniform' | 'normal';
  scale: number;
}

export interface EnvSpec {
  /** Gym-style name, e.g. `HalfCheetah`. */
  id: string;
  /** Prefix of the D4RL dataset ids of this task, e.g. `halfcheetah` in `halfcheetah-medium-v2`. */
  d4rlName: string;
  modelXml: string;
  /** Physics steps per env step: dt = timestep · frameSkip. */
  frameSkip: number;
  observationSize: number;
  actionSize: number;
  maxEpisodeSteps: number;
  resetNoise: { qpos: ResetNoise; qvel: ResetNoise };
  /** Writes the observation of the physics state into `out` (length `observationSize`). */
  observe(qpos: Float64Array, qvel: Float64Array, out: Float32Array): void;
  /** Reward of one env step, from the torso's x velocity over the step and the applied (clipped) action. */
  reward(xVelocity: number, action: Float64Array): number;
  /** The task's own end rule, judged on the physics state after the step. */
  isTerminated(qpos: Float64Array, qvel: Float64Array): boolean;
  /** The same rule judged on observations only, batched, for model rollouts. */
  terminationFn: TerminationFn;
}
