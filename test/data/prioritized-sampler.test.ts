import { describe, expect, it } from 'vitest';
import { annealedBeta, PrioritizedSampler } from '../../src/data/prioritized-sampler.js';
import { Rng } from '../../src/util/rng.js';

/** How often each row is drawn in `draws` samples of batches of 100. */
function frequencies(sampler: PrioritizedSampler, rows: number, draws: number, seed: number): number[] {
  const rng = new Rng(seed);
  const counts = new Array<number>(rows).fill(0);
  const indices = new Uint32Array(100);
  const weights = new Float32Array(100);
  for (let n = 0; n < draws / 100; n++) {
    sampler.sample(rng, 1, indices, weights);
    for (const i of indices) counts[i]! += 1;
  }
  return counts.map((c) => c / draws);
}

describe('PrioritizedSampler', () => {
  it('draws rows in proportion to (|δ| + ε)^α', () => {
    const settings = { alpha: 1, epsilon: 1 };
    const sampler = new PrioritizedSampler(8, settings);
    sampler.addedAll(5);
    sampler.update([0, 1, 2, 3, 4], [0, -1, 2, 3, -4]); // p = 1, 2, 3, 4, 5
    const seen = frequencies(sampler, 5, 200_000, 1);
    // 200 000 draws: each frequency's standard deviation is below 0.0011, so 0.005 is > 4σ.
    [1, 2, 3, 4, 5].forEach((p, i) => expect(Math.abs(seen[i]! - p / 15)).toBeLessThan(0.005));

    const flatter = new PrioritizedSampler(8, { alpha: 0.5, epsilon: 1 });
    flatter.addedAll(5);
    flatter.update([0, 1, 2, 3, 4], [0, 1, 2, 3, 4]);
    const roots = [1, 2, 3, 4, 5].map(Math.sqrt);
    const sum = roots.reduce((a, b) => a + b, 0);
    const seenFlat = frequencies(flatter, 5, 200_000, 2);
    roots.forEach((r, i) => expect(Math.abs(seenFlat[i]! - r / sum)).toBeLessThan(0.005));
  });

  it('weights each draw by (N·P(i))^−β over its largest value, i.e. (min p / p_i)^β', () => {
    const sampler = new PrioritizedSampler(4, { alpha: 1, epsilon: 0.5 });
    sampler.addedAll(4);
    sampler.update([0, 1, 2, 3], [0.5, 1.5, 3.5, 7.5]); // p = 1, 2, 4, 8
    const indices = new Uint32Array(400);
    const weights = new Float32Array(400);
    sampler.sample(new Rng(3), 0.5, indices, weights);
    const N = 4;
    const total = 15;
    const maxWeight = (N * (1 / total)) ** -0.5;
    indices.forEach((row, k) => {
      const p = 2 ** row;
      expect(weights[k]).toBeCloseTo((N * (p / total)) ** -0.5 / maxWeight, 6);
    });
    expect(new Set(indices).size).toBe(4);
    expect(Math.max(...weights)).toBe(1); // the least likely row
  });

  it('gives a new row the highest priority so far', () => {
    const sampler = new PrioritizedSampler(4, { alpha: 1, epsilon: 0 });
    sampler.added(0);
    expect(sampler.priority(0)).toBe(1); // nothing replayed yet
    sampler.update([0], [6]);
    sampler.added(1);
    expect(sampler.priority(1)).toBe(6);
    sampler.update([1], [0.5]);
    sampler.added(2);
    expect(sampler.priority(2)).toBe(6);
  });

  it('restores from its state to draw exactly as the original', () => {
    const sampler = new PrioritizedSampler(10, { alpha: 0.6, epsilon: 1e-6 });
    sampler.addedAll(7);
    sampler.update([1, 3, 6], [0.3, 2, 0.01]);
    const copy = PrioritizedSampler.fromState(structuredClone(sampler.getState()), sampler.settings);
    const draw = (s: PrioritizedSampler) => {
      const indices = new Uint32Array(50);
      const weights = new Float32Array(50);
      s.sample(new Rng(9), 0.4, indices, weights);
      return [Array.from(indices), Array.from(weights)];
    };
    expect(draw(copy)).toEqual(draw(sampler));
    expect(copy.getState()).toEqual(sampler.getState());
  });

  it('anneals β linearly from its start to 1', () => {
    expect(annealedBeta(0.4, 0)).toBe(0.4);
    expect(annealedBeta(0.4, 0.5)).toBeCloseTo(0.7, 12);
    expect(annealedBeta(0.4, 1)).toBe(1);
    expect(annealedBeta(0.4, 3)).toBe(1);
  });
});
