import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeD4rlFile } from '../../src/data/writer.js';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';
import { TINY_MOPO } from '../helpers/train-job.js';

afterAll(removeTempDirs);

const root = path.resolve(import.meta.dirname, '../..');
const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .*:\d+:\d+/);

describe('mopo trains from the command line, mopo-eval evaluates', () => {
  const cwd = tempDir();
  const train = runCli('mopo', [...TINY_MOPO, 'hydra.run.dir=run'], { cwd });

  it('trains a tiny configuration and writes metrics and checkpoints', () => {
    expect(train.stderr).toBe('');
    expect(train.status).toBe(0);
    expect(train.stdout).toContain('Backend: wasm');
    expect(train.stdout).toMatch(/epoch 3\/3 step 300\/300 \| critic/);
    const runDir = path.join(cwd, 'run');
    expect(readdirSync(path.join(runDir, 'checkpoints'))).toContain('step-0000000300');
    expect(readFileSync(path.join(runDir, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 3);
    expect(readFileSync(path.join(runDir, 'dynamics.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 2);
    expect(readFileSync(path.join(runDir, 'train.log'), 'utf8')).toContain('Done: 300 steps, 3 epochs.');
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ algo: 'mopo', learner: 'sac', steps: 300, epochs: 3 });
    expect(summary.scores.last.protocol).toBe('the last evaluation');
    expect(summary.scores.best.optimistic).toBe(true);
  });

  it('in a pipe prints plain lines: one per dynamics epoch, one per policy epoch with the time left', () => {
    expect(train.stdout).not.toContain('\x1b');
    const dynamics = train.stdout.split('\n').filter((l) => l.startsWith('dynamics '));
    expect(dynamics).toEqual([
      expect.stringMatching(/^dynamics 1\/2 epochs \| \d+:\d\d elapsed(, ETA ≤ \d+:\d\d)? \| epochs since improvement 0\/5 \| train loss [\d.]+ \| holdout loss [\d.]+$/),
      expect.stringMatching(/^dynamics 2\/2 epochs \| \d+:\d\d elapsed \| epochs since improvement \d\/5 \| train loss [\d.]+ \| holdout loss [\d.]+$/),
    ]);
    expect(train.stdout).toMatch(/^epoch 1\/3 step 100\/300 \| .* \| [\d.]+ steps\/s \| \d+:\d\d elapsed, ETA \d+:\d\d$/m);
    expect(train.stdout).toMatch(/^epoch 3\/3 step 300\/300 \| .* \| \d+:\d\d elapsed$/m);
    expect(train.stdout).not.toMatch(/NaN/);
  });

  it('evaluates the checkpoint, prints a table and writes eval.json', () => {
    const result = runCli('mopo-eval', ['checkpoint_path=run', 'eval.episodes=2', 'eval.seed=3'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('2 deterministic episodes (seeds 3…4)');
    expect(result.stdout).toMatch(/return\s+-?\d/);
    expect(result.stdout).toMatch(/score \(halfcheetah-random-v2\)/);
    const report = JSON.parse(readFileSync(path.join(cwd, 'run/checkpoints/step-0000000300/eval.json'), 'utf8'));
    expect(report).toMatchObject({ algo: 'mopo', gym_env: 'HalfCheetah', episodes: 2, seed: 3, step: 300 });
    expect(report.returns).toHaveLength(2);
    expect(report.lengths).toEqual([50, 50]);
  });

  it('keeps earlier results: a second evaluation goes to eval_1.json, an explicit eval_out that exists to its _1 sibling', () => {
    const first = readFileSync(path.join(cwd, 'run/checkpoints/step-0000000300/eval.json'), 'utf8');
    const again = runCli('mopo-eval', ['checkpoint_path=run', 'eval.episodes=1', 'eval.seed=9'], { cwd });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/Wrote .*step-0000000300\/eval_1\.json \(eval\.json holds an earlier evaluation, kept\)/);
    expect(readFileSync(path.join(cwd, 'run/checkpoints/step-0000000300/eval.json'), 'utf8')).toBe(first);
    expect(JSON.parse(readFileSync(path.join(cwd, 'run/checkpoints/step-0000000300/eval_1.json'), 'utf8'))).toMatchObject({ seed: 9, episodes: 1 });

    const named = ['checkpoint_path=run', 'eval.episodes=1', 'eval_out=results/mine.json'];
    expect(runCli('mopo-eval', named, { cwd }).stdout).toMatch(/Wrote .*results\/mine\.json$/m);
    expect(runCli('mopo-eval', named, { cwd }).stdout).toMatch(/Wrote .*results\/mine_1\.json \(mine\.json holds an earlier evaluation, kept\)/);
    expect(readdirSync(path.join(cwd, 'results')).sort()).toEqual(['mine.json', 'mine_1.json']);
  });

  it('refuses a checkpoint from another environment, and a damaged one, with one line', () => {
    const other = runCli('mopo-eval', ['checkpoint_path=run', 'env.id=walker2d-medium-v2'], { cwd });
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('holds a policy for HalfCheetah (observations 17, actions 6), but env.id=walker2d-medium-v2 is Walker2d');
    noStackTrace(other.stderr);
    const missing = runCli('mopo-eval', ['checkpoint_path=run/nowhere'], { cwd });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/Checkpoint .*run\/nowhere does not exist/);
  });
});

describe('bad input gets a clear message and exit 1', () => {
  it('names a missing dataset file', () => {
    const result = runCli('mopo', [...TINY_MOPO, 'env.dataset_path=/no/such/file.hdf5']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('mopo: Dataset file /no/such/file.hdf5 does not exist.');
    noStackTrace(result.stderr);
  });

  it('names the key and row of NaN in a dataset', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'nan.hdf5');
    const size = 10;
    const observations = new Float32Array(size * 17);
    observations[3 * 17 + 2] = NaN;
    await writeD4rlFile(file, {
      size,
      observationSize: 17,
      actionSize: 6,
      observations,
      actions: new Float32Array(size * 6),
      rewards: new Float32Array(size),
      nextObservations: new Float32Array(size * 17),
      terminals: new Uint8Array(size),
      timeouts: new Uint8Array(size),
      metadata: {},
    });
    const result = runCli('mopo', [...TINY_MOPO, `env.dataset_path=${file}`]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/nan\.hdf5.*"observations".*(NaN|not finite)/);
    noStackTrace(result.stderr);
  });

  it('rejects an invalid value with its key before training', () => {
    const result = runCli('mopo', [...TINY_MOPO, 'algo.real_ratio=1.5']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Invalid value for 'algo.real_ratio': 1.5 (must be <= 1).");
  });
});

describe('Ctrl-C', () => {
  it('finishes the step, saves a checkpoint, exits with 130, and the run resumes from it', async () => {
    const cwd = tempDir();
    const long = [...TINY_MOPO, 'algo.total_steps=30000', 'algo.num_epochs=300', 'hydra.run.dir=run'];
    const child = spawn(process.execPath, [path.join(root, 'bin/mopo.js'), ...long], { cwd });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('epoch 1/300')) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(stdout).toContain('SIGINT received: finishing the current step and saving a checkpoint');
    expect(stderr).toMatch(/Training interrupted at step \d+\. Checkpoint: .*run\/checkpoints\/step-\d+\nResume with: mopo <same overrides> checkpoint.resume_from=/);
    const checkpoint = /Checkpoint: (\S+)/.exec(stderr)![1]!;
    expect(existsSync(path.join(checkpoint, 'manifest.json'))).toBe(true);
    const step = Number(/step-(\d+)/.exec(checkpoint)![1]);

    const resumed = runCli('mopo', [...TINY_MOPO, `checkpoint.resume_from=${checkpoint}`], { cwd });
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`Resuming from ${checkpoint}`);
    expect(step).toBeGreaterThan(0);
  });
});

describe('sweeps report every job', () => {
  it('runs all jobs, summarises each outcome and exits 1 when one failed; --fail-fast stops at the first', () => {
    const cwd = tempDir();
    const sweep = ['-m', ...TINY_MOPO.map((o) => (o.startsWith('algo.total_steps') ? 'algo.total_steps=60' : o)), 'env.dataset_path=/missing.hdf5,${mopo.data:halfcheetah-random-small.hdf5}'];
    const all = runCli('mopo', sweep, { cwd });
    expect(all.status).toBe(1);
    expect(all.stdout).toContain('Launching 2 jobs');
    expect(all.stdout).toMatch(/Sweep summary: 2 jobs, 1 ran, 1 failed/);
    expect(all.stdout).toMatch(/#0 +FAILED .*Dataset file \/missing.hdf5 does not exist/);
    expect(all.stdout).toMatch(/#1 +OK .* score -?\d+\.\d+ \(last\), -?\d+\.\d+ \(mean of last 10\)/);
    // The failure as it happens goes to stderr (the summary on stdout repeats it).
    expect(all.stderr).toMatch(/^\t#0 failed: Dataset file \/missing.hdf5 does not exist\.$/m);
    expect(all.stdout).not.toContain('#0 failed:');

    const fast = runCli('mopo', [...sweep, '--fail-fast'], { cwd });
    expect(fast.status).toBe(1);
    expect(fast.stdout).toMatch(/Sweep summary: 2 jobs, 0 ran, 1 failed, 1 not run/);
    expect(fast.stdout).toMatch(/#1 +NOT RUN/);
  });
});
