/**
 * Programmatic entry: `import { makeEnv, loadDataset, composeConfig } from 'mopo'`.
 * Heavy engines (TensorFlow.js, MuJoCo, h5wasm) load lazily inside the functions
 * that need them, so importing this module stays cheap.
 */
export { Rng, type RngState } from './util/rng.js';
export * from './errors.js';
export type { Env, StepResult, PhysicsState, TerminationFn } from './envs/types.js';
export * from './envs/index.js';
export * from './data/index.js';
export * from './config/index.js';
export * from './nn/index.js';
export * from './algos/index.js';
