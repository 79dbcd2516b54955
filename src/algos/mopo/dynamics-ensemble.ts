/**
 * MOPO's probabilistic dynamics ensemble: fit on a dataset, predict, and step model
 * rollouts with the uncertainty penalty. See fit.ts for the training procedure,
 * gaussian-head.ts for the loss, member-group.ts for how members are computed and
 * members.ts for where they run.
 *
 * Predictions cover [next observation, reward]; the networks learn the change of the
 * observation, and `predict` adds the observation back.
 */
import { CheckpointError } from '../../errors.js';
import { HostAdam } from '../../nn/host-adam.js';
import { initialParams } from '../../nn/init.js';
import { ParamLayout } from '../../nn/layout.js';
import { requireTensor, vectorState, type Json, type ModuleState, type TensorRecord } from '../../nn/state.js';
import { RemoteHandle, type Resolved } from '../../nn/threads/handle.js';
import { WorkerThread } from '../../nn/threads/worker-thread.js';
import { Rng } from '../../util/rng.js';
import { actionInputWidth, writeActionInput } from './action-input.js';
import { resolveEnsembleOptions, type EnsembleOptions, type ResolvedEnsembleOptions } from './ensemble-options.js';
import { fitEnsemble, type DynamicsData, type FitCallbacks, type FitModel, type FitProgress, type FitResult } from './fit.js';
import { memberShape, type GroupPrediction, type MemberGroupSpec } from './member-group.js';
import { Members } from './members.js';
import type { OnnxMemberPredictor } from './onnx-member-predictor.js';
import type { OnnxMemberTrainer } from './onnx-member-trainer.js';
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
  /** Present while a fit is unfinished; `best` is null for members not yet judged. */
  fit: { dataSize: number; epoch: number; batch: number; epochLoss: number; epochsSinceUpdate: number; best: (number | null)[] } | null;
  [key: string]: Json;
}

const STATE_FORMAT = 'mopo-dynamics-ensemble';
const INIT_STREAM = 11;

export class DynamicsEnsemble implements FitModel {
  readonly options: ResolvedEnsembleOptions;
  readonly standardiser: Standardiser;
  readonly memberSize: number;
  /** Members that sample rollouts, best first. All members until a fit selects them. */
  elites: number[];
  fitted = false;
  private readonly members: Members;
  /** The members' shape and training settings (every group's, and ONNX Runtime's). */
  private readonly spec: MemberGroupSpec;
  /** [max_logvar (D), min_logvar (D)], shared by all members. */
  private readonly bounds: Float32Array;
  private readonly boundsAdam: HostAdam;
  private progress: FitProgress | null = null;
  /** The worker that runs ONNX Runtime's predictions, when they take that route. */
  private onnxThread: WorkerThread | null = null;

  constructor(options: EnsembleOptions) {
    const o = resolveEnsembleOptions(options);
    this.options = o;
    const D = o.observationSize + 1;
    const inputSize = o.observationSize + actionInputWidth(o.actionSize, o.actionCount);
    this.standardiser = new Standardiser(inputSize);
    const spec: MemberGroupSpec = {
      inputSize,
      outputSize: D,
      hiddenSize: o.hiddenSize,
      layers: o.layers,
      members: o.members,
      lr: o.lr,
      weightDecays: o.weightDecays,
    };
    this.spec = spec;
    const layout = new ParamLayout(memberShape(spec), o.members);
    this.memberSize = layout.perNetwork;
    this.members = new Members(spec, layout.perNetwork, initialParams(layout, 'truncated_normal', new Rng(o.seed, INIT_STREAM)));
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
  async fit(data: DynamicsData, callbacks: FitCallbacks = {}): Promise<FitResult> {
    const { observationSize, actionSize } = this.options;
    if (data.observationSize !== observationSize || data.actionSize !== actionSize) {
      throw new RangeError(`fit: data has obs ${data.observationSize}/act ${data.actionSize}, the ensemble ${observationSize}/${actionSize}`);
    }
    const result = await fitEnsemble(this, data, callbacks, this.progress, (progress) => (this.progress = progress));
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
    // The elites first, then the noise row after row (drawn chunk by chunk as the chunks
    // arrive in row order: the same numbers as one draw up front, while workers compute).
    const chosen = Uint32Array.from({ length: rows }, () => this.elites[rng.int(this.elites.length)]!);
    const noise = new Float32Array(rows * D);
    const nextObservations = new Float32Array(rows * O);
    const rewards = new Float32Array(rows);
    const penalties = new Float32Array(rows);
    this.forEachChunk(observations, actions, rows, (start, count, chunk) => {
      rng.fillNormal(noise.subarray(start * D, (start + count) * D));
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
    const { losses, boundGradient } = this.members.trainStep(inputs, targets, rows, this.bounds);
    const D = this.options.observationSize + 1;
    const coef = this.options.logvarBoundCoef;
    for (let j = 0; j < 2 * D; j++) boundGradient[j]! += j < D ? coef : -coef;
    this.boundsAdam.apply(this.bounds, boundGradient);
    return losses;
  }

  memberErrors(inputs: Float32Array, targets: Float32Array, rows: number): Float32Array {
    return this.members.meanSquaredErrors(inputs, targets, rows);
  }

  readMembers(): Float32Array {
    return this.members.readParams();
  }

  writeMembers(params: Float32Array): void {
    this.members.writeParams(params);
  }

  /**
   * Spreads the members over this thread and `threads` (compute workers, see
   * nn/threads/compute-threads.ts): training steps and rollouts then use all of them,
   * with the same results as in one thread. An empty list brings everything back.
   */
  distribute(threads: WorkerThread[]): void {
    this.members.distribute(threads);
  }

  /**
   * Makes predictions (rollouts, `predict`) through ONNX Runtime when it loads here
   * (nn/onnx/inference-route.ts), in a worker thread of its own with up to `cpuThreads`
   * threads for its CPU provider. Returns the route's description, or null with the
   * reason predictions stay on the tfjs backend. Training stays where it is
   * (trainWithOnnxRuntime moves it).
   */
  async predictWithOnnxRuntime(cpuThreads: number): Promise<{ route: string | null; reason: string | null }> {
    const { probeInference } = await import('../../nn/onnx/inference-route.js');
    const { route, reason } = await probeInference(cpuThreads);
    if (!route) return { route: null, reason };
    this.members.predictWith(null);
    const thread = await this.onnxWorker();
    const predictor = RemoteHandle.create<OnnxMemberPredictor>(thread, './onnx-member-predictor.js', import.meta.url, 'OnnxMemberPredictor', [this.spec, this.members.readParams(), route]);
    this.members.predictWith(predictor);
    return { route: route.description, reason: null };
  }

  /**
   * Makes every training step's loss and gradients through ONNX Runtime's CPU provider
   * when MOPO_ONNXRUNTIME=cpu asks for it (onnx-member-trainer.ts; the Adam step stays
   * ours), in the same worker as its predictions, with up to `cpuThreads` threads. Its
   * results are ONNX Runtime's: deterministic for a machine, package and thread count,
   * not the WASM kernels' bits. Returns the route's description, or null with the reason
   * training stays on the tfjs backend.
   */
  async trainWithOnnxRuntime(cpuThreads: number): Promise<{ route: string | null; reason: string | null }> {
    const { probeInference } = await import('../../nn/onnx/inference-route.js');
    const { route, reason } = await probeInference(cpuThreads);
    if (!route) return { route: null, reason };
    if (route.provider !== 'cpu') return { route: null, reason: `training takes ONNX Runtime's CPU provider only (MOPO_ONNXRUNTIME=cpu), not ${route.provider}` };
    this.members.trainWith(null);
    const thread = await this.onnxWorker();
    const trainer = RemoteHandle.create<Resolved<OnnxMemberTrainer>>(thread, './onnx-member-trainer.js', import.meta.url, 'OnnxMemberTrainer', [this.spec, this.members.readParams(), route]);
    this.members.trainWith(trainer);
    return { route: route.description, reason: null };
  }

  /** Weights, Adam moments and steps, log-variance bounds, standardiser, elites, and an unfinished fit. */
  getState(): ModuleState<EnsembleMeta> {
    const group = this.members.getState();
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
        fit: p && {
          dataSize: p.dataSize,
          epoch: p.epoch,
          batch: p.batch,
          epochLoss: p.epochLoss,
          epochsSinceUpdate: p.epochsSinceUpdate,
          best: p.best.map((loss) => (Number.isFinite(loss) ? loss : null)),
        },
      },
    };
  }

  setState(state: ModuleState): void {
    const meta = ensembleMeta(state);
    const { tensors } = state;
    // States saved before discrete actions existed have no actionCount: box actions.
    const saved = { ...meta.options, actionCount: meta.options.actionCount ?? null };
    for (const key of ['observationSize', 'actionSize', 'actionCount', 'members', 'hiddenSize', 'layers'] as const) {
      if (saved[key] !== this.options[key]) {
        throw new CheckpointError(`The dynamics ensemble state has ${key} ${saved[key]}, this ensemble ${this.options[key]}.`);
      }
    }
    const total = this.options.members * this.memberSize;
    const D = this.options.observationSize + 1;
    const params = requireTensor(tensors, 'ensemble/params', [total]);
    const adamM = requireTensor(tensors, 'ensemble/adam/m', [total]);
    const adamV = requireTensor(tensors, 'ensemble/adam/v', [total]);
    this.members.setState({ params, adamM, adamV, adamStep: meta.adamStep });
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
      best: meta.fit.best.map((loss) => loss ?? Infinity),
      snapshot: requireTensor(tensors, 'ensemble/fit/snapshot', [total]).slice(),
    };
  }

  dispose(): void {
    this.members.predictWith(null);
    this.members.dispose();
    this.onnxThread?.close();
    this.onnxThread = null;
  }

  /** The worker that runs ONNX Runtime (its predictor and trainer), started on first use. */
  private async onnxWorker(): Promise<WorkerThread> {
    this.onnxThread ??= await WorkerThread.start('wasm');
    return this.onnxThread;
  }

  private rowsOf(observations: Float32Array, actions: Float32Array): number {
    const { observationSize: O, actionSize: A } = this.options;
    const rows = observations.length / O;
    if (!Number.isInteger(rows) || actions.length !== rows * A) {
      throw new RangeError(`expected rows of ${O} observation and ${A} action values, got ${observations.length} and ${actions.length}`);
    }
    return rows;
  }

  /** Standardised inputs through every member, chunk by chunk; `visit` sees [members, count, D] blocks. */
  private forEachChunk(
    observations: Float32Array,
    actions: Float32Array,
    rows: number,
    visit: (start: number, count: number, chunk: GroupPrediction) => void,
  ): void {
    const { observationSize: O, actionSize: A, actionCount } = this.options;
    const I = O + actionInputWidth(A, actionCount);
    const fill = (start: number, count: number, input: Float32Array) => {
      for (let r = 0; r < count; r++) {
        input.set(observations.subarray((start + r) * O, (start + r + 1) * O), r * I);
        writeActionInput(actions, start + r, A, actionCount, input, r * I + O);
      }
      this.standardiser.apply(input, count, input);
    };
    this.members.predictRows(rows, this.bounds, fill, visit);
  }
}

function ensembleMeta(state: ModuleState): EnsembleMeta {
  const meta = state.meta as Partial<EnsembleMeta> | null;
  if (!meta || meta.format !== STATE_FORMAT || meta.version !== 1) {
    throw new CheckpointError('This is not a dynamics-ensemble state saved by mopo (format mopo-dynamics-ensemble, version 1).');
  }
  return meta as EnsembleMeta;
}
