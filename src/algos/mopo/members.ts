/**
 * Where the dynamics ensemble's members live and run. By default all of them form one
 * MemberGroup in this thread; `distribute(threads)` splits them into groups over this
 * thread and compute workers (training steps then run in parallel) and gives every
 * thread a copy of the whole ensemble, so predictions split their rows instead.
 *
 * Each member computes exactly the same numbers wherever it runs, and per-member
 * results are combined in member order, so the grouping never changes a result.
 */
import { LocalHandle, RemoteHandle, waitAll, type Handle, type Pending } from '../../nn/threads/handle.js';
import type { WorkerThread } from '../../nn/threads/worker-thread.js';
import { MemberGroup, type GroupPrediction, type GroupState, type MemberGroupSpec } from './member-group.js';

/** Rows per forward pass in predictions: large enough to amortise op overhead, small enough to stay in cache. */
export const PREDICT_CHUNK = 2048;

export class Members {
  /** Groups in member order; the one in this thread first (its work runs while workers run theirs). */
  private groups: Handle<MemberGroup>[];
  private sizes: number[];
  /** Whole-ensemble copies, one per thread, for predictions; null: predict with `groups`. */
  private predictors: Handle<MemberGroup>[] | null = null;
  private predictorsCurrent = false;

  constructor(
    private readonly spec: MemberGroupSpec,
    readonly memberSize: number,
    initialParams: Float32Array,
  ) {
    this.groups = [new LocalHandle(new MemberGroup(spec, initialParams))];
    this.sizes = [spec.members];
  }

  /** One Adam step of every member; their losses and the bound gradient summed in member order. */
  trainStep(inputs: Float32Array, targets: Float32Array, rows: number, bounds: Float32Array): { losses: Float32Array; boundGradient: Float64Array } {
    const { inputSize: I, outputSize: D } = this.spec;
    const starts = this.starts();
    const results = waitAll(
      this.groups.map((group, g) => {
        const [from, to] = [starts[g]!, starts[g]! + this.sizes[g]!];
        return group.call('trainStep', inputs.subarray(from * rows * I, to * rows * I), targets.subarray(from * rows * D, to * rows * D), rows, bounds);
      }),
    );
    const losses = new Float32Array(this.spec.members);
    const boundGradient = new Float64Array(2 * D);
    results.forEach((result, g) => {
      losses.set(result.losses, starts[g]!);
      for (let m = 0; m < this.sizes[g]!; m++) for (let j = 0; j < 2 * D; j++) boundGradient[j]! += result.boundGradients[m * 2 * D + j]!;
    });
    this.predictorsCurrent = false;
    return { losses, boundGradient };
  }

  meanSquaredErrors(inputs: Float32Array, targets: Float32Array, rows: number): Float32Array {
    return concatFloat32(waitAll(this.groups.map((group) => group.call('meanSquaredErrors', inputs, targets, rows))));
  }

  readParams(): Float32Array {
    return concatFloat32(waitAll(this.groups.map((group) => group.call('getParams'))));
  }

  writeParams(params: Float32Array): void {
    waitAll(this.groups.map((group, g) => group.call('setParams', this.slice(params, g))));
    this.predictorsCurrent = false;
  }

  /** Every member's weights and Adam moments, in member order. */
  getState(): GroupState {
    const states = waitAll(this.groups.map((group) => group.call('getState')));
    return {
      params: concatFloat32(states.map((s) => s.params)),
      adamM: concatFloat32(states.map((s) => s.adamM)),
      adamV: concatFloat32(states.map((s) => s.adamV)),
      adamStep: states[0]!.adamStep,
    };
  }

  setState(state: GroupState): void {
    waitAll(this.groups.map((group, g) => group.call('setState', this.groupState(state, g))));
    this.predictorsCurrent = false;
  }

  /** Spreads the members over this thread and `threads`; an empty list brings them all back here. */
  distribute(threads: WorkerThread[]): void {
    const state = this.getState();
    this.dispose();
    const places = [null, ...threads];
    this.sizes = shares(this.spec.members, places.length).filter((count) => count > 0);
    this.groups = this.sizes.map((count, g) => {
      const group = place(places[g]!, { ...this.spec, members: count }, this.slice(state.params, g));
      group.call('setState', this.groupState(state, g)).wait();
      return group;
    });
    this.predictors = threads.length === 0 ? null : places.map((where) => place(where, this.spec, state.params));
    this.predictorsCurrent = true;
  }

  /**
   * Predictions of every member for `rows` rows, chunk by chunk in row order: `fill`
   * writes the inputs of rows [start, start + count) into `input`, `visit` receives the
   * chunk's [members, count, D] block, always in row order. With workers, chunks go
   * round-robin over the threads and each worker has the next ones queued, so it never
   * waits while this thread computes its own chunks and visits the results.
   */
  predictRows(
    rows: number,
    bounds: Float32Array,
    fill: (start: number, count: number, input: Float32Array) => void,
    visit: (start: number, count: number, chunk: GroupPrediction) => void,
  ): void {
    const models = this.predictionModels();
    const chunks = Math.ceil(rows / PREDICT_CHUNK);
    const input = new Float32Array(Math.min(rows, PREDICT_CHUNK) * this.spec.inputSize);
    const queued = new Map<number, Pending<GroupPrediction>>();
    const range = (c: number) => ({ start: c * PREDICT_CHUNK, count: Math.min(PREDICT_CHUNK, rows - c * PREDICT_CHUNK) });
    const issue = (c: number): Pending<GroupPrediction> => {
      const { start, count } = range(c);
      fill(start, count, input);
      return this.predictWith(models[c % models.length]!, input, count, bounds);
    };
    // Two chunks queued ahead per worker.
    const ahead = 2 * models.length;
    for (let c = 0; c < chunks; c++) {
      for (let next = c; next < Math.min(chunks, c + ahead); next++) {
        if (models[next % models.length]!.remote && !queued.has(next)) queued.set(next, issue(next));
      }
      const pending = queued.get(c) ?? issue(c);
      queued.delete(c);
      const { start, count } = range(c);
      visit(start, count, pending.wait());
    }
  }

  dispose(): void {
    for (const handle of [...this.groups, ...(this.predictors ?? [])]) handle.dispose();
    this.groups = [];
    this.predictors = null;
  }

  private starts(): number[] {
    return this.sizes.map((_, g) => this.sizes.slice(0, g).reduce((a, b) => a + b, 0));
  }

  /** Group g's part of a member-ordered parameter vector. */
  private slice(values: Float32Array, g: number): Float32Array {
    const start = this.starts()[g]! * this.memberSize;
    return values.slice(start, start + this.sizes[g]! * this.memberSize);
  }

  private groupState(state: GroupState, g: number): GroupState {
    return { params: this.slice(state.params, g), adamM: this.slice(state.adamM, g), adamV: this.slice(state.adamV, g), adamStep: state.adamStep };
  }

  /** One model per thread, brought up to date with the trained weights. */
  private predictionModels(): Handle<MemberGroup>[] {
    if (!this.predictors) return this.groups;
    if (!this.predictorsCurrent) {
      const params = this.readParams();
      waitAll(this.predictors.map((predictor) => predictor.call('setParams', params)));
      this.predictorsCurrent = true;
    }
    return this.predictors;
  }

  /** One chunk through every member: a whole-ensemble model, or each group in turn. */
  private predictWith(model: Handle<MemberGroup>, input: Float32Array, count: number, bounds: Float32Array): Pending<GroupPrediction> {
    if (this.predictors || this.groups.length === 1) return model.call('predict', input, count, bounds);
    const parts = this.groups.map((group) => group.call('predict', input, count, bounds));
    return {
      wait: () => {
        const done = waitAll(parts);
        return { means: concatFloat32(done.map((p) => p.means)), logvars: concatFloat32(done.map((p) => p.logvars)) };
      },
    };
  }
}

function place(thread: WorkerThread | null, spec: MemberGroupSpec, params: Float32Array): Handle<MemberGroup> {
  if (!thread) return new LocalHandle(new MemberGroup(spec, params));
  return RemoteHandle.create<MemberGroup>(thread, './member-group.js', import.meta.url, 'MemberGroup', [spec, params]);
}

/** `total` items over `parts` slots as evenly as possible, larger shares first. */
function shares(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

export function concatFloat32(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
