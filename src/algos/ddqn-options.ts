/**
 * DDQN's settings and where each default comes from.
 *
 * "Seed" is the pytorchrl documentation in ../shared/seeds/pytorchrl-off-policy.txt:
 * `DDQN.create_factory(lr=1e-4, gamma=0.99, polyak=0.995, num_updates=50,
 * update_every=50, test_every=5000, start_steps=20000, max_grad_norm=0.5,
 * mini_batch_size=64, num_test_episodes=5, epsilon_decay=0.999, initial_epsilon=1.0,
 * target_update_interval=1)`. The learner's own options are below under the seed's
 * names; the others belong to the training loop (configs/algo/ddqn.yaml lists where
 * each one went).
 *
 * Exploration (pytorchrl's semantics): ε starts at `initial_epsilon` and after every
 * gradient update becomes max(min_epsilon, ε·epsilon_decay); pytorchrl hard-codes the
 * floor at 0.05, here it is `min_epsilon` (default 0.05). With the seed's 0.999, ε
 * reaches the floor after ⌈ln 0.05 / ln 0.999⌉ = 2995 updates.
 *
 * Where the seed is silent: the network, 2×256 ReLU as the other learners here.
 */
import { integer, nullable, number, OptionsSchema, requireSizes, type Values } from './option-schema.js';

export const DDQN_SETTINGS = new OptionsSchema(
  'DdqnOptions',
  {
    /** Discount γ. */
    gamma: number('gamma', 0.99, { min: 0, max: 1 }),
    /** Adam's learning rate. */
    lr: number('lr', 1e-4, { above: 0 }),
    /** θ′ ← polyak·θ′ + (1 − polyak)·θ when the target moves (0: a copy, DQN's hard update). */
    polyak: number('polyak', 0.995, { min: 0, below: 1 }),
    /** The target moves on every k-th update (counted after the update, as pytorchrl's `iter % k == 0`). */
    targetUpdateInterval: integer('target_update_interval', 1, { min: 1 }),
    /** The gradient is clipped to this global L2 norm before each Adam step; null: no clipping. */
    maxGradNorm: nullable(number('max_grad_norm', 0.5, { above: 0 }), 0.5),
    /** ε of ε-greedy exploration before the first update. */
    initialEpsilon: number('initial_epsilon', 1, { min: 0, max: 1 }),
    /** ε ← max(min_epsilon, ε·epsilon_decay) after every update. */
    epsilonDecay: number('epsilon_decay', 0.999, { above: 0, max: 1 }),
    /** The floor of ε (pytorchrl's hard-coded 0.05). */
    minEpsilon: number('min_epsilon', 0.05, { min: 0, max: 1 }),
    hiddenSize: integer('q.hidden_size', 256, { min: 1 }),
    /** Hidden layers of the Q network. */
    layers: integer('q.num_layers', 2, { min: 1 }),
  },
  [
    {
      key: 'minEpsilon',
      holds: (o) => o.minEpsilon <= o.initialEpsilon,
      message: (o, name) => `${o.minEpsilon} is above ${name('initialEpsilon')} (${o.initialEpsilon}); ε only decays`,
    },
  ],
);

export type DdqnSettings = Values<typeof DDQN_SETTINGS.fields>;

export interface DdqnOptions extends Partial<DdqnSettings> {
  observationSize: number;
  /** n: the env's actions are the indices 0 … n − 1. */
  actionCount: number;
  /** Seeds the initial weights. Default 0. */
  seed?: number;
}

export type ResolvedDdqnOptions = DdqnSettings & { observationSize: number; actionCount: number; seed: number };

export function resolveDdqnOptions(options: DdqnOptions): ResolvedDdqnOptions {
  const { observationSize, actionCount, seed = 0, ...given } = options;
  requireSizes('DdqnOptions', { observationSize, actionCount });
  return { observationSize, actionCount, ...DDQN_SETTINGS.resolve(given), seed };
}
