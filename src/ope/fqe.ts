/**
 * Fitted Q Evaluation (Le et al. 2019), as d3rlpy's FQE: for a fixed policy π, fit
 *   Q_θ(s, a) ≈ r + γ(1 − d)·minₖ Q_θ′ₖ(s′, π(s′))
 * on a dataset's transitions by mean squared error, with the target critics θ′ copied
 * from θ every `target_update_interval` updates. π acts deterministically (its greedy
 * action, d3rlpy's `predict`). Then, from the data alone:
 *   initial-state value  mean over the dataset's episodes of Q(s₀, π(s₀)): the policy's
 *                        expected discounted return from the initial-state distribution
 *                        (d3rlpy's InitialStateValueEstimationEvaluator);
 *   soft OPC             mean Q(s, a) over the transitions of episodes whose return
 *                        reaches a threshold, minus the mean over all transitions
 *                        (Irpan et al. 2019; d3rlpy's SoftOPCEvaluator).
 * Q(s, a) in the estimates is the mean over the critics.
 *
 * The policy is fixed, so π(s′) is computed once for every row before training. The
 * critics are the learners' Critic (critic.ts); a copy is a Polyak update with τ = 1.
 */
import type { OfflineDataset } from '../data/offline-dataset.js';
import { CriticSet } from '../algos/critic-set.js';
import { waitAll } from '../nn/threads/handle.js';
import { Rng } from '../util/rng.js';
import { episodesOf, discountedReturns, median, type Episodes } from './episodes.js';
import type { FqeSettings } from './fqe-options.js';

/** What FQE needs of a policy: its greedy actions (any learner's loaded checkpoint has them). */
export interface EvaluatedPolicy {
  act(observations: Float32Array, deterministic: boolean, rng: Rng): Float32Array;
}

export interface FqeCurvePoint {
  epoch: number;
  step: number;
  /** Mean over the epoch's updates of Σₖ mse(Qₖ(s, a), y). */
  loss: number;
  initialStateValue: number;
  softOpc: number;
}

export interface FqeResult {
  initialStateValue: number;
  softOpc: number;
  returnThreshold: number;
  curve: FqeCurvePoint[];
  steps: number;
  episodes: number;
  successEpisodes: number;
  /** The data's own mean discounted return from its episodes' first states (its behaviour policy's value, for scale). */
  datasetDiscountedReturn: number;
  /** True when `shouldStop` ended the fit early. */
  stopped: boolean;
}

export interface FitHooks {
  onEpoch?(point: FqeCurvePoint): void;
  /** Asked after every update; true ends the fit (Ctrl-C). */
  shouldStop?(): boolean;
}

/** Rows per forward pass when estimating over a whole dataset. */
const CHUNK = 4096;

export class FittedQEvaluation {
  private readonly critics: CriticSet;
  private readonly rng: Rng;
  updates = 0;

  constructor(
    readonly settings: FqeSettings,
    readonly sizes: { observationSize: number; actionSize: number },
  ) {
    const { observationSize, actionSize } = sizes;
    const spec = { observationSize, actionSize, hiddenSize: settings.hiddenSize, layers: settings.layers, lr: settings.lr, tau: 1 };
    this.critics = new CriticSet(spec, settings.criticCount, new Rng(settings.seed, 1));
    this.rng = new Rng(settings.seed, 2);
  }

  /** Fits Q for `policy` on `dataset` and returns the estimates and the training curve. */
  fit(dataset: OfflineDataset, policy: EvaluatedPolicy, hooks: FitHooks = {}): FqeResult {
    const { observationSize: O, actionSize: A } = this.sizes;
    const { steps, stepsPerEpoch, batchSize: B, gamma } = this.settings;
    const episodes = episodesOf(dataset);
    const threshold = this.settings.returnThreshold ?? median(episodes.returns);
    const greedy = (observations: Float32Array) => policy.act(observations, true, this.rng);
    const nextActions = inChunks(dataset.nextObservations, O, A, greedy);
    const initialStates = gatherRows(dataset.observations, O, episodes.starts);
    const initialActions = inChunks(initialStates, O, A, greedy);

    const batch = { observations: new Float32Array(B * O), actions: new Float32Array(B * A), nextObservations: new Float32Array(B * O), nextActions: new Float32Array(B * A), rewards: new Float32Array(B), terminals: new Float32Array(B) };
    const curve: FqeCurvePoint[] = [];
    let lossSum = 0;
    let lossCount = 0;
    let stopped = false;
    while (this.updates < steps) {
      for (let i = 0; i < B; i++) {
        const row = this.rng.int(dataset.size);
        batch.observations.set(dataset.observations.subarray(row * O, row * O + O), i * O);
        batch.actions.set(dataset.actions.subarray(row * A, row * A + A), i * A);
        batch.nextObservations.set(dataset.nextObservations.subarray(row * O, row * O + O), i * O);
        batch.nextActions.set(nextActions.subarray(row * A, row * A + A), i * A);
        batch.rewards[i] = dataset.rewards[row]!;
        batch.terminals[i] = dataset.terminals[row]!;
      }
      lossSum += this.update(batch, gamma);
      lossCount += 1;
      const endOfEpoch = this.updates % stepsPerEpoch === 0 || this.updates === steps;
      stopped = hooks.shouldStop?.() ?? false;
      if (endOfEpoch || stopped) {
        const point: FqeCurvePoint = {
          epoch: curve.length + 1,
          step: this.updates,
          loss: lossSum / lossCount,
          initialStateValue: mean(this.values(initialStates, initialActions)),
          softOpc: this.softOpc(dataset, episodes, threshold),
        };
        curve.push(point);
        hooks.onEpoch?.(point);
        lossSum = 0;
        lossCount = 0;
      }
      if (stopped) break;
    }
    const last = curve.at(-1)!;
    let successEpisodes = 0;
    for (const r of episodes.returns) if (r >= threshold) successEpisodes++;
    return {
      initialStateValue: last.initialStateValue,
      softOpc: last.softOpc,
      returnThreshold: threshold,
      curve,
      steps: this.updates,
      episodes: episodes.starts.length,
      successEpisodes,
      datasetDiscountedReturn: mean(discountedReturns(dataset, episodes, gamma)),
      stopped,
    };
  }

  /**
   * One update on rows whose next actions π(s′) are given: every critic one Adam step
   * towards y = r + γ(1 − d)·minₖ Q′ₖ(s′, π(s′)); a target copy every
   * target_update_interval updates. Returns Σₖ mse before the step.
   */
  update(batch: { observations: Float32Array; actions: Float32Array; nextObservations: Float32Array; nextActions: Float32Array; rewards: Float32Array; terminals: Float32Array }, gamma: number): number {
    const rows = batch.rewards.length;
    const critics = this.critics.all;
    const evaluating = critics.map((critic) => critic.call('evaluate', batch.observations, batch.actions, rows));
    const next = waitAll(critics.map((critic) => critic.call('targetValues', batch.nextObservations, batch.nextActions, rows)));
    const y = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      let smallest = Infinity;
      for (const values of next) smallest = Math.min(smallest, values![i]!);
      y[i] = batch.rewards[i]! + gamma * (1 - batch.terminals[i]!) * smallest;
    }
    waitAll(evaluating);
    // Critic.train also probes Q(s, ·) for an actor step FQE does not take; the batch's actions will do.
    const steps = waitAll(critics.map((critic) => critic.call('train', y, batch.actions, rows)));
    this.updates += 1;
    if (this.updates % this.settings.targetUpdateInterval === 0) waitAll(critics.map((critic) => critic.call('updateTarget')));
    return steps.reduce((sum, step) => sum + step!.loss, 0);
  }

  /** Q(s, a) for rows of observations and actions: the mean over the critics. */
  values(observations: Float32Array, actions: Float32Array): Float32Array {
    const { observationSize: O, actionSize: A } = this.sizes;
    const rows = observations.length / O;
    const out = new Float32Array(rows);
    for (let start = 0; start < rows; start += CHUNK) {
      const count = Math.min(CHUNK, rows - start);
      const parts = waitAll(this.critics.all.map((critic) => critic.call('values', observations.subarray(start * O, (start + count) * O), actions.subarray(start * A, (start + count) * A), count)));
      for (let i = 0; i < count; i++) {
        let sum = 0;
        for (const part of parts) sum += part![i]!;
        out[start + i] = sum / parts.length;
      }
    }
    return out;
  }

  dispose(): void {
    this.critics.dispose();
  }

  private softOpc(dataset: OfflineDataset, episodes: Episodes, threshold: number): number {
    const q = this.values(dataset.observations, dataset.actions);
    let all = 0;
    let success = 0;
    let successRows = 0;
    for (let i = 0; i < dataset.size; i++) {
      all += q[i]!;
      if (episodes.returns[episodes.episodeOf[i]!]! >= threshold) {
        success += q[i]!;
        successRows++;
      }
    }
    return successRows === 0 ? NaN : success / successRows - all / dataset.size;
  }
}

/** `fn` applied to rows of `values` (width `inWidth`) CHUNK rows at a time; its outputs (width `outWidth`) joined. */
function inChunks(values: Float32Array, inWidth: number, outWidth: number, fn: (rows: Float32Array) => Float32Array): Float32Array {
  const rows = values.length / inWidth;
  const out = new Float32Array(rows * outWidth);
  for (let start = 0; start < rows; start += CHUNK) {
    const count = Math.min(CHUNK, rows - start);
    out.set(fn(values.subarray(start * inWidth, (start + count) * inWidth)).subarray(0, count * outWidth), start * outWidth);
  }
  return out;
}

function gatherRows(values: Float32Array, width: number, rows: Uint32Array): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, k) => out.set(values.subarray(row * width, (row + 1) * width), k * width));
  return out;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}
