/**
 * Bench section `bear`: one BEAR update at HalfCheetah sizes (obs 17, act 6), batch 100
 * (d3rlpy's batch_size) and d3rlpy's network sizes (2×256 actor, two 2×256 critics, a
 * behaviour VAE with 2×256 encoder and decoder, 4 action samples a side for the MMD and
 * the target), side by side with the same update in PyTorch (scripts/bench/torch_bear.py):
 *   bear_update_ms           ours, the faster of one thread and compute workers on the other cores
 *   torch_bear_update_ms     PyTorch's faster of 1 thread and one per core
 *   bear_update_vs_torch     ours ÷ PyTorch's (< 1: faster)
 * Fastest of several rounds on each side, as the `nn` section measures.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Bear } from '../../src/algos/bear.js';
import { initBackend, type BackendChoice } from '../../src/nn/backend.js';
import { closeComputeThreads, startComputeThreads } from '../../src/nn/threads/compute-threads.js';
import type { WorkerThread } from '../../src/nn/threads/worker-thread.js';
import { Rng } from '../../src/util/rng.js';
import { bestMs, findTorchPython } from './nn.js';
import type { BenchSection } from './sections.js';

const OBS = 17;
const ACT = 6;
const BATCH = 100;

export const bearSection: BenchSection = {
  name: 'bear',
  async run() {
    const backend = await initBackend((process.env.MOPO_BENCH_BACKEND as BackendChoice | undefined) ?? 'auto');
    const single = measure([]);
    const threads = await startComputeThreads(backend);
    const spread = threads.length > 0 ? measure(threads) : single;
    closeComputeThreads(threads);
    const cores = availableParallelism();
    const torch = [1, ...(cores > 1 ? [cores] : [])].map(runTorch);
    const runs = torch.filter((run): run is TorchBear => !('reason' in run));
    const ours = Math.min(single, spread);
    const figures = { bear_update_ms: round(ours), bear_update_ms_1_thread: round(single) };
    if (runs.length === 0) return { ...figures, torch_bear_update_ms: null, torch_bear_threads: null, bear_update_vs_torch: null, torch_bear_reason: (torch[0] as { reason: string }).reason };
    const quickest = runs.reduce((a, b) => (b.bear_update_ms < a.bear_update_ms ? b : a));
    return { ...figures, torch_bear_update_ms: quickest.bear_update_ms, torch_bear_threads: quickest.threads, bear_update_vs_torch: round(ours / quickest.bear_update_ms), torch_bear_reason: null };
  },
};

function measure(threads: WorkerThread[]): number {
  const rng = new Rng(2024);
  const bear = new Bear({ observationSize: OBS, actionSize: ACT, seed: 1 });
  bear.distribute(threads);
  const batch = {
    observations: rng.fillNormal(new Float32Array(BATCH * OBS)),
    actions: rng.fillUniform(new Float32Array(BATCH * ACT), -1, 1),
    rewards: rng.fillNormal(new Float32Array(BATCH)),
    nextObservations: rng.fillNormal(new Float32Array(BATCH * OBS)),
    terminals: Float32Array.from({ length: BATCH }, () => (rng.uniform() < 0.1 ? 1 : 0)),
    size: BATCH,
  };
  const ms = bestMs(() => bear.update(batch, { metrics: false }), { warmup: 20, repeats: 30, rounds: 5 }).wall;
  bear.dispose();
  return ms;
}

interface TorchBear {
  torch_version: string;
  threads: number;
  bear_update_ms: number;
}

function runTorch(threads: number): TorchBear | { reason: string } {
  const script = [fileURLToPath(new URL('../../../scripts/bench/torch_bear.py', import.meta.url)), fileURLToPath(new URL('./torch_bear.py', import.meta.url))].find(existsSync);
  if (!script) return { reason: 'scripts/bench/torch_bear.py not found' };
  const python = findTorchPython();
  if (!python) return { reason: 'no python3 with torch (apt-get install -y python3-torch libopenblas0-pthread)' };
  try {
    const output = execFileSync(python, [script, '--json', '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(output.trim().split('\n').at(-1)!) as TorchBear;
  } catch (error) {
    return { reason: `torch_bear.py failed: ${(error as Error).message.split('\n')[0]}` };
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
