/**
 * Chooses where the neural networks run. `auto` prefers native TensorFlow
 * (@tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node: optional dependencies that
 * only install where libtensorflow can be downloaded), else the WASM backend, which
 * ships inside its npm package and always works.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import { relaxedSimdFma } from './wasm/relaxed-simd.js';

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The tfjs backend that runs: what the trainer prints at start-up. */
  name: BackendName;
  /** The npm package that provides it. */
  package: string;
  /** One line for humans, e.g. `wasm (@tensorflow/tfjs-backend-wasm, SIMD, FMA)`. */
  description: string;
  /** Why the preferred backends before this one did not load (empty unless `auto` fell back). */
  skipped: string[];
  /**
   * Whether predictions without gradients (model rollouts) may take ONNX Runtime's
   * route when it loads (nn/onnx/inference-route.ts): with `auto` on the WASM or cpu
   * backend, never when a backend was chosen by name.
   */
  onnxInference: boolean;
}

interface Candidate {
  name: BackendName;
  package: string;
}

const NATIVE_GPU: Candidate = { name: 'tensorflow', package: '@tensorflow/tfjs-node-gpu' };
const NATIVE_CPU: Candidate = { name: 'tensorflow', package: '@tensorflow/tfjs-node' };
const WASM: Candidate = { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm' };
const CPU: Candidate = { name: 'cpu', package: '@tensorflow/tfjs-backend-cpu' };

const CANDIDATES: Record<BackendChoice, Candidate[]> = {
  auto: [NATIVE_GPU, NATIVE_CPU, WASM, CPU],
  tensorflow: [NATIVE_GPU, NATIVE_CPU],
  wasm: [WASM],
  cpu: [CPU],
};

export async function initBackend(choice: BackendChoice): Promise<BackendInfo> {
  const candidates = CANDIDATES[choice];
  if (!candidates) throw new BackendError(`Unknown backend "${String(choice)}". Choose one of: ${Object.keys(CANDIDATES).join(', ')}.`);
  // Warnings such as tfjs's "install tfjs-node" banner are noise in a CLI that already says which backend runs.
  tf.env().set('PROD', true);
  const skipped: string[] = [];
  for (const candidate of candidates) {
    const failure = await tryLoad(candidate);
    if (failure === null) {
      return { ...candidate, description: describe(candidate), skipped, onnxInference: choice === 'auto' && candidate.name !== 'tensorflow' };
    }
    skipped.push(`${candidate.package}: ${failure}`);
  }
  throw new BackendError(
    `The ${choice} backend cannot load here.\n  ${skipped.join('\n  ')}\n` +
      (choice === 'tensorflow'
        ? 'Install @tensorflow/tfjs-node (or -gpu with CUDA 11.2 + cuDNN 8.1), or choose backend=wasm.'
        : 'Reinstall mopo\'s dependencies (npm ci), or choose another backend.'),
  );
}

/** Returns null when the backend is active, else the reason it is not. */
async function tryLoad(candidate: Candidate): Promise<string | null> {
  try {
    // A variable specifier keeps TypeScript from resolving optional packages that may be absent.
    const specifier: string = candidate.package;
    await import(specifier);
  } catch (error) {
    return isMissingModule(error) ? 'not installed' : `failed to load (${messageOf(error)})`;
  }
  try {
    const ready = await tf.setBackend(candidate.name);
    return ready ? null : 'registered but failed to initialise';
  } catch (error) {
    return `failed to initialise (${messageOf(error)})`;
  }
}

function describe(candidate: Candidate): string {
  if (candidate.name === 'wasm') {
    return `wasm (${candidate.package}, ${wasmSimd() ? `SIMD${relaxedSimdFma() ? ', FMA' : ''}` : 'no SIMD'})`;
  }
  return `${candidate.name} (${candidate.package})`;
}

function wasmSimd(): boolean {
  try {
    return tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  } catch {
    return false; // the flag is evaluated asynchronously; unknown means we cannot claim it
  }
}

function isMissingModule(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
