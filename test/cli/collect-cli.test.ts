import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load-dataset.js';
import { readD4rlFile } from '../../src/data/read-d4rl-file.js';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';
import { TINY_MOPO, TINY_ONLINE } from '../helpers/train-job.js';

afterAll(removeTempDirs);

const collect = (args: string[], cwd?: string) => runCli('mopo-collect', args, cwd ? { cwd } : {});

describe('mopo-collect', () => {
  it('collects a random-policy dataset in D4RL layout that records its command', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'walker.hdf5');
    const args = ['policy=random', 'env.id=Walker2d', 'collect.steps=300', 'collect.seed=3', `collect.out=${out}`];
    const result = collect(args);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Wrote .*walker.hdf5: 300 steps, \d+ finished episodes/);
    expect(result.stdout).toMatch(/Behaviour policy return: -?\d/);
    const file = await readD4rlFile(out, { includeInfos: true });
    expect(file.size).toBe(300);
    expect(file.qpos!.length).toBe(300 * 9);
    expect(file.metadata).toMatchObject({ command: `mopo-collect ${args.join(' ')}`, env_id: 'Walker2d', policy: 'uniform-random', seed: 3 });
    // Walker2d random episodes end by falling: terminals, as D4RL records them.
    expect(file.terminals.some((t) => t === 1)).toBe(true);
    // In a pipe: a line at every tenth of the steps (episodes here are shorter than a tenth), no bar.
    const progress = result.stdout.split('\n').filter((l) => l.startsWith('collect '));
    expect(progress).toHaveLength(10);
    expect(progress.map((l) => Math.floor(Number(/^collect (\d+)\/300 steps \| \d+:\d\d elapsed/.exec(l)![1]) / 30))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(progress.at(-1)).toMatch(/^collect 300\/300 steps \| \d+:\d\d elapsed \| [\d.]+ steps\/s \| episodes \d+ \| last return -?[\d.]+$/);
    expect(result.stdout).not.toContain('\x1b');
  });

  it('keeps an existing collect.out unless collect.overwrite=true', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'kept.hdf5');
    writeFileSync(out, 'an earlier file');
    const args = ['policy=random', 'env.id=Hopper', 'collect.steps=50', `collect.out=${out}`];
    const refused = collect(args, dir);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(`mopo-collect: collect.out=${out} exists; mopo-collect does not overwrite it. Choose another collect.out, or set collect.overwrite=true to replace it.`);
    expect(readFileSync(out, 'utf8')).toBe('an earlier file');

    const replaced = collect([...args, 'collect.overwrite=true'], dir);
    expect(replaced.status).toBe(0);
    expect((await readD4rlFile(out)).size).toBe(50);
  });

  it('explains bad input with one line each', () => {
    const dir = tempDir();
    const cases: [string[], string | RegExp][] = [
      [['collect.out=x.hdf5'], 'Give checkpoint_path=<checkpoint or run dir> (the policy to run), or policy=random.'],
      [['policy=random', 'env.id=Walker2d', 'collect.stpes=10', 'collect.out=x.hdf5'], "Did you mean 'collect.steps'?"],
      [['policy=randm', 'env.id=Walker2d', 'collect.out=x.hdf5'], /Invalid value for 'policy': "randm". Did you mean 'random'\?/],
      [['policy=random', 'env.id=Walkr2d', 'collect.out=x.hdf5'], 'Did you mean "Walker2d"?'],
      [['policy=random', 'env.id=Walker2d'], 'Missing mandatory value: collect.out'],
      [['checkpoint_path=nowhere', 'collect.out=x.hdf5'], /Checkpoint .*nowhere does not exist/],
    ];
    for (const [args, message] of cases) {
      const result = collect(args, dir);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  describe('from an online run', () => {
    const cwd = tempDir();
    const train = runCli('mopo', [...TINY_ONLINE, 'hydra.run.dir=online'], { cwd });

    it('runs the trained policy, stochastic by default, into a file MOPO trains on', async () => {
      expect(train.status).toBe(0);
      const result = collect(['checkpoint_path=online', 'collect.steps=400', 'collect.out=collected.hdf5'], cwd);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Collecting 400 steps of sac_online step 600 (stochastic) in Hopper');
      const dataset = await loadDataset(path.join(cwd, 'collected.hdf5'));
      expect(dataset.size).toBe(400);
      expect(dataset.source.metadata).toMatchObject({ env_id: 'Hopper', checkpoint_step: 600 });
      // SAC's sampled actions have a density; D4RL records it per step.
      const { actionLogProbs } = await readD4rlFile(path.join(cwd, 'collected.hdf5'), { includeInfos: true });
      expect(actionLogProbs).toHaveLength(400);
      expect([...actionLogProbs!].every(Number.isFinite)).toBe(true);
      expect(new Set(actionLogProbs).size).toBeGreaterThan(100);

      const mopo = runCli('mopo', [...TINY_MOPO, 'env.id=hopper-medium-v2', 'env.dataset_path=collected.hdf5', 'hydra.run.dir=mopo-on-collected'], { cwd });
      expect(mopo.stderr).toBe('');
      expect(mopo.status).toBe(0);
      expect(mopo.stdout).toMatch(/Dataset: .*collected.hdf5 \(400 transitions, obs 11, act 3\)/);
      expect(existsSync(path.join(cwd, 'mopo-on-collected/checkpoints/step-0000000300/manifest.json'))).toBe(true);
    });

    it('writes the replay buffer with collect.replay=true', async () => {
      expect(train.status).toBe(0);
      const result = collect(['checkpoint_path=online', 'collect.replay=true', 'collect.out=replay.hdf5'], cwd);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/Wrote .*replay.hdf5: the replay buffer of .*, 600 rows/);
      const file = await readD4rlFile(path.join(cwd, 'replay.hdf5'));
      expect(file.size).toBe(600);
      expect(file.metadata).toMatchObject({ source: 'replay', algorithm: 'sac_online' });
      // Episodes of at most 70 steps: every end is a terminal or a timeout.
      const ends = file.terminals.reduce((n, t, i) => n + (t || file.timeouts[i] ? 1 : 0), 0);
      expect(ends).toBeGreaterThanOrEqual(Math.floor(600 / 70));
    });

    it('is evaluated by mopo-eval in its environment', () => {
      expect(train.status).toBe(0);
      const result = runCli('mopo-eval', ['checkpoint_path=online', 'eval.episodes=2', 'eval.seed=5'], { cwd });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('2 deterministic episodes (seeds 5…6)');
      expect(result.stdout).toMatch(/return\s+-?\d/);
    });

    it('refuses collect.replay for a MOPO checkpoint, and a policy for another environment', () => {
      const mopo = runCli('mopo', [...TINY_MOPO, 'hydra.run.dir=mopo'], { cwd });
      expect(mopo.status).toBe(0);
      const replay = collect(['checkpoint_path=mopo', 'collect.replay=true', 'collect.out=r.hdf5'], cwd);
      expect(replay.status).toBe(1);
      expect(replay.stderr).toMatch(/has no replay buffer: collect.replay needs a checkpoint of an online run/);
      const other = collect(['checkpoint_path=online', 'env.id=HalfCheetah', 'collect.out=o.hdf5'], cwd);
      expect(other.status).toBe(1);
      expect(other.stderr).toContain('holds a policy for Hopper, but env.id=HalfCheetah is HalfCheetah');
    });
  });
});
