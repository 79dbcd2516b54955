/**
 * The ground truth FQE estimates: the discounted return Σₜ γᵗ rₜ of each episode the
 * policy plays in the simulator, from the environment's own initial states. Recorded
 * by wrapping the environment, so the evaluation (checkpoint-evaluation.ts) runs unchanged.
 */
import type { EnvSource } from '../train/env-source.js';
import type { Env, StepResult } from '../envs/types.js';

export interface DiscountedRecorder {
  /** Makes the source's environments, recording into `returns`. */
  source: EnvSource;
  /** One discounted return per episode begun with reset(). */
  returns: number[];
}

export function recordDiscountedReturns(source: EnvSource, gamma: number): DiscountedRecorder {
  const returns: number[] = [];
  return { source: { ...source, make: async (options) => recording(await source.make(options), gamma, returns) }, returns };
}

/** `env` with reset and step observed; everything else passes through. */
function recording(env: Env, gamma: number, returns: number[]): Env {
  let discount = 1;
  const reset = (seed?: number) => {
    returns.push(0);
    discount = 1;
    return env.reset(seed);
  };
  const step = (action: ArrayLike<number>): StepResult => {
    const result = env.step(action);
    returns[returns.length - 1]! += discount * result.reward;
    discount *= gamma;
    return result;
  };
  return new Proxy(env, {
    get(target, property) {
      if (property === 'reset') return reset;
      if (property === 'step') return step;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
