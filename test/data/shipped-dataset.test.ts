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
