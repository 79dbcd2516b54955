/**
 * MOPO's probabilistic dynamics ensemble: fit on a dataset, predict, and step model
 * rollouts with the uncertainty penalty. See fit.ts for the training procedure,
 * gaussian-head.ts for the loss and member-group.ts for how members are computed.
 *
 * Predictions cover [next observation, reward]; the networks learn the change of the
 * observation, and `predict` adds the observation back.
 */
import { CheckpointError } from '../../errors.js';
import { HostAdam } from '../../nn/host-adam.js';
import { LocalHandle, RemoteHandle, waitAll, type Handle } from '../../nn/threads/handle.js';
import type { WorkerThread } from '../../nn/threads/worker-thread.js';
import { initialParams } from '../../nn/init.js';
import { ParamLayout } from '../../nn/layout.js';
import { requireTensor, vectorState, type Json, type ModuleState, type TensorRecord } from '../../nn/state.js';
import { Rng } from '../../util/rng.js';
import { resolveEnsembleOptions, type EnsembleOptions, type ResolvedEnsembleOptions } from './ensemble-options.js';
import { fitEnsemble, type DynamicsData, type FitCallbacks, type FitModel, type FitProgress, type FitResult } from './fit.js';
import { MemberGroup, memberShape, type GroupPrediction, type GroupState, type MemberGroupSpec } from './member-group.js';
import { uncertainty } from './penalty.js';
import { Standardiser } from './standardiser.js';

export interface EnsemblePrediction {
  /** [members, rows, D] means of [next observation, reward]. */
  means: Float32Array;
  /** [members, rows, D]. */
  variances: Float32Array;
  members: number;
  rows: number;
  /** D = observationSize + 1. */
  width: number;
}

export interface ModelStep {
  nextObservations: Float32Array;
  /** The sampled model rewards, before the penalty. */
  rewards: Float32Array;
  /** u(s,a) per row (see EnsembleOptions.penalty). */
  penalties: Float32Array;
  /** rewards − penaltyCoef · penalties. */
  penalizedRewards: Float32Array;
}

export interface EnsembleMeta {
  format: 'mopo-dynamics-ensemble';
  version: 1;
  options: ResolvedEnsembleOptions;
  elites: number[];
  fitted: boolean;
  adamStep: number;
  boundsAdamStep: number;
  /** Present while a fit is unfinished (interrupted between epochs). */
  fit: { dataSize: number; epoch: number; epochsSinceUpdate: number; best: number[] } | null;
  [key: string]: Json;
}

const STATE_FORMAT = 'mopo-dynamics-ensemble';
/** Rows per forward pass in predict/step: large enough to amortise op overhead, small enough to stay in cache. */
const PREDICT_CHUNK = 2048;
const INIT_STREAM = 11;

export class DynamicsEnsemble implements FitModel {
  readonly options: ResolvedEnsembleOptions;
  readonly standardiser: Standardiser;
  readonly memberSize: number;
  /** Members that sample rollouts, best first. All members until a fit selects them. */
  elites: number[];
  fitted = false;
  private readonly spec: MemberGroupSpec;
  /** Members in order, split into groups; the group in this thread comes first. */
  private groups: Handle<MemberGroup>[];
  private groupSizes: number[];
  /** Whole-ensemble copies, one per thread, that share the rows of predict/step; null: use `groups`. */
  private predictors: Handle<MemberGroup>[] | null = null;
  private predictorsCurrent = false;
  /** [max_logvar (D), min_logvar (D)], shared by all members. */
  private readonly bounds: Float32Array;
  private readonly boundsAdam: HostAdam;
  private progress: FitProgress | null = null;

  constructor(options: EnsembleOptions) {
    const o = resolveEnsembleOptions(options);
    this.options = o;
    const D = o.observationSize + 1;
    this.standardiser = new Standardiser(o.observationSize + o.actionSize);
    const spec: MemberGroupSpec = (this.spec = {
      inputSize: o.observationSize + o.actionSize,
      outputSize: D,
      hiddenSize: o.hiddenSize,
      layers: o.layers,
      members: o.members,
      lr: o.lr,
      weightDecays: o.weightDecays,
    });
    const layout = new ParamLayout(memberShape(spec), o.members);
    this.memberSize = layout.perNetwork;
    this.groups = [new LocalHandle(new MemberGroup(spec, initialParams(layout, 'truncated_normal', new Rng(o.seed, INIT_STREAM))))];
    this.groupSizes = [o.members];
    this.bounds = new Float32Array(2 * D);
    this.bounds.fill(0.5, 0, D).fill(-10, D);
    this.boundsAdam = new HostAdam(2 * D, o.lr);
    this.elites = Array.from({ length: o.members }, (_, m) => m);
  }

  static fromState(state: ModuleState, overrides: Partial<EnsembleOptions> = {}): DynamicsEnsemble {
    const ensemble = new DynamicsEnsemble({ ...ensembleMeta(state).options, ...overrides });
    ensemble.setState(state);
    return ensemble;
  }

  /** Trains on `data` until early stopping (or resumes an interrupted fit restored by setState). */
  fit(data: DynamicsData, callbacks: FitCallbacks = {}): FitResult {
    const { observationSize, actionSize } = this.options;
    if (data.observationSize !== observationSize || data.actionSize !== actionSize) {
      throw new RangeError(`fit: data has obs ${data.observationSize}/act ${data.actionSize}, the ensemble ${observationSize}/${actionSize}`);
    }
    const result = fitEnsemble(this, data, callbacks, this.progress, (progress) => (this.progress = progress));
    if (result.reason !== 'stopped') {
      this.elites = result.elites;
      this.fitted = true;
    }
    return result;
  }

  /** Every member's Gaussian over [next observation, reward] for each row. */
  predict(observations: Float32Array, actions: Float32Array): EnsemblePrediction {
    const { members, observationSize: O } = this.options;
    const D = O + 1;
    const rows = this.rowsOf(observations, actions);
    const means = new Float32Array(members * rows * D);
    const variances = new Float32Array(members * rows * D);
    this.forEachChunk(observations, actions, rows, (start, count, chunk) => {
      for (let m = 0; m < members; m++) {
        for (let r = 0; r < count; r++) {
          const from = (m * count + r) * D;
          const to = (m * rows + start + r) * D;
          for (let d = 0; d < D; d++) {
            means[to + d] = chunk.means[from + d]! + (d < O ? observations[(start + r) * O + d]! : 0);
            variances[to + d] = Math.exp(chunk.logvars[from + d]!);
          }
        }
      }
    });
    return { means, variances, members, rows, width: D };
  }

  /**
   * One model step for each row: a random elite per row, next state and reward drawn
   * from its Gaussian with noise from `rng`, and the penalty from all members.
   */
  step(observations: Float32Array, actions: Float32Array, rng: Rng): ModelStep {
    const { observationSize: O, penalty, penaltyCoef, members } = this.options;
    const D = O + 1;
    const rows = this.rowsOf(observations, actions);
    // All draws first, so the result does not depend on how rows are chunked.
    const chosen = Uint32Array.from({ length: rows }, () => this.elites[rng.int(this.elites.length)]!);
    const noise = rng.fillNormal(new Float32Array(rows * D));
    const nextObservations = new Float32Array(rows * O);
    const rewards = new Float32Array(rows);
    const penalties = new Float32Array(rows);
    this.forEachChunk(observations, actions, rows, (start, count, chunk) => {
      uncertainty(penalty, { ...chunk, members, rows: count, width: D }, penalties.subarray(start, start + count));
      for (let r = 0; r < count; r++) {
        const row = start + r;
        const base = (chosen[row]! * count + r) * D;
        for (let d = 0; d < D; d++) {
          const sample = chunk.means[base + d]! + Math.exp(0.5 * chunk.logvars[base + d]!) * noise[row * D + d]!;
          if (d < O) nextObservations[row * O + d] = observations[row * O + d]! + sample;
          else rewards[row] = sample;
        }
      }
    });
    const penalizedRewards = rewards.map((reward, i) => reward - penaltyCoef * penalties[i]!);
    return { nextObservations, rewards, penalties, penalizedRewards };
  }

  trainBatch(inputs: Float32Array, targets: Float32Array, rows: number): Float32Array {
    const D = this.options.observationSize + 1;
    const I = this.spec.inputSize;
    const starts = this.groupStarts();
    const pending = this.groups.map((group, g) => {
      const [from, to] = [starts[g]!, starts[g]! + this.groupSizes[g]!];
      return group.call('trainStep', inputs.subarray(from * rows * I, to * rows * I), targets.subarray(from * rows * D, to * rows * D), rows, this.bounds);
    });
    const results = waitAll(pending);
    const losses = new Float32Array(this.options.members);
    const boundGradient = new Float64Array(2 * D);
    results.forEach((result, g) => {
      losses.set(result.losses, starts[g]!);
      // Summed member by member, so the result does not depend on the grouping.
      for (let m = 0; m < this.groupSizes[g]!; m++) for (let j = 0; j < 2 * D; j++) boundGradient[j]! += result.boundGradients[m * 2 * D + j]!;
    });
    const coef = this.options.logvarBoundCoef;
    for (let j = 0; j < 2 * D; j++) boundGradient[j]! += j < D ? coef : -coef;
    this.boundsAdam.apply(this.bounds, boundGradient);
    this.predictorsCurrent = false;
    return losses;
  }

  memberErrors(inputs: Float32Array, targets: Float32Array, rows: number): Float32Array {
    const parts = waitAll(this.groups.map((group) => group.call('meanSquaredErrors', inputs, targets, rows)));
    return concatFloat32(parts);
  }

  readMembers(): Float32Array {
    return concatFloat32(waitAll(this.groups.map((group) => group.call('getParams'))));
  }

  writeMembers(params: Float32Array): void {
    const starts = this.groupStarts();
    waitAll(this.groups.map((group, g) => group.call('setParams', params.subarray(starts[g]! * this.memberSize, (starts[g]! + this.groupSizes[g]!) * this.memberSize))));
    this.predictorsCurrent = false;
  }

  /**
   * Spreads the members over this thread and `threads` (compute workers with their own
   * tfjs backend), and gives each thread a copy of the whole ensemble for predict/step,
   * which then split their rows. Results are the same as without threads: each member
   * computes exactly as before, only elsewhere. An empty list brings everything back.
   */
  distribute(threads: WorkerThread[]): void {
    const state = this.groupState();
    this.disposeGroups();
    const places = [null, ...threads];
    this.groupSizes = shares(this.options.members, places.length).filter((count) => count > 0);
    const starts = this.groupStarts();
    this.groups = this.groupSizes.map((count, g) => {
      const range = [starts[g]! * this.memberSize, (starts[g]! + count) * this.memberSize] as const;
      const params = state.params.slice(...range);
      const group = placeGroup(places[g]!, { ...this.spec, members: count }, params);
      group.call('setState', { params, adamM: state.adamM.slice(...range), adamV: state.adamV.slice(...range), adamStep: state.adamStep }).wait();
      return group;
    });
    this.predictors = threads.length === 0 ? null : places.map((place) => placeGroup(place, this.spec, state.params));
    this.predictorsCurrent = true;
  }

  /** Weights, Adam moments and steps, log-variance bounds, standardiser, elites, and an unfinished fit. */
  getState(): ModuleState<EnsembleMeta> {
    const group = this.groupState();
    const total = this.options.members * this.memberSize;
    const D = this.options.observationSize + 1;
    const tensors: TensorRecord = {
      'ensemble/params': vectorState(group.params),
      'ensemble/adam/m': vectorState(group.adamM),
      'ensemble/adam/v': vectorState(group.adamV),
      'ensemble/logvar_bounds': { shape: [2, D], data: this.bounds.slice() },
      'ensemble/logvar_bounds/adam/m': { shape: [2, D], data: this.boundsAdam.m.slice() },
      'ensemble/logvar_bounds/adam/v': { shape: [2, D], data: this.boundsAdam.v.slice() },
      'standardiser/mean': vectorState(this.standardiser.mean.slice()),
      'standardiser/std': vectorState(this.standardiser.std.slice()),
    };
    if (this.progress) tensors['ensemble/fit/snapshot'] = { shape: [total], data: this.progress.snapshot.slice() };
    const p = this.progress;
    return {
      tensors,
      meta: {
        format: STATE_FORMAT,
        version: 1,
        options: { ...this.options, weightDecays: [...this.options.weightDecays] },
        elites: [...this.elites],
        fitted: this.fitted,
        adamStep: group.adamStep,
        boundsAdamStep: this.boundsAdam.step,
        fit: p ? { dataSize: p.dataSize, epoch: p.epoch, epochsSinceUpdate: p.epochsSinceUpdate, best: [...p.best] } : null,
      },
    };
  }

  setState(state: ModuleState): void {
    const meta = ensembleMeta(state);
    const { tensors } = state;
    for (const key of ['observationSize', 'actionSize', 'members', 'hiddenSize', 'layers'] as const) {
      if (meta.options[key] !== this.options[key]) {
        throw new CheckpointError(`The dynamics ensemble state has ${key} ${meta.options[key]}, this ensemble ${this.options[key]}.`);
      }
    }
    const total = this.options.members * this.memberSize;
    const D = this.options.observationSize + 1;
    const params = requireTensor(tensors, 'ensemble/params', [total]);
    const adamM = requireTensor(tensors, 'ensemble/adam/m', [total]);
    const adamV = requireTensor(tensors, 'ensemble/adam/v', [total]);
    const starts = this.groupStarts();
    waitAll(
      this.groups.map((group, g) => {
        const range = [starts[g]! * this.memberSize, (starts[g]! + this.groupSizes[g]!) * this.memberSize] as const;
        return group.call('setState', { params: params.subarray(...range), adamM: adamM.subarray(...range), adamV: adamV.subarray(...range), adamStep: meta.adamStep });
      }),
    );
    this.predictorsCurrent = false;
    this.bounds.set(requireTensor(tensors, 'ensemble/logvar_bounds', [2, D]));
    this.boundsAdam.m.set(requireTensor(tensors, 'ensemble/logvar_bounds/adam/m', [2, D]));
    this.boundsAdam.v.set(requireTensor(tensors, 'ensemble/logvar_bounds/adam/v', [2, D]));
    this.boundsAdam.step = meta.boundsAdamStep;
    const width = this.standardiser.width;
    this.standardiser.setStats(requireTensor(tensors, 'standardiser/mean', [width]), requireTensor(tensors, 'standardiser/std', [width]));
    this.elites = [...meta.elites];
    this.fitted = meta.fitted;
    this.progress = meta.fit && {
      ...meta.fit,
      best: [...meta.fit.best],
      snapshot: requireTensor(tensors, 'ensemble/fit/snapshot', [total]).slice(),
    };
  }

  dispose(): void {
    this.disposeGroups();
  }

  private disposeGroups(): void {
    for (const handle of [...this.groups, ...(this.predictors ?? [])]) handle.dispose();
    this.groups = [];
    this.predictors = null;
  }

  private groupStarts(): number[] {
    return this.groupSizes.map((_, g) => this.groupSizes.slice(0, g).reduce((a, b) => a + b, 0));
  }

  /** Every member's weights and Adam moments, in member order. */
  private groupState(): GroupState {
    const states = waitAll(this.groups.map((group) => group.call('getState')));
    return {
      params: concatFloat32(states.map((s) => s.params)),
      adamM: concatFloat32(states.map((s) => s.adamM)),
      adamV: concatFloat32(states.map((s) => s.adamV)),
      adamStep: states[0]!.adamStep,
    };
  }

  /** Models that predict for whole chunks of rows, one per thread, brought up to date with the weights. */
  private predictionModels(): Handle<MemberGroup>[] {
    if (!this.predictors) return this.groups;
    if (!this.predictorsCurrent) {
      const params = this.readMembers();
      waitAll(this.predictors.map((predictor) => predictor.call('setParams', params)));
      this.predictorsCurrent = true;
    }
    return this.predictors;
  }

  private rowsOf(observations: Float32Array, actions: Float32Array): number {
    const { observationSize: O, actionSize: A } = this.options;
    const rows = observations.length / O;
    if (!Number.isInteger(rows) || actions.length !== rows * A) {
      throw new RangeError(`expected rows of ${O} observation and ${A} action values, got ${observations.length} and ${actions.length}`);
    }
    return rows;
  }

  /**
   * Standardised inputs in chunks through every member; `visit` sees [members, count, D]
   * blocks in row order. With several threads, consecutive chunks go to different ones.
   */
  private forEachChunk(
    observations: Float32Array,
    actions: Float32Array,
    rows: number,
    visit: (start: number, count: number, chunk: GroupPrediction) => void,
  ): void {
    const { observationSize: O, actionSize: A } = this.options;
    const I = O + A;
    const models = this.predictionModels();
    const inputs = models.map(() => new Float32Array(Math.min(rows, PREDICT_CHUNK) * I));
    for (let round = 0; round < rows; round += PREDICT_CHUNK * models.length) {
      const chunks = models
        .map((model, i) => {
          const start = round + i * PREDICT_CHUNK;
          const count = Math.min(PREDICT_CHUNK, rows - start);
          if (count <= 0) return null;
          const input = inputs[i]!;
          for (let r = 0; r < count; r++) {
            input.set(observations.subarray((start + r) * O, (start + r + 1) * O), r * I);
            input.set(actions.subarray((start + r) * A, (start + r + 1) * A), r * I + O);
          }
          this.standardiser.apply(input, count, input);
          return { start, count, pending: this.predictWith(model, input, count) };
        })
        .filter((chunk) => chunk !== null);
      for (const { start, count, pending } of chunks) visit(start, count, pending.wait());
    }
  }

  /** One chunk through every member: one model holding them all, or every group in turn. */
  private predictWith(model: Handle<MemberGroup>, input: Float32Array, count: number): { wait(): GroupPrediction } {
    if (this.predictors || this.groups.length === 1) return model.call('predict', input, count, this.bounds);
    const parts = this.groups.map((group) => group.call('predict', input, count, this.bounds));
    return {
      wait: () => {
        const done = waitAll(parts);
        return { means: concatFloat32(done.map((p) => p.means)), logvars: concatFloat32(done.map((p) => p.logvars)) };
      },
    };
  }
}

function placeGroup(thread: WorkerThread | null, spec: MemberGroupSpec, params: Float32Array): Handle<MemberGroup> {
  if (!thread) return new LocalHandle(new MemberGroup(spec, params));
  return RemoteHandle.create<MemberGroup>(thread, './member-group.js', import.meta.url, 'MemberGroup', [spec, params]);
}

/** `total` items over `parts` slots as evenly as possible, larger shares first. */
function shares(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

function ensembleMeta(state: ModuleState): EnsembleMeta {
  const meta = state.meta as Partial<EnsembleMeta> | null;
  if (!meta || meta.format !== STATE_FORMAT || meta.version !== 1) {
    throw new CheckpointError('This is not a dynamics-ensemble state saved by mopo (format mopo-dynamics-ensemble, version 1).');
  }
  return meta as EnsembleMeta;
}

function concatFloat32(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
