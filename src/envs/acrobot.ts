/**
 * Acrobot-v1 (gym's rules, after Sutton 1996 and Sutton & Barto's book): two links
 * hang from a fixed joint; a torque of −1, 0 or +1 (actions 0, 1, 2) on the joint
 * between them must swing the tip above a line one link length over the fixed joint.
 * State (θ₁, θ₂, θ̇₁, θ̇₂), float64; the observation is (cos θ₁, sin θ₁, cos θ₂,
 * sin θ₂, θ̇₁, θ̇₂) as float32. Reward −1 a step, 0 on the step that reaches the goal,
 * where the episode ends (−cos θ₁ − cos(θ₁ + θ₂) > 1); cut at 500 steps.
 *
 * One step is one classic Runge–Kutta (RK4) step of dt = 0.2 s on the book's equations
 * of motion (gym's `book` dynamics, which keep the term the NIPS paper dropped), with
 * the torque held fixed; then both angles are wrapped into [−π, π] and the velocities
 * bounded to ±4π and ±9π. The start state is U(−0.1, 0.1) in each coordinate, rounded
 * to float32 as gym stores it; gym's state is float64 from the first step on.
 */
import type { Rng } from '../util/rng.js';
import { discrete } from './action-space.js';
import { ClassicControlEnv, type ClassicControlSpec } from './classic-control.js';
import { outputFor, rowCount } from './termination.js';
import type { EnvOptions } from './types.js';

const DT = 0.2;
const LINK_LENGTH_1 = 1.0;
const LINK_MASS_1 = 1.0;
const LINK_MASS_2 = 1.0;
/** Distance of each link's centre of mass from its joint. */
const LINK_COM_1 = 0.5;
const LINK_COM_2 = 0.5;
/** Moment of inertia of each link. */
const LINK_MOI = 1.0;
const GRAVITY = 9.8;
const MAX_VELOCITY_1 = 4 * Math.PI;
const MAX_VELOCITY_2 = 9 * Math.PI;
const TORQUES = [-1.0, 0.0, 1.0] as const;
const START_NOISE = 0.1;

export class Acrobot extends ClassicControlEnv {
  static readonly spec: ClassicControlSpec = {
    id: 'Acrobot',
    version: 1,
    observationSize: 6,
    actionSpace: discrete(3),
    maxEpisodeSteps: 500,
    terminationFn: acrobotTermination,
    stateLayout: { positions: [0, 1], velocities: [2, 3] },
  };

  // RK4 scratch: the four slopes and the probe point, reused every step.
  private readonly k1 = new Float64Array(4);
  private readonly k2 = new Float64Array(4);
  private readonly k3 = new Float64Array(4);
  private readonly k4 = new Float64Array(4);
  private readonly probe = new Float64Array(4);

  constructor(options: EnvOptions = {}) {
    super(Acrobot.spec, options);
  }

  protected drawStartState(rng: Rng, state: Float64Array): void {
    for (let i = 0; i < 4; i++) state[i] = Math.fround(rng.uniformIn(-START_NOISE, START_NOISE));
  }

  protected advance(state: Float64Array, index: number): void {
    const torque = TORQUES[index]!;
    const { k1, k2, k3, k4, probe } = this;
    const half = DT / 2.0;
    derivatives(state, torque, k1);
    for (let i = 0; i < 4; i++) probe[i] = state[i]! + half * k1[i]!;
    derivatives(probe, torque, k2);
    for (let i = 0; i < 4; i++) probe[i] = state[i]! + half * k2[i]!;
    derivatives(probe, torque, k3);
    for (let i = 0; i < 4; i++) probe[i] = state[i]! + DT * k3[i]!;
    derivatives(probe, torque, k4);
    const sixth = DT / 6.0;
    for (let i = 0; i < 4; i++) state[i] = state[i]! + sixth * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);

    state[0] = wrap(state[0]!, -Math.PI, Math.PI);
    state[1] = wrap(state[1]!, -Math.PI, Math.PI);
    state[2] = bound(state[2]!, -MAX_VELOCITY_1, MAX_VELOCITY_1);
    state[3] = bound(state[3]!, -MAX_VELOCITY_2, MAX_VELOCITY_2);
  }

  protected observe(state: Float64Array, out: Float32Array): void {
    out[0] = Math.cos(state[0]!);
    out[1] = Math.sin(state[0]!);
    out[2] = Math.cos(state[1]!);
    out[3] = Math.sin(state[1]!);
    out[4] = state[2]!;
    out[5] = state[3]!;
  }

  protected isTerminated(state: Float64Array): boolean {
    return -Math.cos(state[0]!) - Math.cos(state[1]! + state[0]!) > 1.0;
  }

  protected reward(terminated: boolean): number {
    return terminated ? 0 : -1;
  }
}

/**
 * d/dt of (θ₁, θ₂, θ̇₁, θ̇₂) under `torque`, the book's equations, grouped as gym
 * groups them:
 *   d₁ = m₁l_c1² + m₂(l₁² + l_c2² + 2l₁l_c2 cos θ₂) + I₁ + I₂
 *   d₂ = m₂(l_c2² + l₁l_c2 cos θ₂) + I₂
 *   φ₂ = m₂l_c2 g cos(θ₁ + θ₂ − π/2)
 *   φ₁ = −m₂l₁l_c2 θ̇₂² sin θ₂ − 2m₂l₁l_c2 θ̇₂θ̇₁ sin θ₂ + (m₁l_c1 + m₂l₁) g cos(θ₁ − π/2) + φ₂
 *   θ̈₂ = (τ + d₂/d₁·φ₁ − m₂l₁l_c2 θ̇₁² sin θ₂ − φ₂) / (m₂l_c2² + I₂ − d₂²/d₁)
 *   θ̈₁ = −(d₂θ̈₂ + φ₁) / d₁
 */
function derivatives(s: Float64Array, torque: number, out: Float64Array): void {
  const m1 = LINK_MASS_1;
  const m2 = LINK_MASS_2;
  const l1 = LINK_LENGTH_1;
  const lc1 = LINK_COM_1;
  const lc2 = LINK_COM_2;
  const i1 = LINK_MOI;
  const i2 = LINK_MOI;
  const theta1 = s[0]!;
  const theta2 = s[1]!;
  const dTheta1 = s[2]!;
  const dTheta2 = s[3]!;
  const d1 = m1 * (lc1 * lc1) + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * Math.cos(theta2)) + i1 + i2;
  const d2 = m2 * (lc2 * lc2 + l1 * lc2 * Math.cos(theta2)) + i2;
  const phi2 = m2 * lc2 * GRAVITY * Math.cos(theta1 + theta2 - Math.PI / 2.0);
  const phi1 =
    -m2 * l1 * lc2 * (dTheta2 * dTheta2) * Math.sin(theta2) -
    2 * m2 * l1 * lc2 * dTheta2 * dTheta1 * Math.sin(theta2) +
    (m1 * lc1 + m2 * l1) * GRAVITY * Math.cos(theta1 - Math.PI / 2) +
    phi2;
  const ddTheta2 =
    (torque + (d2 / d1) * phi1 - m2 * l1 * lc2 * (dTheta1 * dTheta1) * Math.sin(theta2) - phi2) /
    (m2 * (lc2 * lc2) + i2 - (d2 * d2) / d1);
  const ddTheta1 = -(d2 * ddTheta2 + phi1) / d1;
  out[0] = dTheta1;
  out[1] = dTheta2;
  out[2] = ddTheta1;
  out[3] = ddTheta2;
}

/** `x` moved by whole turns of (high − low) until it lies in [low, high]. */
function wrap(x: number, low: number, high: number): number {
  const turn = high - low;
  while (x > high) x -= turn;
  while (x < low) x += turn;
  return x;
}

function bound(x: number, low: number, high: number): number {
  return Math.min(Math.max(x, low), high);
}

/**
 * The end rule on next observations, batched, for model rollouts: the tip is above
 * the line when −cos θ₁ − cos(θ₁ + θ₂) > 1, where cos(θ₁ + θ₂) = cos θ₁ cos θ₂ −
 * sin θ₁ sin θ₂ from the observed cosines and sines. Rows with a non-finite entry (a
 * diverged model) end too.
 */
export function acrobotTermination(nextObservations: Float32Array, observationSize: number, out?: Uint8Array): Uint8Array {
  const count = rowCount('Acrobot', 6, nextObservations, observationSize);
  const done = outputFor(out, count);
  for (let row = 0; row < count; row++) {
    const start = row * 6;
    const cos1 = nextObservations[start]!;
    const sin1 = nextObservations[start + 1]!;
    const cos2 = nextObservations[start + 2]!;
    const sin2 = nextObservations[start + 3]!;
    let finite = true;
    for (let j = start; j < start + 6; j++) finite &&= Number.isFinite(nextObservations[j]!);
    const height = -cos1 - (cos1 * cos2 - sin1 * sin2);
    done[row] = !finite || height > 1.0 ? 1 : 0;
  }
  return done;
}
