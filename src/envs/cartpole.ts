/**
 * CartPole-v1 (gym's rules, after Barto, Sutton & Anderson 1983): push a cart left
 * (action 0) or right (1) with 10 N to keep a hinged pole upright. State (x, ẋ, θ, θ̇),
 * float64; the observation is the state as float32. Reward +1 every step, the last
 * one included. The episode ends when |x| > 2.4 or |θ| > 12°, and is cut at 500 steps.
 *
 * The pole's equations of motion (Florian 2007, "Correct equations for the dynamics of
 * the cart-pole system", frictionless case), one explicit Euler step of τ = 0.02 s:
 *   temp = (F + m_p·l·θ̇²·sin θ) / (m_c + m_p)
 *   θ̈    = (g·sin θ − cos θ·temp) / (l·(4/3 − m_p·cos²θ / (m_c + m_p)))
 *   ẍ    = temp − m_p·l·θ̈·cos θ / (m_c + m_p)
 *   x ← x + τ·ẋ,  ẋ ← ẋ + τ·ẍ,  θ ← θ + τ·θ̇,  θ̇ ← θ̇ + τ·θ̈
 * with l the half-length of the pole. Products and quotients are grouped as gym groups
 * them, so the float64 state agrees with gym's to the last bit wherever the two
 * platforms' sin and cos do.
 */
import type { Rng } from '../util/rng.js';
import { discrete } from './action-space.js';
import { ClassicControlEnv, type ClassicControlSpec } from './classic-control.js';
import { outputFor, rowCount } from './termination.js';
import type { EnvOptions } from './types.js';

const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
const HALF_LENGTH = 0.5;
const POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH;
const FORCE = 10.0;
const TAU = 0.02;
/** 12° in radians, computed as gym computes it. */
const ANGLE_LIMIT = (12 * 2 * Math.PI) / 360;
const X_LIMIT = 2.4;
const START_NOISE = 0.05;

export class CartPole extends ClassicControlEnv {
  static readonly spec: ClassicControlSpec = {
    id: 'CartPole',
    version: 1,
    observationSize: 4,
    actionSpace: discrete(2),
    maxEpisodeSteps: 500,
    terminationFn: cartPoleTermination,
    stateLayout: { positions: [0, 2], velocities: [1, 3] },
  };

  constructor(options: EnvOptions = {}) {
    super(CartPole.spec, options);
  }

  protected drawStartState(rng: Rng, state: Float64Array): void {
    for (let i = 0; i < 4; i++) state[i] = rng.uniformIn(-START_NOISE, START_NOISE);
  }

  protected advance(state: Float64Array, index: number): void {
    const x = state[0]!;
    const xDot = state[1]!;
    const theta = state[2]!;
    const thetaDot = state[3]!;
    const force = index === 1 ? FORCE : -FORCE;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + POLE_MASS_LENGTH * (thetaDot * thetaDot) * sin) / TOTAL_MASS;
    const thetaAcc = (GRAVITY * sin - cos * temp) / (HALF_LENGTH * (4.0 / 3.0 - (MASS_POLE * (cos * cos)) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
    state[0] = x + TAU * xDot;
    state[1] = xDot + TAU * xAcc;
    state[2] = theta + TAU * thetaDot;
    state[3] = thetaDot + TAU * thetaAcc;
  }

  protected observe(state: Float64Array, out: Float32Array): void {
    out.set(state);
  }

  protected isTerminated(state: Float64Array): boolean {
    const x = state[0]!;
    const theta = state[2]!;
    return x < -X_LIMIT || x > X_LIMIT || theta < -ANGLE_LIMIT || theta > ANGLE_LIMIT;
  }

  protected reward(): number {
    return 1;
  }
}

// Observations are float32, and so are the limits they are compared with (as numpy
// compares a float32 array with a Python float).
const X_LIMIT_32 = Math.fround(X_LIMIT);
const ANGLE_LIMIT_32 = Math.fround(ANGLE_LIMIT);

/**
 * The end rule on next observations (x, ẋ, θ, θ̇), batched, for model rollouts: a row
 * ends when |x| > 2.4 or |θ| > 12°, or when it holds a non-finite x or θ (a diverged
 * model; gym's state never does).
 */
export function cartPoleTermination(nextObservations: Float32Array, observationSize: number, out?: Uint8Array): Uint8Array {
  const count = rowCount('CartPole', 4, nextObservations, observationSize);
  const done = outputFor(out, count);
  for (let row = 0; row < count; row++) {
    const x = nextObservations[row * 4]!;
    const theta = nextObservations[row * 4 + 2]!;
    // Written as a negated "inside" test so NaN counts as outside.
    const inside = x >= -X_LIMIT_32 && x <= X_LIMIT_32 && theta >= -ANGLE_LIMIT_32 && theta <= ANGLE_LIMIT_32;
    done[row] = inside ? 0 : 1;
  }
  return done;
}
