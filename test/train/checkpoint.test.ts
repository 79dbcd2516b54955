import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../src/errors.js';
import {
  bestCheckpoint,
  checkpointName,
  listCheckpoints,
  locateCheckpoint,
  pruneCheckpoints,
  readCheckpoint,
  requireArray,
  writeCheckpoint,
  type CheckpointInfo,
} from '../../src/train/checkpoint.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function runDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'mopo-ckpt-'));
  dirs.push(d);
  return d;
}

const info = (step: number): CheckpointInfo => ({ algo: 'mopo', envId: 'HalfCheetah', observationSize: 17, actionSize: 6, step, epoch: step / 10, seed: 3, backend: 'wasm', state: { rng: [1, 2, 3, 4, null] } });
const arrays = () => ({
  'actor/w0': { shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
  'counts': { shape: [3], data: new Uint8Array([7, 8, 9]) },
  'stats/mean': { shape: [2], data: new Float64Array([0.25, -1e300]) },
});

describe('checkpoints', () => {
  it('round-trip arrays of every dtype, the manifest, the config and extra files', () => {
    const dir = path.join(runDir(), 'checkpoints', checkpointName(100));
    writeCheckpoint(dir, info(100), arrays(), { seed: 3, algo: { h: 5 } }, { 'metrics.jsonl': '{"epoch":1}\n' });
    const loaded = readCheckpoint(dir);
    expect(loaded.manifest).toMatchObject({ format: 'mopo-checkpoint', formatVersion: 1, algo: 'mopo', step: 100, seed: 3, state: { rng: [1, 2, 3, 4, null] } });
    expect(loaded.arrays['actor/w0']).toEqual({ shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) });
    expect(loaded.arrays.counts!.data).toEqual(new Uint8Array([7, 8, 9]));
    expect(loaded.arrays['stats/mean']!.data).toEqual(new Float64Array([0.25, -1e300]));
    expect(loaded.config).toContain('h: 5');
    expect(loaded.files['metrics.jsonl']).toBe('{"epoch":1}\n');
    expect(readdirSync(path.dirname(dir))).toEqual([checkpointName(100)]);
  });

  it('never overwrites an existing checkpoint', () => {
    const dir = path.join(runDir(), checkpointName(1));
    writeCheckpoint(dir, info(1), arrays(), {});
    expect(() => writeCheckpoint(dir, info(1), arrays(), {})).toThrow(/already exists/);
  });

  it('detects a damaged arrays file and a broken manifest', () => {
    const dir = path.join(runDir(), checkpointName(1));
    writeCheckpoint(dir, info(1), arrays(), {});
    writeFileSync(path.join(dir, 'arrays.bin'), 'truncated');
    expect(() => readCheckpoint(dir)).toThrow(/arrays.bin is damaged: its SHA-256 does not match/);
    writeFileSync(path.join(dir, 'manifest.json'), '{"format": "mopo-checkpoint",');
    expect(() => readCheckpoint(dir)).toThrow(CheckpointError);
    expect(() => readCheckpoint(dir)).toThrow(/not valid JSON/);
  });

  it('explains what is missing: no directory, no checkpoint inside, wrong shape', () => {
    const root = runDir();
    expect(() => readCheckpoint(path.join(root, 'nope'))).toThrow(/does not exist/);
    expect(() => readCheckpoint(root)).toThrow(/No checkpoint in/);
    const dir = path.join(root, checkpointName(5));
    writeCheckpoint(dir, info(5), arrays(), {});
    expect(() => requireArray(readCheckpoint(dir), 'actor/w0', [2, 3])).toThrow("'actor/w0' has shape [3, 2], expected [2, 3]");
    expect(() => requireArray(readCheckpoint(dir), 'critic/w0')).toThrow("has no array 'critic/w0'");
  });

  it('finds the newest checkpoint of a run and keeps only the last N', () => {
    const root = runDir();
    const parent = path.join(root, 'checkpoints');
    for (const step of [10, 30, 20, 40]) writeCheckpoint(path.join(parent, checkpointName(step)), info(step), arrays(), {});
    // A leftover temporary directory (a crash mid-save) is not a checkpoint.
    writeFileSync(path.join(parent, '.step-0000000050.tmp-1'), '');
    expect(locateCheckpoint(root)).toBe(path.join(parent, checkpointName(40)));
    expect(locateCheckpoint(parent)).toBe(path.join(parent, checkpointName(40)));
    pruneCheckpoints(parent, 2);
    expect(listCheckpoints(parent).map((p) => path.basename(p))).toEqual([checkpointName(30), checkpointName(40)]);
    expect(existsSync(path.join(parent, checkpointName(10)))).toBe(false);
  });

  it('keep_best also keeps the checkpoint with the best evaluation return, however old', () => {
    const parent = path.join(runDir(), 'checkpoints');
    const returns: Record<number, number | null> = { 10: 5, 20: 40, 30: null, 40: 12, 50: 39 };
    const save = (step: number) =>
      writeCheckpoint(path.join(parent, checkpointName(step)), { ...info(step), evaluation: returns[step] === null ? null : { returnMean: returns[step]!, normalizedScore: null } }, arrays(), {});
    for (const step of [10, 20, 30, 40, 50]) {
      save(step);
      pruneCheckpoints(parent, 1, true);
    }
    expect(bestCheckpoint(parent)).toBe(path.join(parent, checkpointName(20)));
    expect(listCheckpoints(parent).map((p) => path.basename(p))).toEqual([checkpointName(20), checkpointName(50)]);
    // Without an evaluation among them, there is no best: keep_last alone decides.
    const plain = path.join(runDir(), 'checkpoints');
    for (const step of [10, 20]) writeCheckpoint(path.join(plain, checkpointName(step)), info(step), arrays(), {});
    expect(bestCheckpoint(plain)).toBeNull();
    pruneCheckpoints(plain, 1, true);
    expect(listCheckpoints(plain).map((p) => path.basename(p))).toEqual([checkpointName(20)]);
  });
});
