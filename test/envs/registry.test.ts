import { describe, expect, it } from 'vitest';
import { EnvError } from '../../src/errors.js';
import {
  acrobotTermination,
  actionSpaceName,
  availableEnvIds,
  cartPoleTermination,
  mountainCarTermination,
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
    ['CartPole-v1', 'CartPole'],
    ['CartPole', 'CartPole'],
    ['cartpole', 'CartPole'],
    ['cart_pole', 'CartPole'],
    ['Acrobot-v1', 'Acrobot'],
    ['acrobot', 'Acrobot'],
    ['MountainCar-v0', 'MountainCar'],
    ['mountain_car', 'MountainCar'],
    ['mountaincar', 'MountainCar'],
  ])('maps %s to %s', (id, expected) => {
    expect(envIdFor(id)).toBe(expected);
  });

  it('lists the available environments', () => {
    expect(availableEnvIds()).toEqual(['HalfCheetah', 'Hopper', 'Walker2d', 'CartPole', 'Acrobot', 'MountainCar']);
  });

  it('knows sizes and time limits without loading MuJoCo', () => {
    expect(envSpecFor('halfcheetah-medium-v2')).toMatchObject({ observationSize: 17, actionSize: 6, maxEpisodeSteps: 1000 });
    expect(envSpecFor('Hopper')).toMatchObject({ observationSize: 11, actionSize: 3 });
    expect(envSpecFor('Walker2d')).toMatchObject({ observationSize: 17, actionSize: 6 });
  });

  it('states every env’s action space: box(size) for MuJoCo, discrete(n) for classic control', () => {
    const spaces = Object.fromEntries(availableEnvIds().map((id) => [id, actionSpaceName(envSpecFor(id).actionSpace)]));
    expect(spaces).toEqual({
      HalfCheetah: 'box(6)',
      Hopper: 'box(3)',
      Walker2d: 'box(6)',
      CartPole: 'discrete(2)',
      Acrobot: 'discrete(3)',
      MountainCar: 'discrete(3)',
    });
    expect(envSpecFor('CartPole-v1')).toMatchObject({ observationSize: 4, actionSize: 1, maxEpisodeSteps: 500, usesMujoco: false });
    expect(envSpecFor('Acrobot-v1')).toMatchObject({ observationSize: 6, actionSize: 1, maxEpisodeSteps: 500, usesMujoco: false });
    expect(envSpecFor('MountainCar-v0')).toMatchObject({ observationSize: 2, actionSize: 1, maxEpisodeSteps: 200, usesMujoco: false });
    expect(envSpecFor('Hopper')).toMatchObject({ usesMujoco: true });
    expect(envSpecFor('CartPole').d4rlName).toBeUndefined();
  });

  it('refuses another gym version of a classic-control task instead of running ours', () => {
    const error = errorOf(() => envIdFor('CartPole-v0'));
    expect(error.message).toBe('CartPole-v0 is not available: mopo has CartPole-v1, whose rules (e.g. the time limit) differ from other versions.');
    expect(errorOf(() => envIdFor('MountainCar-v1')).message).toContain('mopo has MountainCar-v0');
  });

  it('gives no D4RL dataset id to a task D4RL does not have', () => {
    expect(errorOf(() => envIdFor('cartpole-medium-v2')).message).toContain('Unknown environment "cartpole-medium-v2"');
  });

  it('gives each task its termination function', () => {
    expect(terminationFnFor('halfcheetah-random-v2')).toBe(halfCheetahTermination);
    expect(terminationFnFor('hopper-medium-v2')).toBe(hopperTermination);
    expect(terminationFnFor('Walker2d')).toBe(walker2dTermination);
    expect(terminationFnFor('CartPole-v1')).toBe(cartPoleTermination);
    expect(terminationFnFor('acrobot')).toBe(acrobotTermination);
    expect(terminationFnFor('MountainCar-v0')).toBe(mountainCarTermination);
  });

  it('names an unknown id, lists the available ones and suggests the nearest', () => {
    const error = errorOf(() => envIdFor('HalfCheeta'));
    expect(error.message).toContain('Unknown environment "HalfCheeta"');
    expect(error.message).toContain('Did you mean "HalfCheetah"?');
    expect(error.message).toContain('Available: HalfCheetah, Hopper, Walker2d, CartPole-v1, Acrobot-v1, MountainCar-v0');
    expect(errorOf(() => envIdFor('CartPol')).message).toContain('Did you mean "CartPole-v1"?');
    expect(errorOf(() => envIdFor('MountainKar-v0')).message).toContain('Did you mean "MountainCar-v0"?');
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
