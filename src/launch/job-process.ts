/**
 * One job of a sweep in a process of its own, as the parallel and SLURM launchers start
 * it: `node <mopo>/dist/src/launch/job-process.js <job directory>`. The job is composed
 * from the directory's `.hydra/launch.json` exactly as `mopo -m` composed it (MULTIRUN
 * mode, its job number, the sweep's start time), runs in that directory (continuing
 * from its latest checkpoint, if it has one), and leaves `.hydra/outcome.json`.
 *
 * Stopping: SIGINT, SIGTERM and SIGUSR1 end the job with a checkpoint (the training
 * frame does that). After a SIGUSR1 (SLURM's warning that the time limit is near) a
 * SLURM job requeues itself, up to `hydra.launcher.max_num_timeout` times, so it
 * continues from that checkpoint when it runs again. A job whose launcher goes away
 * (its IPC channel closes) stops as on SIGTERM, so no job is left running unseen.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRepository, JobConfig } from '../config/job-config.js';
import type { ConfigDict } from '../config/value.js';
import { InterruptedError, isMopoError } from '../errors.js';
import { launchJob } from '../cli/launch.js';
import { reportError } from '../cli/report-error.js';
import { loadTrainTask } from '../cli/task.js';
import { exitCodeFor } from '../train/interrupt.js';
import { readJobOutcome, readLaunchRecord, writeJobOutcome, type JobOutcomeRecord } from './sweep-dir.js';

/** This file, for launchers to start (always the built JavaScript, also when tests import the sources). */
export function jobProcessScript(): string {
  return fileURLToPath(import.meta.url).replace(/\/src\/launch\/job-process\.ts$/, '/dist/src/launch/job-process.js');
}

export async function runJobProcess(runDir: string | undefined): Promise<number> {
  const record = runDir === undefined ? null : readLaunchRecord(runDir);
  if (runDir === undefined || record === null) {
    console.error(`mopo job process: ${runDir === undefined ? 'give the job directory' : `${runDir} holds no .hydra/launch.json`} (launchers start this; run sweeps with mopo -m).`);
    return 2;
  }
  // The launcher's channel must not keep this process alive, only tell it when the launcher is gone.
  process.channel?.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));

  const started = performance.now();
  const earlier = readJobOutcome(runDir);
  let outcome: JobOutcomeRecord;
  let job: JobConfig | null = null;
  try {
    const repo = createRepository({ ...(record.configPath ? { configPath: record.configPath } : {}), ...(record.configDir ? { configDir: record.configDir } : {}) });
    job = JobConfig.compose(repo, { configName: record.configName, overrides: record.overrides, mode: 'MULTIRUN', jobNum: record.num, startTime: new Date(record.startTime) });
    ((job.composed.config.hydra as ConfigDict).sweep as ConfigDict).dir = record.sweepDir;
    await launchJob(job, await loadTrainTask(), (line) => console.log(line), runDir);
    outcome = ended('ok', null, 0);
  } catch (error) {
    const message = isMopoError(error) ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    let exitCode: number;
    if (error instanceof InterruptedError) {
      // Not "resume with checkpoint.resume_from": a sweep's job continues in its own directory.
      console.error(`mopo: ${message.split('\n')[0]}\nThis job continues from it when SLURM requeues it or when the sweep runs again (same hydra.sweep.dir).`);
      exitCode = error.exitCode;
    } else {
      exitCode = reportError('mopo', error);
    }
    outcome = ended(error instanceof InterruptedError ? 'interrupted' : 'failed', message, exitCode);
  }
  const timeLimit = outcome.status === 'interrupted' && outcome.exitCode === exitCodeFor('SIGUSR1');
  outcome.timeouts = (earlier?.timeouts ?? 0) + (timeLimit ? 1 : 0);
  writeJobOutcome(runDir, outcome);
  if (timeLimit && job !== null) requeueAtTimeLimit(job, outcome.timeouts);
  return outcome.exitCode;

  function ended(status: JobOutcomeRecord['status'], error: string | null, exitCode: number): JobOutcomeRecord {
    return { status, seconds: (performance.now() - started) / 1000, error, exitCode, endedAt: new Date().toISOString(), timeouts: 0 };
  }
}

/** A SLURM job stopped by the time-limit warning goes back into the queue, if its budget of requeues allows. */
function requeueAtTimeLimit(job: JobConfig, timeouts: number): void {
  // An array task is named <array>_<task>: the array's own id would requeue every task of it.
  const { SLURM_JOB_ID: id, SLURM_ARRAY_JOB_ID: array, SLURM_ARRAY_TASK_ID: task } = process.env;
  const slurmJob = array && task ? `${array}_${task}` : id;
  if (!slurmJob) return;
  const allowed = Number(job.launcher().options.max_num_timeout ?? 0);
  if (timeouts > allowed) {
    console.error(`mopo: time limit reached ${timeouts} times (hydra.launcher.max_num_timeout=${allowed}): not requeueing; run the sweep again to continue from the checkpoint.`);
    return;
  }
  // SLURM answers the requeue with a SIGTERM; the checkpoint and outcome are written by now.
  process.on('SIGTERM', () => {});
  const requeue = spawnSync('scontrol', ['requeue', slurmJob], { encoding: 'utf8', timeout: 30_000 });
  if (requeue.status === 0) console.log(`Requeued SLURM job ${slurmJob} (time limit ${timeouts} of ${allowed}): it continues from the checkpoint when it runs again.`);
  else console.error(`mopo: scontrol requeue ${slurmJob} failed: ${(requeue.stderr || requeue.error?.message || '').trim()}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runJobProcess(process.argv[2]);
}
