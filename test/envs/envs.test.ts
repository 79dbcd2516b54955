import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvError } from '../../src/errors.js';
import { box, makeEnv, MujocoEnv, runRandomPolicy, type MujocoEnvSpec } from '../../src/envs/index.js';
import { makeMujocoEnv } from './make-mujoco-env.js';
import { Rng } from '../../src/util/rng.js';

interface Task {
  id: string;
  observationSize: number;
  actionSize: number;
  nq: number;
  /** Per-step reward beyond forward velocity: alive bonus and control cost weight. */
  aliveBonus: number;
  controlCost: number;
  qposNoise: number;
}

const tasks: Task[] = [
  { id: 'HalfCheetah', observationSize: 17, actionSize: 6, nq: 9, aliveBonus: 0, controlCost: 0.1, qposNoise: 0.1 },
  { id: 'Hopper', observationSize: 11, actionSize: 3, nq: 6, aliveBonus: 1, controlCost: 1e-3, qposNoise: 0.005 },
  { id: 'Walker2d', observationSize: 17, actionSize: 6, nq: 9, aliveBonus: 1, controlCost: 1e-3, qposNoise: 0.005 },
];

function randomActions(count: number, size: number, seed: number, scale = 1): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => rng.fillUniform(new Float64Array(size), -scale, scale));
}

describe.each(tasks)('$id', (task) => {
  let env: MujocoEnv;
  beforeAll(async () => {
    env = await makeMujocoEnv(task.id);
  });
  afterAll(() => env.close());

  it('has gym sizes and a 1000-step limit', () => {
    expect(env.id).toBe(task.id);
    expect(env.observationSize).toBe(task.observationSize);
    expect(env.actionSize).toBe(task.actionSize);
    expect(env.maxEpisodeSteps).toBe(1000);
    const observation = env.reset(0);
    expect(observation).toBeInstanceOf(Float32Array);
    expect(observation.length).toBe(task.observationSize);
    const state = env.physicsState();
    expect(state.qpos.length).toBe(task.nq);
    expect(state.qvel.length).toBe(task.nq);
  });

  it('starts near the model pose, within the reset noise', () => {
    const initialZ = task.id === 'HalfCheetah' ? 0 : 1.25;
    for (let seed = 0; seed < 5; seed++) {
      env.reset(seed);
      const { qpos } = env.physicsState();
      expect(Math.abs(qpos[0]!)).toBeLessThanOrEqual(task.qposNoise);
      expect(Math.abs(qpos[1]! - initialZ)).toBeLessThanOrEqual(task.qposNoise);
    }
  });

  it('replays the same trajectory from the same seed and actions', async () => {
    const actions = randomActions(50, task.actionSize, 3);
    const trajectory = (e: MujocoEnv) => {
      const observations = [Array.from(e.reset(42))];
      for (const action of actions) {
        const result = e.step(action);
        observations.push([...Array.from(result.observation), result.reward]);
        if (result.terminated) break;
      }
      return observations;
    };
    const other = await makeMujocoEnv(task.id);
    try {
      expect(trajectory(other)).toEqual(trajectory(env));
      expect(trajectory(env)).toEqual(trajectory(env));
    } finally {
      other.close();
    }
    expect(Array.from(env.reset(43))).not.toEqual(Array.from(env.reset(42)));
  });

  it('continues the noise stream on reset() without a seed', () => {
    const first = Array.from(env.reset(5));
    const second = Array.from(env.reset());
    expect(second).not.toEqual(first);
    env.reset(5);
    expect(Array.from(env.reset())).toEqual(second);
  });

  it('clips actions to [-1, 1], in the physics and in the control cost', async () => {
    const big = randomActions(20, task.actionSize, 4, 3);
    const clipped = big.map((a) => a.map((v) => Math.min(1, Math.max(-1, v))));
    const run = (actions: Float64Array[]) => {
      const out = [Array.from(env.reset(9))];
      for (const action of actions) {
        const result = env.step(action);
        out.push([...Array.from(result.observation), result.reward]);
        if (result.terminated) break;
      }
      return out;
    };
    expect(run(big)).toEqual(run(clipped));
  });

  it('pays forward velocity (from the x position) plus alive bonus minus control cost', () => {
    env.reset(7);
    for (const action of randomActions(30, task.actionSize, 5)) {
      const xBefore = env.physicsState().qpos[0]!;
      const result = env.step(action);
      const xAfter = env.physicsState().qpos[0]!;
      const control = action.reduce((sum, a) => sum + a * a, 0);
      const expected = (xAfter - xBefore) / env.dt + task.aliveBonus - task.controlCost * control;
      expect(result.reward).toBeCloseTo(expected, 10);
      if (result.terminated) break;
    }
  });

  it('observes qpos without x, then qvel', () => {
    env.reset(8);
    const { observation } = env.step(new Float64Array(task.actionSize));
    const { qpos, qvel } = env.physicsState();
    const velocityLimit = task.id === 'HalfCheetah' ? Infinity : 10;
    const expected = [...Array.from(qpos).slice(1), ...Array.from(qvel).map((v) => Math.max(-velocityLimit, Math.min(velocityLimit, v)))];
    expect(Array.from(observation)).toEqual(Array.from(Float32Array.from(expected)));
  });

  it('rejects bad actions with a message naming the problem', () => {
    env.reset(0);
    expect(() => env.step(new Float64Array(task.actionSize + 1))).toThrow(
      new RegExp(`${task.id}: an action has ${task.actionSize} entries, got ${task.actionSize + 1}`),
    );
    const withNaN = new Array(task.actionSize).fill(0);
    withNaN[1] = NaN;
    expect(() => env.step(withNaN)).toThrow(/action\[1\] must be a finite number, got NaN/);
    expect(() => env.step(null as unknown as number[])).toThrow(EnvError);
  });

  it('rejects non-integer seeds', () => {
    expect(() => env.reset(1.5)).toThrow(/seed must be an integer/);
  });

  it('sets a physics state and observes it', () => {
    env.reset(0);
    const state = env.physicsState();
    state.qpos[1] = 0.3;
    const observation = env.setPhysicsState(state);
    expect(observation[0]).toBeCloseTo(0.3, 6);
    expect(() => env.setPhysicsState({ qpos: new Float64Array(2), qvel: state.qvel })).toThrow(
      /qpos must have \d+ entries, got 2/,
    );
  });
});

describe('episode boundaries', () => {
  it('HalfCheetah runs 1000 steps, then truncates without terminating', async () => {
    const env = await makeEnv('HalfCheetah');
    try {
      env.reset(1);
      const actions = randomActions(1, 6, 1)[0]!;
      let result = env.step(actions);
      let steps = 1;
      while (!result.truncated) {
        expect(result.terminated).toBe(false);
        result = env.step(actions);
        steps++;
      }
      expect(steps).toBe(1000);
      expect(result.terminated).toBe(false);
      expect(() => env.step(actions)).toThrow(/call reset\(\) first/);
      env.reset();
      expect(env.step(actions).truncated).toBe(false);
    } finally {
      env.close();
    }
  });

  it('honours a shorter time limit', async () => {
    const env = await makeEnv('HalfCheetah', { maxEpisodeSteps: 3 });
    try {
      env.reset(0);
      const zero = new Float64Array(6);
      expect([env.step(zero).truncated, env.step(zero).truncated, env.step(zero).truncated]).toEqual([false, false, true]);
    } finally {
      env.close();
    }
  });

  it.each(['Hopper', 'Walker2d'])('%s random episodes end early by termination', async (id) => {
    const env = await makeEnv(id);
    try {
      const run = runRandomPolicy(env, { episodes: 10, seed: 0 });
      for (const length of run.lengths) expect(length).toBeLessThan(1000);
      // The last step of each episode was a termination, not the time limit.
      env.reset(0);
      let result;
      do result = env.step(new Float64Array(env.actionSize).fill(1));
      while (!result.terminated && !result.truncated);
      expect(result.terminated).toBe(true);
      expect(result.truncated).toBe(false);
    } finally {
      env.close();
    }
  });

  it('step before reset is refused', async () => {
    const env = await makeEnv('Hopper');
    try {
      expect(() => env.step([0, 0, 0])).toThrow(/call reset\(\) first/);
    } finally {
      env.close();
    }
  });
});

describe('close()', () => {
  it('frees the env once, tolerates a second call, and refuses later use', async () => {
    const env = await makeEnv('Walker2d');
    env.reset(0);
    env.close();
    expect(() => env.close()).not.toThrow();
    expect(() => env.reset(0)).toThrow(/Walker2d: reset\(\) called after close\(\)/);
    expect(() => env.step(new Float64Array(6))).toThrow(EnvError);
    expect(() => env.physicsState()).toThrow(EnvError);
  });
});

describe('lazy loading', () => {
  it('no file in src/envs loads MuJoCo at import time', () => {
    const dir = join(import.meta.dirname, '../../src/envs');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    for (const file of files) {
      const source = readFileSync(join(dir, file), 'utf8');
      const valueImports = source.match(/^import\s+(?!type\b)[^;]*from\s+'@mujoco\/mujoco'/gm) ?? [];
      expect(valueImports, file).toEqual([]);
    }
  });
});

describe('a custom spec', () => {
  // A point mass on a rail: the smallest model that exercises the shared plumbing.
  const rail: MujocoEnvSpec = {
    id: 'Rail',
    d4rlName: 'rail',
    modelXml: `<mujoco><worldbody><body><joint name="x" type="slide" axis="1 0 0"/><geom type="sphere" size="0.1"/></body></worldbody>
      <actuator><motor joint="x" gear="1" ctrlrange="-1 1"/></actuator></mujoco>`,
    frameSkip: 2,
    observationSize: 1,
    actionSpace: box(1),
    maxEpisodeSteps: 10,
    resetNoise: { qpos: { distribution: 'uniform', scale: 0 }, qvel: { distribution: 'uniform', scale: 0 } },
    observe: (_qpos, qvel, out) => {
      out[0] = qvel[0]!;
    },
    reward: (xVelocity) => xVelocity,
    isTerminated: (qpos) => qpos[0]! > 1,
    terminationFn: (observations, _size, out) => out ?? new Uint8Array(observations.length),
  };

  it('runs on the shared MuJoCo plumbing', async () => {
    const env = await MujocoEnv.create(rail);
    try {
      expect(Array.from(env.reset(0))).toEqual([0]);
      const { observation, reward } = env.step([1]);
      expect(observation[0]).toBeGreaterThan(0);
      expect(reward).toBeGreaterThan(0);
    } finally {
      env.close();
    }
  });

  it('reports a model MuJoCo rejects, with its message', async () => {
    await expect(MujocoEnv.create({ ...rail, modelXml: '<mujoco><worldbody><geom type="bogus"/></worldbody></mujoco>' })).rejects.toThrow(
      /Rail: MuJoCo rejected the model XML: .*bogus/,
    );
  });

  it('reports a spec whose action size does not match the model', async () => {
    await expect(MujocoEnv.create({ ...rail, actionSpace: box(2) })).rejects.toThrow(
      'Rail: the model has 1 actuators but the spec declares 2 actions',
    );
  });
});

describe('makeEnv options', () => {
  it('rejects a bad time limit or seed before allocating anything', async () => {
    await expect(makeEnv('Hopper', { maxEpisodeSteps: 0 })).rejects.toThrow(/maxEpisodeSteps must be a positive integer, got 0/);
    await expect(makeEnv('Hopper', { seed: 0.5 })).rejects.toThrow(/seed must be an integer/);
  });

  it('seeds the first reset from the option when reset() gets no seed', async () => {
    const a = await makeEnv('Hopper', { seed: 77 });
    const b = await makeEnv('Hopper');
    try {
      expect(Array.from(a.reset())).toEqual(Array.from(b.reset(77)));
    } finally {
      a.close();
      b.close();
    }
  });
});
