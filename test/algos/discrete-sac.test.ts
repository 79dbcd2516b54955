import { beforeAll, describe, expect, it } from 'vitest';
import { categoricalPolicyLoss, DiscreteSac, logSoftmax } from '../../src/algos/discrete-sac.js';
import { allocateBatch, type TransitionBatch } from '../../src/data/replay-buffer.js';
import { initBackend } from '../../src/nn/backend.js';
import { Rng } from '../../src/util/rng.js';
import { qByHand } from '../helpers/mlp-by-hand.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const O = 3;
const n = 3;
const tiny = { observationSize: O, actionCount: n, actorHiddenSize: 8, actorLayers: 1, criticHiddenSize: 8, criticLayers: 1, seed: 4 };
const shape = { inputSize: O, hidden: [8], outputSize: n };

function randomBatch(rows: number, seed: number): TransitionBatch {
  const rng = new Rng(seed);
  const batch = allocateBatch(rows, O, 1);
  rng.fillNormal(batch.observations);
  rng.fillNormal(batch.nextObservations);
  rng.fillNormal(batch.rewards);
  for (let i = 0; i < rows; i++) {
    batch.actions[i] = rng.int(n);
    batch.terminals[i] = i % 3 === 2 ? 1 : 0;
  }
  return batch;
}

const logSoftmaxByHand = (z: number[]) => {
  const max = Math.max(...z);
  const log = Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
  return z.map((v) => v - max - log);
};

describe('discrete SAC', () => {
  it("trains its critics towards r + γ(1−d)·Σₐ π(a|s′)(min Q′(s′, a) − α log π(a|s′)), as computed by hand", () => {
    const sac = new DiscreteSac({ ...tiny, initialAlpha: 0.7 });
    for (let k = 0; k < 5; k++) sac.update(randomBatch(16, k), { metrics: false });
    const { tensors } = sac.getState();
    const alpha = sac.alpha();
    const batch = randomBatch(8, 50);
    let expected = 0;
    for (let i = 0; i < batch.size; i++) {
      const next = batch.nextObservations.subarray(i * O, (i + 1) * O);
      const logPi = logSoftmaxByHand(qByHand(tensors['actor/params']!.data, shape, next));
      const t1 = qByHand(tensors['critic1/target']!.data, shape, next);
      const t2 = qByHand(tensors['critic2/target']!.data, shape, next);
      const value = logPi.reduce((sum, lp, a) => sum + Math.exp(lp) * (Math.min(t1[a]!, t2[a]!) - alpha * lp), 0);
      const y = batch.rewards[i]! + 0.99 * (1 - batch.terminals[i]!) * value;
      const observation = batch.observations.subarray(i * O, (i + 1) * O);
      for (const critic of ['critic1/params', 'critic2/params']) expected += (qByHand(tensors[critic]!.data, shape, observation)[batch.actions[i]!]! - y) ** 2 / batch.size;
    }
    expect(sac.update(batch, { metrics: true })!.criticLoss).toBeCloseTo(expected, 4);
    sac.dispose();
  });

  it('weights each row of the critic and actor losses by its importance weight, and bootstraps n-step rows with their discount', () => {
    const plain = new DiscreteSac(tiny);
    const weighted = new DiscreteSac(tiny);
    const batch = randomBatch(8, 60);
    // Weights of 1 and discounts equal to γ change nothing …
    const same = { ...batch, weights: new Float32Array(8).fill(1), discounts: new Float32Array(8).fill(0.99) };
    expect(weighted.update(same, { metrics: true })).toEqual(plain.update(batch, { metrics: true }));
    // … and the critic loss is the weighted mean of both critics' squared errors.
    const { tensors } = weighted.getState();
    const alpha = weighted.alpha();
    const next = randomBatch(8, 61);
    next.weights = Float32Array.of(0.5, 2, 1, 0.1, 1.5, 1, 0.7, 3);
    next.discounts = Float32Array.of(0.9, 0.99, 0.8, 0.97, 0.5, 0.99, 0.95, 0.9);
    let expected = 0;
    const tdErrors = new Float32Array(8);
    const errors: number[] = [];
    for (let i = 0; i < next.size; i++) {
      const s2 = next.nextObservations.subarray(i * O, (i + 1) * O);
      const logPi = logSoftmaxByHand(qByHand(tensors['actor/params']!.data, shape, s2));
      const t1 = qByHand(tensors['critic1/target']!.data, shape, s2);
      const t2 = qByHand(tensors['critic2/target']!.data, shape, s2);
      const value = logPi.reduce((sum, lp, a) => sum + Math.exp(lp) * (Math.min(t1[a]!, t2[a]!) - alpha * lp), 0);
      const y = next.rewards[i]! + next.discounts![i]! * (1 - next.terminals[i]!) * value;
      const s1 = next.observations.subarray(i * O, (i + 1) * O);
      const q = ['critic1/params', 'critic2/params'].map((c) => qByHand(tensors[c]!.data, shape, s1)[next.actions[i]!]!);
      expected += q.reduce((sum, qk) => sum + (next.weights![i]! * (qk - y) ** 2) / next.size, 0);
      errors.push(0.5 * Math.abs(q[0]! - y) + 0.5 * Math.abs(q[1]! - y));
    }
    expect(weighted.update(next, { metrics: true, tdErrors })!.criticLoss).toBeCloseTo(expected, 4);
    tdErrors.forEach((e, i) => expect(e).toBeCloseTo(errors[i]!, 4));

    // The actor's gradient at each row's logits scales with its weight.
    const rows = 2;
    const logits = logSoftmax([0.3, -0.2, 1.1, 0.5, 0.1, -0.7], rows, n);
    const q = [1, 2, 0.5, -1, 0, 3];
    const unit = categoricalPolicyLoss(logits, q, 0.2, rows, n).dLogits;
    const scaled = categoricalPolicyLoss(logits, q, 0.2, rows, n, Float32Array.of(3, 0.5)).dLogits;
    scaled.forEach((g, k) => expect(g).toBeCloseTo(unit[k]! * (k < n ? 3 : 0.5), 7));
    plain.dispose();
    weighted.dispose();
  });

  it("steps the actor along the exact gradient of Σₐ π(a|s)(α log π(a|s) − Q(s, a)) at the logits", () => {
    const rows = 4;
    const rng = new Rng(8);
    const logits = Array.from(rng.fillNormal(new Float64Array(rows * n)));
    const q = Array.from(rng.fillNormal(new Float64Array(rows * n), 0, 3));
    const alpha = 0.3;
    const loss = (z: number[]) => categoricalPolicyLoss(logSoftmax(z, rows, n), q, alpha, rows, n).loss;
    const { dLogits, entropy } = categoricalPolicyLoss(logSoftmax(logits, rows, n), q, alpha, rows, n);
    for (let k = 0; k < rows * n; k++) {
      const h = 1e-6;
      const up = logits.slice();
      const down = logits.slice();
      up[k] = up[k]! + h;
      down[k] = down[k]! - h;
      expect(dLogits[k]).toBeCloseTo((loss(up) - loss(down)) / (2 * h), 6);
    }
    const byHand = Array.from({ length: rows }, (_, r) => -logSoftmaxByHand(logits.slice(r * n, r * n + n)).reduce((s, lp) => s + Math.exp(lp) * lp, 0));
    expect(entropy).toBeCloseTo(byHand.reduce((a, b) => a + b) / rows, 12);
  });

  it('samples actions with the frequencies of π and reports log π(a|s) of the action drawn', () => {
    const sac = new DiscreteSac(tiny);
    const observation = Float32Array.of(0.3, -1.2, 0.8);
    const rows = 4000;
    const observations = new Float32Array(rows * O);
    for (let r = 0; r < rows; r++) observations.set(observation, r * O);
    const logPi = logSoftmaxByHand(qByHand(sac.getState().tensors['actor/params']!.data, shape, observation));
    const { actions, logProbs } = sac.sample(observations, new Rng(3));
    for (let a = 0; a < n; a++) {
      const share = actions.filter((x) => x === a).length / rows;
      expect(Math.abs(share - Math.exp(logPi[a]!))).toBeLessThan(0.025);
    }
    actions.forEach((a, r) => expect(logProbs[r]).toBeCloseTo(logPi[a]!, 5));
    expect(sac.act(observations.subarray(0, O), true)[0]).toBe(logPi.indexOf(Math.max(...logPi)));
    sac.dispose();
  });

  it('raises α while the policy is less random than the target entropy, and lowers it otherwise', () => {
    const low = new DiscreteSac({ ...tiny, targetEntropy: 0.01 });
    const high = new DiscreteSac({ ...tiny, targetEntropy: Math.log(n) });
    const batch = randomBatch(16, 1);
    low.update(batch, { metrics: false });
    high.update(batch, { metrics: false });
    expect(low.alpha()).toBeLessThan(1);
    expect(high.alpha()).toBeGreaterThan(1);
    low.dispose();
    high.dispose();
  });
});
