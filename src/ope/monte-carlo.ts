/**
 * The ground truth FQE estimates: the discounted return Σₜ γᵗ rₜ of each episode the
 * policy plays in the simulator, from the environment's own initial states. Recorded by
 * wrapping the environment, so evaluation (evaluate.ts) runs unchanged.
 */
import type { Env, StepResult } from '../envs/types.js';

export interface DiscountedRecorder {
  env: Env;
  /** One discounted return per episode begun with reset(). */
  returns: number[];
}

export function recordDiscountedReturns(env: Env, gamma: number): DiscountedRecorder {
  const returns: number[] = [];
  let discount = 1;
  const wrapped: Env = {
    get id() {
      return env.id;
    },
    get observationSize() {
      return env.observationSize;
    },
    get actionSize() {
      return env.actionSize;
    },
    get maxEpisodeSteps() {
      return env.maxEpisodeSteps;
    },
    reset(seed?: number) {
      returns.push(0);
      discount = 1;
      return env.reset(seed);
    },
    step(action: ArrayLike<number>): StepResult {
      const result = env.step(action);
      returns[returns.length - 1]! += discount * result.reward;
      discount *= gamma;
      return result;
    },
    physicsState: () => env.physicsState(),
    close: () => env.close(),
  };
  return { env: wrapped, returns };
}
