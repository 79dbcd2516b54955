/**
 * Launchers run a sweep's jobs, as Hydra's launcher plugins do: one `launch(jobs) →
 * outcomes` call, the launcher chosen by `hydra/launcher=<name>` (launcher-table.ts) and
 * its settings read from `hydra.launcher.*`. Every job's directory is claimed before any
 * launcher runs (sweep-dir.ts); a job that finished in an earlier run of the same sweep
 * comes with its earlier outcome and is not run again.
 */
import type { ConfigView } from '../config/access.js';
import type { JobOutcome, Task } from '../cli/launch.js';
import { readFinalScore } from '../cli/launch.js';
import type { SearchPath, SweepJob } from './sweep-dir.js';

export interface LaunchContext {
  sweepDir: string;
  /** What the jobs were composed from, for jobs composed again in their own process. */
  search: SearchPath;
  failFast: boolean;
  /** The command that runs this sweep again (and so continues it), for messages. */
  rerun: string;
  log(line: string): void;
  /** The jobs' work, for a launcher that runs them in this process. */
  loadTask(): Promise<Task>;
}

export interface Launcher<Options> {
  /** The option of the `hydra/launcher` group, e.g. `parallel`. */
  name: string;
  /** Reads and checks `hydra.launcher.*`; a bad value is a config error before anything runs. */
  readOptions(settings: ConfigView): Options;
  launch(jobs: SweepJob[], options: Options, context: LaunchContext): Promise<JobOutcome[]>;
}

/** The outcome of a job that is not run again because an earlier run of the sweep finished it. */
export function finishedEarlier(job: SweepJob): JobOutcome {
  return {
    num: job.num,
    overrides: job.task,
    status: 'finished earlier',
    seconds: job.earlier?.seconds ?? 0,
    runDir: job.runDir,
    error: null,
    score: readFinalScore(job.runDir),
  };
}

export function isFinished(job: SweepJob): boolean {
  return job.earlier?.status === 'ok';
}

/** The line Hydra prints for each job it launches. */
export function jobLine(job: SweepJob): string {
  return `\t#${job.num} : ${job.task.join(' ')}`;
}
