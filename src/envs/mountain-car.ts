/**
 * MountainCar-v0 (gym's rules, after Moore 1990): an under-powered car in a valley
 * must rock back and forth to reach the flag on the right hill. Actions: push left (0),
 * nothing (1), push right (2). State (position, velocity), float64; the observation is
 * the state as float32. Reward −1 every step. The episode ends when position ≥ 0.5 with
 * velocity ≥ 0, and is cut at 200 steps.
 *
 * One step, as gym computes it:
 *   v ← clip(v + (a − 1)·0.001 + cos(3p)·(−0.0025), −0.07, 0.07)
 *   p ← clip(p + v, −1.2, 0.6);  v ← 0 if p = −1.2 and v < 0 (the left wall stops the car)
 * The start position is U(−0.6, −0.4) at rest.
 */
import type { Rng } from '../util/rng.js';
import { discrete } from './action-space.js';
import { ClassicControlEnv, type ClassicControlSpec } from './classic-control.js';
import { outputFor, rowCount } from './termination.js';
import type { EnvOptions } from './types.js';

const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.5;
const GOAL_VELOCITY = 0;
const FORCE = 0.001;
const GRAVITY = 0.0025;

export class MountainCar extends ClassicControlEnv {
  static readonly spec: ClassicControlSpec = {
    id: 'MountainCar',
    version: 0,
    observationSize: 2,
    actionSpace: discrete(3),
    maxEpisodeSteps: 200,
    terminationFn: mountainCarTermination,
    stateLayout: { positions: [0], velocities: [1] },
  };

  constructor(options: EnvOptions = {}) {
    super(MountainCar.spec, options);
  }

  protected drawStartState(rng: Rng, state: Float64Array): void {
    state[0] = rng.uniformIn(-0.6, -0.4);
    state[1] = 0;
  }

  protected advance(state: Float64Array, index: number): void {
    let position = state[0]!;
    let velocity = state[1]!;
    velocity += (index - 1) * FORCE + Math.cos(3 * position) * -GRAVITY;
    velocity = clip(velocity, -MAX_SPEED, MAX_SPEED);
    position += velocity;
    position = clip(position, MIN_POSITION, MAX_POSITION);
    if (position === MIN_POSITION && velocity < 0) velocity = 0;
    state[0] = position;
    state[1] = velocity;
  }

  protected observe(state: Float64Array, out: Float32Array): void {
    out.set(state);
  }

  protected isTerminated(state: Float64Array): boolean {
    return state[0]! >= GOAL_POSITION && state[1]! >= GOAL_VELOCITY;
  }

  protected reward(): number {
    return -1;
  }
}

function clip(x: number, low: number, high: number): number {
  return Math.min(Math.max(x, low), high);
}

/**
 * The end rule on next observations (position, velocity), batched, for model rollouts:
 * position ≥ 0.5 with velocity ≥ 0 (both limits are exact in float32), or a non-finite
 * row (a diverged model).
 */
export function mountainCarTermination(nextObservations: Float32Array, observationSize: number, out?: Uint8Array): Uint8Array {
  const count = rowCount('MountainCar', 2, nextObservations, observationSize);
  const done = outputFor(out, count);
  for (let row = 0; row < count; row++) {
    const position = nextObservations[row * 2]!;
    const velocity = nextObservations[row * 2 + 1]!;
    const finite = Number.isFinite(position) && Number.isFinite(velocity);
    done[row] = !finite || (position >= GOAL_POSITION && velocity >= GOAL_VELOCITY) ? 1 : 0;
  }
  return done;
}
