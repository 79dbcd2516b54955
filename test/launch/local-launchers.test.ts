import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { listCheckpoints } from '../../src/train/checkpoint.js';
import { readJobOutcome } from '../../src/launch/sweep-dir.js';
import { removeTempDirs, tempDir } from '../helpers/cli.js';
import { SEEDS, SWEEP_JOB, epochRows, jobMetrics, mopo, startMopo, waitUntil } from './sweep-helpers.js';

afterAll(removeTempDirs);

const JOBS = [0, 1, 2, 3];
const PARALLEL = ['hydra/launcher=parallel', 'hydra.launcher.n_jobs=2'];

describe('sweeps on this machine: basic and parallel', () => {
  const cwd = tempDir('mopo-launch-');
  const basicDir = path.join(cwd, 'basic');
  const basic = mopo(['-m', ...SWEEP_JOB, ...SEEDS, `hydra.sweep.dir=${basicDir}`], cwd);
  const job = (dir: string, num: number) => path.join(dir, String(num));

  it('basic runs the 4 jobs one after another; the same sweep run again runs none of them again', () => {
    expect(basic.stderr).toBe('');
    expect(basic.status).toBe(0);
    expect(basic.stdout).toContain('Launching 4 jobs locally, one after another');
    expect(basic.stdout).toMatch(/Sweep summary: 4 jobs, 4 ran, 0 failed/);
    const written = JOBS.map((n) => statSync(path.join(job(basicDir, n), 'metrics.jsonl')).mtimeMs);

    const again = mopo(['-m', ...SWEEP_JOB, ...SEEDS, `hydra.sweep.dir=${basicDir}`], cwd);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`Continuing the sweep in ${basicDir}: 4 of 4 jobs finished earlier`);
    expect(again.stdout).toMatch(/Sweep summary: 4 jobs, 0 ran, 0 failed, 4 finished earlier/);
    expect(again.stdout).toMatch(/#3 +FINISHED EARLIER .* score -?\d+\.\d+ \(last\)/);
    expect(JOBS.map((n) => statSync(path.join(job(basicDir, n), 'metrics.jsonl')).mtimeMs)).toEqual(written);
  });

  it('parallel, 2 at a time, gives every job the metrics basic gives it, and each job its share of the cores', () => {
    const dir = path.join(cwd, 'parallel');
    const result = mopo(['-m', ...SWEEP_JOB, ...SEEDS, ...PARALLEL, `hydra.sweep.dir=${dir}`], cwd);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Launching 4 jobs locally, 2 at a time');
    expect(result.stdout).toMatch(/Sweep summary: 4 jobs, 4 ran, 0 failed/);
    // Two at once: the second job starts before the first ends.
    expect(result.stdout.indexOf('\t#1 : ')).toBeLessThan(result.stdout.indexOf('\t#0 OK'));
    const threads = Math.max(0, Math.floor(availableParallelism() / 2) - 1);
    expect(result.stdout).toContain(`each job runs with threads=${threads}`);
    for (const n of JOBS) {
      expect(jobMetrics(job(dir, n)), `job #${n}`).toEqual(jobMetrics(job(basicDir, n)));
      expect(yaml.load(readFileSync(path.join(job(dir, n), '.hydra/overrides.yaml'), 'utf8'))).toContain(`threads=${threads}`);
      expect(readFileSync(path.join(job(dir, n), 'stdout.log'), 'utf8')).toContain(`Output directory: ${job(dir, n)}`);
      expect(readFileSync(path.join(job(dir, n), 'stderr.log'), 'utf8')).toBe('');
    }
  });

  it('Ctrl-C stops the running jobs, each with a checkpoint; run again, the sweep skips the finished jobs and resumes the others', async () => {
    const dir = path.join(cwd, 'stopped');
    const args = ['-m', ...SWEEP_JOB, ...SEEDS, ...PARALLEL, `hydra.sweep.dir=${dir}`];
    const run = startMopo(args, cwd);
    // Jobs #0 and #1 finish; #2 and #3 are between epochs 1 and 6 when Ctrl-C comes.
    await waitUntil('jobs #2 and #3 are training', () => [2, 3].every((n) => epochRows(job(dir, n)).length > 0));
    run.kill('SIGINT');
    const first = await run.ended;
    expect(first.status).toBe(130);
    expect(first.stdout).toContain('SIGINT received: 2 running job(s) finish their step, save a checkpoint and stop');
    expect(first.stdout).toMatch(/#0 +OK/);
    expect(first.stdout).toMatch(/#2 +INTERRUPTED .*Training interrupted at step \d+\. Checkpoint: /);
    expect(first.stdout).toMatch(/#3 +INTERRUPTED .*Training interrupted at step \d+\. Checkpoint: /);
    for (const n of [2, 3]) {
      expect(readJobOutcome(job(dir, n))).toMatchObject({ status: 'interrupted', exitCode: 130 });
      expect(listCheckpoints(path.join(job(dir, n), 'checkpoints')).length).toBeGreaterThan(0);
    }
    const finished = [0, 1].map((n) => statSync(path.join(job(dir, n), 'metrics.jsonl')).mtimeMs);

    const again = mopo(args, cwd);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('2 of 4 jobs finished earlier and are not run again');
    expect(again.stdout).toMatch(/Sweep summary: 4 jobs, 2 ran, 0 failed, 2 finished earlier/);
    expect([0, 1].map((n) => statSync(path.join(job(dir, n), 'metrics.jsonl')).mtimeMs)).toEqual(finished);
    for (const n of [2, 3]) expect(readFileSync(path.join(job(dir, n), 'train.log'), 'utf8')).toContain('This run directory holds checkpoints: continuing from the latest');
    for (const n of JOBS) expect(jobMetrics(job(dir, n)), `job #${n}`).toEqual(jobMetrics(job(basicDir, n)));
  });

  it('reports a failing job with its error and its log, and exits 1', () => {
    const dir = path.join(cwd, 'failing');
    const result = mopo(['-m', ...SWEEP_JOB, 'env.dataset_path=/missing.hdf5', ...PARALLEL, `hydra.sweep.dir=${dir}`], cwd);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/Sweep summary: 1 jobs, 0 ran, 1 failed/);
    expect(result.stdout).toMatch(/#0 +FAILED .*Dataset file \/missing.hdf5 does not exist/);
    const log = path.join(dir, '0', 'stderr.log');
    expect(result.stdout).toContain(`logs: ${log}`);
    expect(readFileSync(log, 'utf8')).toContain('Dataset file /missing.hdf5 does not exist');
  });
});

describe('stop signals', () => {
  it("SIGUSR1 (SLURM's warning before the time limit) stops a run with a checkpoint and exit code 138", async () => {
    const cwd = tempDir('mopo-launch-');
    const run = startMopo([...SWEEP_JOB, 'hydra.run.dir=run'], cwd);
    await waitUntil('the first epoch ends', () => epochRows(path.join(cwd, 'run')).length > 0);
    run.kill('SIGUSR1');
    const stopped = await run.ended;
    expect(stopped.status).toBe(138);
    expect(stopped.stdout).toContain("SIGUSR1 received (SLURM's warning that the time limit is near): finishing the current step and saving a checkpoint.");
    const checkpoint = /Checkpoint: (\S+)/.exec(stopped.stderr)![1]!;
    expect(existsSync(path.join(checkpoint, 'manifest.json'))).toBe(true);
  });
});
