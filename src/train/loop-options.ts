/**
 * The training loops' own settings, as schemas (config keys under `algo.`, defaults,
 * rules) so that they are checked in one place, before any work starts:
 *   online   an environment feeds a replay buffer (pytorchrl's loop);
 *   offline  a fixed dataset, optionally mixed with model rollouts (MOPO's loop).
 */
import type { ConfigView } from '../config/access.js';
import { ENSEMBLE_SETTINGS, type EnsembleSettings } from '../algos/mopo/ensemble-options.js';
import { flag, integer, nullable, number, OptionsSchema, type Values } from '../algos/option-schema.js';
import { actionSpaceName, type ActionSpace } from '../envs/action-space.js';
import { ConfigError } from '../errors.js';
import { expandHome } from './options.js';

export const ONLINE_LOOP = new OptionsSchema('OnlineLoop', {
  /** Environment steps in total. */
  totalSteps: integer('total_steps', 200_000, { min: 1 }),
  /** Uniformly random actions for this many first steps. */
  startSteps: integer('start_steps', 1000, { min: 0 }),
  /** Environment steps between update phases. */
  updateEvery: integer('update_every', 50, { min: 1 }),
  /** Gradient steps per update phase. */
  numUpdates: integer('num_updates', 50, { min: 0 }),
  bufferSize: integer('buffer_size', 1_000_000, { min: 1 }),
  batchSize: integer('per_rank_batch_size', 256, { min: 1 }),
  /** Environment steps between evaluations (one metrics row and "epoch" each). */
  testEvery: integer('test_every', 5000, { min: 1 }),
  /** Stop once the evaluation return reaches this (null: never). */
  targetReturn: nullable(number('target_return', 0)),
});
export type OnlineLoopOptions = Values<typeof ONLINE_LOOP.fields>;

export const OFFLINE_LOOP = new OptionsSchema(
  'OfflineLoop',
  {
    /** Gradient steps in total, split evenly into `numEpochs` epochs. */
    totalSteps: integer('total_steps', 1_000_000, { min: 1 }),
    numEpochs: integer('num_epochs', 1000, { min: 1 }),
    batchSize: integer('per_rank_batch_size', 256, { min: 1 }),
  },
  [
    {
      key: 'numEpochs',
      holds: (o) => o.totalSteps % o.numEpochs === 0,
      message: (o, name) => `${o.numEpochs} epochs do not divide ${name('totalSteps')} = ${o.totalSteps} into whole epochs`,
    },
  ],
);
export type OfflineLoopOptions = Values<typeof OFFLINE_LOOP.fields>;

/**
 * How batches are drawn from the replay buffer (online) or the dataset (offline):
 * n-step returns and prioritized replay (pytorchrl's NStepBuffer and PERBuffer).
 */
export const REPLAY_SETTINGS = new OptionsSchema('Replay', {
  /** Steps summed into each transition's return; 1: plain one-step transitions. */
  nStep: integer('n_step', 1, { min: 1 }),
  /** Prioritized experience replay (proportional, with importance weights). */
  per: flag('per', false),
  /** α: how strongly priorities skew the sampling (0: uniform). */
  perAlpha: number('per_alpha', 0.6, { min: 0 }),
  /** β at the start of training, annealed linearly to 1 by its end. */
  perBeta: number('per_beta', 0.4, { min: 0, max: 1 }),
  /** ε added to |δ| so that no row's priority is 0. */
  perEpsilon: number('per_epsilon', 1e-6, { above: 0 }),
});
export type ReplaySettings = Values<typeof REPLAY_SETTINGS.fields>;

/** MOPO's model rollouts (OfflineRL-Kit's and torch-mopo's key names). */
export const ROLLOUT_SETTINGS = new OptionsSchema('ModelRollouts', {
  /** Rollout length. */
  h: integer('h', 5, { min: 1 }),
  /** Gradient steps between two rollouts. */
  rolloutFreq: integer('rollout_freq', 1000, { min: 1 }),
  /** Start states per rollout, sampled from the dataset. */
  rolloutBatchSize: integer('rollout_batch_size', 50_000, { min: 1 }),
  /** The model buffer keeps this many rollouts. */
  modelRetainEpochs: integer('model_retain_epochs', 5, { min: 1 }),
  /** Share of each batch drawn from the dataset; the rest comes from the model buffer. */
  realRatio: number('real_ratio', 0.05, { min: 0, max: 1 }),
  /** d3rlpy's flag: the ensemble takes actions one-hot. null: as the env's action space says. */
  discreteAction: nullable(flag('discrete_action', false)),
});

/**
 * Where the dynamics ensemble comes from: fitted on the dataset with `algo.ensembles`
 * (`algo.dynamics=fit`, MOPO), or loaded from another run or checkpoint
 * (`algo.dynamics=<path>`, d3rlpy's `dynamics=`), its penalty set by `algo.ensembles`.
 */
export type DynamicsSource = { kind: 'fit'; settings: EnsembleSettings } | { kind: 'load'; path: string; penalty: Pick<EnsembleSettings, 'penalty' | 'penaltyCoef'> };

export interface ModelRollouts extends Values<typeof ROLLOUT_SETTINGS.fields> {
  dynamics: DynamicsSource;
}

/** The model-rollout settings of an offline algo, or null when `algo.dynamics` is absent or null. */
export function readModelRollouts(algo: ConfigView): ModelRollouts | null {
  if (!algo.has('dynamics') || algo.isUnset('dynamics')) return null;
  const source = algo.string('dynamics');
  if (source === '') throw new ConfigError(`Invalid value for '${algo.prefix}.dynamics': give 'fit' or the path of a MOPO run or checkpoint (or null for none).`);
  const ensembles = algo.at('ensembles');
  const dynamics: DynamicsSource =
    source === 'fit'
      ? { kind: 'fit', settings: ENSEMBLE_SETTINGS.read(ensembles) }
      : {
          kind: 'load',
          path: expandHome(source),
          penalty: { penalty: ENSEMBLE_SETTINGS.fields.penalty.read(ensembles), penaltyCoef: ENSEMBLE_SETTINGS.fields.penaltyCoef.read(ensembles) },
        };
  return { ...ROLLOUT_SETTINGS.read(algo), dynamics };
}

/**
 * n when the dynamics ensemble takes the env's actions one-hot (a discrete env), null
 * for box actions. `algo.discrete_action` may state it; it must then agree with the env.
 */
export function oneHotActionCount(rollouts: Pick<ModelRollouts, 'discreteAction'>, env: { readonly id: string; readonly actionSpace: ActionSpace }): number | null {
  const discrete = env.actionSpace.kind === 'discrete';
  if (rollouts.discreteAction !== null && rollouts.discreteAction !== discrete) {
    throw new ConfigError(
      `algo.discrete_action=${rollouts.discreteAction}, but env ${env.id} has ${actionSpaceName(env.actionSpace)} actions; ` +
        `set algo.discrete_action=${discrete} or leave it null to follow the env.`,
    );
  }
  return env.actionSpace.kind === 'discrete' ? env.actionSpace.n : null;
}
