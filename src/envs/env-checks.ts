/**
 * Checks on what callers hand an environment (options, seeds, states), shared by the
 * MuJoCo and the classic-control envs so both refuse bad input with the same words.
 */
import { EnvError } from '../errors.js';
import type { EnvSpec } from './env-spec.js';
import type { EnvOptions } from './types.js';

/** The checked seed and time limit of `options`, with the spec's limit as default. */
export function checkEnvOptions(spec: EnvSpec, options: EnvOptions): { seed: number; maxEpisodeSteps: number } {
  const limit = options.maxEpisodeSteps;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new EnvError(`${spec.id}: maxEpisodeSteps must be a positive integer, got ${String(limit)}`);
  }
  return { seed: checkedSeed(options.seed ?? 0), maxEpisodeSteps: limit ?? spec.maxEpisodeSteps };
}

export function checkedSeed(seed: number): number {
  if (!Number.isInteger(seed)) throw new EnvError(`An env seed must be an integer, got ${String(seed)}`);
  return seed;
}

/** `values` has `expectedLength` finite numbers; `name` says whose they are in the message. */
export function checkVector(name: string, values: ArrayLike<number> | undefined, expectedLength: number): void {
  if (values?.length !== expectedLength) {
    throw new EnvError(`${name} must have ${expectedLength} entries, got ${values?.length ?? typeof values}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new EnvError(`${name}[${i}] must be finite, got ${String(values[i])}`);
  }
}
