/**
 * The SLURM launcher (Hydra's submitit launcher): the sweep goes to the cluster as one
 * job array (script.ts), array task N running the sweep's job #N in its own directory,
 * which therefore must be on a filesystem the nodes share. mopo then waits, reporting
 * each task as SLURM moves it along (pending, running, requeued), and ends with the
 * summary: each job's outcome from SLURM's records (queue.ts) and the job's own
 * `.hydra/outcome.json`, with its stdout/stderr files. `hydra.launcher.wait=false`
 * returns once the array is submitted; Ctrl-C while waiting only stops the waiting.
 *
 * Running the sweep again continues it: finished jobs are skipped, jobs still queued or
 * running from an earlier array are waited for (not submitted twice), and the rest go
 * out as a new array and resume from their checkpoints.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readFinalScore, type JobOutcome } from '../../cli/launch.js';
import { writeFileAtomic } from '../../config/run-dir.js';
import { finishedEarlier, isFinished, jobLine, type LaunchContext, type Launcher } from '../launcher.js';
import { jobProcessScript } from '../job-process.js';
import { launchRecord, readJobOutcome, writeLaunchRecord, type SweepJob } from '../sweep-dir.js';
import { threadsOverride } from '../threads.js';
import { readSlurmOptions, type SlurmOptions } from './options.js';
import { arrayStates, isFinal, requireSlurm, submit, type TaskState } from './queue.js';
import { arrayScript } from './script.js';

/** One sbatch of the sweep, kept in `<sweep>/.slurm/submissions.json`. */
interface Submission {
  arrayId: string;
  jobs: number[];
  script: string;
  submittedAt: string;
}

/** A job being waited for: its array, what was last said about it, and since when it runs. */
interface Watch {
  job: SweepJob;
  submission: Submission;
  said: string | null;
  runningSince: number | null;
  missing: number;
}

export const slurmLauncher: Launcher<SlurmOptions> = {
  name: 'slurm',
  readOptions: readSlurmOptions,
  launch: launchSlurm,
};

async function launchSlurm(jobs: SweepJob[], options: SlurmOptions, context: LaunchContext): Promise<JobOutcome[]> {
  requireSlurm();
  const logDir = path.join(context.sweepDir, '.slurm');
  mkdirSync(logDir, { recursive: true });
  const outcomes = new Map<number, JobOutcome>();
  for (const job of jobs) if (isFinished(job)) outcomes.set(job.num, finishedEarlier(job));

  const submissions = readSubmissions(logDir);
  const watched = new Map<number, Watch>();
  for (const submission of submissions) {
    const { tasks } = arrayStates(submission.arrayId);
    for (const job of jobs) {
      const state = tasks?.get(job.num);
      if (submission.jobs.includes(job.num) && state && !isFinal(state.state) && !outcomes.has(job.num)) watched.set(job.num, watch(job, submission));
    }
  }
  if (watched.size > 0) context.log(`Still on the cluster from an earlier run of this sweep, so not submitted again: ${[...watched.values()].map((w) => `#${w.job.num} (${taskName(w)})`).join(', ')}`);

  const todo = jobs.filter((job) => !outcomes.has(job.num) && !watched.has(job.num));
  if (todo.length > 0) {
    const coresPerJob = options.cpusPerTask ?? 1;
    for (const job of todo) writeLaunchRecord(job.runDir, launchRecord(job, context.search, context.sweepDir, job.runDir, threadsOverride(job, coresPerJob)));
    const script = path.join(logDir, `array-${submissions.length + 1}.sh`);
    const text = arrayScript({ sweepDir: context.sweepDir, logDir, tasks: todo, node: process.execPath, jobProcess: jobProcessScript() }, options);
    writeFileSync(script, text, { mode: 0o755 });
    const submission: Submission = { arrayId: submit(script), jobs: todo.map((job) => job.num), script, submittedAt: new Date().toISOString() };
    writeFileAtomic(submissionsFile(logDir), `${JSON.stringify([...submissions, submission], null, 2)}\n`);
    for (const job of todo) {
      context.log(jobLine(job));
      watched.set(job.num, watch(job, submission));
    }
    context.log(`Submitted job array ${submission.arrayId} (${script}); each job's output: ${logDir}/${submission.arrayId}_<job>.out and .err`);
  }

  if (!options.wait) {
    for (const w of watched.values()) outcomes.set(w.job.num, outcomeOf(w, 'submitted', null));
    const arrays = [...new Set([...watched.values()].map((w) => w.submission.arrayId))];
    if (arrays.length > 0) context.log(`Not waiting (hydra.launcher.wait=false). Follow the jobs with: squeue -j ${arrays.join(',')}\nTo wait for them and see the summary, run the sweep again:\n  ${context.rerun}`);
  } else {
    await waitFor(watched, outcomes, options, context);
  }
  return jobs.map((job) => outcomes.get(job.num)!);
}

/** Polls SLURM until every watched job has ended, saying what changes; Ctrl-C stops the waiting only. */
async function waitFor(watched: Map<number, Watch>, outcomes: Map<number, JobOutcome>, options: SlurmOptions, context: LaunchContext): Promise<void> {
  let stoppedBy: NodeJS.Signals | null = null;
  let wake = () => {};
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy = signal;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const problems = new Set<string>();
  try {
    while (watched.size > 0 && stoppedBy === null) {
      const states = new Map([...new Set([...watched.values()].map((w) => w.submission.arrayId))].map((id) => [id, arrayStates(id)]));
      for (const [num, w] of watched) {
        const { tasks, problem } = states.get(w.submission.arrayId)!;
        if (tasks === null) {
          if (problem !== null && !problems.has(problem)) context.log(`\tSLURM did not answer (${problem}); asking again.`);
          if (problem !== null) problems.add(problem);
          continue;
        }
        const task = tasks.get(num);
        // A task the records no longer list ended long enough ago to be purged: its outcome file says how.
        if (task === undefined) {
          if (++w.missing >= 2) end(num, w, null);
          continue;
        }
        w.missing = 0;
        if (task.state === 'RUNNING') w.runningSince ??= Date.now();
        if (isFinal(task.state)) end(num, w, task);
        else say(w, task);
      }
      if (watched.size > 0 && stoppedBy === null) await new Promise<void>((resume) => ((wake = resume), setTimeout(resume, options.pollIntervalS * 1000)));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (stoppedBy !== null) {
    const arrays = [...new Set([...watched.values()].map((w) => w.submission.arrayId))];
    for (const w of watched.values()) {
      outcomes.set(w.job.num, outcomeOf(w, 'interrupted', `stopped waiting (${stoppedBy}); still on the cluster as SLURM job ${taskName(w)}: run the sweep again to wait for it`));
    }
    context.log(`\n${stoppedBy} received: stopped waiting. The jobs stay on the cluster (scancel ${arrays.join(' ')} stops them). To wait for them again:\n  ${context.rerun}`);
  }

  function say(w: Watch, task: TaskState): void {
    const line = `${task.state}${task.state === 'PENDING' && task.reason !== 'None' ? ` (${task.reason})` : ''}${task.restarts > 0 ? `, requeued ${task.restarts}×` : ''}`;
    if (line !== w.said) context.log(`\t#${w.job.num} ${line}  (SLURM job ${taskName(w)})`);
    w.said = line;
  }

  function end(num: number, w: Watch, task: TaskState | null): void {
    watched.delete(num);
    const outcome = finalOutcome(w, task);
    outcomes.set(num, outcome);
    context.log(`\t#${num} ${outcome.status.toUpperCase()}${task ? ` (SLURM: ${task.state}, exit code ${task.exitCode})` : ''}${outcome.error ? `: ${outcome.error.split('\n')[0]}` : ''}`);
  }
}

/** A job's end, from SLURM's final state and what the job itself reported (an outcome written after this array was submitted). */
function finalOutcome(w: Watch, task: TaskState | null): JobOutcome {
  const reported = readJobOutcome(w.job.runDir);
  const fresh = reported !== null && Date.parse(reported.endedAt) >= Date.parse(w.submission.submittedAt) ? reported : null;
  // A job that ran and ended between two looks was never seen running: its own count of seconds stands in.
  if (w.runningSince === null && fresh !== null) w.runningSince = Date.now() - fresh.seconds * 1000;
  if (task === null) {
    if (fresh === null) return outcomeOf(w, 'failed', `SLURM no longer lists job ${taskName(w)}, and it left no outcome: see its logs`);
    return fresh.status === 'ok' ? { ...outcomeOf(w, 'ok', null), score: readFinalScore(w.job.runDir) } : outcomeOf(w, fresh.status, fresh.error);
  }
  if (task.state === 'COMPLETED' && task.exitCode === '0:0') return { ...outcomeOf(w, 'ok', null), score: readFinalScore(w.job.runDir) };
  if (task.state === 'FAILED') return outcomeOf(w, fresh?.status === 'interrupted' ? 'interrupted' : 'failed', fresh?.error ?? `exited with code ${task.exitCode.split(':')[0]}: see its logs`);
  if (['TIMEOUT', 'CANCELLED', 'PREEMPTED', 'DEADLINE'].includes(task.state)) {
    return outcomeOf(w, 'interrupted', `SLURM: ${task.state}; the job continues from its latest checkpoint when the sweep runs again`);
  }
  return outcomeOf(w, 'failed', `SLURM: ${task.state} (${task.reason})`);
}

function outcomeOf(w: Watch, status: JobOutcome['status'], error: string | null): JobOutcome {
  const seconds = w.runningSince === null ? 0 : (Date.now() - w.runningSince) / 1000;
  const base = path.join(path.dirname(w.submission.script), `${w.submission.arrayId}_${w.job.num}`);
  return { num: w.job.num, overrides: w.job.task, status, seconds, runDir: w.job.runDir, error, score: null, logs: [`${base}.out`, `${base}.err`] };
}

function watch(job: SweepJob, submission: Submission): Watch {
  return { job, submission, said: null, runningSince: null, missing: 0 };
}

function taskName(w: Watch): string {
  return `${w.submission.arrayId}_${w.job.num}`;
}

function submissionsFile(logDir: string): string {
  return path.join(logDir, 'submissions.json');
}

function readSubmissions(logDir: string): Submission[] {
  try {
    return JSON.parse(readFileSync(submissionsFile(logDir), 'utf8')) as Submission[];
  } catch {
    return [];
  }
}
