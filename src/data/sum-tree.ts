/**
 * Priorities of a fixed number of slots in two complete binary trees on Float32Arrays:
 * every inner node holds the sum (and, in the second tree, the minimum) of its two
 * children, so setting a slot, the total, the smallest priority and finding the slot
 * where a running sum crosses a value all take O(log n).
 *
 * An inner node is always recomputed from its children (never adjusted by a
 * difference), so its value depends only on the current leaves: rounding errors do not
 * pile up over millions of updates, and a tree rebuilt from saved leaves is identical
 * to the one that was saved.
 */
export class SumTree {
  /** Leaves in the bottom level: the capacity rounded up to a power of two. */
  private readonly width: number;
  private readonly sums: Float32Array;
  private readonly mins: Float32Array;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`SumTree capacity must be a positive integer, got ${capacity}`);
    let width = 1;
    while (width < capacity) width *= 2;
    this.width = width;
    this.sums = new Float32Array(2 * width);
    // An empty slot must never be the minimum.
    this.mins = new Float32Array(2 * width).fill(Infinity);
  }

  /** Sets slot `index` to `priority` (≥ 0; 0 empties the slot). */
  set(index: number, priority: number): void {
    if (!(priority >= 0) || !Number.isFinite(priority)) throw new RangeError(`SumTree priority must be finite and >= 0, got ${priority}`);
    let node = this.width + index;
    this.sums[node] = priority;
    this.mins[node] = priority > 0 ? priority : Infinity;
    for (node >>= 1; node >= 1; node >>= 1) {
      this.sums[node] = this.sums[2 * node]! + this.sums[2 * node + 1]!;
      this.mins[node] = Math.min(this.mins[2 * node]!, this.mins[2 * node + 1]!);
    }
  }

  get(index: number): number {
    return this.sums[this.width + index]!;
  }

  /** Sum of all priorities. */
  total(): number {
    return this.sums[1]!;
  }

  /** The smallest priority above 0 (Infinity when every slot is empty). */
  min(): number {
    return this.mins[1]!;
  }

  /**
   * The slot i where the running sum of priorities passes `mass` (0 ≤ mass < total):
   * Σ_{j<i} p_j ≤ mass < Σ_{j≤i} p_j. Never an empty slot, even where float32 rounding
   * leaves `mass` at or above the stored total.
   */
  find(mass: number): number {
    if (!(this.sums[1]! > 0)) throw new RangeError('SumTree.find: every priority is 0');
    let node = 1;
    while (node < this.width) {
      const left = 2 * node;
      // Go right only into a subtree that holds priority: one with a positive total always does.
      if (mass < this.sums[left]! || !(this.sums[left + 1]! > 0)) {
        node = left;
      } else {
        mass -= this.sums[left]!;
        node = left + 1;
      }
    }
    return node - this.width;
  }

  /** The leaves of slots [0, count). */
  leaves(count: number): Float32Array {
    return this.sums.slice(this.width, this.width + count);
  }
}
