import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobOutcome } from '../../src/launch/sweep-dir.js';
import { removeTempDirs, tempDir } from '../helpers/cli.js';
import { SKIP_SLURM, ensureSlurmCluster } from './slurm-cluster.js';
import { SEEDS, SWEEP_JOB, epochRows, jobMetrics, mopo, startMopo, waitUntil, type Finished } from './sweep-helpers.js';

// No stand-in for SLURM here: sbatch, scontrol and the daemons are the real ones (slurm-cluster.ts).
const SLURM = ['hydra/launcher=slurm', 'hydra.launcher.poll_interval_s=1'];

/** The processes of a running array task, from SLURM's own records. */
function taskPids(arrayId: string, num: number): number[] {
  const jobId = spawnSync('squeue', ['-h', '-o', '%A', '-j', `${arrayId}_${num}`], { encoding: 'utf8' }).stdout.trim();
  const listed = spawnSync('scontrol', ['listpids', jobId], { encoding: 'utf8' }).stdout;
  return listed.split('\n').slice(1).map((line) => Number(line.trim().split(/\s+/)[0])).filter((pid) => pid > 0);
}

function slurm(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
}

function arrayIdOf(sweepDir: string, submission = 0): string {
  return (JSON.parse(readFileSync(path.join(sweepDir, '.slurm/submissions.json'), 'utf8')) as { arrayId: string }[])[submission]!.arrayId;
}

(SKIP_SLURM ? describe.skip : describe)('sweeps on SLURM, one job array each, against a real controller and node daemon', () => {
  const cwd = tempDir('mopo-slurm-');
  const basicDir = path.join(cwd, 'basic');
  const job = (dir: string, num: number) => path.join(dir, String(num));
  let stopCluster = () => {};
  let basic: Finished;

  beforeAll(() => {
    stopCluster = ensureSlurmCluster();
    basic = mopo(['-m', ...SWEEP_JOB, ...SEEDS, `hydra.sweep.dir=${basicDir}`], cwd);
  });
  afterAll(() => {
    stopCluster();
    removeTempDirs();
  });

  it('a 4-job sweep, submitted with --no-wait and waited for by running it again, gives each job the metrics basic gives it', () => {
    expect(basic.status).toBe(0);
    const dir = path.join(cwd, 'array');
    const args = ['-m', ...SWEEP_JOB, ...SEEDS, ...SLURM, `hydra.sweep.dir=${dir}`];
    const submitted = mopo([...args, '--no-wait'], cwd);
    expect(submitted.stderr).toBe('');
    expect(submitted.status).toBe(0);
    expect(submitted.stdout).toContain('Launching 4 jobs on SLURM, as one job array');
    const arrayId = arrayIdOf(dir);
    expect(submitted.stdout).toContain(`Submitted job array ${arrayId}`);
    expect(submitted.stdout).toMatch(/Sweep summary: 4 jobs, 0 ran, 0 failed, 4 still on the cluster/);
    expect(readFileSync(path.join(dir, '.slurm/array-1.sh'), 'utf8')).toContain('#SBATCH --array=0-3%256');

    const waited = mopo(args, cwd);
    expect(waited.stderr).toBe('');
    expect(waited.status).toBe(0);
    expect(waited.stdout).toMatch(/Sweep summary: 4 jobs, \d ran, 0 failed/);
    expect(waited.stdout).not.toContain('Submitted job array');
    expect(existsSync(path.join(dir, '.slurm/array-2.sh'))).toBe(false);
    expect(waited.stdout).toContain(`logs: ${dir}/.slurm/${arrayId}_3.out  ${dir}/.slurm/${arrayId}_3.err`);
    for (const n of [0, 1, 2, 3]) {
      expect(jobMetrics(job(dir, n)), `job #${n}`).toEqual(jobMetrics(job(basicDir, n)));
      expect(readFileSync(path.join(dir, `.slurm/${arrayId}_${n}.out`), 'utf8')).toContain(`Output directory: ${job(dir, n)}`);
    }
  });

  it('a job requeued mid-training and one stopped by its time-limit warning continue from their checkpoints to the metrics of runs never stopped', async () => {
    const dir = path.join(cwd, 'requeued');
    const run = startMopo(['-m', ...SWEEP_JOB, 'seed=0,1', ...SLURM, `hydra.sweep.dir=${dir}`], cwd);
    await waitUntil('both jobs are training', () => [0, 1].every((n) => epochRows(job(dir, n)).length > 0));
    const arrayId = arrayIdOf(dir);
    // Frozen between two steps, so both are surely mid-training when SLURM's signals come.
    const pids = [taskPids(arrayId, 0), taskPids(arrayId, 1)];
    for (const pid of pids.flat()) process.kill(pid, 'SIGSTOP');
    // #0: requeued (SLURM sends SIGCONT and SIGTERM); #1: warned of its time limit (SIGUSR1), it requeues itself.
    slurm('scontrol', ['requeue', `${arrayId}_0`]);
    slurm('scancel', ['--signal=USR1', '--batch', `${arrayId}_1`]);
    for (const pid of pids[1]!) process.kill(pid, 'SIGCONT');
    const ended = await run.ended;
    expect(ended.stderr).toBe('');
    expect(ended.status).toBe(0);
    expect(ended.stdout).toMatch(/Sweep summary: 2 jobs, 2 ran, 0 failed/);

    const out = (n: number) => readFileSync(path.join(dir, `.slurm/${arrayId}_${n}.out`), 'utf8');
    expect(out(0)).toContain('SIGTERM received (stop requested: kill, or SLURM preempting, requeueing or cancelling the job)');
    expect(out(1)).toContain("SIGUSR1 received (SLURM's warning that the time limit is near)");
    expect(out(1)).toContain(`Requeued SLURM job ${arrayId}_1 (time limit 1 of 3): it continues from the checkpoint when it runs again.`);
    expect(readJobOutcome(job(dir, 1))).toMatchObject({ status: 'ok', timeouts: 1 });
    for (const n of [0, 1]) {
      expect(out(n)).toMatch(/This run directory holds checkpoints: continuing from the latest, .*step-\d+\n/);
      expect(out(n).match(/Output directory:/g)).toHaveLength(2);
      expect(jobMetrics(job(dir, n)), `job #${n}`).toEqual(jobMetrics(job(basicDir, n)));
    }
  });

  it('reports a failing job with its error and its SLURM log files, and exits 1', () => {
    const dir = path.join(cwd, 'failing');
    const result = mopo(['-m', ...SWEEP_JOB, 'env.dataset_path=/missing.hdf5', ...SLURM, `hydra.sweep.dir=${dir}`], cwd);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/#0 +FAILED .*Dataset file \/missing.hdf5 does not exist/);
    const arrayId = arrayIdOf(dir);
    const err = path.join(dir, `.slurm/${arrayId}_0.err`);
    expect(result.stdout).toContain(`logs: ${dir}/.slurm/${arrayId}_0.out  ${err}`);
    expect(readFileSync(err, 'utf8')).toContain('mopo: Dataset file /missing.hdf5 does not exist');
  });
});
