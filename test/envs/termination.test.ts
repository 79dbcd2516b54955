import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvError } from '../../src/errors.js';
import {
  acrobotTermination,
  cartPoleTermination,
  halfCheetahTermination,
  mountainCarTermination,
  hopperTermination,
  walker2dTermination,
  type MujocoEnv,
} from '../../src/envs/index.js';
import { makeMujocoEnv } from './make-mujoco-env.js';
import { Rng } from '../../src/util/rng.js';

function rows(size: number, values: Record<number, number>[]): Float32Array {
  const out = new Float32Array(size * values.length);
  values.forEach((row, r) => {
    for (const [column, value] of Object.entries(row)) out[r * size + Number(column)] = value;
  });
  return out;
}

describe('termination functions on hand-made observations', () => {
  it('halfcheetah ends only rows that diverged', () => {
    const done = halfCheetahTermination(rows(17, [{ 0: 5, 16: -99 }, { 3: 100 }, { 4: NaN }, { 8: -Infinity }]), 17);
    expect([...done]).toEqual([0, 1, 1, 1]);
  });

  it('hopper is alive only upright, high enough and finite', () => {
    const healthy = { 0: 1.2, 1: 0.05 };
    const done = hopperTermination(
      rows(11, [
        healthy,
        { 0: 0.7, 1: 0 }, // height must exceed 0.7
        { 0: 1.2, 1: 0.2 }, // angle must stay inside (−0.2, 0.2)
        { 0: 1.2, 1: -0.25 },
        { ...healthy, 7: 100 },
        { ...healthy, 3: NaN },
      ]),
      11,
    );
    expect([...done]).toEqual([0, 1, 1, 1, 1, 1]);
  });

  it('walker2d is alive with height in (0.8, 2) and angle in (−1, 1)', () => {
    const done = walker2dTermination(
      rows(17, [{ 0: 1.2, 1: 0.5 }, { 0: 0.8, 1: 0 }, { 0: 2.0, 1: 0 }, { 0: 1.2, 1: -1 }, { 0: NaN, 1: 0 }]),
      17,
    );
    expect([...done]).toEqual([0, 1, 1, 1, 1]);
  });

  it('cartpole ends rows with |x| > 2.4 or |θ| > 12° (limits as float32), or non-finite', () => {
    const angle = (12 * 2 * Math.PI) / 360;
    const done = cartPoleTermination(
      rows(4, [
        { 0: 2.3, 1: 50, 2: 0.2, 3: -50 },
        { 0: 2.4 }, // on the limit: still inside
        { 0: 2.41 },
        { 0: -2.41 },
        { 2: angle }, // float32(12°) is on the limit
        { 2: 0.21 },
        { 2: -0.21 },
        { 0: NaN },
        { 2: Infinity },
      ]),
      4,
    );
    expect([...done]).toEqual([0, 0, 1, 1, 0, 1, 1, 1, 1]);
  });

  it('acrobot ends rows whose tip is above the line, −cos θ₁ − cos(θ₁ + θ₂) > 1, or non-finite', () => {
    const observe = (t1: number, t2: number, v1 = 0, v2 = 0) => ({ 0: Math.cos(t1), 1: Math.sin(t1), 2: Math.cos(t2), 3: Math.sin(t2), 4: v1, 5: v2 });
    const done = acrobotTermination(
      rows(6, [
        observe(0, 0), // hanging: height −2
        observe(Math.PI, 0), // upright: height 2
        observe(Math.PI / 2, 0.3), // first link horizontal, second above it: height sin 0.3 < 1
        observe(2.5, -0.5), // −cos 2.5 − cos 2.0 = 0.80 + 0.42 > 1
        observe(2.0, -0.5), // 0.42 − 0.07 < 1
        { ...observe(0, 0), 4: NaN },
      ]),
      6,
    );
    expect([...done]).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('mountaincar ends rows at position ≥ 0.5 with velocity ≥ 0, or non-finite', () => {
    const done = mountainCarTermination(
      rows(2, [{ 0: 0.5, 1: 0 }, { 0: 0.49, 1: 0.07 }, { 0: 0.55, 1: -0.01 }, { 0: 0.6, 1: 0.02 }, { 0: NaN, 1: 0 }, { 0: -0.5, 1: 0 }]),
      2,
    );
    expect([...done]).toEqual([1, 0, 0, 1, 1, 0]);
  });

  it('writes into a given buffer and returns exactly one flag per row', () => {
    const out = new Uint8Array(8).fill(7);
    const done = walker2dTermination(rows(17, [{ 0: 1.2 }, { 0: 0.1 }]), 17, out);
    expect(done.buffer).toBe(out.buffer);
    expect([...done]).toEqual([0, 1]);
  });

  it('rejects observations of the wrong size or a short output buffer', () => {
    expect(() => hopperTermination(new Float32Array(17), 17)).toThrow(EnvError);
    expect(() => hopperTermination(new Float32Array(12), 11)).toThrow(/do not split into rows of 11/);
    expect(() => hopperTermination(new Float32Array(22), 11, new Uint8Array(1))).toThrow(/holds 1 flags but 2 rows/);
    expect(() => cartPoleTermination(new Float32Array(6), 6)).toThrow(/CartPole termination expects observations of size 4/);
    expect(() => mountainCarTermination(new Float32Array(3), 2)).toThrow(/do not split into rows of 2/);
  });
});

describe.each(['HalfCheetah', 'Hopper', 'Walker2d'])('%s termination function vs the env', (id) => {
  let env: MujocoEnv;
  beforeAll(async () => {
    env = await makeMujocoEnv(id);
  });
  afterAll(() => env.close());

  it('agrees with the env on every state of random episodes', () => {
    const fn = id === 'HalfCheetah' ? halfCheetahTermination : id === 'Hopper' ? hopperTermination : walker2dTermination;
    const observations: Float32Array[] = [];
    const envTerminated: number[] = [];
    const rng = new Rng(11);
    const action = new Float64Array(env.actionSize);
    // Long HalfCheetah episodes add nothing here; 200 steps each is plenty.
    for (let episode = 0; episode < 30; episode++) {
      env.reset(1000 + episode);
      for (let t = 0; t < 200; t++) {
        // Large actions too, so the states reach the edges of the healthy region.
        rng.fillUniform(action, -1.5, 1.5);
        const result = env.step(action);
        observations.push(result.observation);
        envTerminated.push(result.terminated ? 1 : 0);
        if (result.terminated) break;
      }
    }
    const batch = new Float32Array(observations.length * env.observationSize);
    observations.forEach((obs, i) => batch.set(obs, i * env.observationSize));
    const done = fn(batch, env.observationSize);
    expect([...done]).toEqual(envTerminated);
    if (id !== 'HalfCheetah') expect(envTerminated.filter(Boolean).length).toBe(30);
  });
});
