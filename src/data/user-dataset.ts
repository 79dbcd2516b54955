/**
 * The data a user's environment hands over (`getDataset()`), in D4RL's layout:
 * `observations`, `actions`, `rewards`, `terminals`, optionally `timeouts` and
 * `next_observations` (or `nextObservations`). Each matrix may be a flat row-major
 * array or typed array, or an array of rows. Checked like a D4RL file, with messages
 * that name the module and the key.
 */
import type { ActionSpace } from '../envs/action-space.js';
import { DatasetError } from '../errors.js';
import type { D4rlFileContents } from './d4rl-file.js';
import { checkDatasetSizes, datasetFromContents } from './load-dataset.js';
import type { OfflineDataset } from './offline-dataset.js';

export function datasetFromUser(returned: unknown, owner: string, env: { id: string; observationSize: number; actionSpace: ActionSpace }): OfflineDataset {
  const where = `${owner} getDataset()`;
  if (!returned || typeof returned !== 'object') throw new DatasetError(`${where} returned ${returned === null ? 'null' : typeof returned}, not { observations, actions, rewards, terminals }.`);
  const data = returned as Record<string, unknown>;
  const rewards = vector(where, 'rewards', data.rewards);
  const size = rewards.length;
  const observations = matrix(where, 'observations', data.observations, size, env.observationSize);
  const actionWidth = env.actionSpace.kind === 'box' ? env.actionSpace.size : 1;
  const actions = matrix(where, 'actions', data.actions, size, actionWidth);
  const nextRaw = data.next_observations ?? data.nextObservations;
  const contents: D4rlFileContents = {
    size,
    observationSize: env.observationSize,
    actionSize: actionWidth,
    actionSpace: env.actionSpace,
    observations,
    actions,
    rewards,
    ...(nextRaw === undefined ? {} : { nextObservations: matrix(where, 'next_observations', nextRaw, size, env.observationSize) }),
    terminals: flags(where, 'terminals', data.terminals, size),
    timeouts: data.timeouts === undefined ? new Uint8Array(size) : flags(where, 'timeouts', data.timeouts, size),
    metadata: { env_id: env.id, source: owner },
  };
  checkDatasetSizes(where, contents, { observationSize: env.observationSize, actionSpace: env.actionSpace });
  return datasetFromContents(contents, { path: owner, envId: env.id });
}

function vector(where: string, key: string, value: unknown): Float32Array {
  if (!isArrayLike(value)) throw new DatasetError(`${where} has no '${key}' (an array of numbers).`);
  const out = Float32Array.from(value as ArrayLike<number>);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new DatasetError(`${where}: '${key}' holds ${(value as ArrayLike<number>)[bad]} at row ${bad}.`);
  return out;
}

function matrix(where: string, key: string, value: unknown, rows: number, width: number): Float32Array {
  if (!isArrayLike(value)) throw new DatasetError(`${where} has no '${key}' (rows × ${width} numbers).`);
  const list = value as ArrayLike<unknown>;
  const nested = list.length > 0 && isArrayLike(list[0]);
  if (nested) {
    if (list.length !== rows) throw new DatasetError(`${where}: '${key}' has ${list.length} rows, 'rewards' ${rows}.`);
    const out = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) {
      const row = list[r] as ArrayLike<number>;
      if (row.length !== width) throw new DatasetError(`${where} returned ${key} of width ${row.length} (row ${r}), env says ${width}.`);
      for (let c = 0; c < width; c++) out[r * width + c] = row[c]!;
    }
    return checkFinite(where, key, out, width);
  }
  if (list.length !== rows * width) {
    const perRow = rows > 0 ? list.length / rows : list.length;
    throw new DatasetError(`${where} returned ${key} of width ${Number.isInteger(perRow) ? perRow : `${list.length} values for ${rows} rows`}, env says ${width}.`);
  }
  return checkFinite(where, key, Float32Array.from(list as ArrayLike<number>), width);
}

function flags(where: string, key: string, value: unknown, rows: number): Uint8Array {
  if (!isArrayLike(value)) throw new DatasetError(`${where} has no '${key}' (one 0/1 or true/false per row).`);
  const list = value as ArrayLike<unknown>;
  if (list.length !== rows) throw new DatasetError(`${where}: '${key}' has ${list.length} rows, 'rewards' ${rows}.`);
  return Uint8Array.from({ length: rows }, (_, i) => (list[i] ? 1 : 0));
}

function checkFinite(where: string, key: string, values: Float32Array, width: number): Float32Array {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new DatasetError(`${where}: '${key}' holds ${values[bad]} at row ${Math.floor(bad / width)}.`);
  return values;
}

function isArrayLike(value: unknown): boolean {
  return Array.isArray(value) || ArrayBuffer.isView(value);
}
