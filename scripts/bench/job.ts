/**
 * Bench section `job`: one small MOPO job end to end, ours against a PyTorch twin
 * written the way OfflineRL-Kit structures a MOPO run (scripts/bench/torch_job.py),
 * with the same hyperparameters (halfcheetah-medium's: 7 × 4×200 members, 2×256 SAC
 * nets, batch 256, real ratio 0.05, h = 5, λ = 0.5):
 *   100 000 transitions (a synthetic HalfCheetah-shaped D4RL file written here),
 *   5 dynamics epochs, 5 000 SAC steps, a rollout of 10 000 start states every 1 000.
 * `--job-scale=f` scales transitions and rollout rows (and SAC steps, 2 000 at least).
 *
 * Both sides are timed as whole processes: ours is `mopo exp=halfcheetah-medium …`
 * (start-up, data loading and the final checkpoint included; no evaluations), the twin
 * (Python's start and `import torch` included) reads the same file with h5py and saves
 * its models at the end. The dynamics phase runs from the process start until the
 * ensemble is fitted (ours: when its log line saying so arrives), the policy phase from
 * there to the end. Each side runs with one thread and with one per core, interleaved
 * (`--job-one-thread`: one thread only).
 *   job_vs_torch               our fastest wall time ÷ PyTorch's fastest
 *   job_vs_torch_cpu_1_thread  CPU seconds of one thread each: what a core costs, the
 *                              steadier figure while other work shares the machine
 * And where a default `exp=halfcheetah-medium` run would spend its time, projected from
 * the one-thread jobs' pieces (ours from the run's dynamics.jsonl and its perf/* columns,
 * the twin's from its own clocks): `full_dynamics_epoch_s` (one epoch on 1M transitions),
 * `full_sac_1000_steps_s`, `full_rollout_s` (50 000 start states), `full_policy_phase_h`
 * (3 000 epochs of both), the same `torch_full_*`, and `full_*_vs_torch`.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { D4rlFileContents } from '../../src/data/d4rl-file.js';
import { writeD4rlFile } from '../../src/data/writer.js';
import { MetricsLog } from '../../src/train/metrics.js';
import { packageRoot } from '../../src/paths.js';
import { Rng } from '../../src/util/rng.js';
import { findTorchPython } from './nn.js';
import type { BenchSection } from './sections.js';

const OBS = 17;
const ACT = 6;

interface JobSize {
  transitions: number;
  dynamicsEpochs: number;
  sacSteps: number;
  rolloutRows: number;
  rolloutFreq: number;
  h: number;
}

export function jobSize(scale: number): JobSize {
  const steps = Math.max(2, Math.round(5 * scale)) * 1000;
  return { transitions: Math.round(100_000 * scale), dynamicsEpochs: 5, sacSteps: steps, rolloutRows: Math.round(10_000 * scale), rolloutFreq: 1000, h: 5 };
}

export const jobSection: BenchSection = {
  name: 'job',
  async run(options) {
    const size = jobSize(options.jobScale);
    const cores = options.jobOneThread ? 1 : availableParallelism();
    const dir = mkdtempSync(path.join(tmpdir(), 'mopo-bench-job-'));
    try {
      const data = path.join(dir, 'halfcheetah-synthetic.hdf5');
      await writeD4rlFile(data, syntheticDataset(size.transitions), { compression: 0 });
      const python = findTorchPython(['torch', 'h5py']);
      const loadBefore = loadavg()[0]!;
      // Interleaved, one thread each first: a change in the machine's load hits both sides alike.
      const oursSingle = await runOurs(dir, data, size, 0);
      const torchSingle = python ? runTorch(python, data, size, 1) : null;
      const oursSpread = cores > 1 ? await runOurs(dir, data, size, cores - 1) : oursSingle;
      const torchSpread = python && cores > 1 ? runTorch(python, data, size, cores) : torchSingle;
      const ours = oursSpread.total < oursSingle.total ? oursSpread : oursSingle;
      const figures: Record<string, number | string | boolean | null> = {
        job_transitions: size.transitions,
        job_dynamics_epochs: size.dynamicsEpochs,
        job_sac_steps: size.sacSteps,
        job_rollout_rows: size.rolloutRows,
        job_s: round(ours.total),
        job_threads: ours.threads,
        job_dynamics_s: round(ours.dynamics),
        job_policy_s: round(ours.total - ours.dynamics),
        job_s_1_thread: round(oursSingle.total),
        job_cpu_s_1_thread: round(oursSingle.cpu),
        job_s_all_threads: round(oursSpread.total),
        // Where a default halfcheetah-medium run spends its time, from the one-thread job.
        ...fullRunFigures('', oursSingle.pieces, size),
        job_load_average_before: round(loadBefore),
        job_load_average_after: round(loadavg()[0]!),
      };
      if (!python) return { ...figures, torch_job_s: null, job_vs_torch: null, torch_job_reason: 'no python3 with torch and h5py (apt-get install -y python3-torch python3-h5py libopenblas0-pthread)' };
      if (!torchSingle || !torchSpread) throw new Error('unreachable');
      const torch = torchSpread.total < torchSingle.total ? torchSpread : torchSingle;
      return {
        ...figures,
        torch_job_s: round(torch.total),
        torch_job_threads: torch.threads,
        torch_job_dynamics_s: round(torch.dynamics),
        torch_job_policy_s: round(torch.total - torch.dynamics),
        torch_job_s_1_thread: round(torchSingle.total),
        torch_job_cpu_s_1_thread: round(torchSingle.cpu),
        torch_job_s_all_threads: round(torchSpread.total),
        ...fullRunFigures('torch_', torchSingle.pieces, size),
        job_vs_torch: round(ours.total / torch.total),
        job_vs_torch_1_thread: round(oursSingle.total / torchSingle.total),
        job_vs_torch_cpu_1_thread: round(oursSingle.cpu / torchSingle.cpu),
        full_dynamics_epoch_vs_torch: oursSingle.pieces.dynamicsEpoch && torchSingle.pieces.dynamicsEpoch && round(oursSingle.pieces.dynamicsEpoch / torchSingle.pieces.dynamicsEpoch),
        full_sac_1000_steps_vs_torch: round(oursSingle.pieces.sacPer1000 / torchSingle.pieces.sacPer1000),
        full_rollout_vs_torch: round(oursSingle.pieces.rollout / torchSingle.pieces.rollout),
        torch_job_reason: null,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** One whole process: wall seconds, CPU seconds (all its threads, start-up included), and when its dynamics were fitted. */
interface JobRun {
  threads: number;
  total: number;
  cpu: number;
  dynamics: number;
  pieces: JobPieces;
}

/**
 * Where a job's wall time went, in the units a full run is made of: one dynamics epoch
 * (the mean over the epochs after the first, which also standardises and splits the
 * data), 1 000 SAC steps (batch sampling included, rollouts excluded) and one rollout.
 */
interface JobPieces {
  dynamicsEpoch: number | null;
  sacPer1000: number;
  rollout: number;
}

/**
 * A default `exp=halfcheetah-medium` run, projected from a job's pieces: D4RL's 1M
 * transitions (an epoch's steps grow with the rows), 3 000 epochs of 1 000 SAC steps, a
 * rollout of 50 000 start states before each epoch's steps; evaluations left out.
 */
const FULL_RUN = { transitions: 1_000_000, sacSteps: 3_000_000, rollouts: 3_000, rolloutRows: 50_000 };

/** The pieces scaled to a full run, and the policy phase's projected hours. */
function fullRunFigures(prefix: string, pieces: JobPieces, size: JobSize): Record<string, number | null> {
  const epoch = pieces.dynamicsEpoch === null ? null : pieces.dynamicsEpoch * (FULL_RUN.transitions / size.transitions);
  const rollout = pieces.rollout * (FULL_RUN.rolloutRows / size.rolloutRows);
  const policy = (FULL_RUN.sacSteps / 1000) * pieces.sacPer1000 + FULL_RUN.rollouts * rollout;
  return {
    [`${prefix}full_dynamics_epoch_s`]: epoch === null ? null : round(epoch),
    [`${prefix}full_sac_1000_steps_s`]: round(pieces.sacPer1000),
    [`${prefix}full_rollout_s`]: round(rollout),
    [`${prefix}full_policy_phase_h`]: round(policy / 3600),
  };
}

/** HalfCheetah-shaped rows: the timing does not depend on what the data mean. */
function syntheticDataset(size: number): D4rlFileContents {
  const rng = new Rng(7);
  const observations = rng.fillNormal(new Float32Array(size * OBS));
  const nextObservations = observations.map((x) => x + 0.05 * rng.normal());
  const timeouts = new Uint8Array(size);
  for (let i = 999; i < size; i += 1000) timeouts[i] = 1;
  return {
    size,
    observationSize: OBS,
    actionSize: ACT,
    observations,
    actions: rng.fillUniform(new Float32Array(size * ACT), -1, 1),
    nextObservations,
    rewards: rng.fillNormal(new Float32Array(size)),
    terminals: new Uint8Array(size),
    timeouts,
    metadata: { description: 'synthetic HalfCheetah-shaped rows for the job benchmark' },
  };
}

/** `mopo exp=halfcheetah-medium …` with `threads` compute workers (1 + threads in all). */
function runOurs(dir: string, data: string, size: JobSize, threads: number): Promise<JobRun> {
  const root = packageRoot();
  const runDir = path.join(dir, `run-${threads}`);
  const args = [
    '--import',
    path.join(root, 'scripts/bench/cpu-probe.mjs'),
    path.join(root, 'bin/mopo.js'),
    'exp=halfcheetah-medium',
    `env.dataset_path=${data}`,
    `threads=${threads}`,
    `algo.total_steps=${size.sacSteps}`,
    `algo.num_epochs=${size.sacSteps / 1000}`,
    `algo.rollout_freq=${size.rolloutFreq}`,
    `algo.rollout_batch_size=${size.rolloutRows}`,
    `algo.h=${size.h}`,
    `algo.ensembles.max_epochs=${size.dynamicsEpochs}`,
    'eval.every=0',
    'eval.episodes=1',
    'checkpoint.every=0',
    'metric.progress=lines',
    `hydra.run.dir=${runDir}`,
  ];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let dynamics = NaN;
    let log = '';
    const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const watch = (chunk: Buffer) => {
      log += chunk.toString();
      if (Number.isNaN(dynamics) && /Dynamics fitted/.test(log)) dynamics = (performance.now() - started) / 1000;
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    child.on('error', reject);
    child.on('close', (code) => {
      const total = (performance.now() - started) / 1000;
      const cpu = /MOPO_CPU_MS=([\d.]+)/.exec(log);
      if (code !== 0 || !cpu) reject(new Error(`mopo exited with ${code}:\n${log.slice(-2000)}`));
      else resolve({ threads: 1 + threads, total, cpu: Number(cpu[1]) / 1000, dynamics, pieces: ourPieces(runDir, size) });
    });
  });
}

/** Our pieces from the run's own records: dynamics.jsonl's epoch times and metrics.jsonl's perf/epoch_s and perf/rollout_s. */
function ourPieces(runDir: string, size: JobSize): JobPieces {
  const rows = (stream: string) => MetricsLog.parseJsonl(readFileSync(path.join(runDir, `${stream}.jsonl`), 'utf8'));
  const epochTimes = rows('dynamics').map((row) => Number(row.time_s));
  const policyRows = rows('metrics');
  const sum = (key: string) => policyRows.reduce((total, row) => total + Number(row[key] ?? 0), 0);
  const rolloutSeconds = sum('perf/rollout_s');
  const rollouts = Math.ceil(size.sacSteps / size.rolloutFreq);
  return {
    dynamicsEpoch: epochTimes.length > 1 ? (epochTimes.at(-1)! - epochTimes[0]!) / (epochTimes.length - 1) : null,
    sacPer1000: ((sum('perf/epoch_s') - rolloutSeconds) / size.sacSteps) * 1000,
    rollout: rolloutSeconds / rollouts,
  };
}

/** The PyTorch twin with `threads` threads, timed as a whole process like ours (Python's start and `import torch` included). */
function runTorch(python: string, data: string, size: JobSize, threads: number): JobRun {
  const script = fileURLToPath(new URL('../../../scripts/bench/torch_job.py', import.meta.url));
  const args = [script, '--data', data, '--threads', String(threads), '--dynamics-epochs', String(size.dynamicsEpochs), '--sac-steps', String(size.sacSteps)];
  args.push('--rollout-batch', String(size.rolloutRows), '--rollout-freq', String(size.rolloutFreq), '--h', String(size.h), '--json');
  const started = performance.now();
  const output = execFileSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  const total = (performance.now() - started) / 1000;
  const run = JSON.parse(output.trim().split('\n').at(-1)!) as {
    total_s: number;
    dynamics_s: number;
    cpu_s: number;
    dynamics_epoch_s: number | null;
    rollout_s: number;
    rollouts: number;
    sac_updates_s: number;
  };
  // The script's own clock starts after `import torch`: that time belongs to its dynamics phase as our start-up belongs to ours.
  return {
    threads,
    total,
    cpu: run.cpu_s,
    dynamics: run.dynamics_s + (total - run.total_s),
    pieces: { dynamicsEpoch: run.dynamics_epoch_s, sacPer1000: (run.sac_updates_s / size.sacSteps) * 1000, rollout: run.rollout_s / run.rollouts },
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
