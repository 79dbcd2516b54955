import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '../../src/nn/adam.js';
import { initBackend } from '../../src/nn/backend.js';
import { initialParams } from '../../src/nn/init.js';
import { ParamLayout, type Activation, type MlpShape } from '../../src/nn/layout.js';
import { MlpStack } from '../../src/nn/mlp-stack.js';
import { fastKernels, kernelFma, setFastKernels, setKernelFma } from '../../src/nn/wasm/fast-kernels.js';
import { instantiateKernels } from '../../src/nn/wasm/kernel-module.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

afterEach(() => {
  setFastKernels(true);
  setKernelFma(null);
});

interface PassResult {
  output: Float32Array;
  untraced: Float32Array;
  slopes: Float32Array[];
  layered: Float32Array;
  flat: Float32Array;
  input: Float32Array;
}

/** Forward and backward of network `network` of a stack, with the fused kernels on or off. */
function pass(fast: boolean, shape: MlpShape, count: number, network: number, rows: number, seed: number): PassResult {
  setFastKernels(fast);
  const rng = new Rng(seed);
  const params = initialParams(new ParamLayout(shape, count), 'torch_default', rng);
  const x = rng.fillNormal(new Float32Array(rows * shape.inputSize));
  const dy = rng.fillNormal(new Float32Array(rows * shape.outputSize));
  const stack = new MlpStack(shape, count, params);
  const result = tf.tidy(() => {
    const input = tf.tensor2d(x, [rows, shape.inputSize]);
    const dOutput = tf.tensor2d(dy, [rows, shape.outputSize]);
    const { output, trace } = stack.forward(network, input, true);
    const layered = stack.backward(network, trace!, dOutput, { params: true, input: true });
    const flat = stack.backwardFlat([{ network, trace: trace!, dOutput }], { params: true, input: false });
    return {
      output: output.dataSync() as Float32Array,
      untraced: stack.forward(network, input).output.dataSync() as Float32Array,
      slopes: trace!.slopes.map((s) => s.dataSync() as Float32Array),
      layered: MlpStack.flatten([layered.params!]).dataSync() as Float32Array,
      flat: flat.params!.dataSync() as Float32Array,
      input: layered.input!.dataSync() as Float32Array,
    };
  });
  stack.dispose();
  return result;
}

function worstRelative(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  return worst;
}

const shapes: [string, Activation, number[]][] = [
  ['SAC critic', 'relu', [23, 256, 256, 1]],
  ['SAC actor', 'relu', [17, 256, 256, 12]],
  ['dynamics member', 'swish', [23, 200, 200, 200, 200, 36]],
  ['odd sizes', 'swish', [5, 7, 6, 3]],
  ['one input', 'relu', [1, 9, 2]],
];

describe('fused WASM kernels', () => {
  it('serve the wasm backend', () => {
    expect(fastKernels()).toBe(true);
  });

  it('use fused multiply-adds (relaxed SIMD) only when MOPO_WASM_FMA=1 asks for them: a seed gives the same numbers on every machine', () => {
    expect(kernelFma()).toBe(process.env.MOPO_WASM_FMA === '1');
  });

  for (const [name, activation, sizes] of shapes) {
    for (const rows of [1, 7, 256]) {
      it(`give the ${name} (${sizes.join('-')}) the same forward and backward pass as tfjs ops, ${rows} rows`, () => {
        const shape: MlpShape = { inputSize: sizes[0]!, hiddenSizes: sizes.slice(1, -1), outputSize: sizes.at(-1)!, activation };
        setKernelFma(false);
        const fused = pass(true, shape, 3, 1, rows, rows);
        const plain = pass(false, shape, 3, 1, rows, rows);
        expect(Array.from(fused.flat)).toEqual(Array.from(fused.layered));
        expect(Array.from(fused.untraced)).toEqual(Array.from(fused.output));
        if (activation === 'relu') {
          // The same products summed in the same order as XNNPACK: identical bits.
          expect(Array.from(fused.output)).toEqual(Array.from(plain.output));
          expect(Array.from(fused.layered)).toEqual(Array.from(plain.layered));
          expect(Array.from(fused.input)).toEqual(Array.from(plain.input));
          fused.slopes.forEach((slope, l) => expect(Array.from(slope)).toEqual(Array.from(plain.slopes[l]!)));
        } else {
          // Swish uses our own exp: the same up to float rounding.
          expect(worstRelative(fused.output, plain.output)).toBeLessThan(1e-5);
          expect(worstRelative(fused.layered, plain.layered)).toBeLessThan(1e-4);
          expect(worstRelative(fused.input, plain.input)).toBeLessThan(1e-5);
          fused.slopes.forEach((slope, l) => expect(worstRelative(slope, plain.slopes[l]!)).toBeLessThan(1e-5));
        }
      });
    }
  }

  for (const [name, activation, sizes] of shapes) {
    it(`give the ${name} (${sizes.join('-')}) the same passes with fused multiply-adds, up to float rounding`, () => {
      const shape: MlpShape = { inputSize: sizes[0]!, hiddenSizes: sizes.slice(1, -1), outputSize: sizes.at(-1)!, activation };
      setKernelFma(true);
      const fma = pass(true, shape, 3, 1, 256, 11);
      const again = pass(true, shape, 3, 1, 256, 11);
      setKernelFma(false);
      const plain = pass(true, shape, 3, 1, 256, 11);
      // Fused products round once per step: close to, not equal to, the unfused ones; repeatable bit for bit.
      expect(Array.from(fma.output)).toEqual(Array.from(again.output));
      expect(Array.from(fma.flat)).toEqual(Array.from(again.flat));
      expect(Array.from(fma.output)).not.toEqual(Array.from(plain.output));
      expect(worstRelative(fma.output, plain.output)).toBeLessThan(1e-5);
      expect(worstRelative(fma.layered, plain.layered)).toBeLessThan(1e-4);
      expect(worstRelative(fma.input, plain.input)).toBeLessThan(1e-5);
    });
  }

  it('back-propagate several networks into one vector in layout order', () => {
    const shape: MlpShape = { inputSize: 4, hiddenSizes: [8], outputSize: 2, activation: 'swish' };
    const rng = new Rng(2);
    const stack = new MlpStack(shape, 3, initialParams(new ParamLayout(shape, 3), 'truncated_normal', rng));
    tf.tidy(() => {
      const passes = [0, 1, 2].map((network) => {
        const rows = 3 + network;
        const { trace } = stack.forward(network, tf.tensor2d(rng.fillNormal(new Float32Array(rows * 4)), [rows, 4]), true);
        return { network, trace: trace!, dOutput: tf.tensor2d(rng.fillNormal(new Float32Array(rows * 2)), [rows, 2]) };
      });
      const together = stack.backwardFlat(passes, { params: true, input: true });
      const apart = passes.map((p) => stack.backward(p.network, p.trace, p.dOutput, { params: true, input: true }));
      expect(together.params!.shape).toEqual([stack.layout.size]);
      expect(Array.from(together.params!.dataSync())).toEqual(Array.from(MlpStack.flatten(apart.map((a) => a.params!)).dataSync()));
      together.inputs!.forEach((input, n) => expect(Array.from(input.dataSync())).toEqual(Array.from(apart[n]!.input!.dataSync())));
    });
    stack.dispose();
  });

  it('handle zero rows', () => {
    const shape: MlpShape = { inputSize: 3, hiddenSizes: [5], outputSize: 2, activation: 'relu' };
    const stack = new MlpStack(shape, 1, initialParams(new ParamLayout(shape, 1), 'torch_default', new Rng(1)));
    tf.tidy(() => {
      const { output, trace } = stack.forward(0, tf.zeros([0, 3]), true);
      expect(output.shape).toEqual([0, 2]);
      const grads = stack.backwardFlat([{ network: 0, trace: trace!, dOutput: tf.zeros([0, 2]) }], { params: true, input: true });
      expect(Array.from(grads.params!.dataSync())).toEqual(Array(stack.layout.size).fill(0));
      expect(grads.inputs![0]!.shape).toEqual([0, 3]);
    });
    stack.dispose();
  });

  it('take Adam steps identical to the tfjs-op version, with and without weight decay', () => {
    const rng = new Rng(3);
    const n = 1003;
    const start = rng.fillNormal(new Float32Array(n));
    const decay = rng.fillUniform(new Float32Array(n), 0, 1e-3);
    const gradients = Array.from({ length: 6 }, () => rng.fillNormal(new Float32Array(n)));
    const run = (fast: boolean) => {
      setFastKernels(fast);
      const adam = new Adam(n, { lr: 1e-3 });
      let params: tf.Tensor = tf.tensor1d(start);
      gradients.forEach((g, step) => {
        const next = tf.tidy(() => adam.apply(params, tf.tensor1d(g), step % 2 === 1 ? tf.tensor1d(decay) : undefined));
        params.dispose();
        params = next;
      });
      const state = adam.getState('adam');
      const result = { params: Array.from(params.dataSync()), m: Array.from(state.tensors['adam/m']!.data), v: Array.from(state.tensors['adam/v']!.data) };
      params.dispose();
      adam.dispose();
      return result;
    };
    expect(run(true)).toEqual(run(false));
  });

  it('keep the tensor count stable over forward, backward and Adam rounds', () => {
    const shape: MlpShape = { inputSize: 5, hiddenSizes: [16, 16], outputSize: 3, activation: 'swish' };
    const stack = new MlpStack(shape, 2, initialParams(new ParamLayout(shape, 2), 'truncated_normal', new Rng(1)));
    const adam = new Adam(stack.layout.size, { lr: 1e-3 });
    const round = () =>
      tf.tidy(() => {
        const passes = [0, 1].map((network) => ({ network, trace: stack.forward(network, tf.ones([8, 5]), true).trace!, dOutput: tf.ones([8, 3]) }));
        stack.setParams(adam.apply(stack.params, stack.backwardFlat(passes, { params: true, input: false }).params!));
      });
    round();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) round();
    expect(tf.memory().numTensors).toBe(before);
    stack.dispose();
    adam.dispose();
  });

  it('compute exp (through swish) within two float32 ulps over the whole clamped range', () => {
    const memory = (tf.backend() as unknown as { wasm: { asm: { memory: object }; HEAPF32: Float32Array } }).wasm;
    const kernels = instantiateKernels(memory.asm.memory);
    const n = 4099;
    const z = tf.tensor1d(Float32Array.from({ length: n }, (_, i) => -80 + (160 * i) / (n - 1)));
    const out = tf.zeros([n]);
    const slope = tf.zeros([n]);
    const address = (t: tf.Tensor) => (tf.backend() as unknown as { getMemoryOffset(id: object): number }).getMemoryOffset(t.dataId);
    memory.HEAPF32.set(z.dataSync(), address(out) / 4);
    kernels.activate(address(out), address(slope), n, 2);
    const zs = z.dataSync();
    const hs = out.dataSync();
    for (let i = 0; i < n; i++) {
      const exact = zs[i]! / (1 + Math.exp(-zs[i]!));
      const ulp = Math.max(Math.abs(exact), 1e-30) * 2 ** -23;
      expect(Math.abs(hs[i]! - exact) / ulp, `swish(${zs[i]})`).toBeLessThan(3);
    }
    tf.dispose([z, out, slope]);
  });
});
