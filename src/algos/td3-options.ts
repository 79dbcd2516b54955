/**
 * TD3's settings and where each default comes from.
 *
 * "Seed" is the pytorchrl documentation in ../shared/seeds/pytorchrl-off-policy.txt:
 * `TD3.create_factory(lr_q=0.0001, lr_pi=0.0001, gamma=0.99, polyak=0.995, num_updates=50,
 * test_every=5000, update_every=50, start_steps=1000, max_grad_norm=0.5,
 * mini_batch_size=100, num_test_episodes=5, target_update_interval=1.0)`. Where the seed
 * is silent we take Fujimoto et al. 2018 (arXiv 1802.09477) and their reference code.
 *
 * Where the seed disagrees with itself:
 *   - its docstring example uses lr_q = lr_pi = 1e-3 and target_update_interval = 2;
 *   - the TD3 class's own defaults use mini_batch_size = 64, start_steps = 20000.
 * We follow create_factory (what a pytorchrl user gets) except for the policy delay:
 * the factory's target_update_interval = 1 would not delay anything, which is TD3's
 * third ingredient, so we take the paper's (and the example's) 2.
 *
 * Loop-level seed defaults that belong to the online trainer, not to this learner
 * (it trains on whatever batch it is given): mini_batch_size 100, num_updates 50,
 * update_every 50, start_steps 1000, test_every 5000, num_test_episodes 5.
 *
 * Not implemented: the seed's max_grad_norm = 0.5 (gradient-norm clipping of each
 * optimiser). SAC here does not clip either, nor do the TD3 and DDPG papers' codes;
 * the critics' step lives in critic.ts, which has no clipping hook.
 */
import { requireNonNegative, requirePositiveIntegers, requireTau } from './option-checks.js';

export interface Td3Options {
  observationSize: number;
  actionSize: number;
  /** Discount γ. Default 0.99 (seed gamma). */
  gamma?: number;
  /** Polyak rate of all three targets. Default 0.005 (seed polyak 0.995 = 1 − τ). */
  tau?: number;
  /** Default 256 (2×256 ReLU as SAC and Fujimoto's later code; the paper used 400-300). */
  actorHiddenSize?: number;
  /** Hidden layers of the actor. Default 2. */
  actorLayers?: number;
  /** Default 1e-4 (seed lr_pi; its example 1e-3, the paper 1e-3, Fujimoto's later code 3e-4). */
  actorLr?: number;
  /** Default 256. */
  criticHiddenSize?: number;
  /** Hidden layers of each critic. Default 2. */
  criticLayers?: number;
  /** Default 1e-4 (seed lr_q; its example 1e-3, the paper 1e-3, Fujimoto's later code 3e-4). */
  criticLr?: number;
  /**
   * Critic steps per actor step; the targets move with the actor. Default 2 (paper's d,
   * seed example's target_update_interval; the seed factory's 1 means no delay).
   */
  policyDelay?: number;
  /** σ̃ of the target policy smoothing noise. Default 0.2 (paper; pytorchrl hard-codes 0.2 too). */
  targetNoise?: number;
  /** The smoothing noise is clipped to ±c. Default 0.5 (paper; pytorchrl hard-codes 0.5 too). */
  targetNoiseClip?: number;
  /** σ of the Gaussian exploration noise of `act`. Default 0.1 (paper; pytorchrl's Normal noise std). */
  explorationNoise?: number;
  /** Seeds the initial weights and the smoothing noise of the updates. Default 0. */
  seed?: number;
}

export type ResolvedTd3Options = Required<Td3Options>;

export function resolveTd3Options(options: Td3Options): ResolvedTd3Options {
  const resolved: ResolvedTd3Options = {
    observationSize: options.observationSize,
    actionSize: options.actionSize,
    gamma: options.gamma ?? 0.99,
    tau: options.tau ?? 0.005,
    actorHiddenSize: options.actorHiddenSize ?? 256,
    actorLayers: options.actorLayers ?? 2,
    actorLr: options.actorLr ?? 1e-4,
    criticHiddenSize: options.criticHiddenSize ?? 256,
    criticLayers: options.criticLayers ?? 2,
    criticLr: options.criticLr ?? 1e-4,
    policyDelay: options.policyDelay ?? 2,
    targetNoise: options.targetNoise ?? 0.2,
    targetNoiseClip: options.targetNoiseClip ?? 0.5,
    explorationNoise: options.explorationNoise ?? 0.1,
    seed: options.seed ?? 0,
  };
  requirePositiveIntegers('Td3Options', resolved, ['observationSize', 'actionSize', 'actorHiddenSize', 'actorLayers', 'criticHiddenSize', 'criticLayers', 'policyDelay']);
  requireNonNegative('Td3Options', resolved, ['targetNoise', 'targetNoiseClip', 'explorationNoise']);
  requireTau('Td3Options', resolved.tau);
  return resolved;
}
