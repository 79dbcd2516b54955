// TD3 and DDPG share most properties, so both run through the same tests; TD3's delay and
// target are checked on their own below. The worker test runs compiled code under dist/:
// `npm test` builds it first (pretest).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smoothTargetActions } from '../../src/algos/action-noise.js';
import { criticShape } from '../../src/algos/critic.js';
import { Ddpg } from '../../src/algos/ddpg.js';
import { deterministicActorShape } from '../../src/algos/deterministic-actor.js';
import { Td3, type TransitionBatch } from '../../src/algos/td3.js';
import { initBackend } from '../../src/nn/backend.js';
import { MlpStack } from '../../src/nn/mlp-stack.js';
import type { ModuleState } from '../../src/nn/state.js';
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

const small = { observationSize: 17, actionSize: 6, actorHiddenSize: 32, criticHiddenSize: 32 };

interface Learner {
  updates: number;
  update(batch: TransitionBatch, options?: { metrics?: boolean }): Record<string, number> | null;
  act(observations: Float32Array, deterministic: boolean, rng?: Rng): Float32Array;
  getState(): ModuleState;
  setState(state: ModuleState): void;
  distribute(threads: WorkerThread[]): void;
  dispose(): void;
}

interface Options {
  observationSize: number;
  actionSize: number;
  [key: string]: number;
}

const learners: { name: string; create: (options: Options) => Learner; fromState: (state: ModuleState) => Learner }[] = [
  { name: 'TD3', create: (options) => new Td3(options) as unknown as Learner, fromState: (state) => Td3.fromState(state) as unknown as Learner },
  { name: 'DDPG', create: (options) => new Ddpg(options) as unknown as Learner, fromState: (state) => Ddpg.fromState(state) as unknown as Learner },
];

describe.each(learners)('$name', ({ name, create, fromState }) => {
  it('learns to steer a point to its target from a fixed offline batch, far above a random policy', () => {
    const rng = new Rng(7);
    const data = offlinePointData(4000, rng);
    const learner = create({ observationSize: 1, actionSize: 1, actorHiddenSize: 64, criticHiddenSize: 64, gamma: 0.9, actorLr: 1e-3, criticLr: 1e-3, seed: 1 });
    for (let update = 0; update < 1500; update++) learner.update(sampleBatch(data, 128, rng), { metrics: false });
    const policyRng = new Rng(3);
    const random = pointReturn(() => policyRng.uniformIn(-1, 1));
    const learned = pointReturn((x) => learner.act(Float32Array.of(x), true)[0]!);
    expect(random).toBeLessThan(-10);
    expect(learned).toBeGreaterThan(-3); // the best possible is about −1.6
    learner.dispose();
  });

  it('keeps the tensor count stable across many updates and actions', () => {
    const rng = new Rng(1);
    const learner = create(small);
    const batch = halfCheetahBatch(rng);
    // TD3's critics keep their last probe until the next update, and how many depends on
    // whether the actor stepped: compare after whole delay cycles (2 updates).
    for (let i = 0; i < 2; i++) learner.update(batch);
    learner.act(batch.observations, false, rng);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) {
      learner.update(batch, { metrics: i % 3 === 0 });
      learner.act(batch.observations, i % 2 === 0, rng);
      if (i % 2 === 1) expect(tf.memory().numTensors, `after update ${i}`).toBe(before);
    }
    learner.getState();
    expect(tf.memory().numTensors).toBe(before);
    learner.dispose();
  });

  it('reports finite metrics, or null when not asked', () => {
    const rng = new Rng(2);
    const learner = create({ ...small, seed: 4 });
    for (let i = 0; i < 3; i++) {
      const metrics = learner.update(halfCheetahBatch(rng))!;
      expect(Object.keys(metrics).sort()).toEqual(['actorLoss', 'criticLoss', 'qMean']);
      for (const value of Object.values(metrics)) expect(Number.isFinite(value)).toBe(true);
    }
    expect(learner.update(halfCheetahBatch(rng), { metrics: false })).toBeNull();
    expect(learner.updates).toBe(4);
    learner.dispose();
  });

  it('acts with rows of actions in [−1, 1]: deterministic ones repeatable, exploring ones about σ = 0.1 away', () => {
    const rng = new Rng(3);
    const learner = create(small);
    const observations = rng.fillNormal(new Float32Array(500 * 17));
    const greedy = learner.act(observations, true);
    expect(greedy.length).toBe(500 * 6);
    expect(Array.from(learner.act(observations, true))).toEqual(Array.from(greedy));
    expect(learner.act(observations.subarray(0, 17), true)[0]).toBe(greedy[0]);
    const noisy = learner.act(observations, false, rng);
    let squares = 0;
    noisy.forEach((a, i) => {
      expect(Math.abs(a)).toBeLessThanOrEqual(1);
      squares += (a - greedy[i]!) ** 2;
    });
    expect(Math.sqrt(squares / noisy.length)).toBeCloseTo(0.1, 2); // freshly initialised μ(s) is small: hardly any clipping
    expect(() => learner.act(observations, false)).toThrow(/Rng/);
    expect(() => learner.act(observations.subarray(0, 20), true)).toThrow(/whole rows/);
    learner.dispose();
  });

  it('continues bit for bit after a state round trip', () => {
    const rng = new Rng(11);
    const batches = Array.from({ length: 9 }, () => halfCheetahBatch(rng));
    const original = create({ ...small, seed: 5 });
    for (const batch of batches.slice(0, 5)) original.update(batch); // odd: TD3 resumes mid delay cycle
    const state = original.getState();
    expect((state.meta as { format: string }).format).toBe(`mopo-${name.toLowerCase()}`);
    const restored = fromState(structuredClone(state));
    for (const batch of batches.slice(5)) expect(restored.update(batch)).toEqual(original.update(batch));
    const a = original.getState();
    const b = restored.getState();
    expect(b.meta).toEqual(a.meta);
    expect(Object.keys(b.tensors).sort()).toEqual(Object.keys(a.tensors).sort());
    for (const key of Object.keys(a.tensors)) expect(Array.from(b.tensors[key]!.data), key).toEqual(Array.from(a.tensors[key]!.data));
    const observations = batches[0]!.observations;
    expect(Array.from(restored.act(observations, false, new Rng(1)))).toEqual(Array.from(original.act(observations, false, new Rng(1))));
    original.dispose();
    restored.dispose();
  });

  it('refuses a state of another learner or of other network sizes', () => {
    const learner = create(small);
    const other = create({ ...small, criticHiddenSize: 16 });
    expect(() => fromState({ tensors: {}, meta: { format: 'mopo-sac', version: 1 } })).toThrow(/not a/);
    expect(() => learner.setState(other.getState())).toThrow(/criticHiddenSize/);
    learner.dispose();
    other.dispose();
  });

  it('gives the same updates with a critic in a compute worker', () => {
    const rng = new Rng(4);
    const options = { observationSize: 5, actionSize: 2, actorHiddenSize: 16, criticHiddenSize: 16, seed: 2 };
    const here = create(options);
    const spread = create(options);
    spread.distribute([thread]);
    for (let i = 0; i < 5; i++) {
      const batch = randomTransitions(rng, 32, 5, 2);
      expect(spread.update(batch)).toEqual(here.update(batch));
    }
    expect(spread.getState()).toEqual(here.getState());
    spread.distribute([]);
    expect(spread.getState()).toEqual(here.getState());
    here.dispose();
    spread.dispose();
  });
});

/** The critic targets y recomputed from a state: the target actor, smoothing noise from the state's Rng, the target critics. */
function expectedTargets(state: ModuleState, batch: TransitionBatch, o: { observationSize: number; actionSize: number; hiddenSize: number; gamma: number }, critics: string[], smooth: ((a: Float32Array) => Float32Array) | null): Float32Array {
  const { observationSize: O, actionSize: A } = o;
  const B = batch.size;
  const actor = new MlpStack(deterministicActorShape({ ...o, layers: 2 }), 1, state.tensors['actor/target']!.data);
  const targets = critics.map((name) => new MlpStack(criticShape({ ...o, layers: 2 }), 1, state.tensors[`${name}/target`]!.data));
  const values = tf.tidy(() => {
    let nextActions = tf.tanh(actor.forward(0, tf.tensor2d(batch.nextObservations, [B, O])).output).dataSync() as Float32Array;
    if (smooth) nextActions = smooth(nextActions.slice());
    const input = tf.concat([tf.tensor2d(batch.nextObservations, [B, O]), tf.tensor2d(nextActions, [B, A])], 1);
    return targets.map((q) => q.forward(0, input).output.dataSync() as Float32Array);
  });
  const y = new Float32Array(B);
  for (let i = 0; i < B; i++) y[i] = batch.rewards[i]! + o.gamma * (1 - batch.terminals[i]!) * Math.min(...values.map((v) => v[i]!));
  actor.dispose();
  for (const q of targets) q.dispose();
  return y;
}

/** mse(Q(s, a), y) of the online critic `name` in `state`. */
function criticMse(state: ModuleState, name: string, batch: TransitionBatch, y: Float32Array, o: { observationSize: number; actionSize: number; hiddenSize: number }): number {
  const q = new MlpStack(criticShape({ ...o, layers: 2 }), 1, state.tensors[`${name}/params`]!.data);
  const values = tf.tidy(() => {
    const input = tf.concat([tf.tensor2d(batch.observations, [batch.size, o.observationSize]), tf.tensor2d(batch.actions, [batch.size, o.actionSize])], 1);
    return q.forward(0, input).output.dataSync() as Float32Array;
  });
  q.dispose();
  let sum = 0;
  for (let i = 0; i < batch.size; i++) sum += (values[i]! - y[i]!) ** 2;
  return sum / batch.size;
}

describe('TD3 specifics', () => {
  it('steps the actor and moves all targets only on every policyDelay-th update; the critics every update', () => {
    const rng = new Rng(12);
    const td3 = new Td3({ ...small, policyDelay: 3, seed: 6 });
    let previous = td3.getState();
    const losses: number[] = [];
    for (let u = 0; u < 8; u++) {
      const metrics = td3.update(halfCheetahBatch(rng))!;
      losses.push(metrics.actorLoss);
      const next = td3.getState();
      const changed = (key: string) => Array.from(next.tensors[key]!.data).some((v, i) => v !== previous.tensors[key]!.data[i]);
      const actorStep = u % 3 === 0;
      for (const key of ['actor/params', 'actor/target', 'actor/adam/m', 'critic1/target', 'critic2/target']) expect(changed(key), `${key} after update ${u}`).toBe(actorStep);
      for (const key of ['critic1/params', 'critic2/params']) expect(changed(key), `${key} after update ${u}`).toBe(true);
      expect(next.meta.actorUpdates).toBe(Math.floor(u / 3) + 1);
      expect(next.meta.adamSteps.actor).toBe(Math.floor(u / 3) + 1);
      expect(next.meta.adamSteps.critic1).toBe(u + 1);
      previous = next;
    }
    // Between actor steps the latest actor loss repeats.
    expect(losses[1]).toBe(losses[0]);
    expect(losses[2]).toBe(losses[0]);
    expect(losses[3]).not.toBe(losses[0]);
    expect(losses[5]).toBe(losses[3]);
    td3.dispose();
  });

  it('trains the critics towards r + γ(1−d) min Q′(s′, a′) with a′ the smoothed target action', () => {
    const rng = new Rng(13);
    const options = { ...small, seed: 7, targetNoise: 0.3 };
    const td3 = new Td3(options);
    for (let i = 0; i < 3; i++) td3.update(halfCheetahBatch(rng)); // targets apart from the critics
    const state = td3.getState();
    const batch = halfCheetahBatch(rng);
    const noise = Rng.fromState(state.meta.rng);
    const o = { observationSize: 17, actionSize: 6, hiddenSize: 32, gamma: 0.99 };
    const y = expectedTargets(state, batch, o, ['critic1', 'critic2'], (a) => smoothTargetActions(a, 0.3, 0.5, noise));
    const expected = criticMse(state, 'critic1', batch, y, o) + criticMse(state, 'critic2', batch, y, o);
    // Without the smoothing the target differs, so the check would notice its absence.
    const unsmoothed = expectedTargets(state, batch, o, ['critic1', 'critic2'], null);
    expect(unsmoothed.reduce((sum, v, i) => sum + Math.abs(v - y[i]!), 0) / batch.size).toBeGreaterThan(1e-3);
    expect(td3.update(batch)!.criticLoss).toBeCloseTo(expected, 4);
    td3.dispose();
  });
});

describe('DDPG specifics', () => {
  it('trains the critic towards r + γ(1−d) Q′(s′, μ′(s′))', () => {
    const rng = new Rng(14);
    const ddpg = new Ddpg({ ...small, seed: 8 });
    for (let i = 0; i < 3; i++) ddpg.update(halfCheetahBatch(rng));
    const state = ddpg.getState();
    const batch = halfCheetahBatch(rng);
    const o = { observationSize: 17, actionSize: 6, hiddenSize: 32, gamma: 0.99 };
    const y = expectedTargets(state, batch, o, ['critic'], null);
    expect(ddpg.update(batch)!.criticLoss).toBeCloseTo(criticMse(state, 'critic', batch, y, o), 4);
    ddpg.dispose();
  });
});
