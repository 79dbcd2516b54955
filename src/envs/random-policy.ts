/**
 * Episodes of a uniformly random policy: the "random" end of D4RL's normalised score
 * (HalfCheetah −280.18 per episode), and a steady load for measuring env speed.
 */
import { Rng } from '../util/rng.js';
import { sampleAction } from './action-space.js';
import type { Env } from './types.js';

export interface RandomPolicyRun {
  returns: number[];
  lengths: number[];
  /** Env steps taken over all episodes. */
  steps: number;
}

/**
 * Runs `episodes` full episodes with uniformly random actions (U(−1, 1) in each box
 * dimension, or a uniform index). Episode i resets with seed `seed + i` and draws its
 * actions from a second stream of that seed, so each episode is reproducible on its own.
 */
export function runRandomPolicy(env: Env, options: { episodes: number; seed: number }): RandomPolicyRun {
  const action = new Float64Array(env.actionSize);
  const run: RandomPolicyRun = { returns: [], lengths: [], steps: 0 };
  for (let episode = 0; episode < options.episodes; episode++) {
    env.reset(options.seed + episode);
    const actionRng = new Rng(options.seed + episode, 1);
    let episodeReturn = 0;
    let length = 0;
    for (;;) {
      sampleAction(env.actionSpace, actionRng, action);
      const { reward, terminated, truncated } = env.step(action);
      episodeReturn += reward;
      length++;
      if (terminated || truncated) break;
    }
    run.returns.push(episodeReturn);
    run.lengths.push(length);
    run.steps += length;
  }
  return run;
}
