import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamicsEnsemble } from '../../../src/algos/mopo/dynamics-ensemble.js';
import type { DynamicsData, EpochInfo } from '../../../src/algos/mopo/fit.js';
import { uncertainty } from '../../../src/algos/mopo/penalty.js';
import { initBackend } from '../../../src/nn/backend.js';
import { Rng } from '../../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** s′ = s + 0.1·(linear in s, a) + N(0, σ²) per dim; r = 0.5·s₀ − 0.3·a₁ + N(0, σ_r²). */
const O = 3;
const A = 2;
const NOISE = [0.02, 0.05, 0.1, 0.05]; // σ of Δs₀, Δs₁, Δs₂ and of the reward
const noiseFloor = NOISE.reduce((sum, s) => sum + s * s, 0) / NOISE.length;

function linearSystemData(size: number, rng: Rng): DynamicsData {
  const data = {
    observations: rng.fillUniform(new Float32Array(size * O), -1, 1),
    actions: rng.fillUniform(new Float32Array(size * A), -1, 1),
    nextObservations: new Float32Array(size * O),
    rewards: new Float32Array(size),
    size,
    observationSize: O,
    actionSize: A,
  };
  for (let i = 0; i < size; i++) {
    const [s0, s1, s2] = data.observations.subarray(i * O, (i + 1) * O) as unknown as number[];
    const [a0, a1] = data.actions.subarray(i * A, (i + 1) * A) as unknown as number[];
    const delta = [0.1 * (0.5 * s0! - 0.3 * s1! + a0!), 0.1 * (0.2 * s2! + 0.4 * a1!), 0.1 * (-0.6 * s0! + 0.5 * a0! - 0.2 * a1!)];
    delta.forEach((d, k) => (data.nextObservations[i * O + k] = data.observations[i * O + k]! + d + NOISE[k]! * rng.normal()));
    data.rewards[i] = 0.5 * s0! - 0.3 * a1! + NOISE[3]! * rng.normal();
  }
  return data;
}

const smallModel = {
  observationSize: O,
  actionSize: A,
  members: 5,
  elites: 3,
  hiddenSize: 64,
  layers: 2,
  weightDecays: [2.5e-5, 5e-5, 1e-4],
  batchSize: 32,
  seed: 3,
};

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

describe('dynamics ensemble on a linear system with known noise', () => {
  const rng = new Rng(21);
  let ensemble: DynamicsEnsemble;
  const epochs: EpochInfo[] = [];
  const fresh = { observations: new Float32Array(0), actions: new Float32Array(0) };

  beforeAll(async () => {
    ensemble = new DynamicsEnsemble(smallModel);
    const result = await ensemble.fit(linearSystemData(4000, rng), { onEpoch: (info) => epochs.push(info) });
    expect(result.reason).toBe('converged');
    fresh.observations = rng.fillUniform(new Float32Array(500 * O), -1, 1);
    fresh.actions = rng.fillUniform(new Float32Array(500 * A), -1, 1);
  });

  it('reports every epoch, stops 5 epochs after the last 1 % improvement, and picks the best members as elites', () => {
    expect(epochs.map((e) => e.epoch)).toEqual(epochs.map((_, i) => i + 1));
    expect(epochs[0]!.improved).toEqual([0, 1, 2, 3, 4]);
    expect(epochs.at(-1)!.epochsSinceUpdate).toBe(5);
    expect(epochs.slice(-5).every((e) => e.improved.length === 0)).toBe(true);
    expect(epochs[0]!.holdoutSize).toBe(800);
    expect(epochs[0]!.trainSize).toBe(3200);
    expect(ensemble.elites).toHaveLength(3);
    expect(ensemble.fitted).toBe(true);
  });

  it('brings the holdout MSE down to the noise floor', () => {
    const first = epochs[0]!.holdoutLoss;
    const best = Math.min(...epochs.map((e) => e.holdoutLoss));
    expect(first).toBeGreaterThan(1.25 * best);
    expect(best).toBeLessThan(1.1 * noiseFloor);
    expect(best).toBeGreaterThan(0.9 * noiseFloor);
  });

  it('predicts a variance that tracks the true noise of every output', () => {
    const prediction = ensemble.predict(fresh.observations, fresh.actions);
    const rows = prediction.rows;
    const ratios = NOISE.map((sigma, d) => {
      let sum = 0;
      for (const m of ensemble.elites) for (let r = 0; r < rows; r++) sum += prediction.variances[(m * rows + r) * prediction.width + d]!;
      return sum / (rows * ensemble.elites.length) / (sigma * sigma);
    });
    // Within a small factor of the truth for variances that span 25×; the smallest is
    // overestimated most, since it also absorbs the mean's remaining error.
    for (const ratio of ratios) {
      expect(ratio).toBeGreaterThan(0.7);
      expect(ratio).toBeLessThan(2.5);
    }
    const predicted = ratios.map((ratio, d) => ratio * NOISE[d]! ** 2);
    const byPrediction = [0, 1, 2, 3].sort((a, b) => predicted[a]! - predicted[b]!);
    expect(byPrediction[0]).toBe(0); // σ = 0.02
    expect(byPrediction[3]).toBe(2); // σ = 0.1
  });

  it('samples next states around the true dynamics and subtracts λ·penalty from the reward', () => {
    const step = ensemble.step(fresh.observations, fresh.actions, new Rng(1));
    let squared = 0;
    for (let r = 0; r < 500; r++) {
      const [s0, s1, s2] = fresh.observations.subarray(r * O, (r + 1) * O) as unknown as number[];
      const [a0, a1] = fresh.actions.subarray(r * A, (r + 1) * A) as unknown as number[];
      const expected = [s0! + 0.1 * (0.5 * s0! - 0.3 * s1! + a0!), s1! + 0.1 * (0.2 * s2! + 0.4 * a1!), s2! + 0.1 * (-0.6 * s0! + 0.5 * a0! - 0.2 * a1!)];
      expected.forEach((e, k) => (squared += (step.nextObservations[r * O + k]! - e) ** 2));
    }
    const observedNoise = squared / (500 * O);
    const trueNoise = (NOISE[0]! ** 2 + NOISE[1]! ** 2 + NOISE[2]! ** 2) / 3;
    expect(observedNoise).toBeGreaterThan(0.6 * trueNoise);
    expect(observedNoise).toBeLessThan(1.6 * trueNoise);
    step.rewards.forEach((reward, i) => expect(step.penalizedRewards[i]).toBeCloseTo(reward - step.penalties[i]!, 5));
  });

  it('grows the disagreement penalty with the distance from the data', () => {
    const penaltyAt = (scale: number) => {
      const p = ensemble.predict(fresh.observations.map((x) => x * scale), fresh.actions.map((x) => x * scale));
      return mean(uncertainty('disagreement', { means: p.means, logvars: p.variances.map(Math.log), members: p.members, rows: p.rows, width: p.width }));
    };
    const levels = [1, 2, 3, 5].map(penaltyAt);
    for (let i = 1; i < levels.length; i++) expect(levels[i]!).toBeGreaterThan(1.4 * levels[i - 1]!);
  });

  it('keeps the tensor count stable across steps and predictions', () => {
    ensemble.step(fresh.observations, fresh.actions, new Rng(2));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      ensemble.step(fresh.observations, fresh.actions, new Rng(i));
      ensemble.predict(fresh.observations, fresh.actions);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('dynamics ensemble: the MOPO model and its state', () => {
  it('builds the model of mopo-facts by default: 7 members × 4×200 swish, 5 elites after fitting', () => {
    const ensemble = new DynamicsEnsemble({ observationSize: 17, actionSize: 6 });
    const perMember = 23 * 200 + 200 + 3 * (200 * 200 + 200) + 200 * 36 + 36;
    expect(ensemble.memberSize).toBe(perMember);
    expect(ensemble.options).toMatchObject({ members: 7, elites: 5, hiddenSize: 200, layers: 4, batchSize: 256, lr: 1e-3, maxEpochsSinceUpdate: 5 });
    const state = ensemble.getState();
    expect(state.tensors['ensemble/params']!.shape).toEqual([7 * perMember]);
    expect(Array.from(state.tensors['ensemble/logvar_bounds']!.data.subarray(0, 18))).toEqual(Array(18).fill(0.5));
    expect(Array.from(state.tensors['ensemble/logvar_bounds']!.data.subarray(18))).toEqual(Array(18).fill(-10));
    // Truncated-normal init, std 1/(2√fan_in), cut at 2σ; biases 0.
    const firstKernel = state.tensors['ensemble/params']!.data.subarray(0, 23 * 200);
    const std = 1 / (2 * Math.sqrt(23));
    expect(Math.max(...firstKernel.map(Math.abs))).toBeLessThanOrEqual(2 * std + 1e-7);
    expect(Array.from(state.tensors['ensemble/params']!.data.subarray(23 * 200, 23 * 200 + 200))).toEqual(Array(200).fill(0));
    ensemble.dispose();
  });

  it('keeps the tensor count stable across training steps of the full-size model', () => {
    const rng = new Rng(8);
    const ensemble = new DynamicsEnsemble({ observationSize: 17, actionSize: 6 });
    const inputs = rng.fillNormal(new Float32Array(7 * 256 * 23));
    const targets = rng.fillNormal(new Float32Array(7 * 256 * 18));
    ensemble.trainBatch(inputs, targets, 256);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) ensemble.trainBatch(inputs, targets, 256);
    expect(tf.memory().numTensors).toBe(before);
    ensemble.dispose();
  });

  it('resumes an interrupted fit exactly where it stopped, between epochs or inside one', async () => {
    const data = linearSystemData(1200, new Rng(5));
    const options = { ...smallModel, batchSize: 64, maxEpochs: 4, maxEpochsSinceUpdate: 10 };
    const straight = new DynamicsEnsemble(options);
    const straightEpochs: EpochInfo[] = [];
    const result = await straight.fit(data, { onEpoch: (e) => straightEpochs.push(e) });
    expect(result.reason).toBe('max_epochs');

    // Stop after epoch 2 (at its end), then again in the middle of epoch 3 (after its 5th batch).
    const epochs: EpochInfo[] = [];
    const batches: string[] = [];
    const first = new DynamicsEnsemble(options);
    const atEpochEnd = await first.fit(data, { onEpoch: (e) => epochs.push(e), shouldStop: () => epochs.length === 2 });
    expect(atEpochEnd.reason).toBe('stopped');
    const saved = structuredClone(first.getState());
    expect(saved.meta.fit).toMatchObject({ epoch: 2, batch: 0 });

    const second = DynamicsEnsemble.fromState(saved);
    const midEpoch = await second.fit(data, {
      onEpoch: (e) => epochs.push(e),
      onBatch: (b) => batches.push(`${b.epoch}.${b.batch}`),
      shouldStop: () => batches.length === 5,
    });
    expect(midEpoch.reason).toBe('stopped');
    expect(batches).toEqual(['3.1', '3.2', '3.3', '3.4', '3.5']);
    const savedMid = structuredClone(second.getState());
    expect(savedMid.meta.fit).toMatchObject({ epoch: 2, batch: 5 });

    const third = DynamicsEnsemble.fromState(savedMid);
    const resumed = await third.fit(data, { onEpoch: (e) => epochs.push(e) });
    expect(epochs).toEqual(straightEpochs);
    expect(resumed).toEqual(result);
    expectSameState(third, straight);
    for (const e of [straight, first, second, third]) e.dispose();
  });

  it('continues training and stepping bit for bit after a state round trip', async () => {
    const rng = new Rng(6);
    const original = new DynamicsEnsemble({ ...smallModel, maxEpochs: 2 });
    await original.fit(linearSystemData(600, rng));
    const restored = DynamicsEnsemble.fromState(structuredClone(original.getState()));
    const inputs = rng.fillNormal(new Float32Array(5 * 32 * 5));
    const targets = rng.fillNormal(new Float32Array(5 * 32 * 4));
    for (let i = 0; i < 3; i++) expect(Array.from(restored.trainBatch(inputs, targets, 32))).toEqual(Array.from(original.trainBatch(inputs, targets, 32)));
    const observations = rng.fillUniform(new Float32Array(50 * O), -1, 1);
    const actions = rng.fillUniform(new Float32Array(50 * A), -1, 1);
    expect(restored.step(observations, actions, new Rng(9))).toEqual(original.step(observations, actions, new Rng(9)));
    expectSameState(restored, original);
    original.dispose();
    restored.dispose();
  });
});

function expectSameState(a: DynamicsEnsemble, b: DynamicsEnsemble): void {
  const sa = a.getState();
  const sb = b.getState();
  expect(sa.meta).toEqual(sb.meta);
  expect(Object.keys(sa.tensors).sort()).toEqual(Object.keys(sb.tensors).sort());
  for (const name of Object.keys(sa.tensors)) expect(Array.from(sa.tensors[name]!.data), name).toEqual(Array.from(sb.tensors[name]!.data));
}
