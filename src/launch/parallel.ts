/**
 * The parallel launcher (Hydra's joblib launcher): `n_jobs` jobs at a time, each in a
 * worker process of its own (job-process.ts) writing `stdout.log` and `stderr.log` in
 * its directory. Cores are shared out: with `threads: auto` each job gets
 * `cores / n_jobs` of the machine (threads.ts), so the jobs never oversubscribe it.
 *
 * Ctrl-C (or SIGTERM) stops the sweep cleanly: each running job is sent the signal once,
 * finishes its step, saves a checkpoint and exits; jobs not yet started are not started.
 * A second Ctrl-C is passed on too, and the jobs quit at once. The workers run in their
 * own process groups, so the terminal's Ctrl-C reaches them only through this launcher,
 * exactly once.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { readFinalScore, type JobOutcome } from '../cli/launch.js';
import { finishedEarlier, isFinished, jobLine, type LaunchContext, type Launcher } from './launcher.js';
import { jobProcessScript } from './job-process.js';
import { launchRecord, readJobOutcome, writeLaunchRecord, type SweepJob } from './sweep-dir.js';
import { threadsOverride, usesAutoThreads } from './threads.js';

export interface ParallelOptions {
  /** Jobs at a time. */
  nJobs: number;
}

export const parallelLauncher: Launcher<ParallelOptions> = {
  name: 'parallel',
  readOptions(settings) {
    const n = settings.int('n_jobs');
    if (n === 0) throw new ConfigError("Invalid value for 'hydra.launcher.n_jobs': 0. Give the number of jobs at a time, or as joblib counts, -1 for one per core, -2 for all cores but one.");
    return { nJobs: n > 0 ? n : Math.max(1, availableParallelism() + 1 + n) };
  },
  launch: launchParallel,
};

async function launchParallel(jobs: SweepJob[], options: ParallelOptions, context: LaunchContext): Promise<JobOutcome[]> {
  const outcomes = new Map<number, JobOutcome>();
  for (const job of jobs) if (isFinished(job)) outcomes.set(job.num, finishedEarlier(job));
  const queue = jobs.filter((job) => !isFinished(job));
  const slots = Math.max(1, Math.min(options.nJobs, queue.length));
  const cores = availableParallelism();
  const coresPerJob = Math.max(1, Math.floor(cores / slots));
  if (queue.some(usesAutoThreads)) context.log(`threads=auto: ${cores} cores shared by ${slots} jobs at a time, so each job runs with threads=${coresPerJob - 1}`);
  const named = Math.max(0, ...queue.filter((job) => !usesAutoThreads(job)).map((job) => Number(job.config.view().value('threads'))));
  if (slots * (named + 1) > cores && named > 0) context.log(`Note: threads=${named} was set, so ${slots} jobs at a time use ${slots * (named + 1)} threads on ${cores} cores; threads=auto shares the cores out.`);

  const running = new Map<number, { kill(signal: NodeJS.Signals): void }>();
  let stoppedBy: NodeJS.Signals | null = null;
  let failed = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy === null) context.log(`\n${signal} received: ${running.size} running job(s) finish their step, save a checkpoint and stop; no other job starts (press Ctrl-C again to quit them at once).`);
    stoppedBy ??= signal;
    for (const child of running.values()) child.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await new Promise<void>((allDone) => {
      const startNext = () => {
        while (running.size < slots && queue.length > 0 && stoppedBy === null && !(failed && context.failFast)) start(queue.shift()!);
        if (running.size === 0) allDone();
      };
      const start = (job: SweepJob) => {
        writeLaunchRecord(job.runDir, launchRecord(job, context.search, context.sweepDir, job.runDir, threadsOverride(job, coresPerJob)));
        const [stdout, stderr] = [path.join(job.runDir, 'stdout.log'), path.join(job.runDir, 'stderr.log')];
        const [out, err] = [stdout, stderr].map((file) => openSync(file, 'a'));
        const startedAt = Date.now();
        const child = spawn(process.execPath, [jobProcessScript(), job.runDir], { stdio: ['ignore', out!, err!, 'ipc'], detached: true });
        closeSync(out!);
        closeSync(err!);
        running.set(job.num, child);
        context.log(`${jobLine(job)}\n\t   output: ${stdout}`);
        let ended = false;
        const end = (exit: string) => {
          if (ended) return;
          ended = true;
          running.delete(job.num);
          const outcome = workerOutcome(job, startedAt, exit, stoppedBy !== null, [stderr, stdout]);
          outcomes.set(job.num, outcome);
          context.log(`\t#${job.num} ${outcome.status.toUpperCase()} after ${outcome.seconds.toFixed(1)} s${outcome.error ? `: ${outcome.error.split('\n')[0]}` : ''}`);
          if (outcome.status === 'failed') failed = true;
          startNext();
        };
        child.on('exit', (code, signal) => end(signal ? `was killed by ${signal}` : `exited with code ${code}`));
        child.on('error', (error) => end(`could not start: ${error.message}`));
      };
      startNext();
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return jobs.map((job) => outcomes.get(job.num) ?? { num: job.num, overrides: job.task, status: 'not run', seconds: 0, runDir: job.runDir, error: null, score: null });
}

/** What the worker reported in outcome.json; a worker that ended without reporting failed (or was stopped, when the sweep was). */
function workerOutcome(job: SweepJob, startedAt: number, exit: string, stopping: boolean, logs: string[]): JobOutcome {
  const seconds = (Date.now() - startedAt) / 1000;
  const base = { num: job.num, overrides: job.task, seconds, runDir: job.runDir, score: null };
  const reported = readJobOutcome(job.runDir);
  if (reported === null || Date.parse(reported.endedAt) < startedAt) {
    return { ...base, status: stopping ? 'interrupted' : 'failed', error: `the job process ${exit} before reporting an outcome`, logs };
  }
  if (reported.status === 'ok') return { ...base, status: 'ok', error: null, score: readFinalScore(job.runDir) };
  return { ...base, status: reported.status, error: reported.error, logs };
}
