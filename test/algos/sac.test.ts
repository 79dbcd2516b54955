import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sac } from '../../src/algos/sac.js';
import { initBackend } from '../../src/nn/backend.js';
import { Rng } from '../../src/util/rng.js';
import { halfCheetahBatch, offlinePointData, pointReturn, sampleBatch } from '../helpers/point-task.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const small = { observationSize: 17, actionSize: 6, actorHiddenSize: 32, criticHiddenSize: 32 };

describe('SAC', () => {
  it('learns to steer a point to its target from a fixed offline batch, far above a random policy', () => {
    const rng = new Rng(7);
    const data = offlinePointData(4000, rng);
    const sac = new Sac({ observationSize: 1, actionSize: 1, actorHiddenSize: 64, criticHiddenSize: 64, gamma: 0.9, actorLr: 1e-3, criticLr: 1e-3, alphaLr: 1e-3, seed: 1 });
    for (let update = 0; update < 1500; update++) sac.update(sampleBatch(data, 128, rng), { metrics: false });
    const policyRng = new Rng(3);
    const random = pointReturn(() => policyRng.uniformIn(-1, 1));
    const learned = pointReturn((x) => sac.act(Float32Array.of(x), true)[0]!);
    expect(random).toBeLessThan(-10);
    expect(learned).toBeGreaterThan(-3); // the best possible is about −1.6
    sac.dispose();
  });

  it('keeps the tensor count stable across many updates and actions', () => {
    const rng = new Rng(1);
    const sac = new Sac(small);
    const batch = halfCheetahBatch(rng);
    sac.update(batch);
    sac.act(batch.observations, false, rng);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) {
      sac.update(batch, { metrics: i % 3 === 0 });
      sac.act(batch.observations, i % 2 === 0, rng);
    }
    expect(tf.memory().numTensors).toBe(before);
    sac.dispose();
  });

  it('reports finite metrics and learns α towards the target entropy', () => {
    const rng = new Rng(2);
    const sac = new Sac({ ...small, seed: 4 });
    const metrics = sac.update(halfCheetahBatch(rng))!;
    for (const value of Object.values(metrics)) expect(Number.isFinite(value)).toBe(true);
    expect(metrics.alpha).toBe(1); // α before this update's temperature step: e^0
    expect(sac.alpha()).not.toBe(1);
    expect(sac.update(halfCheetahBatch(rng), { metrics: false })).toBeNull();
    sac.dispose();
  });

  it('acts with rows of actions in (−1, 1), deterministic ones repeatable', () => {
    const rng = new Rng(3);
    const sac = new Sac(small);
    const observations = rng.fillNormal(new Float32Array(5 * 17));
    const greedy = sac.act(observations, true);
    expect(greedy.length).toBe(5 * 6);
    expect(Array.from(sac.act(observations, true))).toEqual(Array.from(greedy));
    const sampled = sac.act(observations, false, rng);
    for (const a of sampled) expect(Math.abs(a)).toBeLessThan(1);
    expect(() => sac.act(observations, false)).toThrow(/Rng/);
    sac.dispose();
  });

  it('samples the same actions as act() with the log-density of the squashed Gaussian', () => {
    const sac = new Sac(small);
    const observations = new Rng(4).fillNormal(new Float32Array(3 * 17));
    const { actions, logProbs } = sac.sample(observations, new Rng(9));
    expect(Array.from(actions)).toEqual(Array.from(sac.act(observations, false, new Rng(9))));
    // Recover u = μ + σ·ε from public outputs: μ = atanh(greedy action), ε = the Rng's noise.
    const noise = new Rng(9).fillNormal(new Float32Array(3 * 6));
    const greedy = sac.act(observations, true);
    for (let row = 0; row < 3; row++) {
      let expected = 0;
      for (let j = 0; j < 6; j++) {
        const k = row * 6 + j;
        const a = actions[k]!;
        const sigma = (Math.atanh(a) - Math.atanh(greedy[k]!)) / noise[k]!;
        expected += -0.5 * noise[k]! ** 2 - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI) - Math.log(1 - a * a);
      }
      expect(logProbs[row]).toBeCloseTo(expected, 2);
    }
    sac.dispose();
  });

  it('continues bit for bit after a state round trip', () => {
    const rng = new Rng(11);
    const batches = Array.from({ length: 8 }, () => halfCheetahBatch(rng));
    const original = new Sac({ ...small, seed: 5 });
    for (const batch of batches.slice(0, 4)) original.update(batch);
    const restored = Sac.fromState(structuredClone(original.getState()));
    for (const batch of batches.slice(4)) {
      expect(restored.update(batch)).toEqual(original.update(batch));
    }
    const a = original.getState();
    const b = restored.getState();
    expect(b.meta).toEqual(a.meta);
    for (const name of Object.keys(a.tensors)) expect(Array.from(b.tensors[name]!.data), name).toEqual(Array.from(a.tensors[name]!.data));
    original.dispose();
    restored.dispose();
  });
});
