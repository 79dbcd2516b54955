/** The config layer: Hydra-style composition, overrides, interpolation, sweeps. No learning code. */
export { ConfigView } from './access.js';
export { composeConfig, type ComposedConfig, type ComposeOptions } from './compose.js';
export { JobConfig, createRepository, type JobConfigOptions, type LauncherChoice, type SearchPathOptions } from './job-config.js';
export { parseOverride, formatOverrideValue, type Override } from './override-parser.js';
export { ConfigRepository, type ConfigSource } from './repository.js';
export { expandSweep, type SweepJob } from './sweep.js';
export { claimDirectory, claimRunDir, claimSweepDir, toYaml, writeFileAtomic, writeRunRecord } from './run-dir.js';
export type { ConfigDict, ConfigValue } from './value.js';
