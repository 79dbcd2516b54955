/**
 * Reads a D4RL-layout HDF5 file and checks it, so that everything downstream can trust
 * shapes and values. Each problem is a `DatasetError` naming the file and the key.
 */
import { D4RL_KEYS, type D4rlFileContents } from './d4rl-file.js';
import { Hdf5Reader, type NumericDataset } from './hdf5.js';

export interface ReadD4rlFileOptions {
  /** Also read `infos/qpos`, `infos/qvel`, `infos/action_log_probs` (training does not need them). */
  includeInfos?: boolean;
}

export async function readD4rlFile(path: string, options: ReadD4rlFileOptions = {}): Promise<D4rlFileContents> {
  const reader = await Hdf5Reader.open(path);
  try {
    return readContents(reader, options);
  } finally {
    reader.close();
  }
}

function readContents(reader: Hdf5Reader, options: ReadD4rlFileOptions): D4rlFileContents {
  const observations = readMatrix(reader, D4RL_KEYS.observations);
  const size = observations.rows;
  if (size === 0) throw reader.keyError(D4RL_KEYS.observations, 'has no rows');
  const actions = readActions(reader, size);
  const rewards = readColumn(reader, D4RL_KEYS.rewards, size);
  const terminals = readFlags(reader, D4RL_KEYS.terminals, size);

  let nextObservations: Float32Array | undefined;
  if (reader.has(D4RL_KEYS.nextObservations)) {
    const next = readMatrix(reader, D4RL_KEYS.nextObservations, size);
    if (next.columns !== observations.columns) {
      throw reader.keyError(
        D4RL_KEYS.nextObservations,
        `has ${next.columns} columns but "${D4RL_KEYS.observations}" has ${observations.columns}`,
      );
    }
    nextObservations = next.values;
  }
  if (nextObservations === undefined && !reader.has(D4RL_KEYS.timeouts)) {
    throw reader.keyError(
      D4RL_KEYS.timeouts,
      `is missing, and so is "${D4RL_KEYS.nextObservations}": episode boundaries cannot be told apart`,
    );
  }
  const timeouts = reader.has(D4RL_KEYS.timeouts)
    ? readFlags(reader, D4RL_KEYS.timeouts, size)
    : new Uint8Array(size);

  const contents: D4rlFileContents = {
    size,
    observationSize: observations.columns,
    actionSize: actions.columns,
    observations: observations.values,
    actions: actions.values,
    rewards,
    terminals,
    timeouts,
    metadata: reader.readScalars(D4RL_KEYS.metadata),
  };
  if (nextObservations !== undefined) contents.nextObservations = nextObservations;
  if (options.includeInfos) {
    if (reader.has(D4RL_KEYS.qpos)) contents.qpos = readFloat64Matrix(reader, D4RL_KEYS.qpos, size);
    if (reader.has(D4RL_KEYS.qvel)) contents.qvel = readFloat64Matrix(reader, D4RL_KEYS.qvel, size);
    if (reader.has(D4RL_KEYS.actionLogProbs)) {
      contents.actionLogProbs = Float64Array.from(readColumnValues(reader, D4RL_KEYS.actionLogProbs, size));
    }
  }
  return contents;
}

interface Matrix {
  rows: number;
  columns: number;
  values: Float32Array;
}

function readMatrix(reader: Hdf5Reader, key: string, expectedRows?: number): Matrix {
  const { rows, columns, values } = readShaped(reader, key, expectedRows);
  const floats = toFloat32(values);
  assertFinite(reader, key, floats, columns);
  return { rows, columns, values: floats };
}

/**
 * (N, size) rows of box actions, or (N,) with one number a row: a discrete env's action
 * indices (stored as integers, as gym gives them) become rows of width 1.
 */
function readActions(reader: Hdf5Reader, expectedRows: number): Matrix {
  const key = D4RL_KEYS.actions;
  const { shape, values } = reader.readNumeric(key);
  if (shape.length !== 1 && shape.length !== 2) {
    throw reader.keyError(key, `must be (N,) (discrete actions) or (N, size), but has shape (${shape.join(', ')})`);
  }
  const [rows, columns = 1] = shape as [number, number?];
  checkRows(reader, key, rows, expectedRows);
  const floats = toFloat32(values);
  assertFinite(reader, key, floats, columns);
  return { rows, columns, values: floats };
}

/** Simulator state keeps float64, as D4RL stores it. */
function readFloat64Matrix(reader: Hdf5Reader, key: string, expectedRows: number): Float64Array {
  const { values } = readShaped(reader, key, expectedRows);
  return values instanceof Float64Array ? values : Float64Array.from(values);
}

function readShaped(
  reader: Hdf5Reader,
  key: string,
  expectedRows?: number,
): { rows: number; columns: number; values: NumericDataset['values'] } {
  const { shape, values } = reader.readNumeric(key);
  if (shape.length !== 2) {
    throw reader.keyError(key, `must be 2-D (rows × values), but has shape (${shape.join(', ')})`);
  }
  const [rows, columns] = shape as [number, number];
  if (expectedRows !== undefined) checkRows(reader, key, rows, expectedRows);
  return { rows, columns, values };
}

/** Rewards may be stored as (N,) or (N, 1). */
function readColumn(reader: Hdf5Reader, key: string, expectedRows: number): Float32Array {
  const floats = toFloat32(readColumnValues(reader, key, expectedRows));
  assertFinite(reader, key, floats, 1);
  return floats;
}

function readColumnValues(reader: Hdf5Reader, key: string, expectedRows: number): NumericDataset['values'] {
  const { shape, values } = reader.readNumeric(key);
  const isColumn = shape.length === 1 || (shape.length === 2 && shape[1] === 1);
  if (!isColumn) throw reader.keyError(key, `must have shape (N,) or (N, 1), but has shape (${shape.join(', ')})`);
  checkRows(reader, key, shape[0]!, expectedRows);
  return values;
}

/** Booleans, integers or floats; anything non-zero is true. */
function readFlags(reader: Hdf5Reader, key: string, expectedRows: number): Uint8Array {
  const values = readColumnValues(reader, key, expectedRows);
  const flags = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) throw reader.keyError(key, `contains NaN at row ${i}`);
    flags[i] = v !== 0 ? 1 : 0;
  }
  return flags;
}

function checkRows(reader: Hdf5Reader, key: string, rows: number, expectedRows: number): void {
  if (rows !== expectedRows) {
    throw reader.keyError(key, `has ${rows} rows but "${D4RL_KEYS.observations}" has ${expectedRows}`);
  }
}

function toFloat32(values: NumericDataset['values']): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

function assertFinite(reader: Hdf5Reader, key: string, values: Float32Array, columns: number): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]!)) continue;
    let count = 0;
    for (let j = i; j < values.length; j++) if (!Number.isFinite(values[j]!)) count++;
    const where = columns > 1 ? `row ${Math.floor(i / columns)}, column ${i % columns}` : `row ${i}`;
    throw reader.keyError(key, `contains ${values[i]} at ${where} (${count} non-finite values in all)`);
  }
}
