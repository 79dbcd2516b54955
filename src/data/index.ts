/**
 * Datasets: the D4RL registry and normalised score, download and cache, HDF5 reading
 * with validation, the Q-learning view, writing and collecting D4RL-layout files.
 * Importing this loads neither h5wasm nor cli-progress; the functions that need them do.
 */
export {
  D4RL_DATASET_IDS,
  D4RL_DATASET_KINDS,
  D4RL_DEFAULT_BASE_URL,
  D4RL_TASKS,
  d4rlDataset,
  d4rlDatasetUrl,
  findD4rlTask,
  isD4rlDatasetId,
  normalizedScore,
  type D4rlDatasetInfo,
  type D4rlDatasetKind,
  type D4rlTask,
  type D4rlTaskInfo,
} from './d4rl-registry.js';
export {
  d4rlCachePath,
  defaultBaseUrl,
  defaultDatasetDir,
  fetchD4rlDataset,
  type D4rlFetchOptions,
} from './d4rl-cache.js';
export { downloadFile, type DownloadOptions, type DownloadResult } from './download.js';
export { loadDataset, type LoadDatasetOptions } from './load-dataset.js';
export type { OfflineDataset, DatasetSource } from './offline-dataset.js';
export { D4RL_KEYS, type D4rlFileContents } from './d4rl-file.js';
export { readD4rlFile, type ReadD4rlFileOptions } from './read-d4rl-file.js';
export { qLearningView, type Transitions } from './q-learning-view.js';
export { writeD4rlFile, type WriteD4rlFileOptions } from './writer.js';
export { collectDataset, type CollectOptions, type CollectedDataset } from './collect.js';
export { uniformRandomPolicy, type BehaviourPolicy, type PolicyAction } from './behaviour-policy.js';
