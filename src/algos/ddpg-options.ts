/**
 * DDPG's settings and where each default comes from.
 *
 * "Seed" is the pytorchrl documentation in ../shared/seeds/pytorchrl-off-policy.txt:
 * `DDPG.create_factory(lr_q=0.001, lr_pi=0.0001, gamma=0.99, polyak=0.995, num_updates=50,
 * test_every=5000, update_every=50, start_steps=1000, max_grad_norm=0.5,
 * mini_batch_size=64, num_test_episodes=5, target_update_interval=1.0)`. Where the seed
 * is silent we take Lillicrap et al. 2015 (arXiv 1509.02971) or Fujimoto's DDPG code.
 *
 * Where the seed disagrees with itself: its docstring example and the DDPG class's own
 * defaults use lr_q = 1e-4 (and the class start_steps = 20000). We follow create_factory,
 * what a pytorchrl user gets; lr_q 1e-3 with lr_pi 1e-4 is also the paper's pair.
 *
 * Loop-level seed defaults that belong to the online trainer, not to this learner:
 * mini_batch_size 64, num_updates 50, update_every 50, start_steps 1000,
 * test_every 5000, num_test_episodes 5. target_update_interval = 1: targets move
 * every update, as here.
 *
 * Gradient clipping: the seed's max_grad_norm = 0.5 is `algo.max_grad_norm=0.5` here; the
 * default null does not clip, as Fujimoto's DDPG code and our SAC. Not implemented: the paper's
 * own τ = 0.001, L2 weight decay 1e-2 on the critic and 400-300 networks: the seed's
 * values (and SAC's network size) win over them.
 *
 * Learning rates: actor 1e-4 (seed lr_pi; the paper 1e-4), critic 1e-3 (seed
 * create_factory lr_q; its example and class default 1e-4; the paper 1e-3).
 */
import { actorCriticFields, offPolicyFields, targetRateRelation } from './actor-critic-options.js';
import { number, OptionsSchema, requireSizes, type Values } from './option-schema.js';

export const DDPG_SETTINGS = new OptionsSchema('DdpgOptions', {
  ...actorCriticFields({ actorLr: 1e-4, criticLr: 1e-3 }),
  ...offPolicyFields({ maxGradNorm: null }),
  /**
   * σ of the Gaussian exploration noise of `act` (pytorchrl's Normal noise std, as
   * Fujimoto's DDPG; the paper used Ornstein–Uhlenbeck noise with σ = 0.2).
   */
  explorationNoise: number('exploration_noise', 0.1, { min: 0 }),
}, [targetRateRelation()]);

export type DdpgSettings = Values<typeof DDPG_SETTINGS.fields>;

export interface DdpgOptions extends Partial<DdpgSettings> {
  observationSize: number;
  actionSize: number;
  /** Seeds the initial weights. Default 0. */
  seed?: number;
}

export type ResolvedDdpgOptions = DdpgSettings & { observationSize: number; actionSize: number; seed: number };

export function resolveDdpgOptions(options: DdpgOptions): ResolvedDdpgOptions {
  const { observationSize, actionSize, seed = 0, ...given } = options;
  requireSizes('DdpgOptions', { observationSize, actionSize });
  return { observationSize, actionSize, ...DDPG_SETTINGS.resolve(given), seed };
}
