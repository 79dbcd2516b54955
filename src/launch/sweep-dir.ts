/**
 * A sweep's directory and its jobs' directories, claimed once and found again. Running
 * the same sweep into the same `hydra.sweep.dir` continues it: jobs that finished are
 * skipped, the others resume from their latest checkpoint (the training frame does that
 * for any run directory holding checkpoints). A directory holding another sweep is never
 * reused: the new sweep takes `<dir>_1`, as any run does; so is a directory named by the
 * time (the default `multirun/${now:…}`), where a second sweep started in the same
 * second is another sweep, not this one run again.
 *
 * Every job directory is claimed before the first job starts, and its `.hydra/` (where
 * the job's run record goes) holds two files of the launchers':
 *   launch.json   how to compose the job in another process (overrides, search path, start time, directories)
 *   outcome.json  how the job's last run ended (ok | failed | interrupted, seconds, error, exit code)
 * `launch.json`'s task overrides identify the job when the sweep runs again.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { JobConfig } from '../config/job-config.js';
import { claimDirectory, claimRunDir, claimSweepDir, toYaml, writeFileAtomic } from '../config/run-dir.js';
import type { ConfigDict } from '../config/value.js';

/** A job of the sweep, composed and checked. */
export interface ComposedJob {
  num: number;
  /** Everything to compose it: Hydra's own overrides, then the job's task overrides. */
  overrides: string[];
  /** The job's task overrides alone. */
  task: string[];
  config: JobConfig;
}

/** A job with its directory claimed, and how its last run ended (null: never ran to an end). */
export interface SweepJob extends ComposedJob {
  runDir: string;
  earlier: JobOutcomeRecord | null;
}

/** How to compose a job in a process of its own: what `mopo -m` composed it from. */
export interface JobLaunchRecord {
  num: number;
  task: string[];
  /** Hydra's overrides, the task's, then the launcher's own (e.g. `threads=0`). */
  overrides: string[];
  configName: string;
  configPath: string | null;
  configDir: string | null;
  /** The sweep's start, which `${now:…}` formats. */
  startTime: string;
  sweepDir: string;
  runDir: string;
}

export interface JobOutcomeRecord {
  status: 'ok' | 'failed' | 'interrupted';
  seconds: number;
  /** The first line a person needs: the error, or where it stopped. */
  error: string | null;
  exitCode: number;
  endedAt: string;
  /** How often the job requeued itself at its time limit (SLURM), counted across its runs. */
  timeouts: number;
}

export interface SearchPath {
  configName: string;
  configPath: string | null;
  configDir: string | null;
  startTime: Date;
}

export interface OpenedSweep {
  sweepDir: string;
  /** True when the directory held this sweep already: it continues. */
  continued: boolean;
  jobs: SweepJob[];
}

/** Claims the sweep directory (or finds this sweep in it) and every job's directory. */
export function openSweep(composed: ComposedJob[], search: SearchPath): OpenedSweep {
  const requested = path.resolve(String(composed[0]!.config.hydra('sweep.dir')));
  mkdirSync(requested, { recursive: true });
  let sweepDir = requested;
  let continued = false;
  if (!claimSweepDir(requested)) {
    const named = String(((composed[0]!.config.composed.config.hydra as ConfigDict).sweep as ConfigDict).dir);
    setSweepDir(composed, requested);
    continued = !named.includes('${now:') && holdsSweep(composed);
    if (!continued) sweepDir = claimDirectory(requested, claimSweepDir);
  }
  setSweepDir(composed, sweepDir);
  if (!continued) {
    const first = composed[0]!.config;
    writeFileAtomic(path.join(sweepDir, 'multirun.yaml'), toYaml({ hydra: first.hydraNode(false), ...first.jobConfig(false) }));
  }
  const jobs = composed.map((job) => {
    const runDir = findJobDir(job) ?? claimDirectory(job.config.requestedOutputDir(), claimRunDir);
    const earlier = readJobOutcome(runDir);
    writeLaunchRecord(runDir, launchRecord(job, search, sweepDir, runDir, []));
    return { ...job, runDir, earlier };
  });
  return { sweepDir, continued, jobs };
}

/** What a process needs to compose and run `job`; `extra` are the launcher's own overrides. */
export function launchRecord(job: ComposedJob, search: SearchPath, sweepDir: string, runDir: string, extra: string[]): JobLaunchRecord {
  return {
    num: job.num,
    task: job.task,
    overrides: [...job.overrides, ...extra],
    configName: search.configName,
    configPath: search.configPath,
    configDir: search.configDir,
    startTime: search.startTime.toISOString(),
    sweepDir,
    runDir,
  };
}

export function writeLaunchRecord(runDir: string, record: JobLaunchRecord): void {
  writeFileAtomic(launchFile(runDir), `${JSON.stringify(record, null, 2)}\n`);
}

export function readLaunchRecord(runDir: string): JobLaunchRecord | null {
  return readJson<JobLaunchRecord>(launchFile(runDir));
}

export function writeJobOutcome(runDir: string, outcome: JobOutcomeRecord): void {
  writeFileAtomic(outcomeFile(runDir), `${JSON.stringify(outcome, null, 2)}\n`);
}

export function readJobOutcome(runDir: string): JobOutcomeRecord | null {
  return readJson<JobOutcomeRecord>(outcomeFile(runDir));
}

export function outcomeFile(runDir: string): string {
  return path.join(runDir, '.hydra', 'outcome.json');
}

function launchFile(runDir: string): string {
  return path.join(runDir, '.hydra', 'launch.json');
}

/** Every job's directory, as the sweep directory `dir` places it, holds that job or nothing yet. */
function holdsSweep(composed: ComposedJob[]): boolean {
  let found = 0;
  for (const job of composed) {
    const record = readLaunchRecord(job.config.requestedOutputDir());
    if (record === null) continue;
    if (!sameJob(record, job)) return false;
    found += 1;
  }
  return found > 0;
}

/** The directory this job was given when the sweep first ran (`<dir>`, or `<dir>_n` when its subdir was taken). */
function findJobDir(job: ComposedJob): string | null {
  const base = path.resolve(job.config.requestedOutputDir());
  for (let attempt = 0; ; attempt++) {
    const dir = attempt === 0 ? base : `${base}_${attempt}`;
    if (!existsSync(dir)) return null;
    const record = readLaunchRecord(dir);
    if (record !== null && sameJob(record, job)) return dir;
  }
}

function sameJob(record: JobLaunchRecord, job: ComposedJob): boolean {
  return record.num === job.num && JSON.stringify(record.task) === JSON.stringify(job.task);
}

/** Points every job at the sweep directory it got (`<dir>_1` when `<dir>` held another sweep). */
function setSweepDir(composed: ComposedJob[], sweepDir: string): void {
  for (const job of composed) ((job.config.composed.config.hydra as ConfigDict).sweep as ConfigDict).dir = sweepDir;
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}
