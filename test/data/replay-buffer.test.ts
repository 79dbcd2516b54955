import { describe, expect, it } from 'vitest';
import { ReplayBuffer, allocateBatch } from '../../src/data/replay-buffer.js';
import { Rng } from '../../src/util/rng.js';

/** Row i has observation [i, i+0.5], action [-i], reward i, next obs [i+1, …], terminal on multiples of 3. */
function rows(from: number, count: number) {
  const batch = allocateBatch(count, 2, 1);
  for (let k = 0; k < count; k++) {
    const i = from + k;
    batch.observations.set([i, i + 0.5], 2 * k);
    batch.actions[k] = -i;
    batch.rewards[k] = i;
    batch.nextObservations.set([i + 1, i + 1.5], 2 * k);
    batch.terminals[k] = i % 3 === 0 ? 1 : 0;
  }
  return batch;
}

describe('ReplayBuffer', () => {
  it('keeps the newest rows when it wraps around', () => {
    const buffer = new ReplayBuffer(5, 2, 1);
    buffer.addBatch(rows(0, 3));
    buffer.addBatch(rows(3, 4));
    expect(buffer.size).toBe(5);
    expect([...buffer.contents().rewards]).toEqual([2, 3, 4, 5, 6]);
    buffer.addBatch(rows(100, 12));
    expect([...buffer.contents().rewards]).toEqual([107, 108, 109, 110, 111]);
    buffer.add([9, 9], [1], 42, [8, 8], true);
    expect([...buffer.contents().rewards]).toEqual([108, 109, 110, 111, 42]);
  });

  it('samples whole rows consistently into a batch at an offset', () => {
    const buffer = ReplayBuffer.from(rows(0, 50), 2, 1);
    const out = allocateBatch(20, 2, 1);
    buffer.sampleInto(out, 4, 16, new Rng(1));
    expect([...out.rewards.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    for (let k = 4; k < 20; k++) {
      const i = out.rewards[k]!;
      expect([...out.observations.subarray(2 * k, 2 * k + 2)]).toEqual([i, i + 0.5]);
      expect(out.actions[k]).toBe(-i);
      expect(out.nextObservations[2 * k]).toBe(i + 1);
      expect(out.terminals[k]).toBe(i % 3 === 0 ? 1 : 0);
    }
    expect(new Set(out.rewards.subarray(4)).size).toBeGreaterThan(8);
  });

  it('restores from its state to sample and grow exactly as the original', () => {
    const original = new ReplayBuffer(8, 2, 1);
    original.addBatch(rows(0, 11));
    const copy = ReplayBuffer.fromState(original.getState());
    const a = allocateBatch(6, 2, 1);
    const b = allocateBatch(6, 2, 1);
    original.sampleInto(a, 0, 6, new Rng(3));
    copy.sampleInto(b, 0, 6, new Rng(3));
    expect(b).toEqual(a);
    original.addBatch(rows(50, 3));
    copy.addBatch(rows(50, 3));
    expect(copy.contents()).toEqual(original.contents());
  });

  it('refuses to sample when empty', () => {
    expect(() => new ReplayBuffer(3, 2, 1).sampleInto(allocateBatch(1, 2, 1), 0, 1, new Rng(0))).toThrow(/empty replay buffer/);
  });
});
