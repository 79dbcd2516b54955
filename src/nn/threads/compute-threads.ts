/**
 * How many compute workers a run should use. The WASM (and plain cpu) backend runs one
 * thread per process in Node, so workers are how SAC and the dynamics ensemble reach
 * the other cores; native TensorFlow already spreads each op over the cores itself.
 *
 *   const threads = await startComputeThreads(backend);   // [] on native TensorFlow
 *   sac.distribute(threads);
 *   ensemble.distribute(threads);
 *   …
 *   closeComputeThreads(threads);                         // after disposing sac/ensemble
 */
import { availableParallelism } from 'node:os';
import type { BackendInfo } from '../backend.js';
import { WorkerThread } from './worker-thread.js';

/** `workers` = 'auto' → one per core beyond this one (none on native TensorFlow). */
export function startComputeThreads(backend: Pick<BackendInfo, 'name'>, workers: number | 'auto' = 'auto'): Promise<WorkerThread[]> {
  const count = workers === 'auto' ? (backend.name === 'tensorflow' ? 0 : availableParallelism() - 1) : workers;
  return WorkerThread.startMany(backend.name, Math.max(0, count));
}

export function closeComputeThreads(threads: WorkerThread[]): void {
  for (const thread of threads) thread.close();
}
