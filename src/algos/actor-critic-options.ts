/**
 * The options the actor-critic learners here have, under the same config keys.
 *
 * `actorCriticFields`: discount, target rate τ, and both networks' sizes and learning
 * rates (every actor-critic learner, BEAR included). Each learner states its own
 * default learning rates (they differ between the references).
 *
 * `offPolicyFields`: pytorchrl's shared training options, with pytorchrl's meaning:
 * `polyak`, the target update rate written as θ′ ← polyak·θ′ + (1 − polyak)·θ (so
 * polyak = 1 − τ), `target_update_interval` and `max_grad_norm` (global-norm gradient
 * clipping). Only the learners that honour them take them (SAC, TD3, DDPG, MPO), so no
 * learner accepts a key it would ignore. MPO clips by default, the others do not.
 */
import { integer, nullable, number, type Relation } from './option-schema.js';

const TAU_DEFAULT = 0.005;

export function actorCriticFields(defaults: { actorLr: number; criticLr: number }) {
  return {
    /** Discount γ. */
    gamma: number('gamma', 0.99, { min: 0, max: 1 }),
    /** Polyak rate of the targets: θ′ ← (1−τ)θ′ + τθ (pytorchrl's polyak = 1 − τ). */
    tau: number('tau', TAU_DEFAULT, { above: 0, max: 1 }),
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

export function offPolicyFields(defaults: { maxGradNorm: number | null }) {
  return {
    /** pytorchrl's spelling of the target rate, θ′ ← polyak·θ′ + (1 − polyak)·θ; null: use τ. */
    polyak: nullable(number('polyak', 1 - TAU_DEFAULT, { min: 0, below: 1 })),
    /** The targets move on every k-th update (counted after the update, as pytorchrl's `iter % k == 0`). */
    targetUpdateInterval: integer('target_update_interval', 1, { min: 1 }),
    /** Each network's gradient is clipped to this global L2 norm before its Adam step; null: no clipping. */
    maxGradNorm: nullable(number('max_grad_norm', 1, { above: 0 }), defaults.maxGradNorm),
  };
}

/** τ and polyak are one setting: giving both (τ away from its default) is a mistake worth reporting. */
export function targetRateRelation<V extends { tau: number; polyak: number | null }>(): Relation<V> {
  return {
    key: 'polyak' as keyof V & string,
    holds: (o) => o.polyak === null || o.tau === TAU_DEFAULT,
    message: (o, name) => `${o.polyak} and ${name('tau' as keyof V & string)} = ${o.tau} both set the target update rate (polyak = 1 − tau); give one of them`,
  };
}

/** The rate τ in θ′ ← (1−τ)θ′ + τθ, from `polyak` when it is given. */
export function targetRate(o: { tau: number; polyak: number | null }): number {
  return o.polyak === null ? o.tau : 1 - o.polyak;
}
