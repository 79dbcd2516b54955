/**
 * MPO's settings and where each default comes from.
 *
 * "Seed" is the pytorchrl documentation in ../shared/seeds/pytorchrl-off-policy.txt:
 * `MPO.create_factory(lr_q=0.0001, lr_pi=0.0001, gamma=0.99, polyak=0.995, num_updates=50,
 * test_every=5000, update_every=50, start_steps=1000, mini_batch_size=64,
 * num_test_episodes=5, target_update_interval=1.0, dual_constraint=0.1,
 * kl_mean_constraint=0.01, kl_var_constraint=0.0001, kl_constraint=0.01, alpha_scale=10.0,
 * alpha_mean_scale=1.0, alpha_var_scale=100.0, alpha_mean_max=0.1, alpha_var_max=10.0,
 * alpha_max=1.0, mstep_iterations=5, sample_action_num=64, max_grad_norm=0.1)`.
 * Every parameter is a key here with that default. The MPO class's
 * own polyak = 1.0 would never move the targets; we follow create_factory (0.995, i.e.
 * τ = 0.005). max_grad_norm 0.1 is MPO's own (the other learners' pytorchrl default is
 * 0.5), also daisatojp/mpo's, whose code pytorchrl adapted.
 *
 * One schema serves both policies (mpo-learner.ts picks one by the env's action space):
 * kl_mean_constraint … alpha_var_max and sample_action_num are read by the Gaussian
 * policy only, kl_constraint, alpha_scale and alpha_max by the categorical one only.
 *
 * Loop-level seed defaults, in configs/algo/mpo.yaml: mini_batch_size 64, num_updates
 * 50, update_every 50, start_steps 1000, test_every 5000, num_test_episodes 5.
 */
import { actorCriticFields, offPolicyFields, targetRateRelation } from './actor-critic-options.js';
import { integer, number, OptionsSchema, requireSizes, type Values } from './option-schema.js';

export const MPO_SETTINGS = new OptionsSchema(
  'MpoOptions',
  {
    ...actorCriticFields({ actorLr: 1e-4, criticLr: 1e-4 }),
    ...offPolicyFields({ maxGradNorm: 0.1 }),
    /** ε of the E-step: the KL bound between the improved sample weights and the target policy. */
    dualConstraint: number('dual_constraint', 0.1, { above: 0 }),
    /** ε_μ: the bound on the KL change of the policy's mean per update. */
    klMeanConstraint: number('kl_mean_constraint', 0.01, { above: 0 }),
    /** ε_Σ: the bound on the KL change of the policy's covariance per update. */
    klVarConstraint: number('kl_var_constraint', 1e-4, { above: 0 }),
    /** Step size of the mean multiplier α_μ ← clip(α_μ − scale·(ε_μ − KL_μ), 0, max). */
    alphaMeanScale: number('alpha_mean_scale', 1, { min: 0 }),
    /** Step size of the covariance multiplier α_Σ. */
    alphaVarScale: number('alpha_var_scale', 100, { min: 0 }),
    alphaMeanMax: number('alpha_mean_max', 0.1, { min: 0 }),
    alphaVarMax: number('alpha_var_max', 10, { min: 0 }),
    /** Actor steps of the M-step per update, each on the same E-step weights. */
    mstepIterations: integer('mstep_iterations', 5, { min: 1 }),
    /** Actions sampled from the target policy per state, for the E-step and for E[Q′(s′, a′)]. */
    sampleActionNum: integer('sample_action_num', 64, { min: 1 }),
    /** Discrete actions: ε_π, the bound on KL(π′‖π) of the categorical policy per update. */
    klConstraint: number('kl_constraint', 0.01, { above: 0 }),
    /** Discrete actions: step size of the multiplier α ← clip(α − scale·(ε_π − KL), 0, max). */
    alphaScale: number('alpha_scale', 10, { min: 0 }),
    alphaMax: number('alpha_max', 1, { min: 0 }),
  },
  [targetRateRelation()],
);

export type MpoSettings = Values<typeof MPO_SETTINGS.fields>;

export interface MpoOptions extends Partial<MpoSettings> {
  observationSize: number;
  actionSize: number;
  /** Seeds the initial weights and the action samples of the updates. Default 0. */
  seed?: number;
}

export type ResolvedMpoOptions = MpoSettings & { observationSize: number; actionSize: number; seed: number };

export function resolveMpoOptions(options: MpoOptions): ResolvedMpoOptions {
  const { observationSize, actionSize, seed = 0, ...given } = options;
  requireSizes('MpoOptions', { observationSize, actionSize });
  return { observationSize, actionSize, ...MPO_SETTINGS.resolve(given), seed };
}

export interface DiscreteMpoOptions extends Partial<MpoSettings> {
  observationSize: number;
  /** n: the env's actions are the indices 0 … n − 1. */
  actionCount: number;
  /** Seeds the initial weights. Default 0. */
  seed?: number;
}

export type ResolvedDiscreteMpoOptions = MpoSettings & { observationSize: number; actionCount: number; seed: number };

export function resolveDiscreteMpoOptions(options: DiscreteMpoOptions): ResolvedDiscreteMpoOptions {
  const { observationSize, actionCount, seed = 0, ...given } = options;
  requireSizes('DiscreteMpoOptions', { observationSize, actionCount });
  return { observationSize, actionCount, ...MPO_SETTINGS.resolve(given), seed };
}
