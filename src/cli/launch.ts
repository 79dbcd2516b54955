/**
 * Running jobs: claim the output directory (or take the one a sweep claimed for the
 * job), resolve the config against it, write the run record (.hydra/,
 * resolved_config.yaml), then hand the typed config to the task. The basic launcher
 * runs a sweep's jobs one after another in this process; every launcher
 * (src/launch/) reports every job's outcome at the end, not only the first failure.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigView } from '../config/access.js';
import type { JobConfig } from '../config/job-config.js';
import { claimDirectory, claimRunDir, writeRunRecord } from '../config/run-dir.js';
import { InterruptedError, isMopoError } from '../errors.js';

export interface JobContext {
  config: ConfigView;
  runDir: string;
  job: JobConfig;
}

export type Task = (context: JobContext) => Promise<void>;

export interface JobOutcome {
  num: number;
  overrides: string[];
  /** `finished earlier`: done in an earlier run of the same sweep, so not run again; `submitted`: left running on the cluster. */
  status: 'ok' | 'failed' | 'interrupted' | 'not run' | 'finished earlier' | 'submitted';
  seconds: number;
  runDir: string | null;
  error: string | null;
  /** The run's final score (summary.json): the last evaluation and the mean of the last 10. */
  score: FinalScore | null;
  /** The job's own output files, listed under its summary line (a job in another process, or one that failed). */
  logs?: string[];
}

export interface FinalScore {
  last: number;
  meanLast10: number;
  /** D4RL's normalised score when the task has one, else the return. */
  kind: 'score' | 'return';
}

/** Runs `job` in `claimed` (a sweep claims its jobs' directories up front), else in a directory it claims. */
export async function launchJob(job: JobConfig, task: Task, log: (line: string) => void, claimed?: string): Promise<string> {
  const runDir = claimed ?? claimDirectory(job.requestedOutputDir(), claimRunDir);
  job.setOutputDir(runDir);
  const resolvedJobConfig = job.jobConfig(true);
  writeRunRecord(runDir, String(job.hydra('output_subdir') ?? '.hydra'), {
    jobConfig: job.jobConfig(false),
    resolvedJobConfig,
    hydraNode: job.hydraNode(true),
    taskOverrides: job.composed.taskOverrides,
  });
  log(`Output directory: ${runDir}`);
  await task({ config: new ConfigView(resolvedJobConfig), runDir, job });
  return runDir;
}

export async function runJobs(
  jobs: { num: number; overrides: string[]; config: JobConfig; runDir?: string }[],
  task: Task,
  options: { failFast: boolean; log: (line: string) => void; error?: (line: string) => void; onOutcome?: (outcome: JobOutcome, error: unknown) => void },
): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = jobs.map((j) => ({ num: j.num, overrides: j.overrides, status: 'not run', seconds: 0, runDir: j.runDir ?? null, error: null, score: null }));
  for (const [i, job] of jobs.entries()) {
    const outcome = outcomes[i]!;
    options.log(`\t#${job.num} : ${job.overrides.join(' ')}`);
    const started = performance.now();
    let failure: unknown = null;
    try {
      outcome.runDir = await launchJob(job.config, task, options.log, job.runDir);
      outcome.status = 'ok';
      outcome.score = readFinalScore(outcome.runDir);
    } catch (error) {
      failure = error;
      outcome.status = error instanceof InterruptedError ? 'interrupted' : 'failed';
      outcome.error = isMopoError(error) ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
      if (outcome.runDir !== null) outcome.logs = [path.join(outcome.runDir, 'train.log')];
      // On stderr, where a CI log or a shell's 2> looks for failures; the summary repeats it.
      (options.error ?? ((line: string) => console.error(line)))(`\t#${job.num} ${outcome.status}: ${outcome.error.split('\n')[0]}`);
    }
    outcome.seconds = (performance.now() - started) / 1000;
    options.onOutcome?.(outcome, failure);
    if (outcome.status === 'interrupted' || (outcome.status === 'failed' && options.failFast)) break;
  }
  return outcomes;
}

export function renderSummary(outcomes: JobOutcome[], sweepDir: string): string {
  const count = (status: JobOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  const [failed, notRun, earlier, submitted] = [count('failed'), count('not run'), count('finished earlier'), count('submitted')];
  const ran = outcomes.length - failed - notRun - earlier - submitted;
  const more = [notRun ? `${notRun} not run` : '', earlier ? `${earlier} finished earlier` : '', submitted ? `${submitted} still on the cluster` : ''].filter(Boolean);
  const header = `Sweep summary: ${outcomes.length} jobs, ${ran} ran, ${failed} failed${more.map((m) => `, ${m}`).join('')} (${sweepDir})`;
  const width = Math.max(11, ...outcomes.map((o) => o.status.length));
  const lines = outcomes.flatMap((o) => {
    const status = o.status.toUpperCase().padEnd(width);
    const detail = o.error ? `  ${o.error.split('\n')[0]}` : '';
    const score = o.score ? `  ${o.score.kind} ${formatScore(o.score.last)} (last), ${formatScore(o.score.meanLast10)} (mean of last 10)` : '';
    const line = `  #${String(o.num).padEnd(3)} ${status} ${o.seconds.toFixed(1).padStart(7)} s  ${o.overrides.join(' ')}${score}${detail}`;
    return o.logs?.length ? [line, `        logs: ${o.logs.join('  ')}`] : [line];
  });
  return [header, ...lines].join('\n');
}

/** The final score a finished run wrote into summary.json; null when it wrote none. */
export function readFinalScore(runDir: string): FinalScore | null {
  let summary: { scores?: { last?: { normalized_score: number | null; return_mean: number }; mean_last_10?: { normalized_score: number | null; return_mean: number } } | null };
  try {
    summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  } catch {
    return null;
  }
  const { last, mean_last_10: window } = summary.scores ?? {};
  if (!last || !window) return null;
  return last.normalized_score === null
    ? { kind: 'return', last: last.return_mean, meanLast10: window.return_mean }
    : { kind: 'score', last: last.normalized_score, meanLast10: window.normalized_score! };
}

function formatScore(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(2);
}
