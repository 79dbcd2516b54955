/**
 * Programmatic entry: `import { makeEnv, loadDataset, Sac, composeConfig } from 'mopo'`.
 * TensorFlow.js core loads with this module (the learners are exported); MuJoCo and
 * h5wasm load on first use, inside the functions that need them. The `mopo` command
 * does not import this module, so its start-up stays fast.
 */
export { Rng, type RngState } from './util/rng.js';
export * from './errors.js';
export { shippedDataset, shippedDatasets } from './paths.js';
export type { Env, StepResult, PhysicsState, TerminationFn } from './envs/types.js';
export * from './envs/index.js';
export * from './data/index.js';
export * from './config/index.js';
export * from './nn/index.js';
export * from './algos/index.js';
export { train, evaluate, collect, loadPolicy, type TrainOptions, type TrainedRun, type EvaluateOptions, type Policy, type ProgressEvent } from './api.js';
export { instantiate } from './config/instantiate.js';
export type { UserEnv } from './envs/custom-env.js';
