import { beforeAll, describe, expect, it } from 'vitest';
import { Ddqn } from '../../src/algos/ddqn.js';
import { learnerRow } from '../../src/algos/learner-table.js';
import { allocateBatch, type TransitionBatch } from '../../src/data/replay-buffer.js';
import { discrete } from '../../src/envs/action-space.js';
import { initBackend } from '../../src/nn/backend.js';
import { Rng } from '../../src/util/rng.js';
import { qByHand } from '../helpers/mlp-by-hand.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const O = 3;
const n = 3;
const tiny = { observationSize: O, actionCount: n, hiddenSize: 8, layers: 1, seed: 5 };

function randomBatch(rows: number, seed: number): TransitionBatch {
  const rng = new Rng(seed);
  const batch = allocateBatch(rows, O, 1);
  rng.fillNormal(batch.observations);
  rng.fillNormal(batch.nextObservations);
  rng.fillNormal(batch.rewards);
  for (let i = 0; i < rows; i++) {
    batch.actions[i] = rng.int(n);
    batch.terminals[i] = i % 4 === 3 ? 1 : 0;
  }
  return batch;
}

/** Rows of `source` picked by index, as a new batch. */
function pick(source: TransitionBatch, rows: number[]): TransitionBatch {
  const batch = allocateBatch(rows.length, O, 1);
  rows.forEach((row, i) => {
    batch.observations.set(source.observations.subarray(row * O, (row + 1) * O), i * O);
    batch.nextObservations.set(source.nextObservations.subarray(row * O, (row + 1) * O), i * O);
    batch.actions[i] = source.actions[row]!;
    batch.rewards[i] = source.rewards[row]!;
    batch.terminals[i] = source.terminals[row]!;
  });
  return batch;
}

const argmax = (values: number[]) => values.indexOf(Math.max(...values));

describe('DDQN', () => {
  it("bootstraps from the target network's value of the online network's choice (the Double DQN target), as computed by hand", () => {
    // A target that lags the network: 30 updates with the target moved rarely.
    const ddqn = new Ddqn({ ...tiny, lr: 1e-2, polyak: 0.5, targetUpdateInterval: 10 });
    for (let k = 0; k < 30; k++) ddqn.update(randomBatch(16, 100 + k), { metrics: false });
    const state = ddqn.getState();
    const online = state.tensors['q/params']!.data;
    const target = state.tensors['q/target']!.data;
    const shape = { inputSize: O, hidden: [8], outputSize: n };
    const gamma = ddqn.options.gamma;

    // Among random transitions, some where the two networks prefer different next actions
    // (there Double DQN and DQN differ) and some where they agree.
    const pool = randomBatch(400, 7);
    const differ: number[] = [];
    const agree: number[] = [];
    for (let i = 0; i < pool.size; i++) {
      const next = pool.nextObservations.subarray(i * O, (i + 1) * O);
      (argmax(qByHand(online, shape, next)) === argmax(qByHand(target, shape, next)) ? agree : differ).push(i);
    }
    expect(differ.length).toBeGreaterThanOrEqual(4);
    const batch = pick(pool, [...differ.slice(0, 4), ...agree.slice(0, 2)]);

    const doubleTargets: number[] = [];
    const dqnTargets: number[] = [];
    let doubleLoss = 0;
    let dqnLoss = 0;
    for (let i = 0; i < batch.size; i++) {
      const next = batch.nextObservations.subarray(i * O, (i + 1) * O);
      const judged = qByHand(target, shape, next);
      const notDone = 1 - batch.terminals[i]!;
      doubleTargets.push(batch.rewards[i]! + gamma * notDone * judged[argmax(qByHand(online, shape, next))]!);
      dqnTargets.push(batch.rewards[i]! + gamma * notDone * Math.max(...judged));
      const q = qByHand(online, shape, batch.observations.subarray(i * O, (i + 1) * O))[batch.actions[i]!]!;
      doubleLoss += (q - doubleTargets[i]!) ** 2 / batch.size;
      dqnLoss += (q - dqnTargets[i]!) ** 2 / batch.size;
    }

    const y = Array.from(ddqn.targets(batch));
    y.forEach((value, i) => expect(value).toBeCloseTo(doubleTargets[i]!, 5));
    // The update trains on that target: its loss is the squared error against it.
    const measured = ddqn.update(batch, { metrics: true })!;
    expect(measured.criticLoss).toBeCloseTo(doubleLoss, 4);
    expect(Math.abs(doubleLoss - dqnLoss)).toBeGreaterThan(1e-3);
    ddqn.dispose();
  });

  it("takes n-step rows' discounts and importance weights, and reports |Q(s, a) − y| as TD errors", () => {
    const ddqn = new Ddqn({ ...tiny, lr: 1e-2 });
    for (let k = 0; k < 5; k++) ddqn.update(randomBatch(16, 200 + k), { metrics: false });
    const state = ddqn.getState();
    const online = state.tensors['q/params']!.data;
    const target = state.tensors['q/target']!.data;
    const shape = { inputSize: O, hidden: [8], outputSize: n };
    const batch = randomBatch(6, 9);
    batch.discounts = Float32Array.of(0.9, 0.81, 0.729, 0.9, 0.5, 0.99);
    batch.weights = Float32Array.of(0.2, 1, 0.5, 2, 1.5, 0.8);
    const errors: number[] = [];
    let loss = 0;
    for (let i = 0; i < batch.size; i++) {
      const next = batch.nextObservations.subarray(i * O, (i + 1) * O);
      const y = batch.rewards[i]! + batch.discounts[i]! * (1 - batch.terminals[i]!) * qByHand(target, shape, next)[argmax(qByHand(online, shape, next))]!;
      const q = qByHand(online, shape, batch.observations.subarray(i * O, (i + 1) * O))[batch.actions[i]!]!;
      errors.push(Math.abs(q - y));
      loss += (batch.weights[i]! * (q - y) ** 2) / batch.size;
    }
    const tdErrors = new Float32Array(batch.size);
    const measured = ddqn.update(batch, { metrics: true, tdErrors })!;
    expect(measured.criticLoss).toBeCloseTo(loss, 4);
    tdErrors.forEach((e, i) => expect(e).toBeCloseTo(errors[i]!, 4));
    ddqn.dispose();
  });

  it("decays ε after every update as pytorchrl does (ε ← max(floor, ε·decay)) and reports the ε acting used", () => {
    const ddqn = new Ddqn({ ...tiny, initialEpsilon: 0.8, epsilonDecay: 0.5, minEpsilon: 0.15 });
    const reported = [0, 1, 2, 3].map((k) => ddqn.update(randomBatch(8, k), { metrics: true })!.epsilon);
    expect(reported).toEqual([0.8, 0.4, 0.2, 0.15]);
    expect(ddqn.epsilon).toBe(0.15);

    // The seed's schedule reaches its floor of 0.05 after ⌈ln 0.05 / ln 0.999⌉ = 2995 updates.
    let epsilon = 1;
    let updates = 0;
    while (epsilon > 0.05) {
      epsilon = Math.max(0.05, epsilon * 0.999);
      updates++;
    }
    expect(updates).toBe(Math.ceil(Math.log(0.05) / Math.log(0.999)));
    ddqn.dispose();
  });

  it('acts greedily when deterministic, and at random with probability ε when exploring', () => {
    const ddqn = new Ddqn({ ...tiny, initialEpsilon: 0.3, minEpsilon: 0.3 });
    const observations = new Rng(3).fillNormal(new Float32Array(2000 * O));
    const params = ddqn.getState().tensors['q/params']!.data;
    const greedy = Array.from({ length: 2000 }, (_, r) => argmax(qByHand(params, { inputSize: O, hidden: [8], outputSize: n }, observations.subarray(r * O, (r + 1) * O))));
    expect(Array.from(ddqn.act(observations, true))).toEqual(greedy);

    const explored = ddqn.act(observations, false, new Rng(11));
    // A random choice is greedy one time in n: P(not greedy) = ε(n − 1)/n = 0.2.
    const off = explored.filter((a, r) => a !== greedy[r]).length / 2000;
    expect(off).toBeGreaterThan(0.17);
    expect(off).toBeLessThan(0.23);
    expect(explored.every((a) => Number.isInteger(a) && a >= 0 && a < n)).toBe(true);
    ddqn.dispose();
  });

  it('moves the target on every target_update_interval-th update: θ′ ← polyak·θ′ + (1 − polyak)·θ', () => {
    const ddqn = new Ddqn({ ...tiny, polyak: 0.9, targetUpdateInterval: 3 });
    const start = ddqn.getState().tensors['q/target']!.data.slice();
    ddqn.update(randomBatch(8, 1), { metrics: false });
    ddqn.update(randomBatch(8, 2), { metrics: false });
    expect(ddqn.getState().tensors['q/target']!.data).toEqual(start);
    ddqn.update(randomBatch(8, 3), { metrics: false });
    const after = ddqn.getState();
    const online = after.tensors['q/params']!.data;
    after.tensors['q/target']!.data.forEach((value, k) => expect(value).toBeCloseTo(0.9 * start[k]! + 0.1 * online[k]!, 6));
    ddqn.dispose();
  });

  it('continues exactly from a saved state: weights, target, Adam moments, update count and ε', async () => {
    const row = learnerRow('ddqn');
    const sizes = { observationSize: O, actionSize: 1, actionSpace: discrete(n) };
    const learner = await row.create({ ...row.settings.defaults(), ...sizes, hiddenSize: 16, seed: 2, initialEpsilon: 0.9, epsilonDecay: 0.9 });
    for (let k = 0; k < 5; k++) learner.update(randomBatch(16, k), { metrics: false });
    const restored = await row.fromState(learner.getState());
    const observations = new Rng(4).fillNormal(new Float32Array(50 * O));
    for (let k = 5; k < 8; k++) expect(restored.update(randomBatch(16, k), { metrics: true })).toEqual(learner.update(randomBatch(16, k), { metrics: true }));
    expect(restored.act(observations, false, new Rng(9))).toEqual(learner.act(observations, false, new Rng(9)));
    expect(restored.getState()).toEqual(learner.getState());
    learner.dispose();
    restored.dispose();
  });

  it('is built for the discrete action space it is given, and refuses a box', async () => {
    const row = learnerRow('ddqn');
    await expect(row.create({ observationSize: 4, actionSize: 2, seed: 0 })).rejects.toThrow('The ddqn learner needs a discrete action space, got box(2).');
    const learner = await row.create({ observationSize: 4, actionSize: 1, actionSpace: discrete(5), seed: 0 });
    expect((learner as Ddqn).qValues(new Float32Array(8))).toHaveLength(10);
    learner.dispose();
  });
});
