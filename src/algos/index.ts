/** Learners: SAC, TD3, DDPG and MOPO's dynamics ensemble. Loads tfjs-core; only training commands import this. */
export { Sac, type SacMeta, type SacMetrics } from './sac.js';
export { resolveSacOptions, type ResolvedSacOptions, type SacOptions } from './sac-options.js';
export { Td3, type Td3Meta, type Td3Metrics } from './td3.js';
export { resolveTd3Options, type ResolvedTd3Options, type Td3Options } from './td3-options.js';
export { Ddpg, type DdpgMeta, type DdpgMetrics } from './ddpg.js';
export { resolveDdpgOptions, type DdpgOptions, type ResolvedDdpgOptions } from './ddpg-options.js';
export * from './mopo/index.js';
