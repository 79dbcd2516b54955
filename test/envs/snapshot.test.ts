import { describe, expect, it } from 'vitest';
import { makeEnv } from '../../src/envs/registry.js';
import { Rng } from '../../src/util/rng.js';

describe('env snapshots', () => {
  it.each(['HalfCheetah', 'Hopper', 'Walker2d'])('%s continues bit-identically from a snapshot, resets included', async (id) => {
    const original = await makeEnv(id, { maxEpisodeSteps: 40 });
    const copy = await makeEnv(id, { maxEpisodeSteps: 40 });
    const actions = new Rng(4);
    const action = () => actions.fillUniform(new Float32Array(original.actionSize), -1, 1);
    original.reset(7);
    for (let i = 0; i < 15; i++) if (original.step(action()).terminated) original.reset();
    const snapshot = JSON.parse(JSON.stringify(original.snapshot()));
    copy.reset(999);
    copy.restore(snapshot);

    const trace = (env: typeof original, acts: Float32Array[]) =>
      acts.map((a) => {
        const step = env.step(a);
        const out = { ...step, observation: Array.from(step.observation) };
        if (step.terminated || step.truncated) env.reset();
        return out;
      });
    const acts = Array.from({ length: 60 }, action);
    expect(trace(copy, acts)).toEqual(trace(original, acts));
    original.close();
    copy.close();
  });

  it('refuses a snapshot from another environment', async () => {
    const cheetah = await makeEnv('HalfCheetah');
    const hopper = await makeEnv('Hopper');
    cheetah.reset(0);
    hopper.reset(0);
    expect(() => hopper.restore(cheetah.snapshot())).toThrow(/taken from another environment/);
    cheetah.close();
    hopper.close();
  });
});
