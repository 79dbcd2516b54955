/**
 * Bench section `gpu`: the GPU route, where the machine has a GPU.
 *
 * Ours: model rollouts with the dynamics ensemble's predictions on ONNX Runtime's WebGPU
 * provider (nn/onnx/inference-route.ts; the route `backend=auto` takes when a GPU
 * answers), one model step of 50 000 start states and of 10× as many:
 *   gpu_rollout_transitions_per_s, gpu_rollout_transitions_per_s_x10
 * The SAC update and the ensemble's training step have no GPU route here (they run on
 * the WASM kernels: section `nn`).
 * PyTorch on the same GPU (scripts/bench/torch_reference.py --device cuda), where a
 * python3 with CUDA-enabled torch is found: its three hot paths at batch 256 (50 000
 * rollout rows) and at 10× both: torch_cuda_*, torch_cuda_*_x10.
 * Without a GPU (or without the provider or torch's CUDA) the figures are null and
 * `gpu_reason` / `torch_cuda_reason` say why.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DynamicsEnsemble } from '../../src/algos/mopo/dynamics-ensemble.js';
import { initBackend } from '../../src/nn/backend.js';
import { Rng } from '../../src/util/rng.js';
import { bestMs, findTorchPython, type TorchFigures } from './nn.js';
import type { BenchSection } from './sections.js';

const OBS = 17;
const ACT = 6;
const ROLLOUT_ROWS = 50_000;

type Figures = Record<string, number | string | boolean | null>;

export const gpuSection: BenchSection = {
  name: 'gpu',
  async run() {
    await initBackend('wasm');
    return { ...(await oursOnGpu()), ...torchOnGpu() };
  },
};

async function oursOnGpu(): Promise<Figures> {
  const asked = process.env.MOPO_ONNXRUNTIME;
  // This section measures the WebGPU provider whatever the lever says elsewhere.
  process.env.MOPO_ONNXRUNTIME = 'webgpu';
  const ensemble = new DynamicsEnsemble({ observationSize: OBS, actionSize: ACT, seed: 1 });
  try {
    const { route, reason } = await ensemble.predictWithOnnxRuntime(availableParallelism());
    if (!route) return { gpu_route: null, gpu_rollout_transitions_per_s: null, gpu_rollout_transitions_per_s_x10: null, gpu_reason: reason };
    const rng = new Rng(2024);
    const perSecond = (rows: number) => {
      const observations = rng.fillNormal(new Float32Array(rows * OBS));
      const actions = rng.fillUniform(new Float32Array(rows * ACT), -1, 1);
      const { wall } = bestMs(() => ensemble.step(observations, actions, rng), { warmup: 1, repeats: 1, rounds: 3 });
      return Math.round(rows / (wall / 1000));
    };
    return {
      gpu_route: route,
      gpu_rollout_transitions_per_s: perSecond(ROLLOUT_ROWS),
      gpu_rollout_transitions_per_s_x10: perSecond(10 * ROLLOUT_ROWS),
      gpu_reason: null,
    };
  } catch (error) {
    return { gpu_route: null, gpu_rollout_transitions_per_s: null, gpu_rollout_transitions_per_s_x10: null, gpu_reason: (error as Error).message.split('\n')[0]! };
  } finally {
    ensemble.dispose();
    if (asked === undefined) delete process.env.MOPO_ONNXRUNTIME;
    else process.env.MOPO_ONNXRUNTIME = asked;
  }
}

function torchOnGpu(): Figures {
  const empty = (reason: string): Figures => ({
    torch_cuda_device: null,
    torch_cuda_sac_update_ms: null,
    torch_cuda_ensemble_step_ms: null,
    torch_cuda_rollout_transitions_per_s: null,
    torch_cuda_sac_update_ms_x10: null,
    torch_cuda_ensemble_step_ms_x10: null,
    torch_cuda_rollout_transitions_per_s_x10: null,
    torch_cuda_reason: reason,
  });
  const python = findTorchPython(['torch']);
  if (!python) return empty('no python3 with torch');
  let device: string;
  try {
    device = execFileSync(python, ['-c', 'import torch; print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'], { encoding: 'utf8' }).trim();
  } catch (error) {
    return empty(`torch.cuda: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!device) return empty('torch sees no CUDA device');
  const script = fileURLToPath(new URL('../../../scripts/bench/torch_reference.py', import.meta.url));
  if (!existsSync(script)) return empty('scripts/bench/torch_reference.py not found');
  const run = (scale: number): TorchFigures =>
    JSON.parse(execFileSync(python, [script, '--json', '--device', 'cuda', '--scale', String(scale)], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').at(-1)!);
  const one = run(1);
  const ten = run(10);
  return {
    torch_cuda_device: device,
    torch_cuda_version: one.torch_version,
    torch_cuda_sac_update_ms: one.sac_update_ms,
    torch_cuda_ensemble_step_ms: one.ensemble_step_ms,
    torch_cuda_rollout_transitions_per_s: one.rollout_transitions_per_s,
    torch_cuda_sac_update_ms_x10: ten.sac_update_ms,
    torch_cuda_ensemble_step_ms_x10: ten.ensemble_step_ms,
    torch_cuda_rollout_transitions_per_s_x10: ten.rollout_transitions_per_s,
    torch_cuda_reason: null,
  };
}
