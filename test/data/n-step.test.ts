import { describe, expect, it } from 'vitest';
import { writeNStepRows } from '../../src/data/n-step.js';
import { PrioritizedSampler } from '../../src/data/prioritized-sampler.js';
import { allocateBatch, ReplayBuffer } from '../../src/data/replay-buffer.js';
import { ReplaySampler } from '../../src/data/replay-sampler.js';
import { Rng } from '../../src/util/rng.js';

/**
 * Three episodes, observations counting the steps:
 *   rows 0–3  episode 1, rewards 1 2 3 4, cut by the time limit after row 3 (s′ = 4)
 *   rows 4–6  episode 2, rewards 10 20 30, terminated at row 6
 *   rows 7–8  episode 3, rewards 100 200, still running (row 8 is the newest)
 */
function episodes(capacity = 16): ReplayBuffer {
  const buffer = new ReplayBuffer(capacity, 1, 1);
  const add = (s: number, r: number, terminal = false, timeout = false) => buffer.add([s], [s / 100], r, [s + 1], terminal, timeout);
  [1, 2, 3].forEach((r, t) => add(t, r));
  add(3, 4, false, true);
  add(10, 10);
  add(11, 20);
  add(12, 30, true);
  add(20, 100);
  add(21, 200);
  return buffer;
}

function nStep(buffer: ReplayBuffer, rows: number[], n: number, gamma: number) {
  const out = { ...allocateBatch(rows.length, 1, 1), discounts: new Float32Array(rows.length) };
  writeNStepRows(buffer, rows, out, 0, { n, gamma });
  return rows.map((_, i) => ({ s: out.observations[i], r: out.rewards[i], next: out.nextObservations[i], done: out.terminals[i], discount: out.discounts[i] }));
}

describe('n-step transitions', () => {
  it('sum the discounted rewards of the episode up to n steps, stopping at terminations, time limits and the newest row', () => {
    // γ = 0.5, n = 3, computed by hand:
    expect(nStep(episodes(), [0, 1, 2, 3, 4, 5, 6, 7, 8], 3, 0.5)).toEqual([
      { s: 0, r: 1 + 0.5 * 2 + 0.25 * 3, next: 3, done: 0, discount: 0.125 },
      { s: 1, r: 2 + 0.5 * 3 + 0.25 * 4, next: 4, done: 0, discount: 0.125 }, // reaches the cut's real s′
      { s: 2, r: 3 + 0.5 * 4, next: 4, done: 0, discount: 0.25 }, // cut: bootstrap from s′ after 2 steps
      { s: 3, r: 4, next: 4, done: 0, discount: 0.5 },
      { s: 10, r: 10 + 0.5 * 20 + 0.25 * 30, next: 13, done: 1, discount: 0.125 },
      { s: 11, r: 20 + 0.5 * 30, next: 13, done: 1, discount: 0.25 }, // terminated: no bootstrap
      { s: 12, r: 30, next: 13, done: 1, discount: 0.5 },
      { s: 20, r: 100 + 0.5 * 200, next: 22, done: 0, discount: 0.25 }, // the episode goes on, but its next row is not stored yet
      { s: 21, r: 200, next: 22, done: 0, discount: 0.5 },
    ]);
  });

  it('with n = 1 are the stored transitions', () => {
    expect(nStep(episodes(), [2, 6], 1, 0.9).map(({ r, next, done }) => [r, next, done])).toEqual([
      [3, 3, 0],
      [30, 13, 1],
    ]);
  });

  it('never run from the newest row into the oldest when the ring buffer has wrapped', () => {
    const buffer = new ReplayBuffer(3, 1, 1);
    buffer.add([9], [0], 1, [10], false);
    buffer.add([5], [0], 2, [6], false); // the oldest row once the next one wraps around
    buffer.add([6], [0], 3, [7], false);
    buffer.add([7], [0], 4, [5], false); // the newest, in slot 0; its s′ happens to equal the oldest row's s
    expect(nStep(buffer, [0, 1], 3, 0.5).map(({ s, r, next }) => [s, r, next])).toEqual([
      [7, 4, 5],
      [5, 2 + 0.5 * 3 + 0.25 * 4, 5],
    ]);
  });

  it('stop where a dataset row does not continue into the next one (a dropped time-limit row)', () => {
    const rows = { ...allocateBatch(3, 1, 1) };
    rows.observations.set([0, 1, 5]);
    rows.nextObservations.set([1, 2, 6]); // row 1's successor (s = 2) was dropped; row 2 starts another episode
    rows.rewards.set([1, 1, 1]);
    const dataset = ReplayBuffer.over(rows, 1, 1);
    expect(nStep(dataset, [0, 1, 2], 3, 0.5).map(({ r, next }) => [r, next])).toEqual([
      [1.5, 2],
      [1, 2],
      [1, 6],
    ]);
  });
});

describe('ReplaySampler', () => {
  it('without n-step or priorities draws exactly what sampleInto draws', () => {
    const buffer = episodes();
    const sampler = new ReplaySampler(buffer, { nStep: 1, gamma: 0.99 }, null, 12);
    const batch = sampler.allocateBatch();
    expect(batch.discounts).toBeUndefined();
    expect(batch.weights).toBeUndefined();
    expect(sampler.tdErrors).toBeNull();
    sampler.draw(batch, new Rng(4), 1);
    const plain = allocateBatch(12, 1, 1);
    buffer.sampleInto(plain, 0, 12, new Rng(4));
    expect(batch).toEqual(plain);
  });

  it('draws n-step rows by priority with their weights, and renews the priorities from the TD errors', () => {
    const buffer = episodes();
    const priorities = new PrioritizedSampler(buffer.capacity, { alpha: 1, epsilon: 0 });
    priorities.addedAll(buffer.size);
    const sampler = new ReplaySampler(buffer, { nStep: 2, gamma: 0.5 }, priorities, 6);
    const batch = sampler.allocateBatch();
    sampler.draw(batch, new Rng(1), 0.5);
    expect(Array.from(batch.weights!)).toEqual([1, 1, 1, 1, 1, 1]); // every row at the same priority
    for (let i = 0; i < 6; i++) expect([0.25, 0.5]).toContain(batch.discounts![i]);
    // Row 6 (s = 12) gets TD error 3, the other drawn rows 0; rows not drawn keep the initial 1.
    const drawn = new Set(batch.observations);
    expect(drawn.has(12)).toBe(true);
    sampler.tdErrors!.set(Array.from(batch.observations, (s) => (s === 12 ? 3 : 0)));
    sampler.reprioritize();
    for (let row = 0; row < buffer.size; row++) {
      const s = buffer.rows.observations[row]!;
      expect(priorities.priority(row), `row ${row}`).toBe(!drawn.has(s) ? 1 : s === 12 ? 3 : 0);
    }
  });
});
