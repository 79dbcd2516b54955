/**
 * The training loops by data source, looked up by `algo.loop`; each loads (with
 * TensorFlow.js, MuJoCo and h5wasm behind it) only when a job runs.
 */
import type { LoopKind } from '../algos/learner-table.js';
import type { TrainContext, TrainResult } from './frame.js';
import type { TrainHooks } from './session.js';

export type TrainLoop = (context: TrainContext, hooks?: TrainHooks) => Promise<TrainResult>;

const LOOPS: Record<LoopKind, () => Promise<TrainLoop>> = {
  online: async () => (await import('./online.js')).trainOnline,
  offline: async () => (await import('./offline.js')).trainOffline,
};

export function loadLoop(kind: LoopKind): Promise<TrainLoop> {
  return LOOPS[kind]();
}
