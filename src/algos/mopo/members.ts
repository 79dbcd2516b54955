/**
 * Where the dynamics ensemble's members live and run. By default they all run in this
 * thread; `distribute(threads)` spreads them into groups over this thread and compute
 * workers (training steps then run in parallel) and gives every thread a copy of the
 * whole ensemble, so predictions split their rows instead.
 *
 * With an odd number of members the last one is the "split member": its step is
 * always computed as two shares of the batch rows (the first half, then the rest),
 * whose weight gradients are added before its Adam step. With a worker the second
 * share runs there, on a copy of the member, so two threads get equal work (7 members:
 * three and a half each); without one both shares run here, giving the same numbers.
 *
 * Each member computes exactly the same numbers wherever it runs, and per-member
 * results are combined in member order, so the placement never changes a result.
 *
 * `trainWith` hands every member to one trainer instead (ONNX Runtime's CPU kernels in
 * a worker, see onnx-member-trainer.ts): it then holds the weights and Adam state and
 * makes every step, whatever distribute says, until `trainWith(null)` brings them back.
 */
import { LocalHandle, RemoteHandle, waitAll, type Handle, type Pending } from '../../nn/threads/handle.js';
import type { WorkerThread } from '../../nn/threads/worker-thread.js';
import { MemberGroup, type GroupPrediction, type GroupState, type MemberGroupSpec, type PartialStep } from './member-group.js';
import type { OnnxMemberPredictor } from './onnx-member-predictor.js';

/** What Members asks of a group of whole members: a MemberGroup, or the ONNX Runtime trainer (onnx-member-trainer.ts). */
export type WholeGroup = Pick<MemberGroup, 'trainStep' | 'predict' | 'meanSquaredErrors' | 'getParams' | 'setParams' | 'getState' | 'setState'>;

/** Rows per forward pass in predictions: large enough to amortise op overhead, small enough to stay in cache. */
export const PREDICT_CHUNK = 2048;

interface SplitMember {
  /** The member itself, with its Adam state, in this thread. */
  owner: Handle<MemberGroup>;
  /** A copy of its weights in a worker that computes the second share; null without workers. */
  helper: Handle<MemberGroup> | null;
  /** The weights on their way to the helper after a step. */
  upload: Pending<void> | null;
}

export class Members {
  /** Groups of whole members in member order; the one in this thread first (its work runs while workers run theirs). */
  private groups: Handle<WholeGroup>[];
  private sizes: number[];
  /** The one group that trains every member when set (see trainWith). */
  private trainer: Handle<WholeGroup> | null = null;
  /** The compute workers of the last distribute, for when training comes back from the trainer. */
  private threads: WorkerThread[] = [];
  private split: SplitMember | null;
  /** Whole-ensemble copies, one per thread, for predictions; null: predict with the groups. */
  private predictors: Handle<MemberGroup>[] | null = null;
  private predictorsCurrent = false;
  /** ONNX Runtime's copy of the whole ensemble (it then makes every prediction), and whether it has the latest weights. */
  private onnx: Handle<OnnxMemberPredictor> | null = null;
  private onnxCurrent = false;

  constructor(
    private readonly spec: MemberGroupSpec,
    readonly memberSize: number,
    initialParams: Float32Array,
  ) {
    const whole = this.wholeMembers();
    this.sizes = whole > 0 ? [whole] : [];
    this.groups = this.sizes.map((count) => new LocalHandle(new MemberGroup({ ...spec, members: count }, initialParams.slice(0, count * memberSize))));
    this.split =
      whole < spec.members
        ? { owner: new LocalHandle(new MemberGroup({ ...spec, members: 1 }, initialParams.slice(whole * memberSize))), helper: null, upload: null }
        : null;
  }

  /** One Adam step of every member; their losses and the bound gradient summed in member order. */
  trainStep(inputs: Float32Array, targets: Float32Array, rows: number, bounds: Float32Array): { losses: Float32Array; boundGradient: Float64Array } {
    const { inputSize: I, outputSize: D, members } = this.spec;
    const starts = this.starts();
    const split = this.split;
    // The split member's shares: rows [0, half) here, [half, rows) in the helper (or here too).
    const half = Math.floor(rows / 2);
    const last = members - 1;
    const share = (from: number, to: number) =>
      [inputs.subarray((last * rows + from) * I, (last * rows + to) * I), targets.subarray((last * rows + from) * D, (last * rows + to) * D), to - from] as const;
    let helped: Pending<PartialStep> | null = null;
    if (split?.helper) {
      this.finishUpload(split);
      helped = split.helper.call('partialStep', ...share(half, rows), rows, bounds, false);
    }
    const pending = this.groups.map((group, g) => {
      const [from, to] = [starts[g]!, starts[g]! + this.sizes[g]!];
      return group.call('trainStep', inputs.subarray(from * rows * I, to * rows * I), targets.subarray(from * rows * D, to * rows * D), rows, bounds);
    });
    // This thread's groups, then its share(s) of the split member, then the workers' results.
    const results = pending.map((p, g) => (this.groups[g]!.remote ? null : p.wait()));
    const shares: PartialStep[] = [];
    if (split) {
      shares.push(split.owner.call('partialStep', ...share(0, half), rows, bounds, true).wait());
      if (!helped) shares.push(split.owner.call('partialStep', ...share(half, rows), rows, bounds, true).wait());
    }
    pending.forEach((p, g) => (results[g] ??= p.wait()));
    const losses = new Float32Array(members);
    const boundGradient = new Float64Array(2 * D);
    results.forEach((result, g) => {
      losses.set(result!.losses, starts[g]!);
      for (let m = 0; m < this.sizes[g]!; m++) for (let j = 0; j < 2 * D; j++) boundGradient[j]! += result!.boundGradients[m * 2 * D + j]!;
    });
    if (split) {
      if (helped) shares.push(helped.wait());
      split.owner.call('applyPartials', shares.flatMap((part) => (part.gradient ? [part.gradient] : []))).wait();
      losses[last] = shares.reduce((sum, part) => sum + part.loss, 0);
      for (const part of shares) for (let j = 0; j < 2 * D; j++) boundGradient[j]! += part.boundGradients[j]!;
      this.sendToHelper(split);
    }
    this.predictorsCurrent = false;
    this.onnxCurrent = false;
    return { losses, boundGradient };
  }

  meanSquaredErrors(inputs: Float32Array, targets: Float32Array, rows: number): Float32Array {
    return concatFloat32(waitAll(this.memberGroups().map((group) => group.call('meanSquaredErrors', inputs, targets, rows))));
  }

  readParams(): Float32Array {
    return concatFloat32(waitAll(this.memberGroups().map((group) => group.call('getParams'))));
  }

  writeParams(params: Float32Array): void {
    waitAll(this.memberGroups().map((group, g) => group.call('setParams', this.slice(params, g))));
    if (this.split) this.sendToHelper(this.split);
    this.predictorsCurrent = false;
    this.onnxCurrent = false;
  }

  /** Every member's weights and Adam moments, in member order. */
  getState(): GroupState {
    const states = waitAll(this.memberGroups().map((group) => group.call('getState')));
    return {
      params: concatFloat32(states.map((s) => s.params)),
      adamM: concatFloat32(states.map((s) => s.adamM)),
      adamV: concatFloat32(states.map((s) => s.adamV)),
      adamStep: states[0]!.adamStep,
    };
  }

  setState(state: GroupState): void {
    waitAll(this.memberGroups().map((group, g) => group.call('setState', this.groupState(state, g))));
    if (this.split) this.sendToHelper(this.split);
    this.predictorsCurrent = false;
    this.onnxCurrent = false;
  }

  /** Makes every prediction through `predictor` (ONNX Runtime in a worker; see onnx-member-predictor.ts), or through tfjs again with null. */
  predictWith(predictor: Handle<OnnxMemberPredictor> | null): void {
    this.onnx?.dispose();
    this.onnx = predictor;
    this.onnxCurrent = false;
  }

  /**
   * Hands every member (weights and Adam state) to `trainer`, which then makes every
   * training step and answers for the members; null brings them back into groups placed
   * as the last distribute said.
   */
  trainWith(trainer: Handle<WholeGroup> | null): void {
    if (!trainer && !this.trainer) return;
    const state = this.getState();
    this.dispose();
    this.trainer = trainer;
    if (!trainer) return this.placeGroups(state);
    this.sizes = [this.spec.members];
    this.groups = [trainer];
    trainer.call('setState', state).wait();
  }

  /** Spreads the members over this thread and `threads`; an empty list brings them all back here. While a trainer has them (trainWith), they stay there. */
  distribute(threads: WorkerThread[]): void {
    this.threads = threads;
    if (this.trainer) return;
    const state = this.getState();
    this.dispose();
    this.placeGroups(state);
  }

  private placeGroups(state: GroupState): void {
    const threads = this.threads;
    const places = [null, ...threads];
    this.sizes = shares(this.wholeMembers(), places.length).filter((count) => count > 0);
    this.groups = this.sizes.map((count, g) => place(places[g]!, { ...this.spec, members: count }, this.slice(state.params, g)));
    if (this.wholeMembers() < this.spec.members) {
      const g = this.groups.length;
      const owner = place(null, { ...this.spec, members: 1 }, this.slice(state.params, g));
      const helper = threads[0] ? place(threads[0], { ...this.spec, members: 1 }, this.slice(state.params, g)) : null;
      this.split = { owner, helper, upload: null };
    }
    waitAll(this.memberGroups().map((group, g) => group.call('setState', this.groupState(state, g))));
    this.predictors = threads.length === 0 ? null : places.map((where) => place(where, this.spec, state.params));
    this.predictorsCurrent = true;
  }

  /**
   * Predictions of every member for `rows` rows, chunk by chunk in row order: `fill`
   * writes the inputs of rows [start, start + count) into `input`, `visit` receives the
   * chunk's [members, count, D] block, always in row order. With workers, chunks go
   * round-robin over the threads (workers first) and each worker has the next ones
   * queued, so it never waits while this thread computes its own chunks and visits
   * the results.
   */
  predictRows(
    rows: number,
    bounds: Float32Array,
    fill: (start: number, count: number, input: Float32Array) => void,
    visit: (start: number, count: number, chunk: GroupPrediction) => void,
  ): void {
    // Workers first: with an odd number of chunks they take the extra one, this thread also visits every result.
    const models = this.predictionModels().sort((a, b) => Number(b.remote) - Number(a.remote));
    const chunks = Math.ceil(rows / PREDICT_CHUNK);
    const input = new Float32Array(Math.min(rows, PREDICT_CHUNK) * this.spec.inputSize);
    const queued = new Map<number, Pending<GroupPrediction>>();
    const range = (c: number) => ({ start: c * PREDICT_CHUNK, count: Math.min(PREDICT_CHUNK, rows - c * PREDICT_CHUNK) });
    const issue = (c: number): Pending<GroupPrediction> => {
      const { start, count } = range(c);
      fill(start, count, input);
      return models[c % models.length]!.predict(input, count, bounds);
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
    if (this.split) this.finishUpload(this.split);
    const split = this.split ? [this.split.owner, ...(this.split.helper ? [this.split.helper] : [])] : [];
    for (const handle of [...this.groups, ...split, ...(this.predictors ?? [])]) handle.dispose();
    this.trainer = null;
    this.groups = [];
    this.split = null;
    this.predictors = null;
  }

  /** Members in whole-member groups: all but the split member. */
  private wholeMembers(): number {
    return this.spec.members % 2 === 1 ? this.spec.members - 1 : this.spec.members;
  }

  /** The whole-member groups and the split member, in member order. */
  private memberGroups(): Handle<WholeGroup>[] {
    return this.split ? [...this.groups, this.split.owner] : this.groups;
  }

  /** First member of each whole-member group. */
  private starts(): number[] {
    return this.sizes.map((_, g) => this.sizes.slice(0, g).reduce((a, b) => a + b, 0));
  }

  /** Part g of a member-ordered parameter vector: whole-member group g, or the split member after the last group. */
  private slice(values: Float32Array, g: number): Float32Array {
    const start = this.sizes.slice(0, g).reduce((a, b) => a + b, 0) * this.memberSize;
    const count = g < this.sizes.length ? this.sizes[g]! : 1;
    return values.slice(start, start + count * this.memberSize);
  }

  private groupState(state: GroupState, g: number): GroupState {
    return { params: this.slice(state.params, g), adamM: this.slice(state.adamM, g), adamV: this.slice(state.adamV, g), adamStep: state.adamStep };
  }

  /** Sends the split member's weights to its helper (received before the helper's next call). */
  private sendToHelper(split: SplitMember): void {
    if (!split.helper) return;
    this.finishUpload(split);
    split.upload = split.helper.call('setParams', split.owner.call('getParams').wait());
  }

  private finishUpload(split: SplitMember): void {
    split.upload?.wait();
    split.upload = null;
  }

  /** One model per thread (a whole-ensemble copy, brought up to date with the trained weights), or the groups here. */
  private predictionModels(): PredictionModel[] {
    const onnx = this.onnx;
    if (onnx) {
      if (!this.onnxCurrent) {
        (onnx.call('setParams', this.readParams()) as Pending<unknown>).wait();
        this.onnxCurrent = true;
      }
      // (the worker awaits ONNX Runtime's promise before it replies)
      const predict = (input: Float32Array, count: number, bounds: Float32Array) => onnx.call('predict', input, count, bounds) as unknown as Pending<GroupPrediction>;
      return [{ remote: true, predict }];
    }
    if (!this.predictors) {
      const groups = this.memberGroups();
      const predict = (input: Float32Array, count: number, bounds: Float32Array): Pending<GroupPrediction> => {
        const parts = groups.map((group) => group.call('predict', input, count, bounds));
        return {
          wait: () => {
            const done = waitAll(parts);
            return { means: concatFloat32(done.map((p) => p.means)), logvars: concatFloat32(done.map((p) => p.logvars)) };
          },
        };
      };
      return [{ remote: false, predict }];
    }
    if (!this.predictorsCurrent) {
      const params = this.readParams();
      waitAll(this.predictors.map((predictor) => predictor.call('setParams', params)));
      this.predictorsCurrent = true;
    }
    return this.predictors.map((predictor) => ({ remote: predictor.remote, predict: (input, count, bounds) => predictor.call('predict', input, count, bounds) }));
  }
}

interface PredictionModel {
  remote: boolean;
  predict(input: Float32Array, count: number, bounds: Float32Array): Pending<GroupPrediction>;
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
