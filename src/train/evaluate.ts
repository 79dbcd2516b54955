/**
 * Policy evaluation in the real environment: whole episodes (to termination or the
 * time limit), episode i reset with seed `seed + i`, so a score does not depend on
 * how many episodes ran before it or on anything training did with its own RNG.
 */
import { findD4rlTask, normalizedScore } from '../data/d4rl-registry.js';
import type { Env, StepResult } from '../envs/types.js';

export type ActFn = (observation: Float32Array) => Float32Array;

/** Sees every episode as it is played, e.g. to record it (episode-recording.ts). */
export interface EpisodeObserver {
  /** After the reset of episode `episode` (0-based) with `seed`. */
  episodeStart(episode: number, seed: number, env: Env): void;
  afterStep(action: Float32Array, step: StepResult, env: Env): void;
}

export interface EvaluationResult {
  episodes: number;
  returns: number[];
  lengths: number[];
  returnMean: number;
  returnStd: number;
  lengthMean: number;
  /** D4RL's 0–100 scale, when the environment is a D4RL task. */
  normalizedMean: number | null;
  normalizedStd: number | null;
}

export function evaluatePolicy(env: Env, act: ActFn, options: { episodes: number; seed: number; scoreId?: string; observer?: EpisodeObserver }): EvaluationResult {
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let episode = 0; episode < options.episodes; episode++) {
    let observation = env.reset(options.seed + episode);
    options.observer?.episodeStart(episode, options.seed + episode, env);
    let total = 0;
    let length = 0;
    for (;;) {
      const action = act(observation);
      const step = env.step(action);
      options.observer?.afterStep(action, step, env);
      total += step.reward;
      length++;
      observation = step.observation;
      if (step.terminated || step.truncated) break;
    }
    returns.push(total);
    lengths.push(length);
  }
  const scoreId = options.scoreId ?? env.id;
  const normalized = findD4rlTask(scoreId) ? returns.map((r) => normalizedScore(scoreId, r)) : null;
  return {
    episodes: options.episodes,
    returns,
    lengths,
    returnMean: mean(returns),
    returnStd: std(returns),
    lengthMean: mean(lengths),
    normalizedMean: normalized ? mean(normalized) : null,
    normalizedStd: normalized ? std(normalized) : null,
  };
}

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

function std(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
}
