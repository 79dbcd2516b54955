/**
 * SAC's settings. Defaults follow mopo-facts (and configs/algo/sac.yaml): 2×256 ReLU
 * networks, learning rates 3e-4, γ = 0.99, τ = 0.005, log-std clamped to (−5, 2),
 * learned temperature starting at α = 1 with target entropy −|A|.
 */
import { requirePositiveIntegers } from './option-checks.js';

export interface SacOptions {
  observationSize: number;
  actionSize: number;
  /** Discount γ. Default 0.99. */
  gamma?: number;
  /** Polyak rate of the target critics. Default 0.005. */
  tau?: number;
  /** Default 256. */
  actorHiddenSize?: number;
  /** Hidden layers of the actor. Default 2. */
  actorLayers?: number;
  /** Default 3e-4. */
  actorLr?: number;
  /** Default 256. */
  criticHiddenSize?: number;
  /** Hidden layers of each critic. Default 2. */
  criticLayers?: number;
  /** Default 3e-4. */
  criticLr?: number;
  /** Clamp of the policy's log-std. Defaults −5 and 2. */
  logStdMin?: number;
  logStdMax?: number;
  /** Initial temperature α (log α starts at its log). Default 1. */
  initialAlpha?: number;
  /** Learn log α towards the target entropy. Default true. */
  learnAlpha?: boolean;
  /** Default 3e-4. */
  alphaLr?: number;
  /** Default (null or absent) −|A|. */
  targetEntropy?: number | null;
  /** Seeds the initial weights and the policy noise of the updates. Default 0. */
  seed?: number;
}

export type ResolvedSacOptions = Required<Omit<SacOptions, 'targetEntropy'>> & { targetEntropy: number };

export function resolveSacOptions(options: SacOptions): ResolvedSacOptions {
  const resolved: ResolvedSacOptions = {
    observationSize: options.observationSize,
    actionSize: options.actionSize,
    gamma: options.gamma ?? 0.99,
    tau: options.tau ?? 0.005,
    actorHiddenSize: options.actorHiddenSize ?? 256,
    actorLayers: options.actorLayers ?? 2,
    actorLr: options.actorLr ?? 3e-4,
    criticHiddenSize: options.criticHiddenSize ?? 256,
    criticLayers: options.criticLayers ?? 2,
    criticLr: options.criticLr ?? 3e-4,
    logStdMin: options.logStdMin ?? -5,
    logStdMax: options.logStdMax ?? 2,
    initialAlpha: options.initialAlpha ?? 1,
    learnAlpha: options.learnAlpha ?? true,
    alphaLr: options.alphaLr ?? 3e-4,
    targetEntropy: options.targetEntropy ?? -options.actionSize,
    seed: options.seed ?? 0,
  };
  requirePositiveIntegers('SacOptions', resolved, ['observationSize', 'actionSize', 'actorHiddenSize', 'actorLayers', 'criticHiddenSize', 'criticLayers']);
  if (!(resolved.logStdMin < resolved.logStdMax)) throw new RangeError('SacOptions.logStdMin must be below logStdMax');
  if (!(resolved.initialAlpha > 0)) throw new RangeError('SacOptions.initialAlpha must be positive');
  return resolved;
}
