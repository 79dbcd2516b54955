import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleSquashed, squashedBackward } from '../../src/algos/tanh-gaussian.js';
import { initBackend } from '../../src/nn/backend.js';
import { setFastKernels } from '../../src/nn/wasm/fast-kernels.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const bounds = { min: -5, max: 2 };

describe('tanh-squashed Gaussian', () => {
  it('gives the log-probability of a hand-computed example', () => {
    // Two action dims; the second raw log-std (3) is clamped to 2. Worked out by hand (float64):
    //   dim 0: ℓ = −0.5, u = 0.3 + e^−0.5·0.7 = 0.724571, a = 0.619733,
    //          −0.7²/2 + 0.5 − ln(2π)/2 − ln(1 − a²) = −0.179318
    //   dim 1: ℓ = 2, u = −1.2 − e²·0.4 = −4.155622, a = −0.999509,
    //          −0.4²/2 − 2 − ln(2π)/2 − ln(1 − a²) = 3.926503
    const sample = tf.tidy(() => {
      const s = sampleSquashed(tf.tensor2d([[0.3, -1.2, -0.5, 3]]), tf.tensor2d([[0.7, -0.4]]), bounds);
      return { logProb: s.logProb.dataSync()[0]!, action: Array.from(s.action.dataSync()) };
    });
    expect(sample.logProb).toBeCloseTo(3.747185, 3);
    expect(sample.action[0]).toBeCloseTo(0.619733, 5);
    expect(sample.action[1]).toBeCloseTo(-0.999509, 5);
  });

  it('back-propagates like central finite differences (noise held fixed)', () => {
    const head = [0.2, -0.7, -1.1, 0.4, 0.3, -6, 0.9, 2.5, -0.3, 0.1, -2, 1.5]; // 3 rows × (2 mean, 2 log-std); some clamped
    const noise = [0.5, -1.2, 0.8, 0.3, -0.6, 1.1];
    const dAction = [0.3, -0.2, 0.5, 0.1, -0.4, 0.25];
    const dLogProb = 0.37;
    const loss = (h: number[]) =>
      tf.tidy(() => {
        const s = sampleSquashed(tf.tensor2d(h, [3, 4]), tf.tensor2d(noise, [3, 2]), bounds);
        return tf.add(tf.sum(tf.mul(s.action, tf.tensor2d(dAction, [3, 2]))), tf.mul(tf.sum(s.logProb), dLogProb)).dataSync()[0]!;
      });
    const analytic = tf.tidy(() => {
      const s = sampleSquashed(tf.tensor2d(head, [3, 4]), tf.tensor2d(noise, [3, 2]), bounds);
      return Array.from(squashedBackward(s, tf.tensor2d(dAction, [3, 2]), tf.scalar(dLogProb)).dataSync());
    });
    const h = 1e-3;
    head.forEach((_, i) => {
      const plus = [...head];
      plus[i]! += h;
      const minus = [...head];
      minus[i]! -= h;
      expect(analytic[i]!, `head[${i}]`).toBeCloseTo((loss(plus) - loss(minus)) / (2 * h), 2);
    });
  });
});

describe('tanh-squashed Gaussian as fused WASM kernels', () => {
  afterEach(() => setFastKernels(true));

  it('samples, scores and back-propagates like the tfjs-op version up to float rounding', () => {
    const rng = new Rng(12);
    const rows = 257;
    const A = 6; // one vector of four and two single lanes per row
    // Means and raw log-stds over a wide range: saturated tanh, both clamps, tiny u.
    const head = Float32Array.from({ length: rows * 2 * A }, (_, i) => (i % (2 * A) < A ? rng.uniformIn(-4, 4) * (i % 7 === 0 ? 1e-4 : 1) : rng.uniformIn(-8, 4)));
    const noise = rng.fillNormal(new Float32Array(rows * A));
    const dAction = rng.fillNormal(new Float32Array(rows * A));
    const run = (fast: boolean) => {
      setFastKernels(fast);
      return tf.tidy(() => {
        const s = sampleSquashed(tf.tensor2d(head, [rows, 2 * A]), tf.tensor2d(noise, [rows, A]), bounds);
        const d = squashedBackward(s, tf.tensor2d(dAction, [rows, A]), 0.21);
        return [s.action, s.logProb, s.std, s.logStdFree, d].map((t) => t.dataSync() as Float32Array);
      });
    };
    const fused = run(true);
    const plain = run(false);
    fused.forEach((values, k) => {
      expect(values.length).toBe(plain[k]!.length);
      let worst = 0;
      for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]! - plain[k]![i]!) / Math.max(1, Math.abs(plain[k]![i]!)));
      expect(worst, ['action', 'logProb', 'std', 'logStdFree', 'backward'][k]).toBeLessThan(2e-6);
    });
  });
});
