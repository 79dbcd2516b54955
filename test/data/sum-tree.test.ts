import { describe, expect, it } from 'vitest';
import { SumTree } from '../../src/data/sum-tree.js';
import { Rng } from '../../src/util/rng.js';

describe('SumTree', () => {
  it('finds the slot where the running sum passes a mass, as a linear scan does', () => {
    const rng = new Rng(5);
    const tree = new SumTree(37); // not a power of two
    const priorities = Array.from({ length: 37 }, (_, i) => (i % 7 === 3 ? 0 : rng.uniformIn(0.01, 3)));
    priorities.forEach((p, i) => tree.set(i, p));
    const stored = priorities.map((p) => Math.fround(p));
    const total = stored.reduce((a, b) => a + b, 0);
    expect(tree.total()).toBeCloseTo(total, 4);
    for (let trial = 0; trial < 2000; trial++) {
      const mass = rng.uniform() * tree.total();
      let running = 0;
      let expected = -1;
      for (let i = 0; i < stored.length; i++) {
        running += stored[i]!;
        if (mass < running) {
          expected = i;
          break;
        }
      }
      const found = tree.find(mass);
      // float32 inner sums may move a mass that falls within rounding of a boundary into the neighbour
      if (found !== expected) expect(Math.abs(stored.slice(0, Math.max(found, expected)).reduce((a, b) => a + b, 0) - mass)).toBeLessThan(1e-4);
      expect(stored[found]).toBeGreaterThan(0);
    }
  });

  it('never lands on an empty slot, even at or past the stored total', () => {
    const tree = new SumTree(8);
    for (const [slot, p] of [[0, 0.1], [1, 0.2], [2, 0.3]] as const) tree.set(slot, p);
    expect(tree.find(tree.total())).toBe(2);
    expect(tree.find(tree.total() * 1.0001)).toBe(2);
    expect(tree.find(0)).toBe(0);
    tree.set(2, 0);
    expect(tree.find(tree.total())).toBe(1);
  });

  it('keeps the smallest priority above zero, and the leaves', () => {
    const tree = new SumTree(5);
    expect(tree.min()).toBe(Infinity);
    tree.set(0, 4);
    tree.set(3, 0.5);
    tree.set(4, 0);
    expect(tree.min()).toBe(0.5);
    tree.set(3, 7);
    expect(tree.min()).toBe(4);
    expect(Array.from(tree.leaves(5))).toEqual([4, 0, 0, 7, 0]);
  });

  it('refuses negative or non-finite priorities', () => {
    const tree = new SumTree(2);
    expect(() => tree.set(0, -1)).toThrow(/priority/);
    expect(() => tree.set(0, Infinity)).toThrow(/priority/);
    expect(() => tree.find(0)).toThrow(/every priority is 0/);
  });
});
