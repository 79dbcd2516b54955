/**
 * Environments: gym's HalfCheetah, Hopper and Walker2d on MuJoCo (WASM), their
 * registry and their batched termination rules. Importing this does not load MuJoCo;
 * `makeEnv` does, once per process.
 */
export type { Env, EnvSnapshot, StepResult, PhysicsState, TerminationFn } from './types.js';
export type { EnvSpec, ResetNoise } from './env-spec.js';
export { MujocoEnv, type MujocoEnvOptions } from './mujoco-env.js';
export {
  ENV_SPECS,
  availableEnvIds,
  envIdFor,
  envSpecFor,
  makeEnv,
  terminationFnFor,
  type MakeEnvOptions,
} from './registry.js';
export { halfCheetahTermination, hopperTermination, walker2dTermination } from './termination.js';
export { runRandomPolicy, type RandomPolicyRun } from './random-policy.js';
