/**
 * SLURM's commands, as the launcher uses them: `sbatch` submits, `scontrol show job`
 * reports every task of an array (state, reason, exit code, restarts). Without slurmdbd
 * there is no `sacct`, so states come from the controller's own records, which keep a
 * finished job for MinJobAge seconds (300 by default); the launcher polls well within
 * that, and each job also leaves `.hydra/outcome.json` for what the records no longer hold.
 */
import { spawnSync } from 'node:child_process';
import { MopoError } from '../../errors.js';
import { expandArrayTasks } from './script.js';

export interface TaskState {
  /** The task's own job id, e.g. `124` (its array name is `<array>_<task>`). */
  jobId: string;
  state: string;
  reason: string;
  /** `code:signal`, as SLURM reports it. */
  exitCode: string;
  restarts: number;
}

/** States after which SLURM runs the task no more (a requeued task goes back to PENDING instead). */
const FINAL_STATES = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'OUT_OF_MEMORY', 'REVOKED']);

export function isFinal(state: string): boolean {
  return FINAL_STATES.has(state);
}

/** Fails with a clear message when SLURM's commands are not on PATH. */
export function requireSlurm(): void {
  const probe = spawnSync('sbatch', ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error || probe.status !== 0) {
    throw new MopoError(
      `hydra/launcher=slurm needs SLURM's commands (sbatch, scontrol) on PATH, and ${probe.error ? `'sbatch' was not found (${probe.error.message})` : `'sbatch --version' failed: ${probe.stderr.trim()}`}. Run mopo on a machine of the cluster (a login node).`,
    );
  }
}

/** Submits a batch script; returns the job id (the array's id). */
export function submit(scriptPath: string): string {
  const result = spawnSync('sbatch', ['--parsable', scriptPath], { encoding: 'utf8', timeout: 120_000 });
  if (result.error || result.status !== 0) {
    throw new MopoError(`sbatch refused the sweep's job array (${scriptPath}): ${(result.stderr || result.error?.message || `exit code ${result.status}`).trim()}`);
  }
  const id = result.stdout.trim().split(';')[0]!;
  if (!/^\d+$/.test(id)) throw new MopoError(`sbatch answered '${result.stdout.trim()}', not a job id (${scriptPath}).`);
  return id;
}

/**
 * The tasks of job array `arrayId` that the controller still knows, by task number; an
 * empty map when it knows none of them any more; null when it could not be asked (the
 * reason is in `problem`).
 */
export function arrayStates(arrayId: string): { tasks: Map<number, TaskState> | null; problem: string | null } {
  const result = spawnSync('scontrol', ['-o', 'show', 'job', arrayId], { encoding: 'utf8', timeout: 60_000 });
  if (result.error) return { tasks: null, problem: result.error.message };
  if (result.status !== 0) {
    if (/invalid job id/i.test(result.stderr)) return { tasks: new Map(), problem: null };
    return { tasks: null, problem: result.stderr.trim() };
  }
  const tasks = new Map<number, TaskState>();
  for (const line of result.stdout.split('\n')) {
    const fields = recordFields(line);
    if (fields.ArrayJobId !== arrayId || fields.ArrayTaskId === undefined) continue;
    const state: TaskState = {
      jobId: fields.JobId ?? '',
      state: fields.JobState ?? 'UNKNOWN',
      reason: fields.Reason ?? 'None',
      exitCode: fields.ExitCode ?? '0:0',
      restarts: Number(fields.Restarts ?? 0),
    };
    for (const num of expandArrayTasks(fields.ArrayTaskId)) tasks.set(num, state);
  }
  return { tasks, problem: null };
}

/** `Key=Value` pairs of one `scontrol -o` record (the first of each key; values end at a space). */
function recordFields(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of line.matchAll(/(?:^|\s)([A-Za-z:]+)=(\S*)/g)) fields[m[1]!] ??= m[2]!;
  return fields;
}
