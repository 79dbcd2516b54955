/**
 * Termination rules judged on next observations alone, batched, for model rollouts:
 * a row marked 1 ends its imagined episode. They mirror the envs' own rules (which
 * see the full physics state) as far as the observation allows. The MuJoCo tasks'
 * rules are here; a classic-control task keeps its rule in its own file, next to the
 * constants the env uses, with the helpers below.
 */
import { EnvError } from '../errors.js';
import type { TerminationFn } from './types.js';

// Observations are float32, so the thresholds are too (as numpy compares float32
// arrays): a row sitting exactly on float32(0.8) is on the boundary, not above it.
const HOPPER_MIN_HEIGHT = Math.fround(0.7);
const HOPPER_MAX_ANGLE = Math.fround(0.2);
const WALKER_MIN_HEIGHT = Math.fround(0.8);

/**
 * HalfCheetah never falls, so gym never ends its episodes; a model can still diverge,
 * so (as OfflineRL-Kit does) rows with a non-finite or huge (|x| ≥ 100) entry end.
 */
export const halfCheetahTermination: TerminationFn = (nextObservations, observationSize, out) => {
  const count = rowCount('HalfCheetah', 17, nextObservations, observationSize);
  const done = outputFor(out, count);
  for (let row = 0; row < count; row++) {
    const start = row * observationSize;
    let diverged = false;
    for (let j = start; j < start + observationSize; j++) {
      // Written as a negated "inside" test so NaN counts as outside.
      if (!(Math.abs(nextObservations[j]!) < 100)) {
        diverged = true;
        break;
      }
    }
    done[row] = diverged ? 1 : 0;
  }
  return done;
};

/**
 * Hopper is alive while everything is finite, |obs[1:]| < 100, the torso height
 * obs[0] > 0.7 and the torso angle |obs[1]| < 0.2.
 */
export const hopperTermination: TerminationFn = (nextObservations, observationSize, out) => {
  const count = rowCount('Hopper', 11, nextObservations, observationSize);
  const done = outputFor(out, count);
  for (let row = 0; row < count; row++) {
    const start = row * observationSize;
    const height = nextObservations[start]!;
    const angle = nextObservations[start + 1]!;
    let alive = height > HOPPER_MIN_HEIGHT && Math.abs(angle) < HOPPER_MAX_ANGLE;
    for (let j = start + 1; alive && j < start + observationSize; j++) {
      alive = Math.abs(nextObservations[j]!) < 100;
    }
    done[row] = alive ? 0 : 1;
  }
  return done;
};

/** Walker2d is alive while the torso height is in (0.8, 2.0) and its angle in (−1, 1). */
export const walker2dTermination: TerminationFn = (nextObservations, observationSize, out) => {
  const count = rowCount('Walker2d', 17, nextObservations, observationSize);
  const done = outputFor(out, count);
  for (let row = 0; row < count; row++) {
    const start = row * observationSize;
    const height = nextObservations[start]!;
    const angle = nextObservations[start + 1]!;
    const alive = height > WALKER_MIN_HEIGHT && height < 2.0 && angle > -1 && angle < 1;
    done[row] = alive ? 0 : 1;
  }
  return done;
};

/** Rows in `observations`, after checking they split into rows of the task's size. */
export function rowCount(task: string, expectedSize: number, observations: Float32Array, observationSize: number): number {
  if (observationSize !== expectedSize) {
    throw new EnvError(
      `${task} termination expects observations of size ${expectedSize}, got observationSize=${observationSize}`,
    );
  }
  if (observations.length % observationSize !== 0) {
    throw new EnvError(
      `${task} termination: ${observations.length} values do not split into rows of ${observationSize}`,
    );
  }
  return observations.length / observationSize;
}

/** `out` trimmed to `count` flags, or a new array when none was given. */
export function outputFor(out: Uint8Array | undefined, count: number): Uint8Array {
  if (out === undefined) return new Uint8Array(count);
  if (out.length < count) {
    throw new EnvError(`termination output holds ${out.length} flags but ${count} rows were given`);
  }
  return out.length === count ? out : out.subarray(0, count);
}
