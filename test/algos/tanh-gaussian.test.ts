import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleSquashed, squashedBackward } from '../../src/algos/tanh-gaussian.js';
import { initBackend } from '../../src/nn/backend.js';

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
