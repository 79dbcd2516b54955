/** MOPO's dynamics ensemble: fitting, prediction, penalised model steps. */
export { DynamicsEnsemble, type EnsembleMeta, type EnsemblePrediction, type ModelStep } from './dynamics-ensemble.js';
export { ENSEMBLE_SETTINGS, PENALTY_KINDS, resolveEnsembleOptions, type EnsembleOptions, type EnsembleSettings, type PenaltyKind, type ResolvedEnsembleOptions } from './ensemble-options.js';
export { type DynamicsData, type EpochInfo, type FitCallbacks, type FitResult } from './fit.js';
export { uncertainty, type PredictionBlock } from './penalty.js';
export { Standardiser } from './standardiser.js';
