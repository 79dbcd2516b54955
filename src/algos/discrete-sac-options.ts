/**
 * Discrete SAC's settings: SAC's, under the same config keys (so `algo=mopo` takes
 * `algo.learner=discrete_sac` with nothing else to add), less the Gaussian's log-std
 * clamp; the shared ones (polyak, target_update_interval, max_grad_norm) mean what they
 * mean for SAC. Defaults are SAC's (sac-options.ts) except the target entropy: a categorical
 * policy over n actions has entropy in [0, log n], and null here means
 * 0.98·log n (Christodoulou 2019), not SAC's −|A|.
 */
import { LR_SCHEDULES, type LrSchedule } from '../nn/lr-schedule.js';
import { actorCriticFields, offPolicyFields, targetRateRelation } from './actor-critic-options.js';
import { flag, nullable, number, oneOf, OptionsSchema, requireSizes, type Values } from './option-schema.js';

/** Christodoulou's target entropy: this share of the largest, log n. */
export const TARGET_ENTROPY_SHARE = 0.98;

export const DISCRETE_SAC_SETTINGS = new OptionsSchema('DiscreteSacOptions', {
  ...actorCriticFields({ actorLr: 3e-4, criticLr: 3e-4 }),
  ...offPolicyFields({ maxGradNorm: null }),
  /** Initial temperature α (log α starts at its log). */
  initialAlpha: number('alpha.alpha', 1, { above: 0 }),
  /** Learn log α towards the target entropy. */
  learnAlpha: flag('alpha.learnable', true),
  alphaLr: number('alpha.optimizer.lr', 3e-4, { above: 0 }),
  /** In nats; null → 0.98·log n. */
  targetEntropy: nullable(number('alpha.target_entropy', 0, { min: 0 })),
  /** The largest α the losses use; null: no cap. Learning log α is unaffected. */
  alphaMax: nullable(number('alpha.max', 1, { above: 0 })),
  actorLrSchedule: oneOf<LrSchedule>('actor.optimizer.schedule', 'constant', LR_SCHEDULES),
  criticLrSchedule: oneOf<LrSchedule>('critic.optimizer.schedule', 'constant', LR_SCHEDULES),
  alphaLrSchedule: oneOf<LrSchedule>('alpha.optimizer.schedule', 'constant', LR_SCHEDULES),
}, [targetRateRelation()]);

export type DiscreteSacSettings = Values<typeof DISCRETE_SAC_SETTINGS.fields>;

export interface DiscreteSacOptions extends Partial<DiscreteSacSettings> {
  observationSize: number;
  /** n: the env's actions are the indices 0 … n − 1. */
  actionCount: number;
  /** Seeds the initial weights. Default 0. */
  seed?: number;
}

export type ResolvedDiscreteSacOptions = Omit<DiscreteSacSettings, 'targetEntropy'> & { observationSize: number; actionCount: number; seed: number; targetEntropy: number };

export function resolveDiscreteSacOptions(options: DiscreteSacOptions): ResolvedDiscreteSacOptions {
  const { observationSize, actionCount, seed = 0, ...given } = options;
  requireSizes('DiscreteSacOptions', { observationSize, actionCount });
  const settings = DISCRETE_SAC_SETTINGS.resolve(given);
  return { observationSize, actionCount, ...settings, targetEntropy: settings.targetEntropy ?? TARGET_ENTROPY_SHARE * Math.log(actionCount), seed };
}
