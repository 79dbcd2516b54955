/**
 * Running jobs: claim the output directory, resolve the config against it, write the
 * run record (.hydra/, resolved_config.yaml), then hand the typed config to the task.
 * A sweep runs its jobs one after another in this process and reports every job's
 * outcome at the end, not only the first failure.
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
  status: 'ok' | 'failed' | 'interrupted' | 'not run';
  seconds: number;
  runDir: string | null;
  error: string | null;
  /** The run's final score (summary.json): the last evaluation and the mean of the last 10. */
  score: FinalScore | null;
}

export interface FinalScore {
  last: number;
  meanLast10: number;
  /** D4RL's normalised score when the task has one, else the return. */
  kind: 'score' | 'return';
}

export async function launchJob(job: JobConfig, task: Task, log: (line: string) => void): Promise<string> {
  const runDir = claimDirectory(job.requestedOutputDir(), claimRunDir);
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
  jobs: { num: number; overrides: string[]; config: JobConfig }[],
  task: Task,
  options: { failFast: boolean; log: (line: string) => void; error?: (line: string) => void },
): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = jobs.map((j) => ({ num: j.num, overrides: j.overrides, status: 'not run', seconds: 0, runDir: null, error: null, score: null }));
  for (const [i, job] of jobs.entries()) {
    const outcome = outcomes[i]!;
    options.log(`\t#${job.num} : ${job.overrides.join(' ')}`);
    const started = performance.now();
    try {
      outcome.runDir = await launchJob(job.config, task, options.log);
      outcome.status = 'ok';
      outcome.score = readFinalScore(outcome.runDir);
    } catch (error) {
      outcome.status = error instanceof InterruptedError ? 'interrupted' : 'failed';
      outcome.error = isMopoError(error) ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
      // On stderr, where a CI log or a shell's 2> looks for failures; the summary repeats it.
      (options.error ?? ((line: string) => console.error(line)))(`\t#${job.num} ${outcome.status}: ${outcome.error.split('\n')[0]}`);
    }
    outcome.seconds = (performance.now() - started) / 1000;
    if (outcome.status === 'interrupted' || (outcome.status === 'failed' && options.failFast)) break;
  }
  return outcomes;
}

export function renderSummary(outcomes: JobOutcome[], sweepDir: string): string {
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const notRun = outcomes.filter((o) => o.status === 'not run').length;
  const header = `Sweep summary: ${outcomes.length} jobs, ${outcomes.length - failed - notRun} ran, ${failed} failed${notRun ? `, ${notRun} not run` : ''} (${sweepDir})`;
  const lines = outcomes.map((o) => {
    const status = o.status.toUpperCase().padEnd(11);
    const detail = o.error ? `  ${o.error.split('\n')[0]}` : '';
    const score = o.score ? `  ${o.score.kind} ${formatScore(o.score.last)} (last), ${formatScore(o.score.meanLast10)} (mean of last 10)` : '';
    return `  #${String(o.num).padEnd(3)} ${status} ${o.seconds.toFixed(1).padStart(7)} s  ${o.overrides.join(' ')}${score}${detail}`;
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
