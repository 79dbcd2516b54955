/**
 * SAC's settings. Defaults follow mopo-facts (and configs/algo/sac.yaml, which a test
 * keeps equal to them): 2×256 ReLU networks, learning rates 3e-4, γ = 0.99,
 * τ = 0.005, log-std clamped to (−5, 2), learned temperature starting at α = 1 with
 * target entropy −|A|; targets moved every update and no gradient clipping, as the SAC
 * papers' code (pytorchrl clips at 0.5: `algo.max_grad_norm=0.5` does the same here).
 */
import { actorCriticFields, offPolicyFields, targetRateRelation } from './actor-critic-options.js';
import { LR_SCHEDULES, type LrSchedule } from '../nn/lr-schedule.js';
import { flag, nullable, number, oneOf, OptionsSchema, requireSizes, type Values } from './option-schema.js';

export const SAC_SETTINGS = new OptionsSchema(
  'SacOptions',
  {
    ...actorCriticFields({ actorLr: 3e-4, criticLr: 3e-4 }),
    ...offPolicyFields({ maxGradNorm: null }),
    /** Clamp of the policy's log-std. */
    logStdMin: number('actor.log_std_min', -5),
    logStdMax: number('actor.log_std_max', 2),
    /** Initial temperature α (log α starts at its log). */
    initialAlpha: number('alpha.alpha', 1, { above: 0 }),
    /** Learn log α towards the target entropy. */
    learnAlpha: flag('alpha.learnable', true),
    alphaLr: number('alpha.optimizer.lr', 3e-4, { above: 0 }),
    /** null → −|A|. */
    targetEntropy: nullable(number('alpha.target_entropy', 0)),
    /** The largest α the losses use (OfflineRL-Kit clamps it at 1); null: no cap. Learning log α is unaffected. */
    alphaMax: nullable(number('alpha.max', 1, { above: 0 })),
    /** How each learning rate moves over the run: constant, or cosine annealing to 0 (OfflineRL-Kit's actor). */
    actorLrSchedule: oneOf<LrSchedule>('actor.optimizer.schedule', 'constant', LR_SCHEDULES),
    criticLrSchedule: oneOf<LrSchedule>('critic.optimizer.schedule', 'constant', LR_SCHEDULES),
    alphaLrSchedule: oneOf<LrSchedule>('alpha.optimizer.schedule', 'constant', LR_SCHEDULES),
  },
  [
    {
      key: 'logStdMin',
      holds: (o) => o.logStdMin < o.logStdMax,
      message: (o, name) => `${o.logStdMin} must be below ${name('logStdMax')} (${o.logStdMax})`,
    },
    targetRateRelation(),
  ],
);

export type SacSettings = Values<typeof SAC_SETTINGS.fields>;

export interface SacOptions extends Partial<SacSettings> {
  observationSize: number;
  actionSize: number;
  /** Seeds the initial weights and the policy noise of the updates. Default 0. */
  seed?: number;
}

export type ResolvedSacOptions = Omit<SacSettings, 'targetEntropy'> & { observationSize: number; actionSize: number; seed: number; targetEntropy: number };

export function resolveSacOptions(options: SacOptions): ResolvedSacOptions {
  const { observationSize, actionSize, seed = 0, ...given } = options;
  requireSizes('SacOptions', { observationSize, actionSize });
  const settings = SAC_SETTINGS.resolve(given);
  return { observationSize, actionSize, ...settings, targetEntropy: settings.targetEntropy ?? -actionSize, seed };
}
