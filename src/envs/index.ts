/**
 * Environments: gym's HalfCheetah, Hopper and Walker2d on MuJoCo (WASM), gym's
 * classic-control CartPole, Acrobot and MountainCar in plain TypeScript, their action
 * spaces, their registry and their batched termination rules. Importing this does not
 * load MuJoCo; `makeEnv` does for a MuJoCo task, once per process.
 */
export type { Env, EnvOptions, EnvSnapshot, StepResult, PhysicsState, TerminationFn } from './types.js';
export type { EnvClass, EnvSpec, MujocoEnvSpec, ResetNoise } from './env-spec.js';
export {
  BOX_HIGH,
  BOX_LOW,
  actionRowWidth,
  actionSpaceName,
  box,
  checkAction,
  discrete,
  isIndex,
  requireActionSpace,
  sampleAction,
  type ActionKind,
  type ActionSpace,
  type BoxSpace,
  type DiscreteSpace,
} from './action-space.js';
export { MujocoEnv, type MujocoEnvOptions } from './mujoco-env.js';
export { ClassicControlEnv, type ClassicControlSpec } from './classic-control.js';
export { CartPole, cartPoleTermination } from './cartpole.js';
export { Acrobot, acrobotTermination } from './acrobot.js';
export { MountainCar, mountainCarTermination } from './mountain-car.js';
export {
  ENVS,
  ENV_SPECS,
  availableEnvIds,
  envIdFor,
  envSpecFor,
  makeEnv,
  terminationFnFor,
  type EnvRow,
  type MakeEnvOptions,
  type RegisteredEnvSpec,
} from './registry.js';
export { halfCheetahTermination, hopperTermination, walker2dTermination } from './termination.js';
export { runRandomPolicy, type RandomPolicyRun } from './random-policy.js';
