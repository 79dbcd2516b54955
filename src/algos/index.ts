/** Learners: SAC and MOPO's dynamics ensemble. Loads tfjs-core; only training commands import this. */
export { Sac, type SacMeta, type SacMetrics } from './sac.js';
export { resolveSacOptions, type ResolvedSacOptions, type SacOptions } from './sac-options.js';
export * from './mopo/index.js';
