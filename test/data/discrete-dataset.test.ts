import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { uniformRandomPolicy } from '../../src/data/behaviour-policy.js';
import { collectDataset } from '../../src/data/collect.js';
import { loadH5wasm } from '../../src/data/hdf5.js';
import { loadDataset } from '../../src/data/load-dataset.js';
import { readD4rlFile } from '../../src/data/read-d4rl-file.js';
import { writeD4rlFile } from '../../src/data/writer.js';
import { discrete, makeEnv } from '../../src/envs/index.js';
import { DatasetError } from '../../src/errors.js';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';
import { minimalEntries, withTempDir, writeRawHdf5, type RawEntry } from './h5-helpers.js';

const H5PY_DISCRETE = fileURLToPath(new URL('./fixtures/h5py-discrete-layout.hdf5', import.meta.url));

afterAll(removeTempDirs);

async function cartPoleRandom(steps: number, seed = 0) {
  const env = await makeEnv('CartPole-v1');
  try {
    return await collectDataset(env, uniformRandomPolicy(env.actionSpace), { steps, seed });
  } finally {
    env.close();
  }
}

async function loadError(file: string, n: number): Promise<DatasetError> {
  const error = await loadDataset(file, { expect: { observationSize: 3, actionSpace: discrete(n) } }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatasetError);
  return error as DatasetError;
}

describe('a discrete dataset collected in CartPole-v1', () => {
  it('records one action index a row, its log-probability and the episodes as D4RL does', async () => {
    const { contents, episodeLengths } = await cartPoleRandom(300);
    expect(contents.actionSize).toBe(1);
    expect(contents.actions).toHaveLength(300);
    expect(new Set(contents.actions)).toEqual(new Set([0, 1]));
    expect([...contents.actionLogProbs!].every((p) => p === -Math.log(2))).toBe(true);
    expect(contents.metadata).toMatchObject({ env_id: 'CartPole', action_space: 'discrete(2)', max_episode_steps: 500 });
    // Random pushes topple the pole within a few dozen steps: each finished episode ends on a terminal row.
    const terminalRows = [...contents.terminals.keys()].filter((i) => contents.terminals[i] === 1);
    expect(terminalRows).toHaveLength(episodeLengths.length);
    expect(episodeLengths.every((length) => length < 500)).toBe(true);
    // infos/qpos and infos/qvel hold gym's float64 state: (x, θ) and (ẋ, θ̇).
    expect(contents.qpos).toHaveLength(600);
    expect([...contents.observations.subarray(0, 4)]).toEqual(
      [contents.qpos![0]!, contents.qvel![0]!, contents.qpos![1]!, contents.qvel![1]!].map(Math.fround),
    );
  });

  it('is written with int64 actions of shape (N,) and read back as rows of width 1', async () => {
    await withTempDir(async (dir) => {
      const { contents } = await cartPoleRandom(250, 3);
      const file = join(dir, 'cartpole.hdf5');
      await writeD4rlFile(file, contents);

      const h5wasm = await loadH5wasm();
      const h5 = new h5wasm.File(file, 'r');
      try {
        const actions = h5.get('actions') as InstanceType<typeof h5wasm.Dataset>;
        expect(actions.shape).toEqual([250]);
        expect(actions.metadata).toMatchObject({ type: 0, size: 8, signed: true }); // H5T_INTEGER, 8 bytes
      } finally {
        h5.close();
      }

      const dataset = await loadDataset(file, { expect: { observationSize: 4, actionSpace: discrete(2) } });
      expect(dataset.actionSize).toBe(1);
      expect(dataset.actions).toBeInstanceOf(Float32Array);
      expect(dataset.actions).toEqual(contents.actions);
      expect(dataset.observations).toEqual(contents.observations);
      expect(dataset.source.metadata).toMatchObject({ action_space: 'discrete(2)', env_id: 'CartPole' });
      expect((await readD4rlFile(file, { includeInfos: true })).qvel).toEqual(contents.qvel);
    });
  });

  it('reads the same layout written by h5py (int64 indices, bool flags)', async () => {
    const dataset = await loadDataset(H5PY_DISCRETE, { expect: { observationSize: 4, actionSpace: discrete(2) } });
    expect([...dataset.actions]).toEqual([0, 1, 1, 0, 1]);
    expect([...dataset.terminals]).toEqual([0, 0, 1, 0, 0]);
    expect(dataset.source.envId).toBe('CartPole');
  });
});

describe('checking a discrete dataset against the env', () => {
  const withActions = (actions: RawEntry) => ({ ...minimalEntries(), actions });

  it('names the file, the bad value, its row and n', async () => {
    await withTempDir(async (dir) => {
      const file = await writeRawHdf5(join(dir, 'three.hdf5'), withActions({ data: Int32Array.of(0, 1, 2, 1, 0, 1), shape: [6] }));
      expect((await loadError(file, 2)).message).toBe(
        `Dataset file ${file}: key "actions" holds 2 at row 2, but the environment's actions are discrete(2): indices 0…1 (n = 2).`,
      );
      // The same file is fine for an env with three choices.
      expect((await loadDataset(file, { expect: { actionSpace: discrete(3) } })).size).toBe(6);
    });
  });

  it('refuses fractional or negative indices and rows of several numbers', async () => {
    await withTempDir(async (dir) => {
      const half = await writeRawHdf5(join(dir, 'half.hdf5'), withActions({ data: Float32Array.of(0, 1, 0.5, 1, 0, 1), shape: [6, 1] }));
      expect((await loadError(half, 2)).message).toMatch(/holds 0.5 at row 2/);
      const negative = await writeRawHdf5(join(dir, 'negative.hdf5'), withActions({ data: Int8Array.of(0, -1, 0, 1, 0, 1), shape: [6] }));
      expect((await loadError(negative, 2)).message).toMatch(/holds -1 at row 1/);
      const wide = await writeRawHdf5(join(dir, 'wide.hdf5'), minimalEntries());
      expect((await loadError(wide, 2)).message).toMatch(/"actions" has 2 values per row, but the environment's actions are discrete\(2\): one index a row/);
    });
  });

  it('a discrete dataset does not pass for a box env', async () => {
    const error = await loadDataset(H5PY_DISCRETE, { expect: { observationSize: 4, actionSize: 6 } }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/"actions" has 1 values per row, but the environment's action size is 6/);
  });

  it('the writer refuses a non-index in a discrete action column and writes nothing', async () => {
    await withTempDir(async (dir) => {
      const { contents } = await cartPoleRandom(20);
      contents.actions[7] = 2;
      const file = join(dir, 'bad.hdf5');
      await expect(writeD4rlFile(file, contents)).rejects.toThrow(`Cannot write ${file}: "actions" holds 2 at row 7, not an index of discrete(2) (0…1).`);
      await expect(readD4rlFile(file)).rejects.toThrow(/does not exist/);
    });
  });
});

describe('mopo-collect in a discrete env', () => {
  it('collects random CartPole-v1 episodes under its 500-step limit into a file the loader reads', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'cartpole-random.hdf5');
    const result = runCli('mopo-collect', ['policy=random', 'env.id=CartPole-v1', 'collect.steps=700', 'collect.seed=1', `collect.out=${out}`]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Collecting 700 steps of uniform-random in CartPole (seed 1)');
    expect(result.stdout).toMatch(/Behaviour policy return: \d+(\.\d+)? ± \d/);
    expect(result.stdout).not.toContain('D4RL score');
    // Progress comes every tenth of the steps, however short the episodes.
    const progressLines = result.stdout.split('\n').filter((line) => /^collect \d+\/700 steps \| .* \| episodes \d+ \| last return/.test(line));
    expect(progressLines.length).toBeGreaterThanOrEqual(5);
    expect(progressLines.length).toBeLessThanOrEqual(10);
    const dataset = await loadDataset(out, { expect: { observationSize: 4, actionSpace: discrete(2) } });
    expect(dataset.size).toBe(700);
    expect(dataset.source.metadata).toMatchObject({ env_id: 'CartPole', action_space: 'discrete(2)', max_episode_steps: 500, policy: 'uniform-random' });
    expect(dataset.terminals.some((t) => t === 1)).toBe(true);
  });
});
