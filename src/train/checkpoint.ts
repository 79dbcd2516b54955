/**
 * Checkpoints: a directory per save, `<run>/checkpoints/step-<n>/`, holding
 *
 *   manifest.json   what it is (versions, env, sizes, step, seed) and where each array lies
 *   arrays.bin      every array back to back, 8-byte aligned, little-endian
 *   config.yaml     the resolved config of the run that wrote it
 *   extra text files (e.g. the metrics so far)
 *
 * Loading runs no code: JSON and raw numbers only. A checkpoint is written under a
 * temporary name and renamed when complete, so a crash never leaves half of one; the
 * SHA-256 of arrays.bin is recorded, so a damaged file is detected, not loaded.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { toYaml } from '../config/run-dir.js';
import type { ConfigDict } from '../config/value.js';
import { CheckpointError } from '../errors.js';
import { packageVersion } from '../paths.js';

export const CHECKPOINT_FORMAT = 'mopo-checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;

export type ArrayData = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;
type DType = 'float32' | 'float64' | 'int32' | 'uint32' | 'uint8';

export interface NamedArray {
  shape: number[];
  data: ArrayData;
}

interface ArrayEntry {
  dtype: DType;
  shape: number[];
  offset: number;
  length: number;
}

export interface CheckpointInfo {
  /** What trained it: `mopo`, `sac_online`, … (`algo.name`) */
  algo: string;
  /** The learner whose state the part `learner` holds (`sac`, `td3`, …); absent in checkpoints of mopo 0.1. */
  learner?: string;
  envId: string;
  /** How to rebuild the env (src/train/env-source.ts EnvRecord); absent in checkpoints of mopo 0.1 (registered envs). */
  env?: unknown;
  observationSize: number;
  actionSize: number;
  /** Gradient steps taken so far, and the epoch they complete. */
  step: number;
  epoch: number;
  seed: number;
  backend: string;
  /** Anything JSON the algorithm needs to continue: counters, RNG states, elite indices … */
  state: unknown;
  /** The evaluation made at this step, when there was one (`checkpoint.keep_best` picks by it). */
  evaluation?: { returnMean: number; normalizedScore: number | null } | null;
}

export interface CheckpointManifest extends CheckpointInfo {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: number;
  mopoVersion: string;
  createdAt: string;
  arrays: Record<string, ArrayEntry>;
  arraysSha256: string;
  files: string[];
}

export interface Checkpoint {
  dir: string;
  manifest: CheckpointManifest;
  arrays: Record<string, NamedArray>;
  config: string;
  files: Record<string, string>;
}

const DTYPES: Record<DType, { bytes: number; make: (buffer: ArrayBuffer, offset: number, length: number) => ArrayData }> = {
  float32: { bytes: 4, make: (b, o, n) => new Float32Array(b, o, n) },
  float64: { bytes: 8, make: (b, o, n) => new Float64Array(b, o, n) },
  int32: { bytes: 4, make: (b, o, n) => new Int32Array(b, o, n) },
  uint32: { bytes: 4, make: (b, o, n) => new Uint32Array(b, o, n) },
  uint8: { bytes: 1, make: (b, o, n) => new Uint8Array(b, o, n) },
};

function dtypeOf(data: ArrayData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  return 'uint8';
}

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(10, '0')}`;
}

/** Writes a complete checkpoint at `dir` (which must not exist yet) and returns it. */
export function writeCheckpoint(
  dir: string,
  info: CheckpointInfo,
  arrays: Record<string, NamedArray>,
  config: ConfigDict,
  files: Record<string, string> = {},
): string {
  if (existsSync(dir)) throw new CheckpointError(`Checkpoint ${dir} already exists; refusing to overwrite it.`);
  const tmp = path.join(path.dirname(dir), `.${path.basename(dir)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const entries: Record<string, ArrayEntry> = {};
    const hash = createHash('sha256');
    const fd = openSync(path.join(tmp, 'arrays.bin'), 'w');
    try {
      let offset = 0;
      const padding = new Uint8Array(8);
      for (const [name, { shape, data }] of Object.entries(arrays)) {
        const expected = shape.reduce((a, b) => a * b, 1);
        if (expected !== data.length) throw new CheckpointError(`Array '${name}' has ${data.length} values but shape [${shape.join(', ')}]`);
        const pad = (8 - (offset % 8)) % 8;
        if (pad > 0) {
          writeSync(fd, padding, 0, pad);
          hash.update(padding.subarray(0, pad));
          offset += pad;
        }
        const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        writeSync(fd, bytes);
        hash.update(bytes);
        entries[name] = { dtype: dtypeOf(data), shape, offset, length: data.length };
        offset += bytes.byteLength;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT,
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      mopoVersion: packageVersion(),
      createdAt: new Date().toISOString(),
      ...info,
      arrays: entries,
      arraysSha256: hash.digest('hex'),
      files: Object.keys(files),
    };
    writeSynced(path.join(tmp, 'config.yaml'), toYaml(config));
    for (const [name, text] of Object.entries(files)) writeSynced(path.join(tmp, name), text);
    // The manifest goes last: a directory with a manifest is a complete one.
    writeSynced(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2));
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

function writeSynced(file: string, text: string): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * `pathGiven` may be a checkpoint directory, a run directory (its newest checkpoint),
 * or a run's `checkpoints/` folder.
 */
export function locateCheckpoint(pathGiven: string): string {
  const dir = path.resolve(pathGiven);
  if (!existsSync(dir)) throw new CheckpointError(`Checkpoint ${dir} does not exist.`);
  if (!statSync(dir).isDirectory()) throw new CheckpointError(`Checkpoint ${dir} is not a directory (a checkpoint is a directory with manifest.json and arrays.bin).`);
  if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  for (const parent of [path.join(dir, 'checkpoints'), dir]) {
    const found = listCheckpoints(parent);
    if (found.length > 0) return found[found.length - 1]!;
  }
  throw new CheckpointError(`No checkpoint in ${dir}: expected manifest.json there, or a checkpoints/ folder with step-* directories.`);
}

/** Complete checkpoints under `parent`, oldest first. */
export function listCheckpoints(parent: string): string[] {
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .filter((name) => /^step-\d+$/.test(name) && existsSync(path.join(parent, name, 'manifest.json')))
    .sort()
    .map((name) => path.join(parent, name));
}

/**
 * Removes all but the newest `keepLast` complete checkpoints (null keeps all) and, with
 * `keepBest`, the best evaluated one; returns the removed directories.
 */
export function pruneCheckpoints(parent: string, keepLast: number | null, keepBest = false): string[] {
  if (keepLast === null) return [];
  const all = listCheckpoints(parent);
  const best = keepBest ? bestCheckpoint(parent) : null;
  const removed = all.slice(0, Math.max(0, all.length - keepLast)).filter((dir) => dir !== best);
  for (const dir of removed) rmSync(dir, { recursive: true, force: true });
  return removed;
}

/** The complete checkpoint under `parent` with the highest evaluation return (the earliest of equals), or null when none was evaluated. */
export function bestCheckpoint(parent: string): string | null {
  let best: { dir: string; returnMean: number } | null = null;
  for (const dir of listCheckpoints(parent)) {
    const returnMean = readEvaluation(dir)?.returnMean;
    if (returnMean !== undefined && Number.isFinite(returnMean) && (best === null || returnMean > best.returnMean)) best = { dir, returnMean };
  }
  return best?.dir ?? null;
}

function readEvaluation(dir: string): CheckpointInfo['evaluation'] {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as CheckpointManifest).evaluation ?? null;
  } catch {
    return null;
  }
}

export function readCheckpoint(pathGiven: string): Checkpoint {
  const dir = locateCheckpoint(pathGiven);
  const manifestFile = path.join(dir, 'manifest.json');
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as CheckpointManifest;
  } catch (error) {
    throw new CheckpointError(`Checkpoint manifest ${manifestFile} is not valid JSON (${(error as Error).message}); the checkpoint is damaged.`);
  }
  if (manifest.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`${manifestFile} is not a mopo checkpoint manifest (format: ${JSON.stringify(manifest.format)}).`);
  if (manifest.formatVersion > CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(`Checkpoint ${dir} has format version ${manifest.formatVersion}, newer than this mopo (${packageVersion()}) reads (${CHECKPOINT_FORMAT_VERSION}). Upgrade mopo.`);
  }

  const binFile = path.join(dir, 'arrays.bin');
  if (!existsSync(binFile)) throw new CheckpointError(`Checkpoint ${dir} is missing arrays.bin.`);
  const bytes = readFileSync(binFile);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== manifest.arraysSha256) {
    throw new CheckpointError(`Checkpoint file ${binFile} is damaged: its SHA-256 does not match the manifest (the file was truncated or changed).`);
  }
  // Copy into an 8-byte-aligned buffer of our own, so typed views line up.
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  const arrays: Record<string, NamedArray> = {};
  for (const [name, entry] of Object.entries(manifest.arrays ?? {})) {
    const dtype = DTYPES[entry.dtype];
    if (!dtype) throw new CheckpointError(`Checkpoint ${dir}: array '${name}' has unknown dtype ${JSON.stringify(entry.dtype)}.`);
    if (entry.offset + entry.length * dtype.bytes > buffer.byteLength || entry.offset % dtype.bytes !== 0) {
      throw new CheckpointError(`Checkpoint ${dir}: array '${name}' lies outside arrays.bin; the manifest and data do not belong together.`);
    }
    arrays[name] = { shape: entry.shape, data: dtype.make(buffer, entry.offset, entry.length) };
  }
  const configFile = path.join(dir, 'config.yaml');
  if (!existsSync(configFile)) throw new CheckpointError(`Checkpoint ${dir} is missing config.yaml.`);
  const files: Record<string, string> = {};
  for (const name of manifest.files ?? []) {
    const file = path.join(dir, name);
    if (!existsSync(file)) throw new CheckpointError(`Checkpoint ${dir} is missing ${name}.`);
    files[name] = readFileSync(file, 'utf8');
  }
  return { dir, manifest, arrays, config: readFileSync(configFile, 'utf8'), files };
}

/** The named array, checked for dtype and shape: a mismatch means the checkpoint does not fit. */
export function requireArray(checkpoint: Checkpoint, name: string, shape?: number[]): NamedArray {
  const array = checkpoint.arrays[name];
  if (!array) throw new CheckpointError(`Checkpoint ${checkpoint.dir} has no array '${name}'.`);
  if (shape && (shape.length !== array.shape.length || shape.some((d, i) => d !== array.shape[i]))) {
    throw new CheckpointError(`Checkpoint ${checkpoint.dir}: '${name}' has shape [${array.shape.join(', ')}], expected [${shape.join(', ')}].`);
  }
  return array;
}
