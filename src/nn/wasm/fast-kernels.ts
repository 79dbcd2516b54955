/**
 * Fused tfjs kernels for the WASM backend, computed by kernel-module.ts directly in
 * the backend's memory: a whole MLP forward or backward pass is one tfjs op, Adam one
 * op, the Polyak average one op. They are registered as ordinary tfjs kernels, so
 * their inputs and outputs are ordinary tensors (tidy, memory accounting, dataSync).
 *
 * On other backends (native TensorFlow, cpu) `fastKernels()` is false and callers use
 * plain tfjs ops; `setFastKernels(false)` forces that path here too (tests compare
 * the two).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { ACT_MUL, ACT_NONE, ACT_RELU, ACT_SWISH, instantiateKernels, type KernelExports, type WasmMemory } from './kernel-module.js';
import { relaxedSimdAvailable, relaxedSimdFma } from './relaxed-simd.js';

/** What we use of @tensorflow/tfjs-backend-wasm's BackendWasm. */
interface WasmBackend {
  wasm: { asm: { memory: WasmMemory }; _malloc(bytes: number): number; _free(pointer: number): void; HEAPF32: Float32Array };
  getMemoryOffset(dataId: object): number;
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

const instances = new WeakMap<object, Map<boolean, KernelExports>>();
let enabled = true;
/** null: the process's choice (relaxedSimdFma); tests compare both variants. */
let fmaOverride: boolean | null = null;

/** True when the fused kernels serve the active backend. */
export function fastKernels(): boolean {
  if (!enabled || tf.getBackend() !== 'wasm') return false;
  register();
  return true;
}

/** Turns the fused kernels off (or back on) in this thread; results agree up to float rounding. */
export function setFastKernels(on: boolean): void {
  enabled = on;
}

/**
 * Makes this thread's products use fused multiply-adds (true), separate multiplies and
 * adds (false), or the process's choice (null, the default; see relaxed-simd.ts).
 */
export function setKernelFma(on: boolean | null): void {
  if (on === true && !relaxedSimdAvailable()) throw new Error('Fused multiply-adds need WebAssembly relaxed SIMD (f32x4.relaxed_madd), which this Node cannot run.');
  fmaOverride = on;
}

/** Whether the products of this thread's kernels use fused multiply-adds. */
export function kernelFma(): boolean {
  return fmaOverride ?? relaxedSimdFma();
}

function kernels(backend: WasmBackend): KernelExports {
  const fma = kernelFma();
  let variants = instances.get(backend);
  if (!variants) instances.set(backend, (variants = new Map()));
  let exports = variants.get(fma);
  if (!exports) {
    exports = instantiateKernels(backend.wasm.asm.memory, fma);
    variants.set(fma, exports);
  }
  return exports;
}

/** Byte offset of a tensor's data in the WASM memory. */
function address(backend: WasmBackend, tensor: TensorInfo): number {
  return backend.getMemoryOffset(tensor.dataId);
}

/**
 * A float32 tensor's data where the WASM backend keeps it, as a view (no copy) for code
 * outside tfjs that reads or fills it in place (ONNX Runtime's training steps); null on
 * other backends. Valid until the next tfjs operation, which may grow the memory.
 */
export function wasmFloats(tensor: tf.Tensor): Float32Array | null {
  if (tf.getBackend() !== 'wasm' || tensor.dtype !== 'float32') return null;
  const backend = tf.backend() as unknown as WasmBackend;
  return new Float32Array((backend.wasm.asm.memory as { buffer: ArrayBuffer }).buffer, address(backend, tensor), tensor.size);
}

/** Float32 scratch memory for one kernel call. */
class Scratch {
  private readonly blocks: number[] = [];

  constructor(private readonly backend: WasmBackend) {}

  floats(count: number): number {
    const pointer = this.backend.wasm._malloc(Math.max(4, count * 4));
    this.blocks.push(pointer);
    return pointer;
  }

  free(): void {
    for (const pointer of this.blocks) this.backend.wasm._free(pointer);
  }
}

/** The layers of one network, as kernel attributes (offsets in floats within the parameter vector). */
export interface LayerAttrs {
  inSizes: number[];
  outSizes: number[];
  kernelOffsets: number[];
  biasOffsets: number[];
}

export const MLP_FORWARD = 'MopoMlpForward';
export const MLP_BACKWARD = 'MopoMlpBackward';
export const KERNELS_TRANSPOSED = 'MopoKernelsTransposed';
export const ADAM_STEP = 'MopoAdamStep';
export const POLYAK = 'MopoPolyak';
export const GAUSSIAN_HEAD = 'MopoGaussianHead';
export const GAUSSIAN_PREDICT = 'MopoGaussianPredict';
export const SQUASHED_SAMPLE = 'MopoSquashedSample';
export const SQUASHED_BACKWARD = 'MopoSquashedBackward';

/**
 * Inputs x [rows, in], `kernels` (the kernels stored as [in, out], see
 * KERNELS_TRANSPOSED) and `params` (the parameter vector, for the biases). Outputs:
 * the network output, then with `trace` the hidden activations and their slopes.
 */
function mlpForward({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const be = backend as WasmBackend;
  const k = kernels(be);
  const { inSizes, outSizes, kernelOffsets, biasOffsets } = attrs as unknown as LayerAttrs;
  const activation = (attrs!.activation as string) === 'swish' ? ACT_SWISH : ACT_RELU;
  const trace = attrs!.trace as boolean;
  const x = inputs.x!;
  const kernelsT = address(be, inputs.kernels!);
  const params = address(be, inputs.params!);
  const rows = x.shape[0]!;
  const layers = inSizes.length;
  const scratch = new Scratch(be);
  const hidden: TensorInfo[] = [];
  const slopes: TensorInfo[] = [];
  let output: TensorInfo | null = null;
  let input = address(be, x);
  try {
    for (let l = 0; l < layers; l++) {
      const last = l === layers - 1;
      const out = outSizes[l]!;
      let target: number;
      let slope = 0;
      if (last) {
        output = be.makeOutput([rows, out], 'float32');
        target = address(be, output);
      } else if (trace) {
        const h = be.makeOutput([rows, out], 'float32');
        const s = be.makeOutput([rows, out], 'float32');
        hidden.push(h);
        slopes.push(s);
        target = address(be, h);
        slope = address(be, s);
      } else {
        target = scratch.floats(rows * out);
      }
      k.gemm_nn(input, inSizes[l]!, kernelsT + 4 * kernelOffsets[l]!, out, target, rows, inSizes[l]!, out, params + 4 * biasOffsets[l]!, last ? ACT_NONE : activation, slope);
      input = target;
    }
  } finally {
    scratch.free();
  }
  return [output!, ...hidden, ...slopes];
}

/**
 * Back-propagation through `networks` networks of one stack. Inputs per network n:
 * `dOutput{n}`, `input{n}_{l}` (the input of every layer) and `slope{n}_{l}` (every
 * hidden slope), plus `params` (kernels as [out, in], the stack's own layout).
 * Outputs: with `gradient`, the weight gradients of those networks as one vector in
 * layout order (`layered`: per layer kernel [out, in] and bias [out] instead, one
 * network only); with `inputGradient`, each network's gradient w.r.t. its input.
 */
function mlpBackward({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const be = backend as WasmBackend;
  const k = kernels(be);
  const { inSizes, outSizes, kernelOffsets, biasOffsets } = attrs as unknown as LayerAttrs;
  const networks = attrs!.networks as number[];
  const perNetwork = attrs!.perNetwork as number;
  const wantGradient = attrs!.gradient as boolean;
  const layered = attrs!.layered as boolean;
  const wantInput = attrs!.inputGradient as boolean;
  const params = address(be, inputs.params!);
  const layers = inSizes.length;
  const outputs: TensorInfo[] = [];
  let gradient = 0;
  const layerTargets: { kernel: number; bias: number }[] = [];
  if (wantGradient && layered) {
    for (let l = 0; l < layers; l++) {
      const kernel = be.makeOutput([outSizes[l]!, inSizes[l]!], 'float32');
      const bias = be.makeOutput([outSizes[l]!], 'float32');
      outputs.push(kernel, bias);
      layerTargets.push({ kernel: address(be, kernel), bias: address(be, bias) });
    }
  } else if (wantGradient) {
    const flat = be.makeOutput([networks.length * perNetwork], 'float32');
    outputs.push(flat);
    gradient = address(be, flat);
  }
  const scratch = new Scratch(be);
  try {
    networks.forEach((network, position) => {
      const dOutput = inputs[`dOutput${network}`]!;
      const rows = dOutput.shape[0]!;
      const base = 4 * network * perNetwork;
      let dz = address(be, dOutput);
      for (let l = layers - 1; l >= 0; l--) {
        const inSize = inSizes[l]!;
        const outSize = outSizes[l]!;
        const x = address(be, inputs[`input${network}_${l}`]!);
        if (wantGradient) {
          const kernel = layered ? layerTargets[l]!.kernel : gradient + 4 * (position * perNetwork + kernelOffsets[l]!);
          const bias = layered ? layerTargets[l]!.bias : gradient + 4 * (position * perNetwork + biasOffsets[l]!);
          if (rows === 0) {
            be.wasm.HEAPF32.fill(0, kernel / 4, kernel / 4 + inSize * outSize);
            be.wasm.HEAPF32.fill(0, bias / 4, bias / 4 + outSize);
          } else {
            // dKernel [out, in] = dzᵀ·x, dBias = Σ rows of dz
            k.gemm_tn(dz, outSize, x, inSize, kernel, outSize, rows, inSize, 0, ACT_NONE, 0);
            k.colsum(dz, outSize, bias, rows, outSize);
          }
        }
        if (l === 0 && !wantInput) break;
        let dx: number;
        if (l === 0) {
          const dInput = be.makeOutput([rows, inSize], 'float32');
          outputs.push(dInput);
          dx = address(be, dInput);
        } else {
          dx = scratch.floats(rows * inSize);
        }
        // dx = dz·W (W [out, in] as stored), times the slope of the layer below
        const slope = l === 0 ? 0 : address(be, inputs[`slope${network}_${l - 1}`]!);
        k.gemm_nn(dz, outSize, params + base + 4 * kernelOffsets[l]!, inSize, dx, rows, outSize, inSize, 0, l === 0 ? ACT_NONE : ACT_MUL, slope);
        dz = dx;
      }
    });
  } finally {
    scratch.free();
  }
  return outputs;
}

/** Every kernel block [out, in] of a parameter vector, transposed to [in, out] at the same offset (other entries undefined). */
function kernelsTransposed({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const be = backend as WasmBackend;
  const k = kernels(be);
  const { inSizes, outSizes, kernelOffsets } = attrs as unknown as LayerAttrs;
  const params = inputs.params!;
  const size = params.shape[0]!;
  const out = be.makeOutput([size], 'float32');
  const from = address(be, params);
  const to = address(be, out);
  kernelOffsets.forEach((offset, i) => k.transpose(from + 4 * offset, to + 4 * offset, outSizes[i]!, inSizes[i]!));
  return out;
}

function adamStep({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const be = backend as WasmBackend;
  const k = kernels(be);
  const a = attrs as unknown as { beta1: number; beta2: number; epsilon: number; sqrtCorrection2: number; stepSize: number };
  const params = inputs.params!;
  const n = params.shape[0]!;
  const outputs = [be.makeOutput([n], 'float32'), be.makeOutput([n], 'float32'), be.makeOutput([n], 'float32')];
  const decay = inputs.decay ? address(be, inputs.decay) : 0;
  k.adam(
    address(be, params), address(be, inputs.gradient!), decay, address(be, inputs.m!), address(be, inputs.v!),
    address(be, outputs[0]!), address(be, outputs[1]!), address(be, outputs[2]!), n,
    a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.sqrtCorrection2, a.epsilon, a.stepSize,
  );
  return outputs;
}

function polyak({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const be = backend as WasmBackend;
  const target = inputs.target!;
  const n = target.shape[0]!;
  const out = be.makeOutput([n], 'float32');
  const tau = attrs!.tau as number;
  kernels(be).polyak(address(be, target), address(be, inputs.online!), address(be, out), n, 1 - tau, tau);
  return out;
}

/**
 * Loss and gradient of the dynamics members' Gaussian heads (algos/mopo/gaussian-head.ts).
 * Inputs `output{m}` [rows, 2D] for each member, `target` [members·rows, D] member-major,
 * `bounds` [2D] = [max, min]. Outputs: `dOutput` of each member, the per-member loss
 * [members], and each member's gradient w.r.t. the bounds [members, 2D]; the loss is
 * the mean over `scaleRows` rows (more than `rows` when these are part of a batch).
 */
function gaussianHead({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const be = backend as WasmBackend;
  const k = kernels(be);
  const members = attrs!.members as number;
  const rows = attrs!.rows as number;
  const scaleRows = attrs!.scaleRows as number;
  const D = attrs!.D as number;
  const dOutputs = Array.from({ length: members }, () => be.makeOutput([rows, 2 * D], 'float32'));
  const perMember = be.makeOutput([members], 'float32');
  const dBounds = be.makeOutput([members, 2 * D], 'float32');
  const target = address(be, inputs.target!);
  const bounds = address(be, inputs.bounds!);
  const losses = address(be, perMember);
  for (let m = 0; m < members; m++) {
    k.gauss_head(address(be, inputs[`output${m}`]!), target + 4 * m * rows * D, bounds, rows, D, address(be, dOutputs[m]!), address(be, dBounds) + 8 * m * D, losses + 4 * m, 1 / (scaleRows * D));
    be.wasm.HEAPF32[losses / 4 + m] = be.wasm.HEAPF32[losses / 4 + m]! / (scaleRows * D);
  }
  return [...dOutputs, perMember, dBounds];
}

/** Means and soft-clamped log-variances of each member's `output{m}` [rows, 2D], as one vector [2, members, rows, D]. */
function gaussianPredict({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const be = backend as WasmBackend;
  const k = kernels(be);
  const members = attrs!.members as number;
  const rows = attrs!.rows as number;
  const D = attrs!.D as number;
  const out = be.makeOutput([2 * members * rows * D], 'float32');
  const base = address(be, out);
  const bounds = address(be, inputs.bounds!);
  for (let m = 0; m < members; m++) {
    k.gauss_predict(address(be, inputs[`output${m}`]!), bounds, rows, D, base + 4 * m * rows * D, base + 4 * (members + m) * rows * D);
  }
  return out;
}

/** SAC's tanh-squashed Gaussian sample: inputs head [rows, 2A], noise [rows, A]; outputs action, logProb [rows, 1], std, logStdFree. */
function squashedSample({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo[] {
  const be = backend as WasmBackend;
  const noise = inputs.noise!;
  const [rows, A] = noise.shape as [number, number];
  const outputs = [be.makeOutput([rows, A], 'float32'), be.makeOutput([rows, 1], 'float32'), be.makeOutput([rows, A], 'float32'), be.makeOutput([rows, A], 'float32')];
  const [action, logProb, std, free] = outputs.map((t) => address(be, t)) as [number, number, number, number];
  kernels(be).squashed_sample(address(be, inputs.head!), address(be, noise), rows, A, action, logProb, std, free, attrs!.min as number, attrs!.max as number);
  return outputs;
}

/** Its backward pass: inputs action, std, noise, logStdFree, dAction; attr dLogProb; output [rows, 2A] = [dU, dLogStd]. */
function squashedBackward({ inputs, backend, attrs }: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const be = backend as WasmBackend;
  const [rows, A] = inputs.action!.shape as [number, number];
  const out = be.makeOutput([rows, 2 * A], 'float32');
  const [action, std, noise, free, dAction] = ['action', 'std', 'noise', 'free', 'dAction'].map((name) => address(be, inputs[name]!)) as [number, number, number, number, number];
  kernels(be).squashed_backward(action, std, noise, free, dAction, rows, A, address(be, out), attrs!.dLogProb as number);
  return out;
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  const configs: [string, (args: { inputs: NamedTensorInfoMap; backend: unknown; attrs?: NamedAttrMap }) => TensorInfo | TensorInfo[]][] = [
    [MLP_FORWARD, mlpForward],
    [MLP_BACKWARD, mlpBackward],
    [KERNELS_TRANSPOSED, kernelsTransposed],
    [ADAM_STEP, adamStep],
    [POLYAK, polyak],
    [GAUSSIAN_HEAD, gaussianHead],
    [GAUSSIAN_PREDICT, gaussianPredict],
    [SQUASHED_SAMPLE, squashedSample],
    [SQUASHED_BACKWARD, squashedBackward],
  ];
  for (const [kernelName, kernelFunc] of configs) {
    if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
  }
}

/** Runs one of the kernels above (inputs by name, outputs in order). */
export function runFused(kernelName: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor[] {
  const result = tf.engine().runKernel(kernelName, inputs as tf.NamedTensorMap, attrs as NamedAttrMap) as tf.Tensor | tf.Tensor[];
  return Array.isArray(result) ? result : [result];
}
