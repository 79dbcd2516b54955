/**
 * Our models against gym's own XML under the MuJoCo that D4RL recorded with. The
 * fixtures were recorded by test/envs/fixtures/record-old-engine.c with Debian's
 * MuJoCo 2.2.2 (the contact rules of 2.1.0, which mujoco-py 2.1 ran) on gym's
 * unmodified hopper.xml, walker2d.xml and half_cheetah.xml; README.md there has the
 * commands. Each robot first settled onto the floor under that engine; from that
 * resting-in-contact state, three fixed action sequences were played for 100 steps.
 *
 * Set OLD_ENGINE_REPORT=1 to print the largest qpos/qvel difference at every recorded
 * step (the figures quoted in the README).
 */
import { readFileSync } from 'node:fs';
import type { MjModel } from '@mujoco/mujoco';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MujocoEnvSpec } from '../../src/envs/env-spec.js';
import { halfCheetah } from '../../src/envs/half-cheetah.js';
import { hopper } from '../../src/envs/hopper.js';
import { loadMujoco, type Mujoco } from '../../src/envs/mujoco-runtime.js';
import { walker2d } from '../../src/envs/walker2d.js';

interface State {
  qpos: number[];
  qvel: number[];
}

interface Fixture {
  engine: string;
  frameSkip: number;
  restingContacts: number;
  bodyMass: number[];
  bodyInertia: number[];
  start: State;
  sequences: { name: string; actions: number[][]; checkpoints: (State & { step: number })[] }[];
}

function readFixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`fixtures/old-engine-${name}.json`, import.meta.url), 'utf8')) as Fixture;
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/**
 * The largest qpos/qvel difference from the fixture at each of its recorded steps.
 * Physics only, as the recorder did it: gym's reset without noise, set_state (which
 * runs mj_forward), then each action held for frameSkip steps. The env's own step()
 * would stop at the first terminal state, and these sequences go on past falls.
 */
function replay(mj: Mujoco, model: MjModel, fixture: Fixture, sequence: Fixture['sequences'][number]): Map<number, number> {
  const data = new mj.MjData(model);
  try {
    mj.mj_resetData(model, data);
    mj.mj_forward(model, data);
    (data.qpos as Float64Array).set(fixture.start.qpos);
    (data.qvel as Float64Array).set(fixture.start.qvel);
    mj.mj_forward(model, data);
    const differences = new Map<number, number>();
    const checkpoints = new Map(sequence.checkpoints.map((checkpoint) => [checkpoint.step, checkpoint]));
    sequence.actions.forEach((action, index) => {
      (data.ctrl as Float64Array).set(action);
      for (let i = 0; i < fixture.frameSkip; i++) mj.mj_step(model, data);
      const expected = checkpoints.get(index + 1);
      if (!expected) return;
      const difference = Math.max(
        maxAbsDifference(data.qpos as Float64Array, expected.qpos),
        maxAbsDifference(data.qvel as Float64Array, expected.qvel),
      );
      differences.set(expected.step, difference);
    });
    return differences;
  } finally {
    data.delete();
  }
}

const cases: { spec: MujocoEnvSpec; fixture: Fixture }[] = [
  { spec: hopper, fixture: readFixture('hopper') },
  { spec: walker2d, fixture: readFixture('walker2d') },
  { spec: halfCheetah, fixture: readFixture('half-cheetah') },
];

describe.each(cases)('$spec.id against gym XML under the old engine', ({ spec, fixture }) => {
  let mj: Mujoco;
  let model: MjModel;
  beforeAll(async () => {
    mj = await loadMujoco();
    model = mj.MjModel.from_xml_string(spec.modelXml);
  });
  afterAll(() => model.delete());

  it('weighs its bodies as the old compiler did', () => {
    expect(fixture.frameSkip).toBe(spec.frameSkip);
    expect(fixture.bodyMass.length).toBe(model.nbody);
    expect(maxAbsDifference(model.body_mass as Float64Array, fixture.bodyMass)).toBeLessThan(1e-9);
    // Principal moments; their order within a body may differ between compilers.
    const moments = (values: ArrayLike<number>) =>
      Array.from({ length: values.length / 3 }, (_, b) =>
        [values[3 * b]!, values[3 * b + 1]!, values[3 * b + 2]!].sort((x, y) => x - y),
      ).flat();
    expect(maxAbsDifference(moments(model.body_inertia as Float64Array), moments(fixture.bodyInertia))).toBeLessThan(1e-9);
  });

  it('starts resting on the floor, with the contacts the old engine had there', () => {
    const data = new mj.MjData(model);
    try {
      (data.qpos as Float64Array).set(fixture.start.qpos);
      mj.mj_forward(model, data);
      expect(data.ncon).toBeGreaterThan(0);
      expect(data.ncon).toBe(fixture.restingContacts);
      expect(maxAbsDifference(fixture.start.qvel, new Float64Array(model.nv))).toBeLessThan(0.05);
    } finally {
      data.delete();
    }
  });

  it.each(fixture.sequences.map((sequence) => [sequence.name, sequence] as const))(
    'from rest on the floor, the %s action sequence matches it to 1e-6 after one step and after ten',
    (name, sequence) => {
      const differences = replay(mj, model, fixture, sequence);
      if (process.env.OLD_ENGINE_REPORT) {
        const figures = [...differences].map(([step, difference]) => `${step}: ${difference.toExponential(1)}`);
        console.info(`${spec.id} ${name} max |Δ| by step — ${figures.join(', ')}`);
      }
      expect(differences.get(1)).toBeLessThanOrEqual(1e-6);
      expect(differences.get(10)).toBeLessThanOrEqual(1e-6);
    },
  );
});
