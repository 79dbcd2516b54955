/**
 * Gaussian noise on the actions of a deterministic policy (TD3, DDPG), drawn from our
 * seeded Rng so a seed fixes every action and a restored Rng continues exactly.
 *
 * One independent draw per action element, row by row, as in Fujimoto's TD3 code.
 * (pytorchrl draws ONE normal per call and adds it to every element of the batch, for
 * both its exploration noise and its target smoothing; we do not copy that.)
 */
import type { Rng } from '../util/rng.js';

/** Exploration: a + σε, ε ~ N(0, 1), clipped to the action box [−1, 1]. Writes into `actions`. */
export function addExplorationNoise(actions: Float32Array, std: number, rng: Rng): Float32Array {
  for (let i = 0; i < actions.length; i++) actions[i] = clampUnit(actions[i]! + std * rng.normal());
  return actions;
}

/**
 * TD3's target policy smoothing: a′ + clip(σ̃ε, −c, c), clipped to [−1, 1]. The clip keeps
 * the target action near μ′(s′), so the smoothing averages Q′ over a small neighbourhood
 * instead of sampling far-off actions. Writes into `actions`.
 */
export function smoothTargetActions(actions: Float32Array, std: number, clip: number, rng: Rng): Float32Array {
  for (let i = 0; i < actions.length; i++) {
    const noise = Math.min(clip, Math.max(-clip, std * rng.normal()));
    actions[i] = clampUnit(actions[i]! + noise);
  }
  return actions;
}

function clampUnit(x: number): number {
  return Math.min(1, Math.max(-1, x));
}
