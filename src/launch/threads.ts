/**
 * Compute threads for jobs that share a machine. A job with `threads: auto` would take
 * one worker thread per core of the machine; when several jobs run at once, each is
 * given its share instead: `threads = cores per job − 1` (its main thread uses the
 * remaining core), passed as the override `threads=N`. A job that names its threads
 * keeps them.
 */
import type { SweepJob } from './sweep-dir.js';

export function threadsOverride(job: SweepJob, coresPerJob: number): string[] {
  return usesAutoThreads(job) ? [`threads=${Math.max(0, coresPerJob - 1)}`] : [];
}

export function usesAutoThreads(job: SweepJob): boolean {
  return job.config.view().value('threads') === 'auto';
}
