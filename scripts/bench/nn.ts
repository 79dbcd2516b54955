/**
 * Bench section `nn`: the three hot paths of MOPO at HalfCheetah sizes (obs 17, act 6),
 * side by side with PyTorch on the same machine (scripts/bench/torch_reference.py,
 * run when a python3 with torch is found):
 *   sac_update_ms              one SAC update, batch 256, 2×256 networks
 *   ensemble_step_ms           one training step of 7 members × 4×200, batch 256 each
 *   rollout_transitions_per_s  one model step of 50 000 rows through all 7 members
 * Each is measured in one thread and with compute workers on the other cores (the
 * headline figure is the faster); PyTorch likewise with 1 thread and with one per
 * core, its faster figure per metric being the reference (`torch_*_threads` says
 * which). `*_vs_torch` is our time ÷ PyTorch's (< 1: faster). The two sides take turns
 * (ours 1 thread, PyTorch 1, ours all cores, PyTorch all) and report the fastest of
 * several rounds, the figure least disturbed by other work on the machine.
 * `--reference=<script>` adds `reference_*` and `*_vs_reference` figures from another
 * timing script that reports the same three.
 * When ONNX Runtime serves rollouts (MOPO_ONNXRUNTIME=cpu, or a GPU under backend=auto),
 * the rollout is also measured with the ensemble's predictions there
 * (`rollout_transitions_per_s_onnx`); the headline rollout figure is the fastest route.
 * With MOPO_ONNXRUNTIME=cpu the ensemble's training step is measured on ONNX Runtime's
 * CPU kernels too (`ensemble_step_*_onnx`, beside the WASM kernels' `ensemble_step_*_wasm`);
 * the headline ensemble figures are again the fastest route. The SAC update likewise: with
 * MOPO_ONNXRUNTIME=cpu its gradients from ONNX Runtime (`sac_update_*_onnx`, beside
 * `sac_update_*_wasm`), the headline SAC figures being the fastest route.
 * With the fused multiply-add kernels (MOPO_WASM_FMA=1: kernels_fma), one thread is
 * measured again with the unfused ones (`*_1_thread_unfused`): what that lever gains.
 * Both levers are off by default (they change a seed's numbers in the last bits).
 * `*_cpu_*_1_thread` figures and `*_vs_torch_cpu_1_thread` ratios compare one thread of
 * each in CPU time, the steadier measure while other jobs share the machine; the load
 * average before and after the section says how busy it was.
 * Inputs come from our seeded Rng (tf.randomNormal data measured unrealistically slow here).
 * MOPO_BENCH_BACKEND picks the backend (default auto).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DynamicsEnsemble } from '../../src/algos/mopo/dynamics-ensemble.js';
import { Sac } from '../../src/algos/sac.js';
import { initBackend, type BackendChoice } from '../../src/nn/backend.js';
import { kernelFma, setKernelFma } from '../../src/nn/wasm/fast-kernels.js';
import { closeComputeThreads, startComputeThreads } from '../../src/nn/threads/compute-threads.js';
import type { WorkerThread } from '../../src/nn/threads/worker-thread.js';
import { Rng } from '../../src/util/rng.js';
import type { BenchSection } from './sections.js';

const OBS = 17;
const ACT = 6;
const BATCH = 256;
const MEMBERS = 7;
const ROLLOUT_ROWS = 50_000;
/** Rollout chunk sizes PyTorch tries (its best counts); we use PREDICT_CHUNK rows per pass. */
const TORCH_CHUNKS = `${ROLLOUT_ROWS},10000,5000,2048`;

type Figures = Record<string, number | string | boolean | null>;

export const nnSection: BenchSection = {
  name: 'nn',
  async run(options) {
    const backend = await initBackend((process.env.MOPO_BENCH_BACKEND as BackendChoice | undefined) ?? 'auto');
    const cores = availableParallelism();
    const loadBefore = loadavg()[0]!;
    // One thread first: starting workers compiles their WASM in the background for a while.
    const single = measure([]);
    // The fused multiply-add's gain, side by side: the same thread with the unfused kernels.
    const fused = backend.name === 'wasm' && kernelFma();
    const unfused = fused ? measureUnfused() : null;
    const torchSingle = runTorchReference(1);
    const threads = await startComputeThreads(backend);
    const workers = threads.length;
    const spread = workers > 0 ? measure(threads) : single;
    closeComputeThreads(threads);
    const wasmRollout = { single: single.rollout, best: Math.max(single.rollout, spread.rollout) };
    const wasmEnsemble = { single: single.ensemble, best: Math.min(single.ensemble, spread.ensemble), cpu: single.ensembleCpu };
    const wasmSac = { single: single.sac, best: Math.min(single.sac, spread.sac), cpu: single.sacCpu };
    const onnxSingle = backend.onnxInference ? await measureOnnxRollout(1) : null;
    const onnx = onnxSingle && cores > 1 ? await measureOnnxRollout(cores) : onnxSingle;
    const onnxStepSingle = backend.onnxInference ? await measureOnnxEnsembleStep(1) : null;
    const onnxStep = onnxStepSingle && cores > 1 ? await measureOnnxEnsembleStep(cores) : onnxStepSingle;
    const onnxSacSingle = backend.onnxInference ? await measureOnnxSacUpdate(1) : null;
    const onnxSac = onnxSacSingle && cores > 1 ? await measureOnnxSacUpdate(cores) : onnxSacSingle;
    // A one-thread run of ours (threads=0) takes ONNX Runtime's route with one thread where it loads.
    if (onnxSingle) {
      single.rollout = Math.max(single.rollout, onnxSingle.rowsPerSecond);
      single.rolloutCpu = Math.max(single.rolloutCpu, onnxSingle.cpuRowsPerSecond);
    }
    if (onnxStepSingle) {
      single.ensemble = Math.min(single.ensemble, onnxStepSingle.wall);
      single.ensembleCpu = Math.min(single.ensembleCpu, onnxStepSingle.cpu);
    }
    if (onnxSacSingle) {
      single.sac = Math.min(single.sac, onnxSacSingle.wall);
      single.sacCpu = Math.min(single.sacCpu, onnxSacSingle.cpu);
    }
    const torchSpread = cores > 1 ? runTorchReference(cores) : torchSingle;
    const fastest = best(single, spread);
    if (onnx) fastest.rollout = Math.max(fastest.rollout, onnx.rowsPerSecond);
    if (onnxStep) fastest.ensemble = Math.min(fastest.ensemble, onnxStep.wall);
    if (onnxSac) fastest.sac = Math.min(fastest.sac, onnxSac.wall);
    const external = options.reference ? compareWithReference(options.reference, cores, fastest) : {};

    const ours: Figures = {
      backend: backend.name,
      backend_description: backend.description,
      kernels_fma: fused,
      load_average_before: round(loadBefore),
      load_average_after: round(loadavg()[0]!),
      threads: 1 + workers,
      sac_update_ms: round(fastest.sac),
      ensemble_step_ms: round(fastest.ensemble),
      rollout_transitions_per_s: Math.round(fastest.rollout),
      sac_update_ms_1_thread: round(single.sac),
      ensemble_step_ms_1_thread: round(single.ensemble),
      rollout_transitions_per_s_1_thread: Math.round(single.rollout),
      rollout_transitions_per_s_wasm: Math.round(wasmRollout.best),
      rollout_transitions_per_s_wasm_1_thread: Math.round(wasmRollout.single),
      ensemble_step_ms_wasm: round(wasmEnsemble.best),
      ensemble_step_ms_wasm_1_thread: round(wasmEnsemble.single),
      ensemble_step_cpu_ms_1_thread_wasm: round(wasmEnsemble.cpu),
      ensemble_step_route: onnxStep?.route ?? null,
      ensemble_step_ms_onnx: onnxStep ? round(Math.min(onnxStep.wall, onnxStepSingle!.wall)) : null,
      ensemble_step_ms_onnx_1_thread: onnxStepSingle && round(onnxStepSingle.wall),
      ensemble_step_cpu_ms_1_thread_onnx: onnxStepSingle && round(onnxStepSingle.cpu),
      sac_update_ms_wasm: round(wasmSac.best),
      sac_update_ms_wasm_1_thread: round(wasmSac.single),
      sac_update_cpu_ms_1_thread_wasm: round(wasmSac.cpu),
      sac_update_route: onnxSac?.route ?? null,
      sac_update_ms_onnx: onnxSac ? round(Math.min(onnxSac.wall, onnxSacSingle!.wall)) : null,
      sac_update_ms_onnx_1_thread: onnxSacSingle && round(onnxSacSingle.wall),
      sac_update_cpu_ms_1_thread_onnx: onnxSacSingle && round(onnxSacSingle.cpu),
      rollout_route: onnx?.route ?? null,
      rollout_transitions_per_s_onnx: onnx ? Math.round(Math.max(onnx.rowsPerSecond, onnxSingle!.rowsPerSecond)) : null,
      rollout_transitions_per_s_onnx_1_thread: onnxSingle ? Math.round(onnxSingle.rowsPerSecond) : null,
      sac_update_ms_1_thread_unfused: unfused && round(unfused.sac),
      ensemble_step_ms_1_thread_unfused: unfused && round(unfused.ensemble),
      rollout_transitions_per_s_1_thread_unfused: unfused && Math.round(unfused.rollout),
      sac_update_cpu_ms_1_thread_unfused: unfused && round(unfused.sacCpu),
      ensemble_step_cpu_ms_1_thread_unfused: unfused && round(unfused.ensembleCpu),
      sac_update_cpu_ms_1_thread: round(single.sacCpu),
      ensemble_step_cpu_ms_1_thread: round(single.ensembleCpu),
      rollout_cpu_transitions_per_s_1_thread: Math.round(single.rolloutCpu),
    };
    const runs = [torchSingle, torchSpread].filter((run): run is TorchFigures => !('reason' in run));
    if (runs.length === 0) {
      return { ...ours, ...nullTorch(), torch_reason: (torchSingle as { reason: string }).reason, ...external };
    }
    const quickest = (key: 'sac_update_ms' | 'ensemble_step_ms') => runs.reduce((a, b) => (b[key] < a[key] ? b : a));
    const sacRef = quickest('sac_update_ms');
    const ensembleRef = quickest('ensemble_step_ms');
    const rolloutRef = runs.reduce((a, b) => (b.rollout_transitions_per_s > a.rollout_transitions_per_s ? b : a));
    return {
      ...ours,
      torch_version: runs[0]!.torch_version,
      torch_sac_update_ms: sacRef.sac_update_ms,
      torch_ensemble_step_ms: ensembleRef.ensemble_step_ms,
      torch_rollout_transitions_per_s: rolloutRef.rollout_transitions_per_s,
      torch_sac_update_threads: sacRef.threads,
      torch_ensemble_step_threads: ensembleRef.threads,
      torch_rollout_threads: rolloutRef.threads,
      torch_rollout_chunk: rolloutRef.rollout_best_chunk,
      torch_rollout_unchunked_transitions_per_s: Math.max(...runs.map((run) => run.rollout_by_chunk[String(ROLLOUT_ROWS)] ?? 0)) || null,
      torch_sac_update_ms_1_thread: runs.find((run) => run.threads === 1)?.sac_update_ms ?? null,
      torch_ensemble_step_ms_1_thread: runs.find((run) => run.threads === 1)?.ensemble_step_ms ?? null,
      torch_rollout_transitions_per_s_1_thread: runs.find((run) => run.threads === 1)?.rollout_transitions_per_s ?? null,
      ...cpuComparison(single, runs.find((run) => run.threads === 1)),
      ...ensembleRoutes(wasmEnsemble.cpu, onnxStepSingle?.cpu ?? null, runs.find((run) => run.threads === 1)),
      ...sacRoutes(wasmSac.cpu, onnxSacSingle?.cpu ?? null, runs.find((run) => run.threads === 1)),
      sac_update_vs_torch: round(fastest.sac / sacRef.sac_update_ms),
      ensemble_step_vs_torch: round(fastest.ensemble / ensembleRef.ensemble_step_ms),
      rollout_vs_torch: round(rolloutRef.rollout_transitions_per_s / fastest.rollout),
      torch_reason: null,
      ...external,
    };
  },
};

interface Measured {
  sac: number;
  ensemble: number;
  rollout: number;
  /** The same as this process's CPU time: a single thread's figures on a busy machine. */
  sacCpu: number;
  ensembleCpu: number;
  rolloutCpu: number;
}

function best(a: Measured, b: Measured): Measured {
  return { ...a, sac: Math.min(a.sac, b.sac), ensemble: Math.min(a.ensemble, b.ensemble), rollout: Math.max(a.rollout, b.rollout) };
}

/**
 * One thread each, in CPU time (ours ÷ PyTorch's): what a core does, steadier than wall
 * time while other jobs share the cores.
 */
function cpuComparison(ours: Measured, torch: TorchFigures | undefined): Figures {
  if (!torch?.sac_update_cpu_ms) return {};
  return {
    torch_sac_update_cpu_ms_1_thread: torch.sac_update_cpu_ms,
    torch_ensemble_step_cpu_ms_1_thread: torch.ensemble_step_cpu_ms,
    torch_rollout_cpu_transitions_per_s_1_thread: torch.rollout_cpu_transitions_per_s,
    sac_update_vs_torch_cpu_1_thread: round(ours.sacCpu / torch.sac_update_cpu_ms),
    ensemble_step_vs_torch_cpu_1_thread: round(ours.ensembleCpu / torch.ensemble_step_cpu_ms),
    rollout_vs_torch_cpu_1_thread: round(torch.rollout_cpu_transitions_per_s / ours.rolloutCpu),
  };
}

/** The ensemble step of each route against PyTorch's, one thread a side in CPU time. */
function ensembleRoutes(wasmCpu: number, onnxCpu: number | null, torch: TorchFigures | undefined): Figures {
  if (!torch?.ensemble_step_cpu_ms) return {};
  return {
    ensemble_step_vs_torch_cpu_1_thread_wasm: round(wasmCpu / torch.ensemble_step_cpu_ms),
    ensemble_step_vs_torch_cpu_1_thread_onnx: onnxCpu === null ? null : round(onnxCpu / torch.ensemble_step_cpu_ms),
  };
}

/** The SAC update of each route against PyTorch's, one thread a side in CPU time. */
function sacRoutes(wasmCpu: number, onnxCpu: number | null, torch: TorchFigures | undefined): Figures {
  if (!torch?.sac_update_cpu_ms) return {};
  return {
    sac_update_vs_torch_cpu_1_thread_wasm: round(wasmCpu / torch.sac_update_cpu_ms),
    sac_update_vs_torch_cpu_1_thread_onnx: onnxCpu === null ? null : round(onnxCpu / torch.sac_update_cpu_ms),
  };
}

/**
 * One SAC update (wall and CPU time, ONNX Runtime's worker and threads included) with its
 * gradients from ONNX Runtime's CPU kernels with `cpuThreads` threads; null unless
 * MOPO_ONNXRUNTIME=cpu takes that route.
 */
async function measureOnnxSacUpdate(cpuThreads: number): Promise<{ route: string; wall: number; cpu: number } | null> {
  const sac = new Sac({ observationSize: OBS, actionSize: ACT, seed: 1 });
  try {
    const { route } = await sac.trainWithOnnxRuntime(cpuThreads);
    if (!route) return null;
    const batch = sacBatch(new Rng(2024));
    return { route, ...bestMs(() => sac.update(batch, { metrics: false }), { warmup: 20, repeats: 30, rounds: 5 }) };
  } finally {
    sac.dispose();
  }
}

/**
 * One training step of the ensemble (wall and CPU time, this process's threads all
 * counted: ONNX Runtime's worker included) with its gradients from ONNX Runtime's CPU
 * kernels with `cpuThreads` threads; null unless MOPO_ONNXRUNTIME=cpu takes that route.
 */
async function measureOnnxEnsembleStep(cpuThreads: number): Promise<{ route: string; wall: number; cpu: number } | null> {
  const rng = new Rng(2024);
  const ensemble = new DynamicsEnsemble({ observationSize: OBS, actionSize: ACT, seed: 1 });
  try {
    const { route } = await ensemble.trainWithOnnxRuntime(cpuThreads);
    if (!route) return null;
    const inputs = rng.fillNormal(new Float32Array(MEMBERS * BATCH * (OBS + ACT)));
    const targets = rng.fillNormal(new Float32Array(MEMBERS * BATCH * (OBS + 1)));
    return { route, ...bestMs(() => ensemble.trainBatch(inputs, targets, BATCH), { warmup: 5, repeats: 10, rounds: 5 }) };
  } finally {
    ensemble.dispose();
  }
}

/** Rollout rows per second (wall and CPU time) with the ensemble's predictions on ONNX Runtime with `cpuThreads` threads (backend=auto's route where it loads). */
async function measureOnnxRollout(cpuThreads: number): Promise<{ route: string; rowsPerSecond: number; cpuRowsPerSecond: number } | null> {
  const rng = new Rng(2024);
  const ensemble = new DynamicsEnsemble({ observationSize: OBS, actionSize: ACT, seed: 1 });
  try {
    const { route } = await ensemble.predictWithOnnxRuntime(cpuThreads);
    if (!route) return null;
    const observations = rng.fillNormal(new Float32Array(ROLLOUT_ROWS * OBS));
    const actions = rng.fillUniform(new Float32Array(ROLLOUT_ROWS * ACT), -1, 1);
    const { wall, cpu } = bestMs(() => ensemble.step(observations, actions, rng), { warmup: 1, repeats: 1, rounds: 3 });
    return { route, rowsPerSecond: ROLLOUT_ROWS / (wall / 1000), cpuRowsPerSecond: ROLLOUT_ROWS / (cpu / 1000) };
  } finally {
    ensemble.dispose();
  }
}

/**
 * `--reference=<script>`: a PyTorch timing script with the same three figures, called as
 * `<script> <threads> --json` (the calling convention of the reference this project is
 * judged against). Its fastest figure over 1 thread and one per core is the reference.
 */
function compareWithReference(script: string, cores: number, ours: Measured): Figures {
  const python = findTorchPython();
  if (!python) return { reference_reason: 'no python3 with torch' };
  const runs: { threads: number; sac_update_ms: number; ensemble_step_ms: number; rollout_transitions_per_s: number }[] = [];
  for (const threads of cores > 1 ? [1, cores] : [1]) {
    try {
      const output = execFileSync(python, [script, String(threads), '--json'], { encoding: 'utf8', maxBuffer: 1 << 20 });
      runs.push({ threads, ...JSON.parse(output.trim().split('\n').at(-1)!) });
    } catch (error) {
      return { reference_reason: `${script} failed: ${(error as Error).message.split('\n')[0]}` };
    }
  }
  const sac = Math.min(...runs.map((run) => run.sac_update_ms));
  const ensemble = Math.min(...runs.map((run) => run.ensemble_step_ms));
  const rollout = Math.max(...runs.map((run) => run.rollout_transitions_per_s));
  const threadsOf = (pick: (run: (typeof runs)[number]) => boolean) => runs.find(pick)!.threads;
  return {
    reference_script: script,
    reference_sac_update_ms: sac,
    reference_ensemble_step_ms: ensemble,
    reference_rollout_transitions_per_s: rollout,
    reference_sac_update_threads: threadsOf((run) => run.sac_update_ms === sac),
    reference_ensemble_step_threads: threadsOf((run) => run.ensemble_step_ms === ensemble),
    reference_rollout_threads: threadsOf((run) => run.rollout_transitions_per_s === rollout),
    sac_update_vs_reference: round(ours.sac / sac),
    ensemble_step_vs_reference: round(ours.ensemble / ensemble),
    rollout_vs_reference: round(rollout / ours.rollout),
  };
}

function measure(threads: WorkerThread[]): Measured {
  const rng = new Rng(2024);
  const sac = new Sac({ observationSize: OBS, actionSize: ACT, seed: 1 });
  sac.distribute(threads);
  const batch = sacBatch(rng);
  const sacMs = bestMs(() => sac.update(batch, { metrics: false }), { warmup: 20, repeats: 30, rounds: 5 });
  sac.dispose();

  const ensemble = new DynamicsEnsemble({ observationSize: OBS, actionSize: ACT, seed: 1 });
  ensemble.distribute(threads);
  const inputs = rng.fillNormal(new Float32Array(MEMBERS * BATCH * (OBS + ACT)));
  const targets = rng.fillNormal(new Float32Array(MEMBERS * BATCH * (OBS + 1)));
  const ensembleMs = bestMs(() => ensemble.trainBatch(inputs, targets, BATCH), { warmup: 5, repeats: 10, rounds: 5 });

  const observations = rng.fillNormal(new Float32Array(ROLLOUT_ROWS * OBS));
  const actions = rng.fillUniform(new Float32Array(ROLLOUT_ROWS * ACT), -1, 1);
  const rolloutMs = bestMs(() => ensemble.step(observations, actions, rng), { warmup: 1, repeats: 1, rounds: 3 });
  ensemble.dispose();
  return {
    sac: sacMs.wall,
    ensemble: ensembleMs.wall,
    rollout: ROLLOUT_ROWS / (rolloutMs.wall / 1000),
    sacCpu: sacMs.cpu,
    ensembleCpu: ensembleMs.cpu,
    rolloutCpu: ROLLOUT_ROWS / (rolloutMs.cpu / 1000),
  };
}

/** A batch of SAC's sizes with values from `rng`. */
function sacBatch(rng: Rng) {
  return {
    observations: rng.fillNormal(new Float32Array(BATCH * OBS)),
    actions: rng.fillUniform(new Float32Array(BATCH * ACT), -1, 1),
    rewards: rng.fillNormal(new Float32Array(BATCH)),
    nextObservations: rng.fillNormal(new Float32Array(BATCH * OBS)),
    terminals: Float32Array.from({ length: BATCH }, () => (rng.uniform() < 0.1 ? 1 : 0)),
    size: BATCH,
  };
}

function measureUnfused(): Measured {
  setKernelFma(false);
  try {
    return measure([]);
  } finally {
    setKernelFma(null);
  }
}

/**
 * Mean time per call in the fastest of `rounds` rounds (other processes on a shared
 * machine only ever add time), as wall time and as this process's CPU time.
 */
export function bestMs(fn: () => unknown, { warmup, repeats, rounds }: { warmup: number; repeats: number; rounds: number }): { wall: number; cpu: number } {
  for (let i = 0; i < warmup; i++) fn();
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    for (let i = 0; i < repeats; i++) fn();
    const used = process.cpuUsage(startCpu);
    wall = Math.min(wall, (performance.now() - start) / repeats);
    cpu = Math.min(cpu, (used.user + used.system) / 1000 / repeats);
  }
  return { wall, cpu };
}

export interface TorchFigures {
  torch_version: string;
  threads: number;
  sac_update_ms: number;
  ensemble_step_ms: number;
  rollout_transitions_per_s: number;
  rollout_best_chunk: number;
  rollout_by_chunk: Record<string, number>;
  sac_update_cpu_ms: number;
  ensemble_step_cpu_ms: number;
  rollout_cpu_transitions_per_s: number;
}

function runTorchReference(threads: number): TorchFigures | { reason: string } {
  const script = torchScript();
  if (!script) return { reason: 'scripts/bench/torch_reference.py not found' };
  const python = findTorchPython();
  if (!python) return { reason: 'no python3 with torch (apt-get install -y python3-torch libopenblas0-pthread)' };
  try {
    const output = execFileSync(python, [script, '--json', '--threads', String(threads), '--chunks', TORCH_CHUNKS], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(output.trim().split('\n').at(-1)!) as TorchFigures;
  } catch (error) {
    return { reason: `torch_reference.py failed: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** A python3 that imports `modules`. */
export function findTorchPython(modules: string[] = ['torch']): string | undefined {
  // Debian's python3 carries python3-torch; a pyenv python3 earlier on PATH usually does not.
  return ['/usr/bin/python3', 'python3'].find((candidate) => {
    try {
      execFileSync(candidate, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
}

function torchScript(): string | null {
  // From dist/scripts/bench/ or from scripts/bench/ itself.
  for (const relative of ['../../../scripts/bench/torch_reference.py', './torch_reference.py']) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path)) return path;
  }
  return null;
}

function nullTorch(): Figures {
  const keys = ['torch_version', 'torch_sac_update_ms', 'torch_ensemble_step_ms', 'torch_rollout_transitions_per_s', 'torch_sac_update_threads', 'torch_ensemble_step_threads'];
  const more = ['torch_rollout_threads', 'torch_sac_update_ms_1_thread', 'torch_ensemble_step_ms_1_thread', 'torch_rollout_transitions_per_s_1_thread'];
  const ratios = ['torch_rollout_chunk', 'torch_rollout_unchunked_transitions_per_s', 'sac_update_vs_torch', 'ensemble_step_vs_torch', 'rollout_vs_torch'];
  return Object.fromEntries([...keys, ...more, ...ratios].map((key) => [key, null]));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
