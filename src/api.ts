/**
 * mopo from code, as d3rlpy's users script it: the same work as the commands, taking
 * the same overrides (`train` is `mopo`, `evaluate` is `mopo-eval`, `collect` is
 * `mopo-collect`), with an env object or factory instead of an id if you like, and
 * progress through a callback instead of bars.
 *
 *   import { train, evaluate, loadPolicy } from 'mopo';
 *   const run = await train({ overrides: ['exp=quickstart', 'seed=1'] });
 *   const policy = await loadPolicy(run.checkpoint);
 *   const action = policy.act(observation);
 */
import { createRepository, JobConfig } from './config/job-config.js';
import { launchJob } from './cli/launch.js';
import { collectFromConfig } from './cli/mopo-collect.js';
import { checkTrainingConfig, readAlgoChoice } from './train/algo-choice.js';
import { readCheckpoint } from './train/checkpoint.js';
import { evaluateCheckpointFile, type CheckpointEvaluation } from './train/checkpoint-evaluation.js';
import { envSourceFromCode } from './train/env-source.js';
import type { EvaluationResult } from './train/evaluate.js';
import type { TrainResult } from './train/frame.js';
import { InterruptWatch } from './train/interrupt.js';
import { loadLoop } from './train/loops.js';
import type { MetricRow } from './train/metrics.js';
import { loadPolicy as loadCheckpointPolicy } from './train/policy-loader.js';
import type { BarInfo, Progress } from './train/progress.js';
import type { ScoreProtocols } from './train/score-protocols.js';
import { Rng } from './util/rng.js';

export type ProgressEvent =
  | { type: 'log'; line: string }
  | { type: 'epoch'; row: MetricRow }
  | { type: 'progress'; label: string; value: number; total: number | null; info: Record<string, string | number> };

export interface TrainOptions {
  /** As on the command line: `['exp=quickstart', 'algo.h=3', 'seed=1']`. */
  overrides?: string[];
  /** An extra directory of configs, as `--config-dir` (your own exp/*.yaml). */
  configDir?: string;
  /**
   * Your environment instead of the config's: a class or factory that makes one, or an
   * env object (offline training only). Its shape: README "Your own environment".
   */
  env?: unknown;
  /** Each log line, progress update and epoch row; when given, nothing is printed. */
  onProgress?(event: ProgressEvent): void;
  /** Aborting it stops the run as Ctrl-C does: a checkpoint is saved and train() rejects. */
  signal?: AbortSignal;
}

export interface TrainedRun extends TrainResult {
  runDir: string;
  /** The epoch rows of metrics.csv. */
  metrics: MetricRow[];
  /** The final policy, ready to act; call dispose() when done. */
  policy: Policy;
}

export async function train(options: TrainOptions = {}): Promise<TrainedRun> {
  const job = JobConfig.compose(createRepository(options.configDir ? { configDir: options.configDir } : {}), { overrides: options.overrides ?? [] });
  const env = options.env === undefined ? undefined : await envSourceFromCode(options.env);
  checkTrainingConfig(job.view(), { envInCode: env !== undefined });
  const report = options.onProgress;
  const log = (line: string) => (report ? report({ type: 'log', line }) : console.log(line));
  const watch = new InterruptWatch(log, false);
  const stop = () => watch.request('aborted');
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop);
  const epochs: MetricRow[] = [];
  let result: TrainResult | undefined;
  try {
    const runDir = await launchJob(
      job,
      async ({ config, runDir }) => {
        const loop = await loadLoop(readAlgoChoice(config).loop);
        result = await loop(
          { config, runDir, ...(env ? { env } : {}) },
          { interrupt: watch, ...(report ? { progress: callbackProgress(report) } : {}), onEpoch: (row) => (epochs.push(row), report?.({ type: 'epoch', row })) },
        );
      },
      log,
    );
    return { ...result!, runDir, metrics: epochs, policy: await loadPolicy(result!.checkpoint) };
  } finally {
    options.signal?.removeEventListener('abort', stop);
    watch.dispose();
  }
}

export interface EvaluateOptions {
  /** A checkpoint directory, or a run directory for its newest checkpoint. */
  checkpoint: string;
  /** As for mopo-eval: `['eval.episodes=20', 'eval.seed=7']`. */
  overrides?: string[];
  /** The env, when the run was trained with one given in code. */
  env?: unknown;
}

export async function evaluate(options: EvaluateOptions): Promise<{ result: EvaluationResult; scoreId: string; report: CheckpointEvaluation['report'] }> {
  const env = options.env === undefined ? undefined : await envSourceFromCode(options.env);
  const evaluation = await evaluateCheckpointFile(options.checkpoint, options.overrides ?? [], env ? { env } : {});
  return { result: evaluation.result, scoreId: evaluation.scoreId, report: evaluation.report };
}

/** `mopo-collect` from code: `collect({ overrides: ['policy=random', 'env.id=Hopper', 'collect.out=h.hdf5'] })`. */
export async function collect(options: { overrides: string[]; configDir?: string; onLog?(line: string): void }): Promise<{ out: string; summary: string }> {
  const job = JobConfig.compose(createRepository(options.configDir ? { configDir: options.configDir } : {}), { configName: 'collect', overrides: options.overrides });
  return collectFromConfig(job.view(), `collect(${JSON.stringify(options.overrides)})`, options.onLog ?? (() => {}));
}

export interface Policy {
  /** The learner that trained it (`sac`, `td3`, …). */
  learner: string;
  observationSize: number;
  actionSize: number;
  /**
   * Actions for one observation (or rows of them, observationSize numbers each): the
   * policy's best guess, or sampled (`deterministic: false`) with a seeded generator.
   */
  act(observations: ArrayLike<number>, options?: { deterministic?: boolean; seed?: number }): Float32Array;
  dispose(): void;
}

/** The policy of a checkpoint (or of a run directory's newest one), for your own loop. */
export async function loadPolicy(checkpoint: string): Promise<Policy> {
  const { initBackend } = await import('./nn/backend.js');
  await initBackend('auto');
  const loaded = await loadCheckpointPolicy(readCheckpoint(checkpoint));
  let rng = new Rng(0, 31);
  return {
    learner: loaded.learner,
    observationSize: loaded.observationSize,
    actionSize: loaded.actionSize,
    act(observations, options = {}) {
      if (options.seed !== undefined) rng = new Rng(options.seed, 31);
      return loaded.act(Float32Array.from(observations), options.deterministic ?? true, rng);
    },
    dispose: () => loaded.dispose(),
  };
}

export type { ScoreProtocols };

/** Progress updates and log lines handed to a callback instead of a terminal. */
function callbackProgress(report: (event: ProgressEvent) => void): Progress {
  return {
    bars: false,
    // total null: a count without a known end (the dynamics fit without max_epochs).
    bar: (label, total) => ({
      update: (value, info = {}) => report({ type: 'progress', label, value, total, info: shownInfo(info) }),
      stop: () => {},
    }),
    log: (line) => report({ type: 'log', line }),
    stop: () => {},
  };
}

/** The values a bar shows: those that are there and finite. */
function shownInfo(info: BarInfo): Record<string, string | number> {
  return Object.fromEntries(Object.entries(info).filter((e): e is [string, string | number] => e[1] !== null && e[1] !== undefined && (typeof e[1] !== 'number' || Number.isFinite(e[1]))));
}
