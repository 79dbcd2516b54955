/**
 * Settings of the MOPO dynamics ensemble. Defaults are the model in mopo-facts.md
 * (and configs/algo/mopo.yaml `algo.ensembles`): 7 members, 5 elites, 4×200 swish,
 * Adam 1e-3, batch 256, weight decay per layer, early stop after 5 epochs without a
 * 1 % holdout improvement.
 */
import { ConfigError } from '../../errors.js';
import { integer, nullable, number, numberList, oneOf, OptionsSchema, requireSizes, type Values } from '../option-schema.js';

export const PENALTY_KINDS = ['std_norm', 'disagreement', 'ensemble_std'] as const;
export type PenaltyKind = (typeof PENALTY_KINDS)[number];

/** The ensemble's settings under `algo.ensembles` (keys as in torch-mopo's config). */
export const ENSEMBLE_SETTINGS = new OptionsSchema(
  'EnsembleOptions',
  {
    members: integer('num_ensembles', 7, { min: 1 }),
    /** Members used to sample rollouts. */
    elites: integer('num_elites', 5, { min: 1 }),
    hiddenSize: integer('hidden_size', 200, { min: 1 }),
    /** Hidden layers. */
    layers: integer('num_layers', 4, { min: 1 }),
    /**
     * u(s,a) for the reward penalty. `std_norm` (the paper): max over all members of
     * ‖σᵢ‖₂ over next-observation and reward. `disagreement`: max over members of
     * ‖μᵢ − mean μ‖₂ over next-observation means. `ensemble_std`: the root-mean over
     * observation dimensions of the members' variance of μ.
     */
    penalty: oneOf<PenaltyKind>('penalty', 'std_norm', PENALTY_KINDS),
    /** λ in r̃ = r − λ·u(s,a). */
    penaltyCoef: number('penalty_coef', 1, { min: 0 }),
    /** Minibatch per member. */
    batchSize: integer('batch_size', 256, { min: 1 }),
    /** Stop after this many epochs; null trains until early stopping. */
    maxEpochs: nullable(integer('max_epochs', 1, { min: 1 })),
    /** Stop after this many epochs in which no member improved its holdout MSE by more than the threshold. */
    maxEpochsSinceUpdate: integer('max_epochs_since_update', 5, { min: 1 }),
    /** Relative holdout improvement that counts as one. */
    improvementThreshold: number('improvement_threshold', 0.01, { min: 0 }),
    /** Adam learning rate. */
    lr: number('optimizer.lr', 1e-3, { above: 0 }),
    /** Per layer, hidden then output: wd in wd·ΣW²/2. */
    weightDecays: numberList('optimizer.weight_decays', [2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4], { min: 0 }),
    /** Coefficient of Σ max_logvar − Σ min_logvar in the loss. */
    logvarBoundCoef: number('logvar_bound_coef', 0.01, { min: 0 }),
  },
  [
    { key: 'elites', holds: (o) => o.elites <= o.members, message: (o, name) => `${o.elites} elites exceed ${name('members')} (${o.members})` },
    {
      key: 'weightDecays',
      holds: (o) => o.weightDecays.length === o.layers + 1,
      message: (o, name) => `needs ${o.layers + 1} values (one per hidden layer of ${name('layers')} = ${o.layers}, and the output), got ${o.weightDecays.length}`,
    },
  ],
);

export type EnsembleSettings = Values<typeof ENSEMBLE_SETTINGS.fields>;

export interface EnsembleOptions extends Partial<EnsembleSettings> {
  observationSize: number;
  actionSize: number;
  /**
   * n of a discrete action space: each action row holds one index, which the networks
   * take one-hot (n inputs; see action-input.ts). null or absent: box actions, as they are.
   */
  actionCount?: number | null;
  /** Holdout share of the data, capped by maxHoldout (the config's env.validation_split and env.max_validation_size). Defaults 0.2 and 1000. */
  holdoutRatio?: number;
  maxHoldout?: number;
  /** Seeds initial weights, the holdout split and the bootstrap. Default 0. */
  seed?: number;
}

export type ResolvedEnsembleOptions = EnsembleSettings & {
  observationSize: number;
  actionSize: number;
  actionCount: number | null;
  holdoutRatio: number;
  maxHoldout: number;
  seed: number;
};

export function resolveEnsembleOptions(options: EnsembleOptions): ResolvedEnsembleOptions {
  const { observationSize, actionSize, actionCount = null, holdoutRatio = 0.2, maxHoldout = 1000, seed = 0, ...given } = options;
  requireSizes('EnsembleOptions', { observationSize, actionSize, ...(actionCount === null ? {} : { actionCount }) });
  if (actionCount !== null && actionSize !== 1) throw new ConfigError(`EnsembleOptions.actionSize must be 1 (one index a row) with actionCount ${actionCount}, got ${actionSize}.`);
  // Without weight decays given, a non-default depth gets none (the defaults are per layer of 4).
  const layers = given.layers ?? ENSEMBLE_SETTINGS.fields.layers.defaultValue;
  if (given.weightDecays === undefined && layers !== ENSEMBLE_SETTINGS.fields.layers.defaultValue) given.weightDecays = Array<number>(layers + 1).fill(0);
  return { observationSize, actionSize, actionCount, ...ENSEMBLE_SETTINGS.resolve(given), holdoutRatio, maxHoldout, seed };
}
