import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../src/errors.js';
import type { D4rlFileContents } from '../../src/data/d4rl-file.js';
import { loadDataset } from '../../src/data/load-dataset.js';
import { readD4rlFile } from '../../src/data/read-d4rl-file.js';
import { writeD4rlFile } from '../../src/data/writer.js';
import { minimalEntries, withTempDir, writeRawHdf5, type RawEntry } from './h5-helpers.js';

const H5PY_FIXTURE = fileURLToPath(new URL('./fixtures/h5py-d4rl-layout.hdf5', import.meta.url));

async function loadError(path: string, options = {}): Promise<DatasetError> {
  const error = await loadDataset(path, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

/** Writes the minimal layout with some entries replaced (undefined removes one). */
async function rawFile(dir: string, changes: Record<string, RawEntry | undefined>): Promise<string> {
  const entries: Record<string, RawEntry> = { ...minimalEntries() };
  for (const [key, entry] of Object.entries(changes)) {
    if (entry === undefined) delete entries[key];
    else entries[key] = entry;
  }
  return writeRawHdf5(join(dir, 'edge.hdf5'), entries);
}

function sampleContents(): D4rlFileContents {
  const size = 4;
  return {
    size,
    observationSize: 3,
    actionSize: 2,
    observations: Float32Array.from({ length: 12 }, (_, i) => i * 0.5),
    actions: Float32Array.from({ length: 8 }, (_, i) => -1 + i / 4),
    rewards: Float32Array.of(0.25, -1, 3, 7.5),
    nextObservations: Float32Array.from({ length: 12 }, (_, i) => i * 0.5 + 1.5),
    terminals: Uint8Array.of(0, 1, 0, 0),
    timeouts: Uint8Array.of(0, 0, 0, 1),
    qpos: Float64Array.from({ length: 16 }, (_, i) => Math.PI * i),
    qvel: Float64Array.from({ length: 12 }, (_, i) => -i / 3),
    actionLogProbs: Float64Array.of(-1.1, -2.2, -3.3, -4.4),
    metadata: { algorithm: 'test', seed: 42, env_id: 'HalfCheetah', ratio: 0.5, flag: true },
  };
}

describe('writer and loader round trip', () => {
  it('reads back exactly what was written, with terminals usable as the done flag', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'nested', 'roundtrip.hdf5');
      const contents = sampleContents();
      await writeD4rlFile(path, contents);

      const dataset = await loadDataset(path);
      expect(dataset.size).toBe(4);
      expect(dataset.observationSize).toBe(3);
      expect(dataset.actionSize).toBe(2);
      expect(dataset.observations).toEqual(contents.observations);
      expect(dataset.actions).toEqual(contents.actions);
      expect(dataset.rewards).toEqual(contents.rewards);
      expect(dataset.nextObservations).toEqual(contents.nextObservations);
      expect(dataset.terminals).toBeInstanceOf(Float32Array);
      expect([...dataset.terminals]).toEqual([0, 1, 0, 0]);
      expect([...dataset.timeouts]).toEqual([0, 0, 0, 1]);
      expect(dataset.source).toMatchObject({
        path,
        envId: 'HalfCheetah',
        rowsInFile: 4,
        droppedRows: 0,
        nextObservationsFromFile: true,
      });
      // Booleans come back as 0/1 (stored as uint8).
      const metadata = { algorithm: 'test', seed: 42, env_id: 'HalfCheetah', ratio: 0.5, flag: 1 };
      expect(dataset.source.metadata).toEqual(metadata);

      const raw = await readD4rlFile(path, { includeInfos: true });
      expect(raw.qpos).toEqual(contents.qpos);
      expect(raw.qvel).toEqual(contents.qvel);
      expect(raw.actionLogProbs).toEqual(contents.actionLogProbs);
    });
  });

  it('writes uncompressed files too and never leaves a temporary file behind', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'plain.hdf5');
      await writeD4rlFile(path, sampleContents(), { compression: 0 });
      expect((await loadDataset(path)).size).toBe(4);
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(dir)).toEqual(['plain.hdf5']);
    });
  });

  it('refuses to write inconsistent contents', async () => {
    await withTempDir(async (dir) => {
      const contents = { ...sampleContents(), rewards: Float32Array.of(1, 2, 3) };
      await expect(writeD4rlFile(join(dir, 'bad.hdf5'), contents)).rejects.toThrow(/"rewards" has 3 values/);
    });
  });
});

describe('Q-learning view', () => {
  it('uses next_observations when present and keeps time-limit rows', async () => {
    await withTempDir(async (dir) => {
      const dataset = await loadDataset(await rawFile(dir, {}));
      expect(dataset.size).toBe(6);
      expect(dataset.nextObservations[0]).toBe(100);
      expect([...dataset.timeouts]).toEqual([0, 0, 1, 0, 0, 0]);
      expect([...dataset.terminals]).toEqual([0, 0, 0, 0, 1, 0]);
    });
  });

  it('without next_observations takes the following row, dropping time-limit ends and the last row', async () => {
    await withTempDir(async (dir) => {
      const dataset = await loadDataset(await rawFile(dir, { next_observations: undefined }));
      // Rows 0, 1, 3, 4 remain: row 2 ended on a timeout, row 5 has no successor.
      expect(dataset.size).toBe(4);
      expect(dataset.source).toMatchObject({ rowsInFile: 6, droppedRows: 2, nextObservationsFromFile: false });
      expect([...dataset.rewards]).toEqual([1, 2, 4, 5]);
      expect([...dataset.observations]).toEqual([0, 1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14]);
      expect([...dataset.nextObservations]).toEqual([3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 16, 17]);
      expect([...dataset.actions.subarray(4, 6)]).toEqual([6 / 12, 7 / 12].map(Math.fround));
      expect([...dataset.terminals]).toEqual([0, 0, 0, 1]);
      expect([...dataset.timeouts]).toEqual([0, 0, 0, 0]);
    });
  });

  it('keeps a row that is both terminal and a timeout', async () => {
    await withTempDir(async (dir) => {
      const path = await rawFile(dir, {
        next_observations: undefined,
        terminals: { data: Uint8Array.of(0, 0, 1, 0, 0, 0) },
      });
      const dataset = await loadDataset(path);
      expect(dataset.size).toBe(5);
      expect([...dataset.terminals]).toEqual([0, 0, 1, 0, 0]);
      expect([...dataset.timeouts]).toEqual([0, 0, 1, 0, 0]);
    });
  });

  it('accepts (N, 1) rewards, float flags and float64 observations', async () => {
    await withTempDir(async (dir) => {
      const entries = minimalEntries();
      const path = await rawFile(dir, {
        rewards: { data: Float64Array.of(1, 2, 3, 4, 5, 6), shape: [6, 1] },
        terminals: { data: Float32Array.of(0, 0, 0, 0, 1, 0), shape: [6, 1] },
        timeouts: { data: Float32Array.of(0, 0, 1, 0, 0, 0) },
        observations: { data: Float64Array.from(entries['observations']!.data as Float32Array), shape: [6, 3] },
      });
      const dataset = await loadDataset(path);
      expect(dataset.rewards).toEqual(Float32Array.of(1, 2, 3, 4, 5, 6));
      expect(dataset.observations).toBeInstanceOf(Float32Array);
      expect([...dataset.terminals]).toEqual([0, 0, 0, 0, 1, 0]);
    });
  });

  it('reads a file written by h5py as D4RL writes it (bool flags, no next_observations)', async () => {
    const dataset = await loadDataset(H5PY_FIXTURE);
    expect(dataset.size).toBe(4);
    expect([...dataset.terminals]).toEqual([0, 0, 0, 1]);
    expect([...dataset.rewards]).toEqual([0.5, 1.5, 3.5, 4.5]);
    expect([...dataset.nextObservations.subarray(9, 12)]).toEqual([15, 16, 17]);
    expect(dataset.source.metadata).toEqual({ algorithm: 'SAC', iteration: 7 });
  });
});

describe('validation', () => {
  it('names the file and the key of a missing dataset', async () => {
    await withTempDir(async (dir) => {
      const path = await rawFile(dir, { actions: undefined });
      const error = await loadError(path);
      expect(error.message).toContain(path);
      expect(error.message).toContain('"actions" is missing');
    });
  });

  it('needs timeouts when next_observations is absent', async () => {
    await withTempDir(async (dir) => {
      const error = await loadError(await rawFile(dir, { next_observations: undefined, timeouts: undefined }));
      expect(error.message).toMatch(/"timeouts" is missing, and so is "next_observations"/);
    });
  });

  it('reports mismatched lengths', async () => {
    await withTempDir(async (dir) => {
      const error = await loadError(await rawFile(dir, { rewards: { data: Float32Array.of(1, 2, 3, 4, 5) } }));
      expect(error.message).toMatch(/key "rewards" has 5 rows but "observations" has 6/);
    });
  });

  it('reports NaN and infinite values with their position', async () => {
    await withTempDir(async (dir) => {
      const observations = Float32Array.from({ length: 18 }, (_, i) => i);
      observations[7] = Number.NaN;
      const nan = await loadError(await rawFile(dir, { observations: { data: observations, shape: [6, 3] } }));
      expect(nan.message).toMatch(/key "observations" contains NaN at row 2, column 1 \(1 non-finite/);
    });
    await withTempDir(async (dir) => {
      const inf = await loadError(
        await rawFile(dir, { rewards: { data: Float32Array.of(1, 2, Infinity, 4, -Infinity, 6) } }),
      );
      expect(inf.message).toMatch(/key "rewards" contains Infinity at row 2 \(2 non-finite/);
    });
  });

  it('reports wrong dimensions and non-numeric data', async () => {
    await withTempDir(async (dir) => {
      const flat = await loadError(await rawFile(dir, { observations: { data: new Float32Array(18), shape: [18] } }));
      expect(flat.message).toMatch(/key "observations" must be 2-D .* shape \(18\)/);
    });
    await withTempDir(async (dir) => {
      const wide = await loadError(await rawFile(dir, { rewards: { data: new Float32Array(12), shape: [6, 2] } }));
      expect(wide.message).toMatch(/key "rewards" must have shape \(N,\) or \(N, 1\)/);
    });
    await withTempDir(async (dir) => {
      const text = await loadError(await rawFile(dir, { rewards: { data: 'six rewards' } }));
      expect(text.message).toMatch(/key "rewards" is not numeric/);
    });
  });

  it('rejects sizes that do not match the environment', async () => {
    await withTempDir(async (dir) => {
      const path = await rawFile(dir, {});
      const obs = await loadError(path, { expect: { observationSize: 17, actionSize: 2 } });
      expect(obs.message).toContain(path);
      expect(obs.message).toMatch(/"observations" has 3 values per row, but the environment's observation size is 17/);
      const act = await loadError(path, { expect: { observationSize: 3, actionSize: 6 } });
      expect(act.message).toMatch(/"actions" has 2 values per row, but the environment's action size is 6/);
      expect((await loadDataset(path, { expect: { observationSize: 3, actionSize: 2 } })).size).toBe(6);
    });
  });

  it('reports files that are not HDF5 or are truncated', async () => {
    await withTempDir(async (dir) => {
      const text = join(dir, 'notes.hdf5');
      await writeFile(text, 'this is not an HDF5 file\n');
      const notHdf5 = await loadError(text);
      expect(notHdf5.message).toContain(text);
      expect(notHdf5.message).toMatch(/not a readable HDF5 file \(file signature not found\)/);

      const whole = join(dir, 'whole.hdf5');
      await writeD4rlFile(whole, sampleContents());
      const bytes = await readFile(whole);
      const truncated = join(dir, 'truncated.hdf5');
      await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const cut = await loadError(truncated);
      expect(cut.message).toContain(truncated);
      expect(cut.message).toMatch(/truncated/);
    });
  });

  it('tells a missing file from an unknown D4RL id', async () => {
    await withTempDir(async (dir) => {
      const missing = await loadError(join(dir, 'nope.hdf5'));
      expect(missing.message).toMatch(/nope\.hdf5 does not exist/);
    });
    const unknown = await loadError('walker2d-medum-v2');
    expect(unknown.message).toMatch(/neither a dataset file nor a known D4RL id\. Did you mean "walker2d-medium-v2"\?/);
  });
});
