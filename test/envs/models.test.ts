import type { MjModel } from '@mujoco/mujoco';
import { describe, expect, it } from 'vitest';
import { loadMujoco } from '../../src/envs/mujoco-runtime.js';
import { HALF_CHEETAH_XML } from '../../src/envs/models/half-cheetah.js';
import { HOPPER_XML } from '../../src/envs/models/hopper.js';
import { WALKER2D_XML } from '../../src/envs/models/walker2d.js';

// Body masses of gym's models as mujoco-py's MuJoCo 2.1.0 compiled them (2.1.1 made
// capsule inertias exact); they pin down geometry, density and the legacy capsule rule
// at once.
const models = [
  {
    name: 'HalfCheetah',
    xml: HALF_CHEETAH_XML,
    sizes: { nq: 9, nv: 9, nu: 6 },
    timestep: 0.01,
    masses: [0, 6.36031332, 1.53524804, 1.58093995, 1.0691906, 1.42558747, 1.17885117, 0.84986945],
    gymMargin: 0,
  },
  {
    name: 'Hopper',
    xml: HOPPER_XML,
    sizes: { nq: 6, nv: 6, nu: 3 },
    timestep: 0.002,
    masses: [0, 3.53429174, 3.92699082, 2.71433605, 5.0893801],
    gymMargin: 0.001,
  },
  {
    name: 'Walker2d',
    xml: WALKER2D_XML,
    sizes: { nq: 9, nv: 9, nu: 6 },
    timestep: 0.002,
    masses: [0, 3.53429174, 3.92699082, 2.71433605, 2.94053068, 3.92699082, 2.71433605, 2.94053068],
    gymMargin: 0,
  },
];

describe.each(models)('$name model', ({ xml, sizes, timestep, masses, gymMargin }) => {
  it('compiles with gym sizes, timestep and body masses', async () => {
    const mj = await loadMujoco();
    const model = mj.MjModel.from_xml_string(xml);
    try {
      expect({ nq: model.nq, nv: model.nv, nu: model.nu }).toEqual(sizes);
      expect(model.opt.timestep).toBe(timestep);
      const bodyMass = Array.from(model.body_mass as Float64Array);
      expect(bodyMass.length).toBe(masses.length);
      bodyMass.forEach((mass, i) => expect(mass).toBeCloseTo(masses[i]!, 6));
    } finally {
      model.delete();
    }
  });

  // gym sets one margin on every geom of a model. MuJoCo 2.1 gave a contact the larger
  // of its geoms' margins, today's MuJoCo gives it their sum: each pair that can touch
  // must add up to gym's value (and have no gap, whose meaning also changed).
  it("gives every pair of geoms that can touch gym's margin under MuJoCo 2.1's rule", async () => {
    const mj = await loadMujoco();
    const model = mj.MjModel.from_xml_string(xml);
    try {
      const pairs = geomPairsThatCanTouch(model);
      expect(pairs.length).toBeGreaterThan(0);
      const margin = model.geom_margin as Float64Array;
      const gap = model.geom_gap as Float64Array;
      for (const [a, b] of pairs) {
        expect(margin[a]! + margin[b]!).toBeCloseTo(gymMargin, 12);
        expect(gap[a]! + gap[b]!).toBe(0);
      }
    } finally {
      model.delete();
    }
  });
});

/** Geom pairs that pass MuJoCo's contype/conaffinity and parent-child filters. */
function geomPairsThatCanTouch(model: MjModel): [number, number][] {
  const contype = model.geom_contype as Int32Array;
  const conaffinity = model.geom_conaffinity as Int32Array;
  const body = model.geom_bodyid as Int32Array;
  const parent = model.body_parentid as Int32Array;
  const pairs: [number, number][] = [];
  for (let a = 0; a < model.ngeom; a++) {
    for (let b = a + 1; b < model.ngeom; b++) {
      const [bodyA, bodyB] = [body[a]!, body[b]!];
      if (!((contype[a]! & conaffinity[b]!) || (contype[b]! & conaffinity[a]!))) continue;
      if (bodyA === bodyB) continue;
      const adjacent = (parent[bodyA] === bodyB && bodyB !== 0) || (parent[bodyB] === bodyA && bodyA !== 0);
      if (!adjacent) pairs.push([a, b]);
    }
  }
  return pairs;
}
