/**
 * Fitting the dynamics ensemble, as in MOPO / OfflineRL-Kit:
 *  - inputs [obs, act] standardised with statistics of the training rows; targets
 *    [next_obs − obs, reward];
 *  - a random holdout of min(holdoutRatio·N, maxHoldout) rows;
 *  - each member trains on its own bootstrap resample of the training rows (drawn
 *    once), visited in a new random order every epoch;
 *  - after each epoch, a member whose holdout MSE improved by more than 1 % (relative)
 *    saves a snapshot; training stops after `maxEpochsSinceUpdate` epochs without any
 *    improvement, or at `maxEpochs`;
 *  - the best snapshots are restored and the members with the lowest holdout MSE
 *    become the elites.
 * Every random choice derives from the seed and the epoch number, so an interrupted
 * fit resumes at the very batch where it stopped, with the data it would have seen.
 * The fit gives the event loop a turn after every batch (an epoch of a million
 * transitions takes minutes), so signal handlers run and `shouldStop` can end it.
 */
import { CheckpointError } from '../../errors.js';
import { Rng } from '../../util/rng.js';
import { mean } from '../../util/stats.js';
import { actionInputWidth, writeActionInput } from './action-input.js';
import type { ResolvedEnsembleOptions } from './ensemble-options.js';
import type { Standardiser } from './standardiser.js';

export interface DynamicsData {
  observations: Float32Array;
  actions: Float32Array;
  nextObservations: Float32Array;
  rewards: Float32Array;
  size: number;
  observationSize: number;
  actionSize: number;
}

export interface EpochInfo {
  /** Epochs finished, from 1. */
  epoch: number;
  /** Mean over the epoch's batches of the members' mean Gaussian NLL (without regularisers). */
  trainLoss: number;
  /** Mean over members of the holdout MSE. */
  holdoutLoss: number;
  holdoutLosses: number[];
  /** Members that improved (and saved a snapshot) this epoch. */
  improved: number[];
  epochsSinceUpdate: number;
  trainSize: number;
  holdoutSize: number;
}

export interface BatchInfo {
  /** The epoch under way, from 1. */
  epoch: number;
  /** Batches done in it, from 1. */
  batch: number;
  batches: number;
}

export interface FitCallbacks {
  onEpoch?(info: EpochInfo): void;
  onBatch?(info: BatchInfo): void;
  /** Checked after every batch; true ends the fit there, resumable from the state. */
  shouldStop?(): boolean;
}

export interface FitResult {
  epochs: number;
  reason: 'converged' | 'max_epochs' | 'stopped';
  /** Best holdout MSE of every member. */
  holdoutLosses: number[];
  elites: number[];
}

/** How far an unfinished fit got: enough to continue it exactly. */
export interface FitProgress {
  dataSize: number;
  /** Epochs finished. */
  epoch: number;
  /** Batches of the next epoch already done, and the sum of their losses. */
  batch: number;
  epochLoss: number;
  epochsSinceUpdate: number;
  best: number[];
  /** Best parameters of every member so far, in member order. */
  snapshot: Float32Array;
}

/** What the fit needs from the ensemble. */
export interface FitModel {
  readonly options: ResolvedEnsembleOptions;
  readonly standardiser: Standardiser;
  /** One step on [members, rows, in] inputs and [members, rows, D] targets; per-member losses. */
  trainBatch(inputs: Float32Array, targets: Float32Array, rows: number): Float32Array;
  /** Per-member MSE of the means on shared inputs [rows, in]. */
  memberErrors(inputs: Float32Array, targets: Float32Array, rows: number): Float32Array;
  readMembers(): Float32Array;
  writeMembers(params: Float32Array): void;
  /** Size of one member's parameter block. */
  readonly memberSize: number;
}

const SPLIT_STREAM = 12;
const BOOTSTRAP_STREAM = 13;
const EPOCH_STREAM = 1000;

export async function fitEnsemble(
  model: FitModel,
  data: DynamicsData,
  callbacks: FitCallbacks,
  resume: FitProgress | null,
  onProgress: (progress: FitProgress | null) => void,
): Promise<FitResult> {
  const o = model.options;
  const rows = fitRows(model, data, resume === null);
  const progress: FitProgress = resume ?? {
    dataSize: data.size,
    epoch: 0,
    batch: 0,
    epochLoss: 0,
    epochsSinceUpdate: 0,
    best: Array<number>(o.members).fill(Infinity),
    snapshot: model.readMembers(),
  };
  if (progress.dataSize !== data.size) {
    throw new CheckpointError(`The interrupted ensemble fit used ${progress.dataSize} transitions; this dataset has ${data.size}.`);
  }
  onProgress(progress);
  const stopped = (): FitResult => ({ epochs: progress.epoch, reason: 'stopped', holdoutLosses: [...progress.best], elites: [] });
  let reason: FitResult['reason'] = 'converged';
  for (;;) {
    const trainLoss = await runEpoch(model, rows, progress, callbacks);
    if (trainLoss === null) return stopped();
    const errors = model.memberErrors(rows.judgeInputs, rows.judgeTargets, rows.judge.length);
    const improved = recordImprovements(model, progress, errors);
    progress.epochsSinceUpdate = improved.length > 0 ? 0 : progress.epochsSinceUpdate + 1;
    callbacks.onEpoch?.({
      epoch: progress.epoch,
      trainLoss,
      holdoutLoss: mean(errors),
      holdoutLosses: Array.from(errors),
      improved,
      epochsSinceUpdate: progress.epochsSinceUpdate,
      trainSize: rows.train.length,
      holdoutSize: rows.holdout.length,
    });
    if (progress.epochsSinceUpdate >= o.maxEpochsSinceUpdate) break;
    if (o.maxEpochs !== null && progress.epoch >= o.maxEpochs) {
      reason = 'max_epochs';
      break;
    }
    if (await stopRequested(callbacks)) return stopped();
  }
  model.writeMembers(progress.snapshot);
  onProgress(null);
  return { epochs: progress.epoch, reason, holdoutLosses: [...progress.best], elites: bestMembers(progress.best, o.elites) };
}

/** The `count` members with the lowest loss, best first. */
export function bestMembers(losses: readonly number[], count: number): number[] {
  return losses
    .map((loss, member) => ({ loss, member }))
    .sort((a, b) => a.loss - b.loss || a.member - b.member)
    .slice(0, count)
    .map((entry) => entry.member);
}

interface FitRows {
  /** Standardised inputs and targets of every transition. */
  inputs: Float32Array;
  targets: Float32Array;
  train: Uint32Array;
  holdout: Uint32Array;
  /** Rows that judge improvement: the holdout, or the training rows when there is none (tiny datasets). */
  judge: Uint32Array;
  judgeInputs: Float32Array;
  judgeTargets: Float32Array;
  /** Each member's bootstrap sample, as positions in `train`. */
  samples: Uint32Array[];
  inputWidth: number;
  targetWidth: number;
}

function fitRows(model: FitModel, data: DynamicsData, fitStandardiser: boolean): FitRows {
  const { actionCount } = model.options;
  const { inputs, targets } = dynamicsRows(data, actionCount);
  const { train, holdout } = splitHoldout(data.size, model.options);
  const inputWidth = data.observationSize + actionInputWidth(data.actionSize, actionCount);
  if (fitStandardiser) model.standardiser.fit(gatherRows(inputs, train, inputWidth), train.length);
  const scaled = model.standardiser.apply(inputs, data.size);
  const judge = holdout.length > 0 ? holdout : train;
  return {
    inputs: scaled,
    targets,
    train,
    holdout,
    judge,
    judgeInputs: gatherRows(scaled, judge, inputWidth),
    judgeTargets: gatherRows(targets, judge, data.observationSize + 1),
    samples: bootstrap(train.length, model.options),
    inputWidth,
    targetWidth: data.observationSize + 1,
  };
}

/** Trains the rest of epoch `progress.epoch + 1`; its mean loss, or null when stopped on the way. */
async function runEpoch(model: FitModel, rows: FitRows, progress: FitProgress, callbacks: FitCallbacks): Promise<number | null> {
  const { members, batchSize, seed } = model.options;
  const { inputWidth, targetWidth } = rows;
  const rng = new Rng(seed, EPOCH_STREAM + progress.epoch);
  const orders = rows.samples.map((sample) => rng.shuffle(sample.slice()));
  const batches = Math.ceil(rows.train.length / batchSize);
  const batchInputs = new Float32Array(members * batchSize * inputWidth);
  const batchTargets = new Float32Array(members * batchSize * targetWidth);
  while (progress.batch < batches) {
    const start = progress.batch * batchSize;
    const count = Math.min(batchSize, rows.train.length - start);
    for (let m = 0; m < members; m++) {
      for (let r = 0; r < count; r++) {
        const source = rows.train[orders[m]![start + r]!]!;
        const slot = m * count + r;
        batchInputs.set(rows.inputs.subarray(source * inputWidth, (source + 1) * inputWidth), slot * inputWidth);
        batchTargets.set(rows.targets.subarray(source * targetWidth, (source + 1) * targetWidth), slot * targetWidth);
      }
    }
    progress.epochLoss += mean(model.trainBatch(batchInputs, batchTargets, count));
    progress.batch += 1;
    callbacks.onBatch?.({ epoch: progress.epoch + 1, batch: progress.batch, batches });
    if (progress.batch < batches && (await stopRequested(callbacks))) return null;
  }
  const loss = progress.epochLoss / batches;
  progress.epoch += 1;
  progress.batch = 0;
  progress.epochLoss = 0;
  return loss;
}

/** Gives the event loop a turn (Ctrl-C handlers, progress timers), then asks whether to stop. */
async function stopRequested(callbacks: FitCallbacks): Promise<boolean> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  return callbacks.shouldStop?.() ?? false;
}

function recordImprovements(model: FitModel, progress: FitProgress, errors: Float32Array): number[] {
  const improved: number[] = [];
  for (let m = 0; m < errors.length; m++) {
    const best = progress.best[m]!;
    const error = errors[m]!;
    if (best === Infinity || (best - error) / best > model.options.improvementThreshold) improved.push(m);
  }
  if (improved.length === 0) return improved;
  const current = model.readMembers();
  for (const m of improved) {
    progress.best[m] = errors[m]!;
    const block = current.subarray(m * model.memberSize, (m + 1) * model.memberSize);
    progress.snapshot.set(block, m * model.memberSize);
  }
  return improved;
}

/** Inputs [obs, act] (a discrete action one-hot over `actionCount` columns) and targets [next_obs − obs, reward], row-major. */
export function dynamicsRows(data: DynamicsData, actionCount: number | null = null): { inputs: Float32Array; targets: Float32Array } {
  const { size, observationSize: O, actionSize: A } = data;
  const I = O + actionInputWidth(A, actionCount);
  const inputs = new Float32Array(size * I);
  const targets = new Float32Array(size * (O + 1));
  for (let i = 0; i < size; i++) {
    inputs.set(data.observations.subarray(i * O, (i + 1) * O), i * I);
    writeActionInput(data.actions, i, A, actionCount, inputs, i * I + O);
    for (let d = 0; d < O; d++) targets[i * (O + 1) + d] = data.nextObservations[i * O + d]! - data.observations[i * O + d]!;
    targets[i * (O + 1) + O] = data.rewards[i]!;
  }
  return { inputs, targets };
}

export function splitHoldout(size: number, options: Pick<ResolvedEnsembleOptions, 'holdoutRatio' | 'maxHoldout' | 'seed'>): { train: Uint32Array; holdout: Uint32Array } {
  const holdoutSize = Math.min(Math.floor(size * options.holdoutRatio), options.maxHoldout);
  const order = new Rng(options.seed, SPLIT_STREAM).shuffle(Uint32Array.from({ length: size }, (_, i) => i));
  return { train: order.subarray(holdoutSize), holdout: order.subarray(0, holdoutSize) };
}

function bootstrap(trainSize: number, options: ResolvedEnsembleOptions): Uint32Array[] {
  const rng = new Rng(options.seed, BOOTSTRAP_STREAM);
  return Array.from({ length: options.members }, () => rng.indices(trainSize, trainSize));
}

function gatherRows(source: Float32Array, rows: Uint32Array, width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, i) => out.set(source.subarray(row * width, (row + 1) * width), i * width));
  return out;
}
