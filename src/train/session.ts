/**
 * What every training run sets up the same way: the backend and its compute workers,
 * progress display, a log file next to the metrics, Ctrl-C handling and checkpoint
 * saving. `close()` must come after the learners are disposed (they may live partly
 * in the workers).
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigDict } from '../config/value.js';
import { InterruptedError } from '../errors.js';
import { initBackend, type BackendInfo } from '../nn/backend.js';
import { closeComputeThreads, startComputeThreads } from '../nn/threads/compute-threads.js';
import type { WorkerThread } from '../nn/threads/worker-thread.js';
import { checkpointName, listCheckpoints, pruneCheckpoints, writeCheckpoint, type CheckpointInfo, type NamedArray } from './checkpoint.js';
import { InterruptWatch } from './interrupt.js';
import type { RunOptions } from './options.js';
import type { MetricRow } from './metrics.js';
import { createProgress, type Progress } from './progress.js';

export interface Session {
  runDir: string;
  progress: Progress;
  interrupt: InterruptWatch;
  backend: BackendInfo;
  /** Compute workers to hand to the learners (`distribute`); closed by `close()`. */
  threads: WorkerThread[];
  /** A line on the console (above any bars) and in `<run>/train.log`. */
  log(line: string): void;
  close(): void;
}

export async function openSession(runDir: string, run: RunOptions, interrupt?: InterruptWatch, display?: Progress): Promise<Session> {
  const progress = display ?? (await createProgress(run.metric.progress));
  const logFile = path.join(runDir, 'train.log');
  const log = (line: string) => {
    progress.log(line);
    appendFileSync(logFile, `${line}\n`);
  };
  const watch = interrupt ?? new InterruptWatch(log);
  try {
    const backend = await initBackend(run.backend);
    const threads = await startComputeThreads(backend, run.threads);
    log(`Backend: ${backend.description}${threads.length > 0 ? ` + ${threads.length} compute worker${threads.length > 1 ? 's' : ''}` : ''}`);
    return {
      runDir,
      progress,
      interrupt: watch,
      backend,
      threads,
      log,
      close: () => {
        closeComputeThreads(threads);
        watch.dispose();
        progress.stop();
      },
    };
  } catch (error) {
    watch.dispose();
    progress.stop();
    throw error;
  }
}

export class CheckpointSaver {
  readonly dir: string;

  constructor(
    runDir: string,
    private readonly keep: { last: number | null; best: boolean },
    private readonly config: ConfigDict,
    private readonly log: (line: string) => void,
  ) {
    this.dir = path.join(runDir, 'checkpoints');
  }

  /** Saves unless a checkpoint of this step exists already; returns its directory. */
  save(info: CheckpointInfo, arrays: Record<string, NamedArray>, files: Record<string, string>): string {
    const target = path.join(this.dir, checkpointName(info.step));
    if (listCheckpoints(this.dir).includes(target)) return target;
    writeCheckpoint(target, info, arrays, this.config, files);
    pruneCheckpoints(this.dir, this.keep.last, this.keep.best);
    this.log(`Checkpoint saved: ${target}`);
    return target;
  }
}

/** Lets signal handlers and timers run inside long synchronous training loops. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface TrainHooks {
  /** Called after every step of the loop (tests interrupt at a chosen step through it). */
  afterStep?(step: number, interrupt: InterruptWatch): void;
  /** Use this watch instead of one listening for SIGINT/SIGTERM. */
  interrupt?: InterruptWatch;
  /** Show progress here instead of on the terminal (the library's onProgress). */
  progress?: Progress;
  /** Each epoch's metrics row as it is written. */
  onEpoch?(row: MetricRow): void;
}

/** The error a Ctrl-C (or another stop signal, with its exit code) ends a run with: where it stopped and how to continue. */
export function interruptedAt(where: string, checkpoint: string, exitCode = 130): InterruptedError {
  return new InterruptedError(`Training interrupted ${where}. Checkpoint: ${checkpoint}\nResume with: mopo <same overrides> checkpoint.resume_from=${checkpoint}`, exitCode);
}
