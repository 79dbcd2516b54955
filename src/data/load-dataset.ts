/**
 * `loadDataset(pathOrId)`: an HDF5 file on disk, or a D4RL id that is downloaded once
 * and cached, read, checked and turned into Q-learning transitions.
 */
import { resolve } from 'node:path';
import { actionRowWidth, actionSpaceName, isIndex, type ActionSpace } from '../envs/action-space.js';
import { DatasetError } from '../errors.js';
import { closestName } from '../util/suggest.js';
import { fetchD4rlDataset, type D4rlFetchOptions } from './d4rl-cache.js';
import { D4RL_DATASET_IDS, d4rlDataset, isD4rlDatasetId } from './d4rl-registry.js';
import { D4RL_KEYS, type D4rlFileContents } from './d4rl-file.js';
import type { OfflineDataset } from './offline-dataset.js';
import { qLearningView } from './q-learning-view.js';
import { readD4rlFile } from './read-d4rl-file.js';
import { pathExists } from '../util/fs.js';

export interface LoadDatasetOptions extends D4rlFetchOptions {
  /**
   * What the environment needs; a file that differs is rejected. With a discrete action
   * space every action must be an index 0 … n − 1. For a D4RL id the registry's sizes
   * apply when this is not given.
   */
  expect?: DatasetExpectation;
}

export interface DatasetExpectation {
  observationSize?: number;
  /** Numbers per action row; follows from `actionSpace` when that is given. */
  actionSize?: number;
  actionSpace?: ActionSpace;
}

export async function loadDataset(pathOrId: string, options: LoadDatasetOptions = {}): Promise<OfflineDataset> {
  const { expect, ...fetchOptions } = options;
  const { path, d4rlId } = await locate(pathOrId, fetchOptions);
  const registered = d4rlId === undefined ? undefined : d4rlDataset(d4rlId);
  let contents: D4rlFileContents;
  try {
    contents = await readD4rlFile(path);
    checkDatasetSizes(`Dataset file ${path}`, contents, expect ?? registered);
  } catch (error) {
    if (d4rlId === undefined || !(error instanceof DatasetError)) throw error;
    const hint = `(This is the cached download of ${d4rlId}; delete it to download again.)`;
    throw new DatasetError(`${error.message} ${hint}`, { cause: error });
  }

  return datasetFromContents(contents, { path, ...(d4rlId === undefined ? {} : { d4rlId }), envId: registered?.envId ?? metadataString(contents, 'env_id') });
}

/**
 * Recorded rows (from a file, or from a user env's getDataset()) as the transitions
 * training consumes, with where they came from. `checkDatasetSizes` must have passed.
 */
export function datasetFromContents(contents: D4rlFileContents, source: { path: string; d4rlId?: string; envId?: string | undefined }): OfflineDataset {
  const { path, d4rlId, envId } = source;
  const transitions = qLearningView(contents);
  return {
    size: transitions.size,
    observationSize: contents.observationSize,
    actionSize: contents.actionSize,
    observations: transitions.observations,
    actions: transitions.actions,
    rewards: transitions.rewards,
    nextObservations: transitions.nextObservations,
    terminals: transitions.terminals,
    timeouts: transitions.timeouts,
    source: {
      path,
      ...(d4rlId === undefined ? {} : { d4rlId }),
      ...(envId === undefined ? {} : { envId }),
      rowsInFile: contents.size,
      droppedRows: transitions.droppedRows,
      nextObservationsFromFile: contents.nextObservations !== undefined,
      metadata: contents.metadata,
    },
  };
}

/** An existing file wins over an id of the same name; anything path-like must exist. */
async function locate(pathOrId: string, options: D4rlFetchOptions): Promise<{ path: string; d4rlId?: string }> {
  if (await pathExists(pathOrId)) return { path: resolve(pathOrId) };
  if (isD4rlDatasetId(pathOrId)) return { path: await fetchD4rlDataset(pathOrId, options), d4rlId: pathOrId };
  if (/[\\/]|\.h(df)?5$/i.test(pathOrId)) {
    throw new DatasetError(`Dataset file ${resolve(pathOrId)} does not exist.`);
  }
  const suggestion = closestName(pathOrId, D4RL_DATASET_IDS);
  throw new DatasetError(
    `"${pathOrId}" is neither a dataset file nor a known D4RL id.` +
      (suggestion === undefined ? '' : ` Did you mean "${suggestion}"?`) +
      ` Known ids: ${D4RL_DATASET_IDS.join(', ')}.`,
  );
}

/** Widths (and discrete actions) against what the environment needs; `where` names the data in messages. */
export function checkDatasetSizes(where: string, contents: D4rlFileContents, expected: DatasetExpectation | undefined): void {
  const mismatch = (key: string, what: string, actual: number, wanted: number) =>
    new DatasetError(
      `${where}: key "${key}" has ${actual} values per row, but the environment's ${what} is ${wanted}.`,
    );
  if (expected?.observationSize !== undefined && contents.observationSize !== expected.observationSize) {
    throw mismatch(D4RL_KEYS.observations, 'observation size', contents.observationSize, expected.observationSize);
  }
  const space = expected?.actionSpace;
  if (space?.kind === 'discrete') {
    checkDiscreteActions(where, contents, space.n);
    return;
  }
  const actionSize = expected?.actionSize ?? (space === undefined ? undefined : actionRowWidth(space));
  if (actionSize !== undefined && contents.actionSize !== actionSize) {
    throw mismatch(D4RL_KEYS.actions, 'action size', contents.actionSize, actionSize);
  }
}

/** One index a row, each an integer in 0 … n − 1 (stored as an integer or as a float). */
function checkDiscreteActions(dataName: string, contents: D4rlFileContents, n: number): void {
  const where = `${dataName}: key "${D4RL_KEYS.actions}"`;
  const name = actionSpaceName({ kind: 'discrete', n });
  if (contents.actionSize !== 1) {
    throw new DatasetError(`${where} has ${contents.actionSize} values per row, but the environment's actions are ${name}: one index a row.`);
  }
  const bad = contents.actions.findIndex((value) => !isIndex(value, n));
  if (bad >= 0) {
    throw new DatasetError(`${where} holds ${contents.actions[bad]} at row ${bad}, but the environment's actions are ${name}: indices 0…${n - 1} (n = ${n}).`);
  }
}

function metadataString(contents: D4rlFileContents, key: string): string | undefined {
  const value = contents.metadata[key];
  return typeof value === 'string' ? value : undefined;
}
