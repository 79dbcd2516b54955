/**
 * The typed options a MOPO run needs, read from the resolved config. This is where a
 * wrong value is caught before any work starts, with a message naming its key.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import type { ConfigView } from '../config/access.js';
import { ConfigError } from '../errors.js';

export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];
export const PENALTIES = ['std_norm', 'disagreement'] as const;
export type PenaltyKind = (typeof PENALTIES)[number];

export interface EnvOptions {
  id: string;
  datasetPath: string | null;
  datasetDir: string;
  baseUrl: string;
  validationSplit: number;
  maxValidationSize: number;
  maxEpisodeSteps: number;
}

export interface SacConfig {
  gamma: number;
  tau: number;
  batchSize: number;
  actorHiddenSize: number;
  actorLayers: number;
  actorLr: number;
  logStdMin: number;
  logStdMax: number;
  criticHiddenSize: number;
  criticLayers: number;
  criticLr: number;
  initialAlpha: number;
  learnAlpha: boolean;
  alphaLr: number;
  /** null → −|A|. */
  targetEntropy: number | null;
}

export interface EnsembleConfig {
  members: number;
  elites: number;
  hiddenSize: number;
  layers: number;
  penalty: PenaltyKind;
  penaltyCoef: number;
  batchSize: number;
  maxEpochs: number | null;
  maxEpochsSinceUpdate: number;
  lr: number;
  weightDecays: number[];
}

export interface MopoConfig {
  totalSteps: number;
  numEpochs: number;
  stepsPerEpoch: number;
  h: number;
  rolloutFreq: number;
  rolloutBatchSize: number;
  modelRetainEpochs: number;
  realRatio: number;
  sac: SacConfig;
  ensemble: EnsembleConfig;
}

export interface RunOptions {
  seed: number;
  backend: BackendChoice;
  /** Compute worker threads: 'auto' (one per extra core) or a count. */
  threads: number | 'auto';
  expName: string;
  checkpoint: { every: number; keepLast: number | null; resumeFrom: string | null };
  metric: { logEvery: number; progress: 'auto' | 'bars' | 'lines' };
  eval: { every: number; episodes: number; deterministic: boolean; seed: number };
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
    },
  };
}

export function readEnvOptions(config: ConfigView): EnvOptions {
  const env = config.at('env');
  return {
    id: env.string('id'),
    datasetPath: env.optional('dataset_path', (k) => expandHome(env.string(k))),
    datasetDir: expandHome(env.string('dataset_dir')),
    baseUrl: env.string('base_url'),
    validationSplit: env.number('validation_split', { min: 0, max: 0.9 }),
    maxValidationSize: env.int('max_validation_size', { min: 0 }),
    maxEpisodeSteps: env.int('max_episode_steps', { min: 1 }),
  };
}

/** What every actor-critic learner reads: discount, Polyak rate, both networks' sizes and learning rates. */
export function readActorCriticConfig(config: ConfigView) {
  const algo = config.at('algo');
  return {
    gamma: algo.number('gamma', { min: 0, max: 1 }),
    tau: algo.number('tau', { above: 0, max: 1 }),
    actorHiddenSize: algo.int('actor.hidden_size', { min: 1 }),
    actorLayers: algo.int('actor.num_layers', { min: 1 }),
    actorLr: algo.number('actor.optimizer.lr', { above: 0 }),
    criticHiddenSize: algo.int('critic.hidden_size', { min: 1 }),
    criticLayers: algo.int('critic.num_layers', { min: 1 }),
    criticLr: algo.number('critic.optimizer.lr', { above: 0 }),
  };
}

export function readSacConfig(config: ConfigView): SacConfig {
  const algo = config.at('algo');
  return {
    ...readActorCriticConfig(config),
    batchSize: algo.int('per_rank_batch_size', { min: 1 }),
    logStdMin: algo.number('actor.log_std_min'),
    logStdMax: algo.number('actor.log_std_max'),
    initialAlpha: algo.number('alpha.alpha', { above: 0 }),
    learnAlpha: algo.bool('alpha.learnable'),
    alphaLr: algo.number('alpha.optimizer.lr', { above: 0 }),
    targetEntropy: algo.optional('alpha.target_entropy', (k) => algo.number(k)),
  };
}

export function readMopoConfig(config: ConfigView): MopoConfig {
  const algo = config.at('algo');
  const ens = algo.at('ensembles');
  const totalSteps = algo.int('total_steps', { min: 1 });
  const numEpochs = algo.int('num_epochs', { min: 1, max: totalSteps });
  const layers = ens.int('num_layers', { min: 1 });
  const members = ens.int('num_ensembles', { min: 1 });
  const sac = readSacConfig(config);
  if (sac.logStdMin >= sac.logStdMax) throw new ConfigError(`algo.actor.log_std_min (${sac.logStdMin}) must be below algo.actor.log_std_max (${sac.logStdMax}).`);
  return {
    totalSteps,
    numEpochs,
    stepsPerEpoch: Math.floor(totalSteps / numEpochs),
    h: algo.int('h', { min: 1 }),
    rolloutFreq: algo.int('rollout_freq', { min: 1 }),
    rolloutBatchSize: algo.int('rollout_batch_size', { min: 1 }),
    modelRetainEpochs: algo.int('model_retain_epochs', { min: 1 }),
    realRatio: algo.number('real_ratio', { min: 0, max: 1 }),
    sac,
    ensemble: {
      members,
      elites: ens.int('num_elites', { min: 1, max: members }),
      hiddenSize: ens.int('hidden_size', { min: 1 }),
      layers,
      penalty: ens.oneOf('penalty', PENALTIES),
      penaltyCoef: ens.number('penalty_coef', { min: 0 }),
      batchSize: ens.int('batch_size', { min: 1 }),
      maxEpochs: ens.optional('max_epochs', (k) => ens.int(k, { min: 1 })),
      maxEpochsSinceUpdate: ens.int('max_epochs_since_update', { min: 1 }),
      lr: ens.number('optimizer.lr', { above: 0 }),
      weightDecays: ens.numberList('optimizer.weight_decays', { min: 0, length: layers + 1 }),
    },
  };
}

export function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? path.join(homedir(), p.slice(2)) : p;
}

export interface OnlineConfig {
  /** Environment steps in total. */
  totalSteps: number;
  /** Uniformly random actions for this many first steps. */
  startSteps: number;
  /** Environment steps between update phases. */
  updateEvery: number;
  /** Gradient steps per update phase. */
  numUpdates: number;
  bufferSize: number;
  batchSize: number;
  /** Environment steps between evaluations (one metrics row and "epoch" each). */
  testEvery: number;
  /** Stop once the evaluation return reaches this (null: never). */
  targetReturn: number | null;
}

export function readOnlineConfig(config: ConfigView): OnlineConfig {
  const algo = config.at('algo');
  return {
    totalSteps: algo.int('total_steps', { min: 1 }),
    startSteps: algo.int('start_steps', { min: 0 }),
    updateEvery: algo.int('update_every', { min: 1 }),
    numUpdates: algo.int('num_updates', { min: 0 }),
    bufferSize: algo.int('buffer_size', { min: 1 }),
    batchSize: algo.int('per_rank_batch_size', { min: 1 }),
    testEvery: algo.int('test_every', { min: 1 }),
    targetReturn: algo.optional('target_return', (k) => algo.number(k)),
  };
}

/** An environment to interact with (online training, collection): its id and time limit. */
export function readGymEnvOptions(config: ConfigView): { id: string; maxEpisodeSteps: number } {
  const env = config.at('env');
  return { id: env.string('id'), maxEpisodeSteps: env.int('max_episode_steps', { min: 1 }) };
}
