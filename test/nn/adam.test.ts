import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam } from '../../src/nn/adam.js';
import { initBackend } from '../../src/nn/backend.js';
import { HostAdam } from '../../src/nn/host-adam.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** PyTorch's Adam (torch/optim/adam.py, single-tensor path) in float64. */
function referenceAdam(params: number[], gradients: number[][], lr: number): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const p = [...params];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  gradients.forEach((g, t) => {
    const step = t + 1;
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - b2 ** step) + eps;
      p[i]! -= (lr / (1 - b1 ** step)) * (m[i]! / denom);
    }
  });
  return p;
}

describe('Adam', () => {
  const rng = new Rng(5);
  const start = Array.from({ length: 6 }, () => rng.normal());
  const gradients = Array.from({ length: 5 }, () => Array.from({ length: 6 }, () => rng.normal() * 0.1));
  const expected = referenceAdam(start, gradients, 1e-2);

  it("follows PyTorch's update rule on tensors", () => {
    const adam = new Adam(6, { lr: 1e-2 });
    let params: tf.Tensor = tf.tensor1d(start);
    for (const g of gradients) {
      const next = tf.tidy(() => adam.apply(params, tf.tensor1d(g)));
      params.dispose();
      params = next;
    }
    const got = params.dataSync();
    expected.forEach((value, i) => expect(got[i]).toBeCloseTo(value, 5));
    expect(adam.step).toBe(5);
    params.dispose();
    adam.dispose();
  });

  it('follows the same rule on host arrays', () => {
    const adam = new HostAdam(6, 1e-2);
    const params = Float32Array.from(start);
    for (const g of gradients) adam.apply(params, g);
    expected.forEach((value, i) => expect(params[i]).toBeCloseTo(value, 5));
  });

  it('continues bit for bit after its state is saved and restored', () => {
    const run = (adam: Adam, params: tf.Tensor, grads: number[][]) => {
      for (const g of grads) {
        const next = tf.tidy(() => adam.apply(params, tf.tensor1d(g)));
        params.dispose();
        params = next;
      }
      return params;
    };
    const first = new Adam(6, { lr: 1e-2 });
    const halfway = run(first, tf.tensor1d(start), gradients.slice(0, 2));
    const saved = first.getState('x');
    const resumed = new Adam(6, { lr: 1e-2 });
    resumed.setState(saved.tensors, 'x', saved.step);
    const a = run(first, halfway.clone(), gradients.slice(2));
    const b = run(resumed, halfway, gradients.slice(2));
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    for (const t of [a, b]) t.dispose();
    first.dispose();
    resumed.dispose();
  });
});
