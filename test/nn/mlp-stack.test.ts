import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/nn/backend.js';
import { initialParams } from '../../src/nn/init.js';
import { ParamLayout, type Activation, type MlpShape } from '../../src/nn/layout.js';
import { MlpStack } from '../../src/nn/mlp-stack.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function shapeOf(activation: Activation): MlpShape {
  return { inputSize: 5, hiddenSizes: [7, 6], outputSize: 3, activation };
}

/** Loss = Σ output ⊙ weights, so dLoss/dOutput = weights. */
function lossOf(stack: MlpStack, network: number, x: Float32Array, rows: number, weights: Float32Array): number {
  return tf.tidy(() => {
    const out = stack.forward(network, tf.tensor2d(x, [rows, stack.shape.inputSize])).output;
    return tf.sum(tf.mul(out, tf.tensor2d(weights, out.shape as [number, number]))).dataSync()[0]!;
  });
}

describe('MlpStack backward pass', () => {
  for (const activation of ['relu', 'swish'] as const) {
    it(`matches central finite differences (${activation}, two networks, weights and input)`, () => {
      const rng = new Rng(3);
      const shape = shapeOf(activation);
      const layout = new ParamLayout(shape, 2);
      const params = initialParams(layout, 'torch_default', rng);
      const stack = new MlpStack(shape, 2, params);
      const rows = 4;
      const x = rng.fillNormal(new Float32Array(rows * shape.inputSize));
      const upstream = rng.fillNormal(new Float32Array(rows * shape.outputSize));
      const network = 1;

      const { paramGrad, inputGrad } = tf.tidy(() => {
        const input = tf.tensor2d(x, [rows, shape.inputSize]);
        const { trace } = stack.forward(network, input, true);
        const grads = stack.backward(network, trace!, tf.tensor2d(upstream, [rows, shape.outputSize]), { params: true, input: true });
        return {
          paramGrad: MlpStack.flatten([grads.params!]).dataSync() as Float32Array,
          inputGrad: grads.input!.dataSync() as Float32Array,
        };
      });

      const h = 2e-3; // small enough not to straddle a ReLU kink, large enough for float32
      const perturbed = (delta: (p: Float32Array) => void) => {
        const copy = params.slice();
        delta(copy);
        stack.setParams(tf.tensor1d(copy));
        return lossOf(stack, network, x, rows, upstream);
      };
      const base = layout.networkOffset(network);
      for (let i = 0; i < layout.perNetwork; i += 7) {
        const plus = perturbed((p) => (p[base + i]! += h));
        const minus = perturbed((p) => (p[base + i]! -= h));
        expect(paramGrad[i]!, `param ${i}`).toBeCloseTo((plus - minus) / (2 * h), 2);
      }
      stack.setParams(tf.tensor1d(params));
      for (let i = 0; i < x.length; i++) {
        const xp = x.slice();
        xp[i]! += h;
        const xm = x.slice();
        xm[i]! -= h;
        const numeric = (lossOf(stack, network, xp, rows, upstream) - lossOf(stack, network, xm, rows, upstream)) / (2 * h);
        expect(inputGrad[i]!, `input ${i}`).toBeCloseTo(numeric, 2);
      }
      stack.dispose();
    });
  }

  it("gives a dense layer the same gradients as tfjs's default (transposed-product) gradient", () => {
    const rng = new Rng(9);
    // One linear layer (no hidden layers), 256 rows so the explicit-transpose routes are the ones used in training.
    for (const [inSize, outSize] of [[23, 256], [256, 256], [256, 1], [200, 36]] as const) {
      const shape: MlpShape = { inputSize: inSize, hiddenSizes: [], outputSize: outSize, activation: 'relu' };
      const params = initialParams(new ParamLayout(shape, 1), 'torch_default', rng);
      const stack = new MlpStack(shape, 1, params);
      const rows = 256;
      const x = rng.fillNormal(new Float32Array(rows * inSize));
      const dy = rng.fillNormal(new Float32Array(rows * outSize));
      tf.tidy(() => {
        const input = tf.tensor2d(x, [rows, inSize]);
        const dOut = tf.tensor2d(dy, [rows, outSize]);
        const { trace } = stack.forward(0, input, true);
        const ours = stack.backward(0, trace!, dOut, { params: true, input: true });
        const [dKernel, dBias] = ours.params!;
        // tfjs's MatMul gradient for y = x·W: dx = dy·Wᵀ, dW = xᵀ·dy (transpose flags), db = Σ rows.
        const kernelT = tf.tensor2d(params.subarray(0, inSize * outSize), [outSize, inSize]);
        const W = tf.transpose(kernelT);
        const tfDx = tf.matMul(dOut, W, false, true);
        const tfDW = tf.matMul(input, dOut, true, false);
        const tfDb = tf.sum(dOut, 0);
        expectClose(ours.input!.dataSync(), tfDx.dataSync(), 1e-4);
        expectClose(tf.transpose(dKernel!).dataSync(), tfDW.dataSync(), 1e-4);
        expectClose(dBias!.dataSync(), tfDb.dataSync(), 1e-4);
      });
      stack.dispose();
    }
  });

  it('keeps the tensor count stable across many forward/backward/update rounds', () => {
    const shape = shapeOf('swish');
    const stack = new MlpStack(shape, 3, initialParams(new ParamLayout(shape, 3), 'truncated_normal', new Rng(1)));
    const round = () =>
      tf.tidy(() => {
        const x = tf.ones([8, 5]);
        const { trace } = stack.forward(2, x, true);
        const g = stack.backward(2, trace!, tf.ones([8, 3]), { params: true, input: true });
        stack.setParams(tf.add(stack.params, tf.mul(tf.concat([tf.zeros([stack.layout.perNetwork * 2]), MlpStack.flatten([g.params!])]), -1e-3)));
      });
    round();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) round();
    expect(tf.memory().numTensors).toBe(before);
    stack.dispose();
  });
});

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]!));
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / scale);
  }
  expect(worst).toBeLessThan(tolerance);
}
