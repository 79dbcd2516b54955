/**
 * Env speed (random actions, one process, resets included) and the HalfCheetah
 * random-policy return that D4RL uses as its "random" reference (−280.18).
 */
import { makeEnv, runRandomPolicy } from '../../src/envs/index.js';
import type { BenchSection } from './sections.js';

const STEPS_PER_MEASUREMENT = 20_000;

async function stepsPerSecond(id: string): Promise<number> {
  const env = await makeEnv(id);
  try {
    runRandomPolicy(env, { episodes: 2, seed: 1_000_000 }); // warm up the JIT
    let steps = 0;
    const start = performance.now();
    for (let episode = 0; steps < STEPS_PER_MEASUREMENT; episode++) {
      steps += runRandomPolicy(env, { episodes: 1, seed: episode }).steps;
    }
    return Math.round(steps / ((performance.now() - start) / 1000));
  } finally {
    env.close();
  }
}

async function halfCheetahRandomReturn(): Promise<number> {
  const env = await makeEnv('HalfCheetah');
  try {
    const { returns } = runRandomPolicy(env, { episodes: 20, seed: 0 });
    return Number((returns.reduce((sum, r) => sum + r, 0) / returns.length).toFixed(2));
  } finally {
    env.close();
  }
}

export const envsSection: BenchSection = {
  name: 'envs',
  async run() {
    return {
      env_steps_per_s_halfcheetah: await stepsPerSecond('HalfCheetah'),
      env_steps_per_s_hopper: await stepsPerSecond('Hopper'),
      env_steps_per_s_walker2d: await stepsPerSecond('Walker2d'),
      halfcheetah_random_return_mean: await halfCheetahRandomReturn(),
    };
  },
};
