import { describe, expect, it } from 'vitest';
import { EnvError } from '../../src/errors.js';
import {
  availableEnvIds,
  envIdFor,
  envSpecFor,
  halfCheetahTermination,
  hopperTermination,
  makeEnv,
  terminationFnFor,
  walker2dTermination,
} from '../../src/envs/index.js';

function errorOf(fn: () => unknown): EnvError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return error as EnvError;
  }
  throw new Error('expected an EnvError');
}

describe('env registry', () => {
  it.each([
    ['HalfCheetah', 'HalfCheetah'],
    ['HalfCheetah-v3', 'HalfCheetah'],
    ['HalfCheetah-v2', 'HalfCheetah'],
    ['halfcheetah', 'HalfCheetah'],
    ['half_cheetah', 'HalfCheetah'],
    ['halfcheetah-medium-v2', 'HalfCheetah'],
    ['halfcheetah-medium-expert-v2', 'HalfCheetah'],
    ['Hopper', 'Hopper'],
    ['hopper-random-v2', 'Hopper'],
    ['Walker2d-v3', 'Walker2d'],
    ['walker2d', 'Walker2d'],
    ['walker2d-medium-replay-v2', 'Walker2d'],
  ])('maps %s to %s', (id, expected) => {
    expect(envIdFor(id)).toBe(expected);
  });

  it('lists the available environments', () => {
    expect(availableEnvIds()).toEqual(['HalfCheetah', 'Hopper', 'Walker2d']);
  });

  it('knows sizes and time limits without loading MuJoCo', () => {
    expect(envSpecFor('halfcheetah-medium-v2')).toMatchObject({ observationSize: 17, actionSize: 6, maxEpisodeSteps: 1000 });
    expect(envSpecFor('Hopper')).toMatchObject({ observationSize: 11, actionSize: 3 });
    expect(envSpecFor('Walker2d')).toMatchObject({ observationSize: 17, actionSize: 6 });
  });

  it('gives each task its termination function', () => {
    expect(terminationFnFor('halfcheetah-random-v2')).toBe(halfCheetahTermination);
    expect(terminationFnFor('hopper-medium-v2')).toBe(hopperTermination);
    expect(terminationFnFor('Walker2d')).toBe(walker2dTermination);
  });

  it('names an unknown id, lists the available ones and suggests the nearest', () => {
    const error = errorOf(() => envIdFor('HalfCheeta'));
    expect(error.message).toContain('Unknown environment "HalfCheeta"');
    expect(error.message).toContain('Did you mean "HalfCheetah"?');
    expect(error.message).toContain('Available: HalfCheetah, Hopper, Walker2d');
  });

  it('keeps the dataset part of a misspelt D4RL id in the suggestion', () => {
    expect(errorOf(() => envIdFor('hoper-medium-v2')).message).toContain('Did you mean "hopper-medium-v2"?');
    expect(errorOf(() => envIdFor('walker-medium-replay-v2')).message).toContain(
      'Did you mean "walker2d-medium-replay-v2"?',
    );
  });

  it('suggests nothing for an id far from every env', () => {
    const error = errorOf(() => envIdFor('Humanoid'));
    expect(error.message).not.toContain('Did you mean');
    expect(error.message).toContain('Available:');
  });

  it('rejects empty and non-string ids', () => {
    expect(errorOf(() => envIdFor('')).message).toContain('non-empty string');
    expect(errorOf(() => envIdFor(undefined as unknown as string)).message).toContain('non-empty string');
  });

  it('makeEnv rejects an unknown id before loading anything', async () => {
    await expect(makeEnv('Ant')).rejects.toThrow(EnvError);
  });
});
