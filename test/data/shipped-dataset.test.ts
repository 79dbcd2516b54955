import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalizedScore } from '../../src/data/d4rl-registry.js';
import { loadDataset } from '../../src/data/load-dataset.js';

const SHIPPED = fileURLToPath(new URL('../../data/halfcheetah-random-small.hdf5', import.meta.url));

describe('data/halfcheetah-random-small.hdf5', () => {
  it('is a HalfCheetah random dataset of 12 full episodes that says how it was made', async () => {
    const dataset = await loadDataset(SHIPPED, { expect: { observationSize: 17, actionSize: 6 } });
    expect(dataset.size).toBe(12_000);
    expect(dataset.source).toMatchObject({ envId: 'HalfCheetah', nextObservationsFromFile: true, droppedRows: 0 });
    expect(dataset.source.metadata).toMatchObject({
      policy: 'uniform-random',
      seed: 0,
      command: 'mopo-collect policy=random env.id=HalfCheetah collect.steps=12000 collect.seed=0 collect.out=data/halfcheetah-random-small.hdf5',
    });
    expect(dataset.terminals.every((t) => t === 0)).toBe(true);

    const returns: number[] = [];
    let episodeReturn = 0;
    for (let i = 0; i < dataset.size; i++) {
      episodeReturn += dataset.rewards[i]!;
      if (dataset.timeouts[i] === 1) {
        returns.push(episodeReturn);
        episodeReturn = 0;
      }
    }
    expect(returns).toHaveLength(12);
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    // D4RL's random reference is −280.18 per episode, i.e. a normalised score of 0.
    expect(Math.abs(mean - -280.18)).toBeLessThan(80);
    expect(Math.abs(normalizedScore('halfcheetah-random-v2', mean))).toBeLessThan(1);
  });
});

describe('data/cartpole-ddqn-medium.hdf5', () => {
  it('is 50 000 CartPole-v1 steps of a mediocre DDQN policy (return about 115), with action indices, that says how it was made', async () => {
    const file = fileURLToPath(new URL('../../data/cartpole-ddqn-medium.hdf5', import.meta.url));
    const dataset = await loadDataset(file, { expect: { observationSize: 4, actionSize: 1, actionSpace: { kind: 'discrete', n: 2 } } });
    expect(dataset.size).toBe(50_000);
    expect(dataset.source).toMatchObject({ envId: 'CartPole' });
    expect(dataset.source.metadata).toMatchObject({
      action_space: 'discrete(2)',
      policy: 'ddqn step 20000 (stochastic)',
      seed: 0,
      command: 'mopo-collect checkpoint_path=cartpole-online-20k collect.steps=50000 collect.seed=0 collect.out=cartpole-ddqn-medium.hdf5 threads=0',
    });
    const returns: number[] = [];
    let episodeReturn = 0;
    for (let i = 0; i < dataset.size; i++) {
      episodeReturn += dataset.rewards[i]!;
      if (dataset.terminals[i] === 1) {
        returns.push(episodeReturn);
        episodeReturn = 0;
      }
    }
    expect(returns).toHaveLength(432);
    expect(returns.reduce((a, b) => a + b, 0) / returns.length).toBeCloseTo(115.49, 2);
  });
});
