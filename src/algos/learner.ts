/**
 * The small surface every learner offers, whatever it learns (d3rlpy's and
 * OfflineRL-Kit's shape): an update on a batch that returns what it measured, actions
 * for observations, its whole state for checkpoints, and clean-up. The training loops,
 * evaluation, collection and export use nothing else.
 */
import type { TransitionBatch } from '../data/replay-buffer.js';
import type { ActionSpace } from '../envs/action-space.js';
import type { ModuleState } from '../nn/state.js';
import type { WorkerThread } from '../nn/threads/worker-thread.js';
import type { Rng } from '../util/rng.js';
import type { PolicyGraph } from './policy-graph.js';

/** Whatever an update measured, by name (camelCase): losses, α, mean Q, … */
export type LearnerMetrics = Record<string, number>;

export interface UpdateOptions {
  metrics: boolean;
  /**
   * Where to write |δᵢ|, the TD error of each row of the batch before the step (for
   * prioritized replay); only learners whose row says `weightedReplay` do.
   */
  tdErrors?: Float32Array | null;
}

export interface Learner {
  /**
   * One gradient step on `batch`; its measurements, or null when `metrics` is false
   * (reading them back costs time). Learners whose row says `weightedReplay` honour the
   * batch's `discounts` (n-step returns) and `weights` (importance weights).
   */
  update(batch: TransitionBatch, options: UpdateOptions): LearnerMetrics | null;
  /** Actions for rows of observations: the policy's best guess when `deterministic`, else exploring with `rng`. */
  act(observations: Float32Array, deterministic: boolean, rng?: Rng): Float32Array;
  /** Stochastic actions with log π(a|s), for policies that have a density (SAC). */
  sample?(observations: Float32Array, rng: Rng): { actions: Float32Array; logProbs: Float32Array };
  /** The deterministic policy as a network description, for mopo-export; learners without one cannot be exported. */
  policyGraph?(): PolicyGraph;
  /** Where training stands (0 at the start, 1 at the end), for learning-rate schedules; learners without schedules omit it. */
  setTrainingProgress?(progress: number): void;
  /** Everything a resumed run needs to continue exactly. */
  getState(): ModuleState;
  /**
   * Takes the update's gradients from ONNX Runtime's CPU kernels when MOPO_ONNXRUNTIME=cpu
   * asks for it, with up to `cpuThreads` threads (learners that can: SAC); the route's
   * description, or null with the reason the updates stay on the tfjs backend.
   */
  trainWithOnnxRuntime?(cpuThreads: number): Promise<{ route: string | null; reason: string | null }>;
  /** Spreads work over compute workers (results stay identical); `[]` brings it back. */
  distribute(threads: WorkerThread[]): void;
  dispose(): void;
}

/** What the environment decides about a learner: its input and output widths. */
export interface LearnerSizes {
  observationSize: number;
  /** Numbers in one stored action row: the box's size, or 1 (the index) for a discrete space. */
  actionSize: number;
  /**
   * The env's action space. A discrete learner learns n, its number of outputs, from it
   * (`actionSize` is 1 for every discrete env); absent: box(actionSize).
   */
  actionSpace?: ActionSpace;
}
