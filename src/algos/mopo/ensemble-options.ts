/**
 * Settings of the MOPO dynamics ensemble. Defaults are the model in mopo-facts.md
 * (and configs/algo/mopo.yaml `algo.ensembles`): 7 members, 5 elites, 4×200 swish,
 * Adam 1e-3, batch 256, weight decay per layer, early stop after 5 epochs without a
 * 1 % holdout improvement.
 */
import { requirePositiveIntegers } from '../option-checks.js';

export type PenaltyKind = 'std_norm' | 'disagreement' | 'ensemble_std';

export interface EnsembleOptions {
  observationSize: number;
  actionSize: number;
  /** `num_ensembles`. Default 7. */
  members?: number;
  /** `num_elites`: members used to sample rollouts. Default 5. */
  elites?: number;
  /** Default 200. */
  hiddenSize?: number;
  /** Hidden layers. Default 4. */
  layers?: number;
  /**
   * u(s,a) for the reward penalty. `std_norm` (default, the paper): max over all
   * members of ‖σᵢ‖₂ over next-observation and reward. `disagreement`: max over
   * members of ‖μᵢ − mean μ‖₂ over next-observation means. `ensemble_std`: the
   * root-mean over observation dimensions of the members' variance of μ.
   */
  penalty?: PenaltyKind;
  /** λ in r̃ = r − λ·u(s,a). Default 1. */
  penaltyCoef?: number;
  /** Minibatch per member. Default 256. */
  batchSize?: number;
  /** Stop after this many epochs; null (default) trains until early stopping. */
  maxEpochs?: number | null;
  /** Stop after this many epochs in which no member improved its holdout MSE by > 1 %. Default 5. */
  maxEpochsSinceUpdate?: number;
  /** Relative holdout improvement that counts as one. Default 0.01. */
  improvementThreshold?: number;
  /** Adam learning rate. Default 1e-3. */
  lr?: number;
  /** Per layer, hidden then output: wd in wd·ΣW²/2. Default 2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4. */
  weightDecays?: readonly number[];
  /** Coefficient of Σ max_logvar − Σ min_logvar in the loss. Default 0.01. */
  logvarBoundCoef?: number;
  /** Holdout share of the data, capped by maxHoldout. Defaults 0.2 and 1000. */
  holdoutRatio?: number;
  maxHoldout?: number;
  /** Seeds initial weights, the holdout split and the bootstrap. Default 0. */
  seed?: number;
}

export type ResolvedEnsembleOptions = Required<Omit<EnsembleOptions, 'weightDecays' | 'maxEpochs'>> & {
  weightDecays: number[];
  maxEpochs: number | null;
};

const DEFAULT_WEIGHT_DECAYS = [2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4];

export function resolveEnsembleOptions(options: EnsembleOptions): ResolvedEnsembleOptions {
  const layers = options.layers ?? 4;
  const resolved: ResolvedEnsembleOptions = {
    observationSize: options.observationSize,
    actionSize: options.actionSize,
    members: options.members ?? 7,
    elites: options.elites ?? 5,
    hiddenSize: options.hiddenSize ?? 200,
    layers,
    penalty: options.penalty ?? 'std_norm',
    penaltyCoef: options.penaltyCoef ?? 1,
    batchSize: options.batchSize ?? 256,
    maxEpochs: options.maxEpochs ?? null,
    maxEpochsSinceUpdate: options.maxEpochsSinceUpdate ?? 5,
    improvementThreshold: options.improvementThreshold ?? 0.01,
    lr: options.lr ?? 1e-3,
    weightDecays: [...(options.weightDecays ?? (layers === 4 ? DEFAULT_WEIGHT_DECAYS : Array(layers + 1).fill(0)))],
    logvarBoundCoef: options.logvarBoundCoef ?? 0.01,
    holdoutRatio: options.holdoutRatio ?? 0.2,
    maxHoldout: options.maxHoldout ?? 1000,
    seed: options.seed ?? 0,
  };
  requirePositiveIntegers('EnsembleOptions', resolved, ['observationSize', 'actionSize', 'members', 'elites', 'hiddenSize', 'layers', 'batchSize', 'maxEpochsSinceUpdate']);
  if (resolved.elites > resolved.members) throw new RangeError(`EnsembleOptions.elites (${resolved.elites}) exceeds members (${resolved.members})`);
  if (resolved.weightDecays.length !== layers + 1) {
    throw new RangeError(`EnsembleOptions.weightDecays needs ${layers + 1} values (hidden layers + output), got ${resolved.weightDecays.length}`);
  }
  if (!['std_norm', 'disagreement', 'ensemble_std'].includes(resolved.penalty)) throw new RangeError(`Unknown penalty "${resolved.penalty}"`);
  return resolved;
}
