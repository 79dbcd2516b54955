import { expect, it } from 'vitest';
import { makeEnv, runRandomPolicy } from '../../src/envs/index.js';

// D4RL's random reference score for HalfCheetah is −280.18 per episode. The run is
// seeded, so this is a fixed number, not a sample that could drift between runs.
it('a uniformly random policy returns −280 ± 80 on HalfCheetah over 20 episodes', async () => {
  const env = await makeEnv('HalfCheetah');
  try {
    const { returns, lengths } = runRandomPolicy(env, { episodes: 20, seed: 0 });
    expect(lengths).toEqual(new Array(20).fill(1000));
    const mean = returns.reduce((sum, r) => sum + r, 0) / returns.length;
    expect(mean).toBeGreaterThan(-360);
    expect(mean).toBeLessThan(-200);
  } finally {
    env.close();
  }
});
