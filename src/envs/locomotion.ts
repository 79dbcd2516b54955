/**
 * Conventions the gym locomotion tasks share: the observation drops the torso's x
 * position (so a policy cannot key on where it is) and may clip velocities, and
 * actions cost their squared magnitude.
 */

/** `qpos[1:]` then `qvel`, each velocity clipped to ±`velocityLimit`. */
export function observeWithoutX(
  qpos: Float64Array,
  qvel: Float64Array,
  out: Float32Array,
  velocityLimit = Infinity,
): void {
  let k = 0;
  for (let i = 1; i < qpos.length; i++) out[k++] = qpos[i]!;
  for (let i = 0; i < qvel.length; i++) out[k++] = Math.min(velocityLimit, Math.max(-velocityLimit, qvel[i]!));
}

export function sumOfSquares(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return sum;
}
