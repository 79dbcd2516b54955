// BEAR's parts (the MMD, the behaviour model) and the learner. The worker test runs
// compiled code under dist/: `npm test` builds it first (pretest).
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bear } from '../../src/algos/bear.js';
import { BehaviourVae } from '../../src/algos/bear-imitator.js';
import { mmd } from '../../src/algos/bear-mmd.js';
import { BEAR_SETTINGS } from '../../src/algos/bear-options.js';
import { criticShape } from '../../src/algos/critic.js';
import { ConfigView } from '../../src/config/access.js';
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

const small = { observationSize: 5, actionSize: 2, actorHiddenSize: 16, criticHiddenSize: 16, imitatorHiddenSize: 16 };

describe('MMD between two sample sets', () => {
  // One state, policy samples x₁ = (0, 0), x₂ = (2, 0), one behaviour sample y = (0, 1), σ = 0.5 (so 1/(2σ) = 1).
  // Distances: x₁–x₂ 2 (L1) or 4 (squared L2); x₁–y 1 or 1; x₂–y 3 or 5.
  //   MMD² = 1/4·[2 + 2k(x₁,x₂)] − 2/2·[k(x₁,y) + k(x₂,y)] + 1
  const x = Float32Array.of(0, 0, 2, 0);
  const y = Float32Array.of(0, 1);
  const byHand = {
    laplacian: Math.sqrt((2 + 2 * Math.exp(-2)) / 4 - (Math.exp(-1) + Math.exp(-3)) + 1 + 1e-6),
    gaussian: Math.sqrt((2 + 2 * Math.exp(-4)) / 4 - (Math.exp(-1) + Math.exp(-5)) + 1 + 1e-6),
  };

  it.each(['laplacian', 'gaussian'] as const)('matches the value computed by hand with the %s kernel', (kernel) => {
    const { values } = mmd({ x, y, rows: 1, actionSize: 2 }, kernel, 0.5, false);
    expect(values[0]).toBeCloseTo(byHand[kernel], 6);
  });

  it('is (almost) zero between equal sets, and measures each row on its own', () => {
    // Row 1: two copies of p against p; row 2: the example above.
    const p = [0.3, -1.2];
    const { values } = mmd({ x: Float32Array.of(...p, ...p, ...x), y: Float32Array.of(...p, ...y), rows: 2, actionSize: 2 }, 'laplacian', 0.5, false);
    expect(values[0]).toBeCloseTo(Math.sqrt(1e-6), 9);
    expect(values[1]).toBeCloseTo(byHand.laplacian, 6);
    expect(() => mmd({ x: new Float32Array(5), y, rows: 1, actionSize: 2 }, 'laplacian', 1, false)).toThrow(/rows × samples/);
  });

  it.each(['laplacian', 'gaussian'] as const)('has the gradient of finite differences (%s)', (kernel) => {
    const rng = new Rng(2);
    const samples = { x: rng.fillNormal(new Float32Array(2 * 4 * 3)), y: rng.fillNormal(new Float32Array(2 * 3 * 3)), rows: 2, actionSize: 3 };
    const { gradient } = mmd(samples, kernel, 0.7, true);
    const h = 1e-3;
    for (const k of [0, 5, 13, 23]) {
      const row = Math.floor(k / 12);
      const shifted = (delta: number) => {
        const moved = samples.x.slice();
        moved[k]! += delta;
        return mmd({ ...samples, x: moved }, kernel, 0.7, false).values[row]!;
      };
      expect(gradient![k]).toBeCloseTo((shifted(h) - shifted(-h)) / (2 * h), 3);
    }
  });
});

describe("BEAR's behaviour model (conditional VAE)", () => {
  it('reconstructs the actions of a toy dataset: its loss falls and its decoded actions approach the data', () => {
    const rng = new Rng(3);
    const O = 3;
    const A = 2;
    const rows = 512;
    const observations = rng.fillUniform(new Float32Array(rows * O), -1, 1);
    // The behaviour policy: a fixed function of the state.
    const actions = new Float32Array(rows * A);
    for (let r = 0; r < rows; r++) {
      const [s0, s1, s2] = observations.subarray(r * O, r * O + O);
      actions[r * A] = Math.tanh(1.5 * s0! - s1!);
      actions[r * A + 1] = 0.8 * Math.sin(2 * s2!);
    }
    const vae = new BehaviourVae({ observationSize: O, actionSize: A, latentSize: 4, hiddenSize: 64, layers: 2, lr: 3e-3, klWeight: 0.5, adamEpsilon: 1e-8 }, new Rng(4));
    const batchRng = new Rng(5);
    const batch = (size: number) => {
      const picked = Array.from({ length: size }, () => batchRng.int(rows));
      return {
        observations: Float32Array.from(picked.flatMap((r) => Array.from(observations.subarray(r * O, r * O + O)))),
        actions: Float32Array.from(picked.flatMap((r) => Array.from(actions.subarray(r * A, r * A + A)))),
      };
    };
    const losses: number[] = [];
    for (let step = 0; step < 400; step++) {
      const b = batch(64);
      losses.push(vae.train(b.observations, b.actions, batchRng.fillNormal(new Float32Array(64 * 4)), 64).reconstruction);
    }
    const early = losses.slice(0, 20).reduce((a, b) => a + b) / 20;
    const late = losses.slice(-20).reduce((a, b) => a + b) / 20;
    expect(late).toBeLessThan(early / 5);
    // Decoding at z = 0 gives the data's action; the data's actions have variance ~0.3.
    const decoded = vae.sample(observations, new Float32Array(rows * 4), rows, 1);
    let error = 0;
    for (let k = 0; k < rows * A; k++) error += (decoded[k]! - actions[k]!) ** 2 / (rows * A);
    expect(error).toBeLessThan(0.02);
    vae.dispose();
  });
});

describe('BEAR', () => {
  it('learns to steer a point to its target from random offline data, far above a random policy', () => {
    const rng = new Rng(7);
    const data = offlinePointData(4000, rng);
    // ε = 0.2: with one action and 4 samples a side, two sets from the same distribution
    // are already ~0.1 apart, so d3rlpy's ε = 0.05 would hold the policy at the (random) behaviour.
    const bear = new Bear({ observationSize: 1, actionSize: 1, actorHiddenSize: 64, criticHiddenSize: 64, imitatorHiddenSize: 64, gamma: 0.9, actorLr: 1e-3, criticLr: 1e-3, temperatureLr: 3e-3, alphaThreshold: 0.2, seed: 1 });
    for (let update = 0; update < 1000; update++) bear.update(sampleBatch(data, 64, rng), { metrics: false });
    const policyRng = new Rng(3);
    const random = pointReturn(() => policyRng.uniformIn(-1, 1));
    const learned = pointReturn((x) => bear.act(Float32Array.of(x), true)[0]!);
    expect(random).toBeLessThan(-10);
    expect(learned).toBeGreaterThan(-3); // the best possible is about −1.6
    bear.dispose();
  });

  it('during the warm-up only follows the behaviour model, whatever the critics say', () => {
    // Data whose actions are always +0.6 but whose reward favours −1: after the warm-up
    // the policy sits on the data's action; plain RL would head for −1.
    const rng = new Rng(8);
    const data = randomTransitions(rng, 2000, 2, 1);
    for (let i = 0; i < data.size; i++) {
      data.actions[i] = 0.6;
      data.rewards[i] = -data.actions[i]!;
    }
    const bear = new Bear({ observationSize: 2, actionSize: 1, actorHiddenSize: 32, criticHiddenSize: 32, imitatorHiddenSize: 32, actorLr: 3e-3, rlStartEpoch: 1, totalSteps: 400, numEpochs: 1, seed: 2 });
    const metrics = [];
    for (let update = 0; update < 400; update++) metrics.push(bear.update(sampleBatch(data, 64, rng))!);
    // No SAC term, no temperature step during the warm-up.
    expect(metrics.every((m) => m.tempLoss === undefined && m.entropy === undefined)).toBe(true);
    expect(metrics[399]!.temp).toBe(1);
    expect(metrics[399]!.mmd).toBeLessThan(metrics[0]!.mmd!);
    const actions = bear.act(data.observations.subarray(0, 50 * 2), true);
    for (const a of actions) expect(a).toBeCloseTo(0.6, 1);
    // The next update is an RL update: the SAC terms appear.
    expect(bear.update(sampleBatch(data, 64, rng))!.tempLoss).toEqual(expect.any(Number));
    bear.dispose();
  });

  it('raises α while the policy is further than alpha_threshold from the behaviour model, and lowers it once inside', () => {
    const batch = halfCheetahBatch(new Rng(9), 32);
    const options = { ...small, observationSize: 17, actionSize: 6, seed: 3 };
    const tight = new Bear({ ...options, alphaThreshold: 0 });
    const loose = new Bear({ ...options, alphaThreshold: 10 });
    const fixed = new Bear({ ...options, alphaThreshold: 0, alphaLr: 0 });
    for (let i = 0; i < 3; i++) [tight, loose, fixed].forEach((bear) => bear.update(batch));
    expect(tight.multipliers().alpha).toBeGreaterThan(1);
    expect(loose.multipliers().alpha).toBeLessThan(1);
    expect(fixed.multipliers().alpha).toBe(1);
    for (const bear of [tight, loose, fixed]) bear.dispose();
  });

  it("trains the critics towards the best of n_action_samples next actions by d3rlpy's λ-mix of the target critics", () => {
    const rng = new Rng(10);
    const options = { ...small, criticCount: 3, lam: 0.3, actionSamples: 5, gamma: 0.9, seed: 4 };
    const bear = new Bear(options);
    for (let i = 0; i < 3; i++) bear.update(randomTransitions(rng, 16, 5, 2));
    const before = structuredClone(bear.getState());
    const batch = randomTransitions(rng, 16, 5, 2);
    batch.terminals[3] = 1;
    const measured = bear.update(batch)!;
    expect(measured.criticLoss).toBeCloseTo(expectedCriticLoss(before, batch, { ...options, latentSize: 4 }), 4);
    bear.dispose();
  });

  it('updates the actor, temperature, α and targets every update_actor_interval-th update only', () => {
    const rng = new Rng(11);
    const bear = new Bear({ ...small, updateActorInterval: 3, seed: 5 });
    const measured = Array.from({ length: 6 }, () => bear.update(randomTransitions(rng, 16, 5, 2))!);
    expect(measured.map((m) => m.actorLoss !== undefined)).toEqual([true, false, false, true, false, false]);
    expect(measured.map((m) => m.temp === measured[0]!.temp)).toEqual([true, false, false, false, false, false]);
    expect(measured[1]!.temp).toBe(measured[2]!.temp);
    for (const m of measured) for (const value of Object.values(m)) expect(Number.isFinite(value)).toBe(true);
    bear.dispose();
  });

  it('continues bit for bit after a state round trip, with every part of its state', () => {
    const rng = new Rng(12);
    const batches = Array.from({ length: 8 }, () => halfCheetahBatch(rng, 32));
    const options = { ...small, observationSize: 17, actionSize: 6, criticCount: 3, updateActorInterval: 2, rlStartEpoch: 1, totalSteps: 30, numEpochs: 10, seed: 6 };
    const original = new Bear(options);
    for (const batch of batches.slice(0, 4)) original.update(batch);
    const restored = Bear.fromState(structuredClone(original.getState()));
    for (const batch of batches.slice(4)) expect(restored.update(batch)).toEqual(original.update(batch));
    const a = original.getState();
    const b = restored.getState();
    expect(b.meta).toEqual(a.meta);
    for (const name of Object.keys(a.tensors)) expect(Array.from(b.tensors[name]!.data), name).toEqual(Array.from(a.tensors[name]!.data));
    expect(() => Bear.fromState({ tensors: {}, meta: { format: 'mopo-sac', version: 1 } })).toThrow(/not a BEAR state/);
    expect(() => new Bear({ ...options, imitatorHiddenSize: 8 }).setState(a)).toThrow(/imitatorHiddenSize/);
    original.dispose();
    restored.dispose();
  });

  it('keeps the tensor count stable across many updates and actions', () => {
    const rng = new Rng(13);
    const bear = new Bear({ ...small, observationSize: 17, actionSize: 6, updateActorInterval: 2 });
    const batch = halfCheetahBatch(rng, 32);
    bear.update(batch);
    bear.act(batch.observations, false, rng);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 12; i++) {
      bear.update(batch, { metrics: i % 3 === 0 });
      bear.act(batch.observations, i % 2 === 0, rng);
      bear.sample(batch.observations, rng);
    }
    expect(tf.memory().numTensors).toBe(before);
    bear.dispose();
  });

  it('gives the same updates with its critics in a compute worker', () => {
    const rng = new Rng(14);
    const options = { ...small, criticCount: 3, seed: 7 };
    const here = new Bear(options);
    const spread = new Bear(options);
    spread.distribute([thread]);
    for (let i = 0; i < 4; i++) {
      const batch = randomTransitions(rng, 16, 5, 2);
      expect(spread.update(batch)).toEqual(here.update(batch));
    }
    expect(spread.getState()).toEqual(here.getState());
    spread.distribute([]);
    expect(spread.getState()).toEqual(here.getState());
    here.dispose();
    spread.dispose();
  });

  it('refuses the d3rlpy options it does not implement, naming the key and why', () => {
    const keys = Object.fromEntries(Object.values(BEAR_SETTINGS.fields).map((field) => [field.key, field.defaultValue]));
    const read = (changes: Record<string, unknown>) => BEAR_SETTINGS.read(new ConfigView(nest({ ...keys, ...changes }) as never, 'algo'));
    expect(() => read({ q_func_type: 'qr' })).toThrow(/Invalid value for 'algo.q_func_type': "qr" must be "mean": only mean .* is implemented/);
    expect(() => read({ bootstrap: true })).toThrow(/'algo.bootstrap': true must be false: bootstrapped critics are not implemented/);
    expect(() => read({ augmentation: ['random_shift'] })).toThrow(/'algo.augmentation'/);
    expect(() => read({ mmd_kernel: 'cosine' })).toThrow(/algo.mmd_kernel/);
    expect(() => BEAR_SETTINGS.resolve({ scaler: 'standard' })).toThrow('BearOptions.scaler must be null: observations are used as they are (no scaler), got "standard".');
    expect(read({}).latentSize).toBeNull();
  });
});

/** Nests dotted keys: { 'actor.hidden_size': 1 } → { actor: { hidden_size: 1 } }. */
function nest(flat: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = value;
  }
  return root;
}

/**
 * Σₖ mse(Qₖ(s, a), y) recomputed from a saved state: the next actions from the state's
 * Rng (after the behaviour model's noise, which is drawn first), their log-probabilities,
 * the target critics, and y = r + γ(1 − d)(max_j [λ·minₖ + (1 − λ)·maxₖ] − T·log π).
 */
function expectedCriticLoss(
  state: ModuleState,
  batch: ReturnType<typeof randomTransitions>,
  o: { observationSize: number; actionSize: number; actorHiddenSize: number; criticHiddenSize: number; criticCount: number; lam: number; actionSamples: number; gamma: number; latentSize: number },
): number {
  const { observationSize: O, actionSize: A, actionSamples: N } = o;
  const B = batch.size;
  const meta = state.meta as { rng: ReturnType<Rng['getState']> };
  const rng = Rng.fromState(meta.rng);
  rng.fillNormal(new Float32Array(B * o.latentSize));
  const noise = rng.fillNormal(new Float32Array(B * N * A));
  const temperature = Math.exp(state.tensors.log_temperature!.data[0]!);
  const actor = new MlpStack({ inputSize: O, hiddenSizes: [o.actorHiddenSize, o.actorHiddenSize], outputSize: 2 * A, activation: 'relu' }, 1, state.tensors['actor/params']!.data);
  const shape = criticShape({ observationSize: O, actionSize: A, hiddenSize: o.criticHiddenSize, layers: 2 });
  const critics = Array.from({ length: o.criticCount }, (_, k) => ({
    online: new MlpStack(shape, 1, state.tensors[`critic${k + 1}/params`]!.data),
    target: new MlpStack(shape, 1, state.tensors[`critic${k + 1}/target`]!.data),
  }));
  const head = tf.tidy(() => actor.forward(0, tf.tensor2d(batch.nextObservations, [B, O])).output.dataSync() as Float32Array);
  const q = (net: MlpStack, s: Float32Array, a: Float32Array) =>
    tf.tidy(() => net.forward(0, tf.tensor2d(Float32Array.of(...s, ...a), [1, O + A])).output.dataSync()[0]!);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    let best = -Infinity;
    let bestLogProb = 0;
    for (let j = 0; j < N; j++) {
      const action = new Float32Array(A);
      let logProb = 0;
      for (let d = 0; d < A; d++) {
        const mu = head[b * 2 * A + d]!;
        const logStd = Math.min(2, Math.max(-20, head[b * 2 * A + A + d]!));
        const eps = noise[(b * N + j) * A + d]!;
        const u = mu + Math.exp(logStd) * eps;
        action[d] = Math.tanh(u);
        logProb += -0.5 * eps * eps - logStd - 0.5 * Math.log(2 * Math.PI) - Math.log(1 - Math.tanh(u) ** 2);
      }
      const values = critics.map((c) => q(c.target, batch.nextObservations.subarray(b * O, b * O + O), action));
      const mix = o.lam * Math.min(...values) + (1 - o.lam) * Math.max(...values);
      if (mix > best) [best, bestLogProb] = [mix, logProb];
    }
    const y = batch.rewards[b]! + o.gamma * (1 - batch.terminals[b]!) * (best - temperature * bestLogProb);
    for (const c of critics) loss += (q(c.online, batch.observations.subarray(b * O, b * O + O), batch.actions.subarray(b * A, b * A + A)) - y) ** 2 / B;
  }
  actor.dispose();
  for (const c of critics) [c.online, c.target].forEach((net) => net.dispose());
  return loss;
}
