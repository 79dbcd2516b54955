/**
 * Writes a D4RL-layout HDF5 file. The file appears under its final name only when it
 * is complete (written under a temporary name, then renamed), so a crash mid-write
 * never leaves something that looks like a dataset.
 *
 * `terminals` and `timeouts` are stored as uint8 0/1: h5wasm cannot write h5py's bool
 * enum, and both h5py/numpy and this project's reader treat uint8 0/1 as booleans.
 * Discrete actions are stored as int64 indices of shape (N,): what numpy makes of
 * gym's `Discrete` samples, so a Python reader gets the dtype it would have written.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { File, Group } from 'h5wasm/node';
import { DatasetError } from '../errors.js';
import { actionSpaceName, isIndex } from '../envs/action-space.js';
import { D4RL_KEYS, type D4rlFileContents } from './d4rl-file.js';
import { loadH5wasm } from './hdf5.js';

export interface WriteD4rlFileOptions {
  /** gzip level 1–9, or 0 for none. Default 4: random-policy floats shrink little, so more costs time for nothing. */
  compression?: number;
}

/** Aim for chunks of about this many bytes: big enough to compress well, small enough to read in parts. */
const CHUNK_BYTES = 256 * 1024;

export async function writeD4rlFile(
  path: string,
  contents: D4rlFileContents,
  options: WriteD4rlFileOptions = {},
): Promise<void> {
  checkContents(path, contents);
  const h5wasm = await loadH5wasm();
  const temporaryPath = `${path}.writing-${process.pid}`;
  let file: File;
  try {
    await mkdir(dirname(path), { recursive: true });
    file = new h5wasm.File(temporaryPath, 'w');
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'HDF5 could not create it';
    throw new DatasetError(`Cannot write ${path}: ${reason}`, { cause: error });
  }
  try {
    writeContents(file, contents, options.compression ?? 4);
    file.close();
    await rename(temporaryPath, path);
  } catch (error) {
    try {
      file.close();
    } catch {
      // already closed
    }
    await rm(temporaryPath, { force: true });
    throw error;
  }
}

function writeContents(file: Group, contents: D4rlFileContents, compression: number): void {
  const { size, observationSize, actionSize } = contents;
  const write = (name: string, data: TypedArray, columns?: number) =>
    writeArray(file, name, data, columns === undefined ? [size] : [size, columns], compression);

  write(D4RL_KEYS.observations, contents.observations, observationSize);
  if (contents.actionSpace?.kind === 'discrete') {
    write(D4RL_KEYS.actions, BigInt64Array.from(contents.actions, (index) => BigInt(index)));
  } else {
    write(D4RL_KEYS.actions, contents.actions, actionSize);
  }
  write(D4RL_KEYS.rewards, contents.rewards);
  if (contents.nextObservations) write(D4RL_KEYS.nextObservations, contents.nextObservations, observationSize);
  write(D4RL_KEYS.terminals, contents.terminals);
  write(D4RL_KEYS.timeouts, contents.timeouts);

  if (contents.qpos || contents.qvel || contents.actionLogProbs) file.create_group('infos');
  if (contents.qpos) write(D4RL_KEYS.qpos, contents.qpos, contents.qpos.length / size);
  if (contents.qvel) write(D4RL_KEYS.qvel, contents.qvel, contents.qvel.length / size);
  if (contents.actionLogProbs) write(D4RL_KEYS.actionLogProbs, contents.actionLogProbs);

  file.create_group(D4RL_KEYS.metadata);
  for (const [key, value] of Object.entries(contents.metadata)) {
    writeScalar(file, `${D4RL_KEYS.metadata}/${key}`, value);
  }
}

type TypedArray = Float32Array | Float64Array | Uint8Array | BigInt64Array;

function writeArray(file: Group, name: string, data: TypedArray, shape: number[], compression: number): void {
  const dtype = data instanceof Uint8Array ? '<B' : data instanceof Float32Array ? '<f' : data instanceof BigInt64Array ? '<q' : '<d';
  if (compression === 0) {
    file.create_dataset({ name, data, shape, dtype });
    return;
  }
  const rowBytes = data.BYTES_PER_ELEMENT * (shape[1] ?? 1);
  const chunkRows = Math.max(1, Math.min(shape[0]!, Math.floor(CHUNK_BYTES / rowBytes)));
  const chunks = [chunkRows, ...shape.slice(1)];
  file.create_dataset({ name, data, shape, dtype, chunks, compression: 'gzip', compression_opts: compression });
}

/** Scalars as D4RL keeps them: strings, integers (int32 when they fit) and floats. */
function writeScalar(file: Group, name: string, value: string | number | boolean): void {
  if (typeof value === 'string') {
    file.create_dataset({ name, data: value });
  } else if (typeof value === 'boolean') {
    file.create_dataset({ name, data: Uint8Array.of(value ? 1 : 0), shape: [], dtype: '<B' });
  } else if (Number.isInteger(value) && Math.abs(value) < 2 ** 31) {
    file.create_dataset({ name, data: value, dtype: '<i4' });
  } else {
    file.create_dataset({ name, data: value, dtype: '<d' });
  }
}

function checkContents(path: string, contents: D4rlFileContents): void {
  const { size, observationSize, actionSize } = contents;
  const fail = (key: string, problem: string): never => {
    throw new DatasetError(`Cannot write ${path}: "${key}" ${problem}.`);
  };
  if (!Number.isInteger(size) || size <= 0) fail(D4RL_KEYS.observations, `needs at least one row (size ${size})`);
  const expectLength = (key: string, array: ArrayLike<number> | undefined, columns: number) => {
    if (array !== undefined && array.length !== size * columns) {
      fail(key, `has ${array.length} values, expected ${size} × ${columns}`);
    }
  };
  expectLength(D4RL_KEYS.observations, contents.observations, observationSize);
  expectLength(D4RL_KEYS.actions, contents.actions, actionSize);
  expectLength(D4RL_KEYS.rewards, contents.rewards, 1);
  expectLength(D4RL_KEYS.nextObservations, contents.nextObservations, observationSize);
  expectLength(D4RL_KEYS.terminals, contents.terminals, 1);
  expectLength(D4RL_KEYS.timeouts, contents.timeouts, 1);
  expectLength(D4RL_KEYS.actionLogProbs, contents.actionLogProbs, 1);
  const space = contents.actionSpace;
  if (space?.kind === 'discrete') {
    if (actionSize !== 1) fail(D4RL_KEYS.actions, `has ${actionSize} values per row, but a ${actionSpaceName(space)} action is one index`);
    const bad = contents.actions.findIndex((value) => !isIndex(value, space.n));
    if (bad >= 0) fail(D4RL_KEYS.actions, `holds ${contents.actions[bad]} at row ${bad}, not an index of ${actionSpaceName(space)} (0…${space.n - 1})`);
  }
  for (const [key, array] of [[D4RL_KEYS.qpos, contents.qpos], [D4RL_KEYS.qvel, contents.qvel]] as const) {
    if (array !== undefined && array.length % size !== 0) {
      fail(key, `has ${array.length} values, not a multiple of ${size} rows`);
    }
  }
}
