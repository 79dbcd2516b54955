/**
 * The options every actor-critic learner here has, under the same config keys:
 * discount, Polyak rate, and both networks' sizes and learning rates. Each learner
 * states its own default learning rates (they differ between the references).
 */
import { integer, number } from './option-schema.js';

export function actorCriticFields(defaults: { actorLr: number; criticLr: number }) {
  return {
    /** Discount γ. */
    gamma: number('gamma', 0.99, { min: 0, max: 1 }),
    /** Polyak rate of the targets: θ′ ← (1−τ)θ′ + τθ (pytorchrl's polyak = 1 − τ). */
    tau: number('tau', 0.005, { above: 0, max: 1 }),
    actorHiddenSize: integer('actor.hidden_size', 256, { min: 1 }),
    /** Hidden layers of the actor. */
    actorLayers: integer('actor.num_layers', 2, { min: 1 }),
    actorLr: number('actor.optimizer.lr', defaults.actorLr, { above: 0 }),
    criticHiddenSize: integer('critic.hidden_size', 256, { min: 1 }),
    /** Hidden layers of each critic. */
    criticLayers: integer('critic.num_layers', 2, { min: 1 }),
    criticLr: number('critic.optimizer.lr', defaults.criticLr, { above: 0 }),
  };
}
