/**
 * A ring buffer of transitions on Float32Arrays: the model buffer MOPO fills with
 * rollouts, the online replay buffer, and (full, never overwritten) the real dataset.
 * Sampling writes rows straight into a preallocated batch, so a training step does
 * no allocation; its whole state can be saved and restored for exact resumption.
 */
import { MopoError } from '../errors.js';
import type { Rng } from '../util/rng.js';

export interface TransitionBatch {
  size: number;
  observations: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  nextObservations: Float32Array;
  /** 1 where bootstrapping stops (true termination), else 0. */
  terminals: Float32Array;
  /**
   * The discount of each row's bootstrap, γᵏ for a k-step return (n-step.ts); absent:
   * one-step rows, discounted by the learner's γ.
   */
  discounts?: Float32Array;
  /** Importance weights of the rows (prioritized replay); absent: every row weighs 1. */
  weights?: Float32Array;
}

export function allocateBatch(size: number, observationSize: number, actionSize: number): TransitionBatch {
  return {
    size,
    observations: new Float32Array(size * observationSize),
    actions: new Float32Array(size * actionSize),
    rewards: new Float32Array(size),
    nextObservations: new Float32Array(size * observationSize),
    terminals: new Float32Array(size),
  };
}

export interface ReplayBufferState {
  capacity: number;
  observationSize: number;
  actionSize: number;
  size: number;
  next: number;
  arrays: TransitionBatch & { timeouts: Float32Array };
}

export class ReplayBuffer {
  private readonly data: TransitionBatch;
  /**
   * 1 where the time limit ended the episode after this row. Sampling ignores it (such
   * rows still bootstrap); a replay written as a D4RL file needs it.
   */
  private readonly timeouts: Float32Array;
  private count = 0;
  private next = 0;
  /** Rows drawn by `sampleInto`, kept so that sampling allocates nothing. */
  private drawn = new Uint32Array(0);

  readonly capacity: number;

  constructor(
    capacity: number,
    readonly observationSize: number,
    readonly actionSize: number,
    storage?: TransitionBatch,
  ) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new MopoError(`Replay buffer capacity must be a positive integer, got ${capacity}`);
    this.capacity = storage ? storage.size : capacity;
    this.data = storage ?? allocateBatch(capacity, observationSize, actionSize);
    this.timeouts = new Float32Array(storage ? 0 : capacity);
  }

  /** A full buffer holding exactly these transitions (the arrays are copied). */
  static from(batch: TransitionBatch, observationSize: number, actionSize: number): ReplayBuffer {
    const buffer = new ReplayBuffer(Math.max(1, batch.size), observationSize, actionSize);
    buffer.addBatch(batch);
    return buffer;
  }

  /** A full, read-only-by-convention buffer over these arrays, without copying them (the real dataset). */
  static over(batch: TransitionBatch, observationSize: number, actionSize: number): ReplayBuffer {
    const buffer = new ReplayBuffer(1, observationSize, actionSize, batch);
    buffer.count = batch.size;
    return buffer;
  }

  get size(): number {
    return this.count;
  }

  /** Appends one transition; returns the row it went to. */
  add(observation: ArrayLike<number>, action: ArrayLike<number>, reward: number, nextObservation: ArrayLike<number>, terminal: boolean, timeout = false): number {
    const row = this.next;
    this.timeouts[row] = timeout ? 1 : 0;
    const { observationSize: o, actionSize: a } = this;
    this.data.observations.set(observation, row * o);
    this.data.actions.set(action, row * a);
    this.data.rewards[row] = reward;
    this.data.nextObservations.set(nextObservation, row * o);
    this.data.terminals[row] = terminal ? 1 : 0;
    this.advance(1);
    return row;
  }

  /** Appends `batch.size` rows (the first `batch.size` rows of its arrays), overwriting the oldest when full. */
  addBatch(batch: TransitionBatch): void {
    const { observationSize: o, actionSize: a } = this;
    let done = 0;
    // More rows than capacity: only the newest `capacity` rows can survive.
    if (batch.size > this.capacity) done = batch.size - this.capacity;
    while (done < batch.size) {
      const rows = Math.min(batch.size - done, this.capacity - this.next);
      const at = this.next;
      this.data.observations.set(batch.observations.subarray(done * o, (done + rows) * o), at * o);
      this.data.actions.set(batch.actions.subarray(done * a, (done + rows) * a), at * a);
      this.data.rewards.set(batch.rewards.subarray(done, done + rows), at);
      this.data.nextObservations.set(batch.nextObservations.subarray(done * o, (done + rows) * o), at * o);
      this.data.terminals.set(batch.terminals.subarray(done, done + rows), at);
      this.timeouts.fill(0, at, at + rows);
      this.advance(rows);
      done += rows;
    }
  }

  private advance(rows: number): void {
    this.next = (this.next + rows) % this.capacity;
    this.count = Math.min(this.capacity, this.count + rows);
  }

  /** Writes `count` uniformly drawn rows (with replacement) into `out` from row `offset` on. */
  sampleInto(out: TransitionBatch, offset: number, count: number, rng: Rng): void {
    if (this.drawn.length < count) this.drawn = new Uint32Array(count);
    const indices = this.drawn.subarray(0, count);
    this.writeRows(out, offset, this.sampleIndices(count, rng, indices));
  }

  /** `count` rows drawn uniformly with replacement. */
  sampleIndices(count: number, rng: Rng, into: Uint32Array = new Uint32Array(count)): Uint32Array {
    if (this.count === 0) throw new MopoError('Cannot sample from an empty replay buffer');
    for (let i = 0; i < count; i++) into[i] = rng.int(this.count);
    return into;
  }

  /** Copies the rows `indices` into `out` from row `offset` on. */
  writeRows(out: TransitionBatch, offset: number, indices: ArrayLike<number>): void {
    const { observationSize: o, actionSize: a } = this;
    const d = this.data;
    for (let i = 0; i < indices.length; i++) {
      const row = indices[i]!;
      const to = offset + i;
      out.observations.set(d.observations.subarray(row * o, row * o + o), to * o);
      out.actions.set(d.actions.subarray(row * a, row * a + a), to * a);
      out.rewards[to] = d.rewards[row]!;
      out.nextObservations.set(d.nextObservations.subarray(row * o, row * o + o), to * o);
      out.terminals[to] = d.terminals[row]!;
    }
  }

  /** The stored rows themselves (read-only by convention), for views such as n-step returns. */
  get rows(): Readonly<TransitionBatch> {
    return this.data;
  }

  /**
   * The row recorded right after `row` in the same episode, or -1 where the episode
   * ends there (termination, time limit) or its next step is not stored (the newest row;
   * a gap in a dataset, seen as s′ differing from the next row's s).
   */
  following(row: number): number {
    if (this.data.terminals[row] !== 0 || (this.timeouts[row] ?? 0) !== 0) return -1;
    const next = (row + 1) % this.capacity;
    if (next === this.next || next >= this.count) return -1;
    const o = this.observationSize;
    const { observations, nextObservations } = this.data;
    for (let j = 0; j < o; j++) if (nextObservations[row * o + j] !== observations[next * o + j]) return -1;
    return next;
  }

  /** Copies the observations of `count` uniformly drawn rows (rollout start states). */
  sampleObservations(count: number, rng: Rng): Float32Array {
    const o = this.observationSize;
    const out = new Float32Array(count * o);
    for (let i = 0; i < count; i++) {
      const row = rng.int(this.count);
      out.set(this.data.observations.subarray(row * o, row * o + o), i * o);
    }
    return out;
  }

  /** The stored rows in insertion order (oldest first), as one batch. */
  contents(): TransitionBatch & { timeouts: Float32Array } {
    const out = { ...allocateBatch(this.count, this.observationSize, this.actionSize), timeouts: new Float32Array(this.count) };
    const start = this.count < this.capacity ? 0 : this.next;
    for (let i = 0; i < this.count; i++) {
      const row = (start + i) % this.capacity;
      const { observationSize: o, actionSize: a } = this;
      out.observations.set(this.data.observations.subarray(row * o, row * o + o), i * o);
      out.actions.set(this.data.actions.subarray(row * a, row * a + a), i * a);
      out.rewards[i] = this.data.rewards[row]!;
      out.nextObservations.set(this.data.nextObservations.subarray(row * o, row * o + o), i * o);
      out.terminals[i] = this.data.terminals[row]!;
      out.timeouts[i] = this.timeouts[row] ?? 0;
    }
    return out;
  }

  /** Everything needed to continue exactly: only the filled rows are kept. */
  getState(): ReplayBufferState {
    const rows = this.count;
    const { observationSize: o, actionSize: a } = this;
    return {
      capacity: this.capacity,
      observationSize: o,
      actionSize: a,
      size: this.count,
      next: this.next,
      arrays: {
        size: rows,
        observations: this.data.observations.slice(0, rows * o),
        actions: this.data.actions.slice(0, rows * a),
        rewards: this.data.rewards.slice(0, rows),
        nextObservations: this.data.nextObservations.slice(0, rows * o),
        terminals: this.data.terminals.slice(0, rows),
        timeouts: this.timeouts.length > 0 ? this.timeouts.slice(0, rows) : new Float32Array(rows),
      },
    };
  }

  static fromState(state: ReplayBufferState): ReplayBuffer {
    const buffer = new ReplayBuffer(state.capacity, state.observationSize, state.actionSize);
    const { observationSize: o, actionSize: a } = state;
    const rows = state.size;
    const expect = (name: string, array: Float32Array, length: number) => {
      if (array.length !== length) throw new MopoError(`Replay state '${name}' has ${array.length} values, expected ${length}`);
    };
    expect('observations', state.arrays.observations, rows * o);
    expect('actions', state.arrays.actions, rows * a);
    expect('rewards', state.arrays.rewards, rows);
    expect('next_observations', state.arrays.nextObservations, rows * o);
    expect('terminals', state.arrays.terminals, rows);
    buffer.data.observations.set(state.arrays.observations);
    buffer.data.actions.set(state.arrays.actions);
    buffer.data.rewards.set(state.arrays.rewards);
    buffer.data.nextObservations.set(state.arrays.nextObservations);
    buffer.data.terminals.set(state.arrays.terminals);
    expect('timeouts', state.arrays.timeouts, rows);
    buffer.timeouts.set(state.arrays.timeouts);
    buffer.count = rows;
    buffer.next = state.next;
    return buffer;
  }
}
