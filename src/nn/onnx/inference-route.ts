/**
 * Where model predictions that need no gradient (the dynamics ensemble's rollouts) can
 * run outside tfjs: ONNX Runtime for Node (onnxruntime-node, an optional dependency
 * whose native libraries, WebGPU included, ship inside its npm package). Its CPU
 * kernels use the machine's full vector width (AVX2/AVX-512), which WebAssembly's
 * 128-bit SIMD cannot; its WebGPU provider (Dawn, over Vulkan, Metal or D3D12) is the
 * GPU route that installs from the npm registry alone.
 *
 * `backend=auto` takes this route when onnxruntime-node loads and a GPU adapter answers
 * (WebGPU). The CPU provider only when MOPO_ONNXRUNTIME=cpu asks for it; webgpu insists
 * on the GPU, off keeps predictions on the tfjs backend.
 *
 * Results are ONNX Runtime's, not the WASM kernels': deterministic for a given
 * machine, package build and provider, and the same with any number of threads (the
 * rows are cut into the same chunks whatever the threads, and ONNX Runtime's CPU
 * products split their work by rows and columns, never along the summed dimension).
 */
import { existsSync, readdirSync } from 'node:fs';

export type InferenceProvider = 'webgpu' | 'cpu';

export interface InferenceRoute {
  package: 'onnxruntime-node';
  provider: InferenceProvider;
  /** Threads ONNX Runtime's CPU provider may use (this one and the compute workers'). */
  cpuThreads: number;
  /** e.g. `onnxruntime-node 1.30.0 (cpu)`. */
  description: string;
}

/** What we use of onnxruntime-node (typed here: it is an optional dependency). */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}

export interface OrtSession {
  /** `fetches` names the outputs wanted, each with a tensor to fill in place or null. */
  run(feeds: Record<string, OrtTensor>, fetches?: Record<string, OrtTensor | null>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface Ort {
  InferenceSession: { create(model: Uint8Array, options: object): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
}

let ortModule: Promise<Ort | null> | null = null;

/** onnxruntime-node, or null when it is not installed or does not load here. */
export function loadOnnxRuntime(): Promise<Ort | null> {
  ortModule ??= (async () => {
    try {
      const specifier: string = 'onnxruntime-node';
      const module = (await import(specifier)) as { default?: Ort } & Ort;
      return module.default ?? module;
    } catch {
      return null;
    }
  })();
  return ortModule;
}

/** The route for `backend=auto`, or null (predictions stay on the tfjs backend) with the reason. */
export async function probeInference(cpuThreads: number): Promise<{ route: InferenceRoute | null; reason: string | null }> {
  const wanted = process.env.MOPO_ONNXRUNTIME ?? 'auto';
  if (!['auto', 'off', 'cpu', 'webgpu'].includes(wanted)) throw new Error(`MOPO_ONNXRUNTIME=${wanted}: expected off, cpu, webgpu or auto.`);
  if (wanted === 'off') return { route: null, reason: 'MOPO_ONNXRUNTIME=off' };
  const ort = await loadOnnxRuntime();
  if (!ort) return { route: null, reason: 'onnxruntime-node: not installed' };
  const version = (ort as unknown as { env?: { versions?: { common?: string } } }).env?.versions?.common ?? '';
  const route = (provider: InferenceProvider): InferenceRoute => ({
    package: 'onnxruntime-node',
    provider,
    cpuThreads,
    description: `onnxruntime-node${version ? ` ${version}` : ''} (${provider})`,
  });
  if (wanted === 'cpu') return { route: route('cpu'), reason: null };
  if (wanted === 'webgpu' || gpuDevicePresent()) {
    const failure = await tryProvider(ort, 'webgpu');
    if (failure === null) return { route: route('webgpu'), reason: null };
    if (wanted === 'webgpu') throw new Error(`MOPO_ONNXRUNTIME=webgpu, but ONNX Runtime's WebGPU provider does not start here: ${failure}`);
  }
  // Its CPU provider is faster than the WASM route but rounds differently, and whether it
  // is installed would then change a seed's numbers: on the CPU it is taken only when asked for.
  return { route: null, reason: 'no GPU for onnxruntime-node (MOPO_ONNXRUNTIME=cpu takes its CPU provider)' };
}

/**
 * A GPU that WebGPU could reach. Without one, asking Dawn for an adapter prints warnings
 * and finds none; where device nodes are not visible (other systems) we ask anyway.
 */
function gpuDevicePresent(): boolean {
  if (process.platform !== 'linux') return true;
  const dri = existsSync('/dev/dri') && readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  return dri || existsSync('/dev/nvidia0');
}

/** Null when a one-node model runs on `provider`, else why not. */
async function tryProvider(ort: Ort, provider: InferenceProvider): Promise<string | null> {
  try {
    const { mlpStackGraph, GRAPH_INPUT } = await import('./mlp-graph.js');
    const graph = mlpStackGraph({ inputSize: 1, hiddenSizes: [], outputSize: 1, activation: 'relu' }, 1, Float32Array.of(2, 1));
    const session = await ort.InferenceSession.create(graph, { executionProviders: [provider], logSeverityLevel: 3 });
    const out = await session.run({ [GRAPH_INPUT]: new ort.Tensor('float32', Float32Array.of(3), [1, 1]) });
    await session.release();
    const value = (Object.values(out)[0]!.data as Float32Array)[0];
    return value === 7 ? null : `a test model gave ${value} instead of 7`;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  }
}
