// The worker test runs compiled code under dist/: `npm test` builds it first (pretest).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mpo } from '../../src/algos/mpo.js';
import { initBackend } from '../../src/nn/backend.js';
import { WorkerThread } from '../../src/nn/threads/worker-thread.js';
import { Rng } from '../../src/util/rng.js';
import { halfCheetahBatch, offlinePointData, pointReturn, randomTransitions, sampleBatch } from '../helpers/point-task.js';

let thread: WorkerThread;

beforeAll(async () => {
  await initBackend('wasm');
  thread = await WorkerThread.start('wasm');
});

afterAll(() => {
  thread.close();
});

const small = { observationSize: 17, actionSize: 6, actorHiddenSize: 32, criticHiddenSize: 32, sampleActionNum: 8 };

describe('MPO', () => {
  it('learns to steer a point to its target from a fixed offline batch, far above a random policy', () => {
    const rng = new Rng(7);
    const data = offlinePointData(4000, rng);
    // Each update keeps the policy within a KL bound of the target policy, so the targets
    // move faster here (τ = 0.05) than by default for the policy to get anywhere in a short test.
    const mpo = new Mpo({ observationSize: 1, actionSize: 1, actorHiddenSize: 32, criticHiddenSize: 32, gamma: 0.9, actorLr: 1e-3, criticLr: 1e-3, tau: 0.05, sampleActionNum: 16, seed: 1 });
    for (let update = 0; update < 500; update++) mpo.update(sampleBatch(data, 64, rng), { metrics: false });
    const policyRng = new Rng(3);
    const random = pointReturn(() => policyRng.uniformIn(-1, 1));
    const learned = pointReturn((x) => mpo.act(Float32Array.of(x), true)[0]!);
    expect(random).toBeLessThan(-10);
    expect(learned).toBeGreaterThan(-3); // the best possible is about −1.6
    mpo.dispose();
  });

  it('reports finite metrics, keeps its multipliers within their bounds and its temperature positive', () => {
    const rng = new Rng(2);
    const mpo = new Mpo({ ...small, seed: 4, alphaMeanMax: 0.05, alphaVarMax: 2 });
    for (let i = 0; i < 4; i++) {
      const metrics = mpo.update(halfCheetahBatch(rng))!;
      expect(Object.keys(metrics).sort()).toEqual(['actorLoss', 'alphaMean', 'alphaVar', 'criticLoss', 'eta', 'klMean', 'klVar', 'qMean', 'std']);
      for (const value of Object.values(metrics)) expect(Number.isFinite(value)).toBe(true);
      expect(metrics.eta).toBeGreaterThan(0);
      expect(metrics.alphaMean).toBeGreaterThanOrEqual(0);
      expect(metrics.alphaMean).toBeLessThanOrEqual(0.05);
      expect(metrics.alphaVar).toBeGreaterThanOrEqual(0);
      expect(metrics.alphaVar).toBeLessThanOrEqual(2);
    }
    expect(mpo.update(halfCheetahBatch(rng), { metrics: false })).toBeNull();
    expect(mpo.updates).toBe(5);
    mpo.dispose();
  });

  it('keeps the tensor count stable across many updates and actions', () => {
    const rng = new Rng(1);
    const mpo = new Mpo(small);
    const batch = halfCheetahBatch(rng);
    mpo.update(batch);
    mpo.act(batch.observations, false, rng);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) {
      mpo.update(batch, { metrics: i % 3 === 0 });
      mpo.act(batch.observations, i % 2 === 0, rng);
    }
    mpo.getState();
    expect(tf.memory().numTensors).toBe(before);
    mpo.dispose();
  });

  it('acts with its mean when deterministic, else with Gaussian noise clipped to [−1, 1]', () => {
    const rng = new Rng(3);
    const mpo = new Mpo(small);
    const observations = rng.fillNormal(new Float32Array(200 * 17));
    const greedy = mpo.act(observations, true);
    expect(Array.from(mpo.act(observations, true))).toEqual(Array.from(greedy));
    const noisy = mpo.act(observations, false, rng);
    let moved = 0;
    noisy.forEach((a, i) => {
      expect(Math.abs(a)).toBeLessThanOrEqual(1);
      moved += Math.abs(a - greedy[i]!);
    });
    // a fresh policy's σ is about softplus(0) = 0.69: far from the mean on average
    expect(moved / noisy.length).toBeGreaterThan(0.3);
    expect(() => mpo.act(observations, false)).toThrow(/Rng/);
    mpo.dispose();
  });

  it('continues bit for bit after a state round trip', () => {
    const rng = new Rng(11);
    const batches = Array.from({ length: 6 }, () => halfCheetahBatch(rng));
    const original = new Mpo({ ...small, seed: 5 });
    for (const batch of batches.slice(0, 3)) original.update(batch);
    const restored = Mpo.fromState(structuredClone(original.getState()));
    for (const batch of batches.slice(3)) expect(restored.update(batch)).toEqual(original.update(batch));
    expect(restored.getState()).toEqual(original.getState());
    original.dispose();
    restored.dispose();
  });

  it('gives the same updates with its critic in a compute worker', () => {
    const rng = new Rng(4);
    const options = { observationSize: 5, actionSize: 2, actorHiddenSize: 16, criticHiddenSize: 16, sampleActionNum: 4, seed: 2 };
    const here = new Mpo(options);
    const spread = new Mpo(options);
    spread.distribute([thread]);
    for (let i = 0; i < 4; i++) {
      const batch = randomTransitions(rng, 32, 5, 2);
      expect(spread.update(batch)).toEqual(here.update(batch));
    }
    expect(spread.getState()).toEqual(here.getState());
    here.dispose();
    spread.dispose();
  });
});
