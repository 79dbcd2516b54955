/** Learners: SAC, TD3, DDPG, MPO and MOPO's dynamics ensemble, the learner table and the options schemas. Loads tfjs-core; only training commands import this. */
export type { Learner, LearnerMetrics, LearnerSizes, UpdateOptions } from './learner.js';
export { LEARNERS, learnerRow, type ActionKind, type LearnerRow, type LoopKind } from './learner-table.js';
export { OptionsSchema, type Field, type NumberRule, type Relation, type Values } from './option-schema.js';
export { Sac, type SacMeta, type SacMetrics } from './sac.js';
export { SAC_SETTINGS, resolveSacOptions, type ResolvedSacOptions, type SacOptions, type SacSettings } from './sac-options.js';
export { Td3, type Td3Meta, type Td3Metrics } from './td3.js';
export { TD3_SETTINGS, resolveTd3Options, type ResolvedTd3Options, type Td3Options, type Td3Settings } from './td3-options.js';
export { Ddpg, type DdpgMeta, type DdpgMetrics } from './ddpg.js';
export { DDPG_SETTINGS, resolveDdpgOptions, type DdpgOptions, type DdpgSettings, type ResolvedDdpgOptions } from './ddpg-options.js';
export { Mpo, type MpoMeta, type MpoMetrics } from './mpo.js';
export { DiscreteMpo, type DiscreteMpoMeta, type DiscreteMpoMetrics } from './discrete-mpo.js';
export {
  MPO_SETTINGS,
  resolveDiscreteMpoOptions,
  resolveMpoOptions,
  type DiscreteMpoOptions,
  type MpoOptions,
  type MpoSettings,
  type ResolvedDiscreteMpoOptions,
  type ResolvedMpoOptions,
} from './mpo-options.js';
export { clipByGlobalNorm } from './clip-gradient.js';
export * from './mopo/index.js';
