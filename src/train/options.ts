/**
 * The typed options every training run reads from the resolved config (seed, backend,
 * checkpoints, metrics, evaluation) and the environment's. Learners and loops read
 * theirs with their own schemas (learner-table.ts, loop-options.ts).
 */
import { homedir } from 'node:os';
import path from 'node:path';
import type { ConfigView } from '../config/access.js';

export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];
export interface EnvOptions {
  /** A registered env or D4RL id; null for a user env (`env.wrapper`). */
  id: string | null;
  datasetPath: string | null;
  /** Where D4RL downloads are cached, and fetched from (D4RL ids only). */
  datasetDir: string | null;
  baseUrl: string | null;
  validationSplit: number;
  maxValidationSize: number;
  /** null: the environment's own time limit. */
  maxEpisodeSteps: number | null;
}

export interface RunOptions {
  seed: number;
  backend: BackendChoice;
  /** Compute worker threads: 'auto' (one per extra core) or a count. */
  threads: number | 'auto';
  expName: string;
  checkpoint: { every: number; keepLast: number | null; keepBest: boolean; modelBuffer: boolean; resumeFrom: string | null };
  metric: { logEvery: number; progress: 'auto' | 'bars' | 'lines' };
  /** `record`: evaluation episodes whose every step is kept for `mopo-view` (0: none). */
  eval: { every: number; episodes: number; deterministic: boolean; seed: number; record: number };
}

export function readRunOptions(config: ConfigView): RunOptions {
  const checkpoint = config.at('checkpoint');
  const metric = config.at('metric');
  const evaluation = config.at('eval');
  const progress = metric.value('progress');
  return {
    seed: config.int('seed', { min: 0 }),
    backend: config.oneOf('backend', BACKENDS),
    threads: config.value('threads') === 'auto' ? 'auto' : config.int('threads', { min: 0, max: 64 }),
    expName: config.has('exp_name') ? String(config.value('exp_name')) : 'run',
    checkpoint: {
      every: checkpoint.int('every', { min: 0 }),
      keepLast: checkpoint.optional('keep_last', (k) => checkpoint.int(k, { min: 1 })),
      // Configs saved by earlier versions (read again by mopo-eval) lack these two keys.
      keepBest: checkpoint.has('keep_best') ? checkpoint.bool('keep_best') : false,
      modelBuffer: checkpoint.has('model_buffer') ? checkpoint.bool('model_buffer') : true,
      resumeFrom: checkpoint.optional('resume_from', (k) => expandHome(checkpoint.string(k))),
    },
    metric: {
      logEvery: metric.int('log_every', { min: 1 }),
      progress: progress === true ? 'bars' : progress === false ? 'lines' : metric.oneOf('progress', ['auto', 'bars', 'lines'] as const),
    },
    eval: {
      every: evaluation.int('every', { min: 0 }),
      episodes: evaluation.int('episodes', { min: 1 }),
      deterministic: evaluation.bool('deterministic'),
      seed: evaluation.int('seed', { min: 0 }),
      // Configs saved before `eval.record` existed have none: record nothing.
      record: evaluation.has('record') ? evaluation.int('record', { min: 0 }) : 0,
    },
  };
}

export function readEnvOptions(config: ConfigView): EnvOptions {
  const env = config.at('env');
  return {
    id: userEnv(env) ? null : env.string('id'),
    datasetPath: env.optional('dataset_path', (k) => expandHome(env.string(k))),
    datasetDir: env.has('dataset_dir') ? expandHome(env.string('dataset_dir')) : null,
    baseUrl: env.has('base_url') ? env.string('base_url') : null,
    validationSplit: env.number('validation_split', { min: 0, max: 0.9 }),
    maxValidationSize: env.int('max_validation_size', { min: 0 }),
    maxEpisodeSteps: env.optional('max_episode_steps', (k) => env.int(k, { min: 1 })),
  };
}

export function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? path.join(homedir(), p.slice(2)) : p;
}

/** An environment to interact with (online training, collection): its id (null for a user env) and time limit. */
export function readGymEnvOptions(config: ConfigView): { id: string | null; maxEpisodeSteps: number | null } {
  const env = config.at('env');
  return { id: userEnv(env) ? null : env.string('id'), maxEpisodeSteps: env.optional('max_episode_steps', (k) => env.int(k, { min: 1 })) };
}

/** Whether the env section names a user env (`env.wrapper._target_`) rather than a registered one. */
function userEnv(env: ConfigView): boolean {
  return env.has('wrapper') && !env.isUnset('wrapper');
}
