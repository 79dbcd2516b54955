/**
 * The D4RL v2 locomotion datasets: ids, where they live, which environment made them
 * and the reference returns that define D4RL's normalised score.
 */
import { DatasetError } from '../errors.js';
import { closestName } from '../util/suggest.js';

export const D4RL_DEFAULT_BASE_URL = 'http://rail.eecs.berkeley.edu/datasets/offline_rl/gym_mujoco_v2';

export const D4RL_TASKS = ['halfcheetah', 'hopper', 'walker2d'] as const;
export type D4rlTask = (typeof D4RL_TASKS)[number];

export const D4RL_DATASET_KINDS = ['random', 'medium', 'medium-replay', 'medium-expert', 'expert'] as const;
export type D4rlDatasetKind = (typeof D4RL_DATASET_KINDS)[number];

export interface D4rlTaskInfo {
  task: D4rlTask;
  /** Gym-style environment id, as `makeEnv` takes it. */
  envId: string;
  observationSize: number;
  actionSize: number;
  /** Return of a uniformly random policy: normalised score 0. */
  referenceMinScore: number;
  /** Return of D4RL's expert (SAC) policy: normalised score 100. */
  referenceMaxScore: number;
}

export interface D4rlDatasetInfo extends D4rlTaskInfo {
  /** e.g. `halfcheetah-medium-replay-v2` */
  id: string;
  kind: D4rlDatasetKind;
  /** e.g. `halfcheetah_medium_replay-v2.hdf5`, the name D4RL's own cache uses. */
  fileName: string;
}

const TASKS: Record<D4rlTask, D4rlTaskInfo> = {
  halfcheetah: {
    task: 'halfcheetah',
    envId: 'HalfCheetah',
    observationSize: 17,
    actionSize: 6,
    referenceMinScore: -280.178953,
    referenceMaxScore: 12135.0,
  },
  hopper: {
    task: 'hopper',
    envId: 'Hopper',
    observationSize: 11,
    actionSize: 3,
    referenceMinScore: -20.272305,
    referenceMaxScore: 3234.3,
  },
  walker2d: {
    task: 'walker2d',
    envId: 'Walker2d',
    observationSize: 17,
    actionSize: 6,
    referenceMinScore: 1.629008,
    referenceMaxScore: 4592.3,
  },
};

const DATASETS: ReadonlyMap<string, D4rlDatasetInfo> = new Map(
  D4RL_TASKS.flatMap((task) =>
    D4RL_DATASET_KINDS.map((kind): [string, D4rlDatasetInfo] => {
      const id = `${task}-${kind}-v2`;
      const fileName = `${task}_${kind.replaceAll('-', '_')}-v2.hdf5`;
      return [id, { ...TASKS[task], id, kind, fileName }];
    }),
  ),
);

/** All 15 ids, task by task. */
export const D4RL_DATASET_IDS: readonly string[] = [...DATASETS.keys()];

export function isD4rlDatasetId(id: string): boolean {
  return DATASETS.has(id);
}

/** Registry entry for a D4RL id; a `DatasetError` with a suggestion for anything else. */
export function d4rlDataset(id: string): D4rlDatasetInfo {
  const info = DATASETS.get(id);
  if (info === undefined) throw unknownIdError(id, D4RL_DATASET_IDS, 'D4RL dataset');
  return info;
}

/** Download address of a D4RL id under `baseUrl` (the Berkeley server, or a mirror). */
export function d4rlDatasetUrl(id: string, baseUrl: string = D4RL_DEFAULT_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/${d4rlDataset(id).fileName}`;
}

/**
 * D4RL's normalised score, 100·(return − random)/(expert − random): 0 is a uniformly
 * random policy, 100 the expert. `id` is a D4RL id (`hopper-medium-v2`) or the task
 * itself (`hopper`, or the env id `Hopper`), since the references belong to the task.
 */
export function normalizedScore(id: string, episodeReturn: number): number {
  const { referenceMinScore, referenceMaxScore } = taskInfo(id);
  return (100 * (episodeReturn - referenceMinScore)) / (referenceMaxScore - referenceMinScore);
}

/** The task behind a D4RL id, a task name (`hopper`) or its env id (`Hopper`). */
export function findD4rlTask(id: string): D4rlTaskInfo | undefined {
  return DATASETS.get(id) ?? Object.values(TASKS).find((t) => t.task === id || t.envId === id);
}

function taskInfo(id: string): D4rlTaskInfo {
  const task = findD4rlTask(id);
  if (task !== undefined) return task;
  throw unknownIdError(id, [...D4RL_DATASET_IDS, ...D4RL_TASKS], 'D4RL dataset or task');
}

function unknownIdError(id: string, known: readonly string[], what: string): DatasetError {
  const suggestion = closestName(id, known);
  const hint = suggestion === undefined ? '' : ` Did you mean "${suggestion}"?`;
  return new DatasetError(`Unknown ${what} "${id}".${hint} Known: ${known.join(', ')}.`);
}
