/**
 * CartPole-v1, Acrobot-v1 and MountainCar-v0 against gym's own equations. Each
 * `gym…Step` below is this test's transcription of gym's `step` (cartpole.py,
 * acrobot.py, mountain_car.py), grouped as gym groups its arithmetic, so the env's
 * float64 state must equal it exactly, not just closely.
 */
import { describe, expect, it } from 'vitest';
import { EnvError } from '../../src/errors.js';
import { envSpecFor, makeEnv, runRandomPolicy, type Env } from '../../src/envs/index.js';
import { evaluatePolicy } from '../../src/train/evaluate.js';
import { Rng } from '../../src/util/rng.js';

type State = number[];

function gymCartPoleStep([x, xDot, theta, thetaDot]: State, action: number): State {
  const gravity = 9.8;
  const masscart = 1.0;
  const masspole = 0.1;
  const totalMass = masspole + masscart;
  const length = 0.5;
  const polemassLength = masspole * length;
  const forceMag = 10.0;
  const tau = 0.02;
  const force = action === 1 ? forceMag : -forceMag;
  const costheta = Math.cos(theta!);
  const sintheta = Math.sin(theta!);
  const temp = (force + polemassLength * thetaDot! ** 2 * sintheta) / totalMass;
  const thetaacc = (gravity * sintheta - costheta * temp) / (length * (4.0 / 3.0 - (masspole * costheta ** 2) / totalMass));
  const xacc = temp - (polemassLength * thetaacc * costheta) / totalMass;
  return [x! + tau * xDot!, xDot! + tau * xacc, theta! + tau * thetaDot!, thetaDot! + tau * thetaacc];
}

function gymAcrobotStep(s: State, action: number): State {
  const torque = [-1.0, 0.0, +1][action]!;
  const dsdt = ([theta1, theta2, dtheta1, dtheta2, a]: State): State => {
    const m1 = 1.0;
    const m2 = 1.0;
    const l1 = 1.0;
    const lc1 = 0.5;
    const lc2 = 0.5;
    const I1 = 1.0;
    const I2 = 1.0;
    const g = 9.8;
    const d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * Math.cos(theta2!)) + I1 + I2;
    const d2 = m2 * (lc2 ** 2 + l1 * lc2 * Math.cos(theta2!)) + I2;
    const phi2 = m2 * lc2 * g * Math.cos(theta1! + theta2! - Math.PI / 2.0);
    const phi1 =
      -m2 * l1 * lc2 * dtheta2! ** 2 * Math.sin(theta2!) -
      2 * m2 * l1 * lc2 * dtheta2! * dtheta1! * Math.sin(theta2!) +
      (m1 * lc1 + m2 * l1) * g * Math.cos(theta1! - Math.PI / 2) +
      phi2;
    const ddtheta2 =
      (a! + (d2 / d1) * phi1 - m2 * l1 * lc2 * dtheta1! ** 2 * Math.sin(theta2!) - phi2) / (m2 * lc2 ** 2 + I2 - d2 ** 2 / d1);
    const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    return [dtheta1!, dtheta2!, ddtheta1, ddtheta2, 0.0];
  };
  // One classic RK4 step over t = [0, dt] on the state augmented with the torque.
  const y0 = [...s, torque];
  const dt = 0.2;
  const dt2 = dt / 2.0;
  const plus = (k: State, h: number) => y0.map((y, i) => y + h * k[i]!);
  const k1 = dsdt(y0);
  const k2 = dsdt(plus(k1, dt2));
  const k3 = dsdt(plus(k2, dt2));
  const k4 = dsdt(plus(k3, dt));
  const ns = y0.map((y, i) => y + (dt / 6.0) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!)).slice(0, 4);
  const wrap = (v: number, m: number, M: number) => {
    const diff = M - m;
    while (v > M) v = v - diff;
    while (v < m) v = v + diff;
    return v;
  };
  const bound = (v: number, m: number, M: number) => Math.min(Math.max(v, m), M);
  return [wrap(ns[0]!, -Math.PI, Math.PI), wrap(ns[1]!, -Math.PI, Math.PI), bound(ns[2]!, -4 * Math.PI, 4 * Math.PI), bound(ns[3]!, -9 * Math.PI, 9 * Math.PI)];
}

function gymMountainCarStep([position, velocity]: State, action: number): State {
  let p = position!;
  let v = velocity!;
  v += (action - 1) * 0.001 + Math.cos(3 * p) * -0.0025;
  v = Math.min(Math.max(v, -0.07), 0.07);
  p += v;
  p = Math.min(Math.max(p, -1.2), 0.6);
  if (p === -1.2 && v < 0) v = 0;
  return [p, v];
}

/** gym's state order for each env, from our qpos/qvel split. */
const layouts: Record<string, { toGym: (q: number[], v: number[]) => State; fromGym: (s: State) => { qpos: number[]; qvel: number[] } }> = {
  CartPole: { toGym: (q, v) => [q[0]!, v[0]!, q[1]!, v[1]!], fromGym: (s) => ({ qpos: [s[0]!, s[2]!], qvel: [s[1]!, s[3]!] }) },
  Acrobot: { toGym: (q, v) => [...q, ...v], fromGym: (s) => ({ qpos: s.slice(0, 2), qvel: s.slice(2) }) },
  MountainCar: { toGym: (q, v) => [...q, ...v], fromGym: (s) => ({ qpos: s.slice(0, 1), qvel: s.slice(1) }) },
};

function gymState(env: Env): State {
  const { qpos, qvel } = env.physicsState();
  return layouts[env.id]!.toGym([...qpos], [...qvel]);
}

function setGymState(env: Env, state: State): Float32Array {
  const { qpos, qvel } = layouts[env.id]!.fromGym(state);
  return env.setPhysicsState({ qpos: Float64Array.from(qpos), qvel: Float64Array.from(qvel) });
}

async function started(id: string, options = {}): Promise<Env> {
  const env = await makeEnv(id, options);
  env.reset(0);
  return env;
}

describe('CartPole-v1 against gym’s equations', () => {
  it.each([
    { state: [0.01, -0.2, 0.05, 0.3], action: 1 },
    { state: [-1.0, 0.5, -0.15, -1.2], action: 0 },
    { state: [2.0, -1.5, 0.19, 0.5], action: 1 },
  ])('steps $state under action $action as gym does', async ({ state, action }) => {
    const env = await started('CartPole-v1');
    setGymState(env, state);
    const { observation, reward, terminated, truncated } = env.step([action]);
    const expected = gymCartPoleStep(state, action);
    expect(gymState(env)).toEqual(expected);
    expect(observation).toEqual(Float32Array.from(expected));
    expect({ reward, terminated, truncated }).toEqual({ reward: 1, terminated: false, truncated: false });
  });

  it('agrees with gym to the last bit on 500 random states and actions', async () => {
    const env = await started('CartPole-v1');
    const rng = new Rng(11);
    for (let i = 0; i < 500; i++) {
      const state = [rng.uniformIn(-2.4, 2.4), rng.uniformIn(-3, 3), rng.uniformIn(-0.2, 0.2), rng.uniformIn(-3, 3)];
      const action = rng.int(2);
      env.reset(i);
      setGymState(env, state);
      env.step([action]);
      expect(gymState(env)).toEqual(gymCartPoleStep(state, action));
    }
  });

  it('observes (x, ẋ, θ, θ̇) as float32 of the float64 state', async () => {
    const env = await started('CartPole');
    const observation = setGymState(env, [0.1, 0.2, 0.03, 0.4]);
    expect(observation).toEqual(Float32Array.of(0.1, 0.2, 0.03, 0.4));
    expect(gymState(env)).toEqual([0.1, 0.2, 0.03, 0.4]);
  });

  it('terminates when |θ| passes 12° or |x| passes 2.4, paying 1 for that step too', async () => {
    const env = await started('CartPole-v1');
    const limit = (12 * 2 * Math.PI) / 360;
    // θ′ = θ + 0.02·θ̇: from 0.2 with θ̇ = 0.5 it reaches 0.21 > 0.2094.
    setGymState(env, [0, 0, 0.2, 0.5]);
    let step = env.step([1]);
    expect(gymState(env)[2]).toBeGreaterThan(limit);
    expect(step).toMatchObject({ reward: 1, terminated: true, truncated: false });
    expect(() => env.step([1])).toThrow(/call reset\(\) first/);

    env.reset(1);
    setGymState(env, [2.39, 1.0, 0, 0]);
    step = env.step([1]);
    expect(gymState(env)[0]).toBeGreaterThan(2.4);
    expect(step).toMatchObject({ reward: 1, terminated: true });

    env.reset(2);
    setGymState(env, [-2.39, -1.0, 0, 0]);
    expect(env.step([0]).terminated).toBe(true);

    // Inside both limits the episode goes on.
    env.reset(3);
    setGymState(env, [2.3, 1.0, -0.2, -0.4]);
    expect(env.step([0]).terminated).toBe(false);
  });

  it('truncates at step 500 exactly, without terminating', async () => {
    const env = await started('CartPole-v1');
    for (let t = 1; t <= 500; t++) {
      // Hold the pole upright so that only the time limit can end the episode.
      setGymState(env, [0, 0, 0, 0]);
      const { terminated, truncated } = env.step([t % 2]);
      expect({ t, terminated, truncated }).toEqual({ t, terminated: false, truncated: t === 500 });
    }
    expect(() => env.step([0])).toThrow(/call reset\(\) first/);
  });
});

describe('Acrobot-v1 against gym’s equations', () => {
  it.each([
    { state: [0.1, -0.2, 0.3, -0.4], action: 2 },
    { state: [-1.2, 2.0, -3.0, 5.0], action: 0 },
    { state: [0.05, 0.02, 0.01, -0.03], action: 1 },
  ])('takes one RK4 step of the book dynamics from $state under action $action', async ({ state, action }) => {
    const env = await started('Acrobot-v1');
    setGymState(env, state);
    const { observation, reward, terminated } = env.step([action]);
    const expected = gymAcrobotStep(state, action);
    expect(gymState(env)).toEqual(expected);
    const [t1, t2, v1, v2] = expected as [number, number, number, number];
    expect(observation).toEqual(Float32Array.of(Math.cos(t1), Math.sin(t1), Math.cos(t2), Math.sin(t2), v1, v2));
    expect({ reward, terminated }).toEqual({ reward: -1, terminated: false });
  });

  it('agrees with gym to the last bit on 500 random states and actions', async () => {
    const env = await started('Acrobot-v1');
    const rng = new Rng(12);
    for (let i = 0; i < 500; i++) {
      const state = [rng.uniformIn(-Math.PI, Math.PI), rng.uniformIn(-Math.PI, Math.PI), rng.uniformIn(-4 * Math.PI, 4 * Math.PI), rng.uniformIn(-9 * Math.PI, 9 * Math.PI)];
      const action = rng.int(3);
      env.reset(i);
      setGymState(env, state);
      env.step([action]);
      expect(gymState(env)).toEqual(gymAcrobotStep(state, action));
    }
  });

  it('wraps the angles into [−π, π] and bounds the velocities to ±4π and ±9π', async () => {
    const env = await started('Acrobot-v1');
    const state = [0.5, 1.0, 12.5, 28.2];
    setGymState(env, state);
    const { reward, terminated } = env.step([2]);
    const next = gymState(env);
    expect(next).toEqual(gymAcrobotStep(state, 2));
    // θ₁ went past π and came back as a negative angle; both velocities sit on their bounds.
    expect(next[0]).toBeLessThan(0);
    expect(next[2]).toBe(-4 * Math.PI);
    expect(next[3]).toBe(9 * Math.PI);
    // The tip is above the line (−cos θ₁ − cos(θ₁ + θ₂) > 1): the goal, reward 0.
    expect(-Math.cos(next[0]!) - Math.cos(next[1]! + next[0]!)).toBeGreaterThan(1);
    expect({ reward, terminated }).toEqual({ reward: 0, terminated: true });
  });

  it('hanging still, it is truncated at step 500 exactly', async () => {
    const env = await started('Acrobot-v1');
    setGymState(env, [0, 0, 0, 0]);
    let steps = 0;
    let result;
    do {
      result = env.step([1]);
      steps++;
      expect(result.reward).toBe(-1);
    } while (!result.terminated && !result.truncated);
    expect({ steps, terminated: result.terminated, truncated: result.truncated }).toEqual({ steps: 500, terminated: false, truncated: true });
  });

  it('starts from U(−0.1, 0.1) in each coordinate, rounded to float32 as gym stores it', async () => {
    const env = await makeEnv('Acrobot');
    for (let seed = 0; seed < 20; seed++) {
      env.reset(seed);
      for (const value of gymState(env)) {
        expect(Math.abs(value)).toBeLessThan(0.1);
        expect(Math.fround(value)).toBe(value);
      }
    }
  });
});

describe('MountainCar-v0 against gym’s equations', () => {
  it.each([
    { state: [-0.5, 0.01], action: 2, why: 'a push right' },
    { state: [0.2, -0.03], action: 1, why: 'coasting' },
    { state: [-Math.PI / 6, 0.0699], action: 2, why: 'the speed limit 0.07' },
    { state: [-1.19, -0.07], action: 0, why: 'the left wall, which stops the car' },
  ])('steps $state under action $action as gym does ($why)', async ({ state, action }) => {
    const env = await started('MountainCar-v0');
    setGymState(env, state);
    const { observation, reward, terminated } = env.step([action]);
    const expected = gymMountainCarStep(state, action);
    expect(gymState(env)).toEqual(expected);
    expect(observation).toEqual(Float32Array.from(expected));
    expect({ reward, terminated }).toEqual({ reward: -1, terminated: false });
  });

  it('agrees with gym to the last bit on 500 random states and actions', async () => {
    const env = await started('MountainCar-v0');
    const rng = new Rng(13);
    for (let i = 0; i < 500; i++) {
      const state = [rng.uniformIn(-1.2, 0.5), rng.uniformIn(-0.07, 0.07)];
      const action = rng.int(3);
      env.reset(i);
      setGymState(env, state);
      env.step([action]);
      expect(gymState(env)).toEqual(gymMountainCarStep(state, action));
    }
  });

  it('the speed limit and the wall act as gym’s clip and reset of velocity', async () => {
    const env = await started('MountainCar-v0');
    setGymState(env, [-Math.PI / 6, 0.0699]);
    env.step([2]);
    expect(gymState(env)[1]).toBe(0.07);
    setGymState(env, [-1.19, -0.07]);
    env.step([0]);
    expect(gymState(env)).toEqual([-1.2, 0]);
  });

  it('terminates on reaching position 0.5 with velocity ≥ 0, still paying −1', async () => {
    const env = await started('MountainCar-v0');
    setGymState(env, [0.49, 0.02]);
    const step = env.step([2]);
    expect(gymState(env)[0]).toBeGreaterThanOrEqual(0.5);
    expect(step).toMatchObject({ reward: -1, terminated: true, truncated: false });
  });

  it('resting at the bottom, it is truncated at step 200 exactly', async () => {
    const env = await started('MountainCar-v0');
    setGymState(env, [-Math.PI / 6, 0]);
    let steps = 0;
    let result;
    do {
      result = env.step([1]);
      steps++;
    } while (!result.terminated && !result.truncated);
    expect({ steps, truncated: result.truncated, terminated: result.terminated }).toEqual({ steps: 200, truncated: true, terminated: false });
  });

  it('starts at rest, with position from U(−0.6, −0.4)', async () => {
    const env = await makeEnv('MountainCar-v0');
    const positions = Array.from({ length: 50 }, (_, seed) => {
      env.reset(seed);
      const [position, velocity] = gymState(env);
      expect(velocity).toBe(0);
      return position!;
    });
    expect(Math.min(...positions)).toBeGreaterThanOrEqual(-0.6);
    expect(Math.max(...positions)).toBeLessThan(-0.4);
    expect(new Set(positions).size).toBe(50);
  });
});

describe.each([
  { id: 'CartPole-v1', n: 2, observationSize: 4, limit: 500 },
  { id: 'Acrobot-v1', n: 3, observationSize: 6, limit: 500 },
  { id: 'MountainCar-v0', n: 3, observationSize: 2, limit: 200 },
])('$id as an env', ({ id, n, observationSize, limit }) => {
  const actions = (count: number, seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: count }, () => [rng.int(n)]);
  };
  /** Observations and rewards of `acts` from `reset(seed)` (resetting after an episode ends). */
  const trace = (env: Env, seed: number | undefined, acts: number[][]) => {
    const out: number[][] = [Array.from(env.reset(seed))];
    for (const action of acts) {
      const step = env.step(action);
      out.push([...step.observation, step.reward, Number(step.terminated), Number(step.truncated)]);
      if (step.terminated || step.truncated) out.push(Array.from(env.reset()));
    }
    return out;
  };

  it('states its sizes, discrete(n) action space and time limit', async () => {
    const env = await makeEnv(id);
    expect(env).toMatchObject({ observationSize, actionSize: 1, maxEpisodeSteps: limit, actionSpace: { kind: 'discrete', n } });
    const observation = env.reset(0);
    expect(observation).toBeInstanceOf(Float32Array);
    expect(observation).toHaveLength(observationSize);
    expect(envSpecFor(id)).toMatchObject({ observationSize, actionSize: 1, maxEpisodeSteps: limit, actionSpace: { kind: 'discrete', n }, usesMujoco: false });
  });

  it('replays the same trajectory from the same seed, and another from another seed', async () => {
    const acts = actions(300, 1);
    const a = await makeEnv(id);
    const b = await makeEnv(id);
    expect(trace(b, 42, acts)).toEqual(trace(a, 42, acts));
    expect(trace(a, 43, acts)).not.toEqual(trace(a, 42, acts));
    // Without a seed the generator continues; the constructor's seed starts it.
    const first = Array.from(a.reset(5));
    const second = Array.from(a.reset());
    expect(second).not.toEqual(first);
    const seeded = await makeEnv(id, { seed: 5 });
    expect(Array.from(seeded.reset())).toEqual(first);
    expect(() => a.reset(0.5)).toThrow(/seed must be an integer/);
  });

  it('continues bit-identically from a JSON snapshot taken mid-episode, resets included', async () => {
    const original = await makeEnv(id, { maxEpisodeSteps: 40 });
    const copy = await makeEnv(id, { maxEpisodeSteps: 40 });
    original.reset(7);
    for (const action of actions(25, 2)) if (original.step(action).terminated) original.reset();
    const snapshot = JSON.parse(JSON.stringify(original.snapshot()));
    copy.reset(999);
    expect(Array.from(copy.restore(snapshot))).toEqual(Array.from(gymObservation(original)));
    const acts = actions(120, 3);
    expect(trace(copy, undefined, acts).slice(1)).toEqual(trace(original, undefined, acts).slice(1));
  });

  it('refuses anything but one index in 0…n−1', async () => {
    const env = await started(id);
    expect(() => env.step([n])).toThrow(new RegExp(`discrete\\(${n}\\) action is an integer in 0…${n - 1}, got ${n}`));
    expect(() => env.step([0.5])).toThrow(/got 0.5/);
    expect(() => env.step([-1])).toThrow(/got -1/);
    expect(() => env.step([NaN])).toThrow(/got NaN/);
    expect(() => env.step([0, 1])).toThrow(/is one index, got 2 entries/);
    expect(() => env.step(null as unknown as number[])).toThrow(EnvError);
    // A refused action leaves the episode where it was.
    expect(env.step([0]).truncated).toBe(false);
  });

  it('refuses use after close() and a bad time limit', async () => {
    const env = await started(id);
    env.close();
    expect(() => env.step([0])).toThrow(new RegExp(`step\\(\\) called after close\\(\\)`));
    await expect(makeEnv(id, { maxEpisodeSteps: 0 })).rejects.toThrow(/maxEpisodeSteps must be a positive integer, got 0/);
  });

  it('its termination function agrees with the env on every step of random episodes', async () => {
    const env = await makeEnv(id);
    const { terminationFn } = envSpecFor(id);
    let terminal = 0;
    let steps = 0;
    for (let episode = 0; episode < 20; episode++) {
      env.reset(episode);
      const rng = new Rng(episode, 1);
      for (;;) {
        const step = env.step([rng.int(n)]);
        expect(terminationFn(step.observation, observationSize)[0]).toBe(step.terminated ? 1 : 0);
        steps++;
        if (step.terminated) terminal++;
        if (step.terminated || step.truncated) break;
      }
    }
    expect(steps).toBeGreaterThan(100);
    // CartPole's random episodes all end by falling; MountainCar's and Acrobot's random walks rarely reach the goal.
    if (id === 'CartPole-v1') expect(terminal).toBe(20);
  });

  it('has no D4RL score: evaluation reports null instead of failing', async () => {
    const env = await makeEnv(id);
    const result = evaluatePolicy(env, () => Float32Array.of(0), { episodes: 2, seed: 0 });
    expect(result.returns).toHaveLength(2);
    expect(result.normalizedMean).toBeNull();
  });

  it('a random policy runs whole episodes within the time limit', async () => {
    const env = await makeEnv(id);
    const run = runRandomPolicy(env, { episodes: 3, seed: 0 });
    for (const length of run.lengths) expect(length).toBeLessThanOrEqual(limit);
    expect(run.steps).toBe(run.lengths.reduce((a, b) => a + b, 0));
  });
});

/** The observation of the env's current state, without stepping. */
function gymObservation(env: Env): Float32Array {
  const { qpos, qvel } = env.physicsState();
  return env.setPhysicsState({ qpos, qvel });
}
