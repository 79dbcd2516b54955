import { describe, expect, it, vi } from 'vitest';
import { makeEnv } from '../../src/envs/index.js';

// Any attempt to load MuJoCo fails in this file, so an env that gets created here
// was created without it.
vi.mock('../../src/envs/mujoco-runtime.js', () => ({
  loadMujoco: () => Promise.reject(new Error('MuJoCo was loaded')),
}));

describe('the registry without MuJoCo', () => {
  it.each(['CartPole-v1', 'Acrobot-v1', 'MountainCar-v0'])('creates and steps %s', async (id) => {
    const env = await makeEnv(id);
    env.reset(0);
    expect(env.step([0]).observation).toHaveLength(env.observationSize);
    env.close();
  });

  it('still needs MuJoCo for a MuJoCo task (so the test above proves something)', async () => {
    await expect(makeEnv('Hopper')).rejects.toThrow('MuJoCo was loaded');
  });
});
