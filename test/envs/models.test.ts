import { describe, expect, it } from 'vitest';
import { loadMujoco } from '../../src/envs/mujoco-runtime.js';
import { HALF_CHEETAH_XML } from '../../src/envs/models/half-cheetah.js';
import { HOPPER_XML } from '../../src/envs/models/hopper.js';
import { WALKER2D_XML } from '../../src/envs/models/walker2d.js';

// Body masses of gym's models as mujoco-py (MuJoCo < 2.1.2) compiled them; they pin
// down geometry, density and the legacy capsule rule at once.
const models = [
  {
    name: 'HalfCheetah',
    xml: HALF_CHEETAH_XML,
    sizes: { nq: 9, nv: 9, nu: 6 },
    timestep: 0.01,
    masses: [0, 6.36031332, 1.53524804, 1.58093995, 1.0691906, 1.42558747, 1.17885117, 0.84986945],
  },
  {
    name: 'Hopper',
    xml: HOPPER_XML,
    sizes: { nq: 6, nv: 6, nu: 3 },
    timestep: 0.002,
    masses: [0, 3.53429174, 3.92699082, 2.71433605, 5.0893801],
  },
  {
    name: 'Walker2d',
    xml: WALKER2D_XML,
    sizes: { nq: 9, nv: 9, nu: 6 },
    timestep: 0.002,
    masses: [0, 3.53429174, 3.92699082, 2.71433605, 2.94053068, 3.92699082, 2.71433605, 2.94053068],
  },
];

describe.each(models)('$name model', ({ xml, sizes, timestep, masses }) => {
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
});
