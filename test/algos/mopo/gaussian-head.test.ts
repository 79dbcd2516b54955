import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gaussianHeadLoss, memberHeadLoss, memberPredictions } from '../../../src/algos/mopo/gaussian-head.js';
import { initBackend } from '../../../src/nn/backend.js';
import { setFastKernels } from '../../../src/nn/wasm/fast-kernels.js';
import { Rng } from '../../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('Gaussian head with learned log-variance bounds', () => {
  const members = 2;
  const rows = 3;
  const D = 2;
  const rng = new Rng(4);
  // Raw log-variances spread over both soft bounds, so every branch of the clamp matters.
  const output = Array.from({ length: members * rows * 2 * D }, (_, i) => (i % (2 * D) < D ? rng.normal() : rng.uniformIn(-6, 3)));
  const target = Array.from({ length: members * rows * D }, () => rng.normal());
  const bounds = [0.5, 0.2, -3, -2.5]; // max (D), then min (D): moderate, so float32 differences stay exact enough

  const totalLoss = (out: number[], b: number[]) =>
    tf.tidy(() => {
      const head = gaussianHeadLoss(tf.tensor2d(out, [members * rows, 2 * D]), tf.tensor2d(target, [members * rows, D]), members, {
        max: tf.tensor2d(b.slice(0, D), [1, D]),
        min: tf.tensor2d(b.slice(D), [1, D]),
      });
      return tf.sum(head.perMember).dataSync()[0]!;
    });

  const analyticGradients = () => tf.tidy(() => {
    const head = gaussianHeadLoss(tf.tensor2d(output, [members * rows, 2 * D]), tf.tensor2d(target, [members * rows, D]), members, {
      max: tf.tensor2d(bounds.slice(0, D), [1, D]),
      min: tf.tensor2d(bounds.slice(D), [1, D]),
    });
    return { dOutput: Array.from(head.dOutput.dataSync()), dBounds: Array.from(tf.sum(head.dBounds, 0).dataSync()) };
  });

  const h = 5e-3;
  const central = (f: (delta: number) => number) => (f(h) - f(-h)) / (2 * h);

  it('differentiates the loss w.r.t. every output like central finite differences', () => {
    const analytic = analyticGradients();
    output.forEach((_, i) => {
      const numeric = central((delta) => totalLoss(output.map((v, j) => (j === i ? v + delta : v)), bounds));
      expect(analytic.dOutput[i]!, `output ${i}`).toBeCloseTo(numeric, 2);
    });
  });

  it('differentiates the loss w.r.t. the shared bounds (summed over members) like finite differences', () => {
    const analytic = analyticGradients();
    bounds.forEach((_, i) => {
      const numeric = central((delta) => totalLoss(output, bounds.map((v, j) => (j === i ? v + delta : v))));
      expect(analytic.dBounds[i]!, `bound ${i}`).toBeCloseTo(numeric, 2);
    });
  });
});

describe('Gaussian head as one fused WASM kernel', () => {
  afterEach(() => setFastKernels(true));

  const members = 3;
  const rows = 37;
  const D = 18; // not a multiple of 4: vector and scalar lanes both run
  const rng = new Rng(8);
  const outputs = Array.from({ length: members }, () =>
    Float32Array.from({ length: rows * 2 * D }, (_, i) => (i % (2 * D) < D ? rng.normal() : rng.uniformIn(-14, 4))),
  );
  const target = rng.fillNormal(new Float32Array(members * rows * D));
  const bounds = Float32Array.from({ length: 2 * D }, (_, i) => (i < D ? 0.5 - 0.05 * i : -10 + 0.2 * (i - D)));

  const run = (fast: boolean) => {
    setFastKernels(fast);
    return tf.tidy(() => {
      const tensors = outputs.map((o) => tf.tensor2d(o, [rows, 2 * D]));
      const head = memberHeadLoss(tensors, tf.tensor2d(target, [members * rows, D]), bounds);
      return {
        perMember: Array.from(head.perMember.dataSync()),
        dOutputs: head.dOutputs.map((d) => d.dataSync() as Float32Array),
        dBounds: head.dBounds.dataSync() as Float32Array,
        predictions: memberPredictions(tensors, bounds).dataSync() as Float32Array,
      };
    });
  };

  const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    expect(a.length).toBe(b.length);
    let w = 0;
    for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
    return w;
  };

  it('gives the loss, its gradients and the predictions of the tfjs-op version up to float rounding', () => {
    const fused = run(true);
    const plain = run(false);
    expect(worst(fused.perMember, plain.perMember)).toBeLessThan(1e-5);
    fused.dOutputs.forEach((d, m) => expect(worst(d, plain.dOutputs[m]!)).toBeLessThan(1e-5));
    expect(worst(fused.dBounds, plain.dBounds)).toBeLessThan(1e-5);
    expect(worst(fused.predictions, plain.predictions)).toBeLessThan(1e-5);
  });
});
