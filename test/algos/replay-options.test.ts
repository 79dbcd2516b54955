// The options every off-policy learner shares (actor-critic-options.ts, learner.ts): gradient
// clipping, the target update interval and rate, n-step discounts, importance weights and
// TD errors, checked on every row of the learner table that takes them.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm } from '../../src/algos/clip-gradient.js';
import type { Learner } from '../../src/algos/learner.js';
import { LEARNERS, type LearnerRow } from '../../src/algos/learner-table.js';
import type { TransitionBatch } from '../../src/data/replay-buffer.js';
import type { ActionKind } from '../../src/envs/action-space.js';
import { initBackend } from '../../src/nn/backend.js';
import type { ModuleState } from '../../src/nn/state.js';
import { Rng } from '../../src/util/rng.js';
import { randomTransitions } from '../helpers/point-task.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const sizes = { observationSize: 5, actionSize: 2 };
const small = { ...sizes, actorHiddenSize: 16, criticHiddenSize: 16, sampleActionNum: 4, seed: 3 };
// The discrete learners (ddqn, discrete_sac) take one action index a row, here of discrete(3).
const discreteSpace = { kind: 'discrete', n: 3 } as const;
const smallDiscrete = { ...small, actionSize: 1, actionSpace: discreteSpace, hiddenSize: 16 };
/** DDQN has one network (q); the actor-critic learners at least two. */
const fewestNetworks = (row: LearnerRow) => (row.name === 'ddqn' ? 1 : 2);

function norm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! ** 2;
  return Math.sqrt(sum);
}

function batches(kind: ActionKind, count: number, seed: number, rows = 16): TransitionBatch[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    if (kind === 'box') return randomTransitions(rng, rows, sizes.observationSize, sizes.actionSize);
    const batch = randomTransitions(rng, rows, sizes.observationSize, 1);
    for (let i = 0; i < rows; i++) batch.actions[i] = rng.int(discreteSpace.n);
    return batch;
  });
}

function smallFor(kind: ActionKind) {
  return kind === 'box' ? small : smallDiscrete;
}

/** Each update's metrics, then the final state. */
async function train(row: LearnerRow, kind: ActionKind, settings: Record<string, unknown>, data: TransitionBatch[], tdErrors: Float32Array | null = null) {
  const learner: Learner = await row.create({ ...smallFor(kind), ...settings });
  const measured = data.map((batch) => learner.update(batch, { metrics: true, tdErrors }));
  const state = learner.getState();
  learner.dispose();
  return { measured, state };
}

function changed(a: ModuleState, b: ModuleState, key: string): boolean {
  return Array.from(a.tensors[key]!.data).some((v, i) => v !== b.tensors[key]!.data[i]);
}

describe('clipByGlobalNorm', () => {
  it('never leaves a gradient longer than the norm, keeps its direction, and leaves short ones alone', () => {
    const rng = new Rng(1);
    for (const [size, scale] of [[1000, 1e-4], [1000, 0.05], [1000, 1], [70_000, 30], [300_000, 1e5]] as const) {
      const values = rng.fillNormal(new Float32Array(size), 0.3 * scale, scale);
      const clipped = tf.tidy(() => clipByGlobalNorm(tf.tensor1d(values), 0.5).dataSync() as Float32Array);
      if (norm(values) <= 0.5) {
        expect(Array.from(clipped)).toEqual(Array.from(values));
      } else {
        // up to the float32 rounding of the scaled values
        expect(norm(clipped)).toBeLessThanOrEqual(0.5 * (1 + 1e-7));
        expect(norm(clipped)).toBeGreaterThan(0.4999);
        const ratio = clipped[0]! / values[0]!;
        for (let i = 0; i < size; i += 997) expect(clipped[i]! / values[i]!).toBeCloseTo(ratio, 5);
      }
    }
    const gradient = tf.tensor1d([3, 4]);
    expect(clipByGlobalNorm(gradient, null)).toBe(gradient); // off: the very same tensor
    gradient.dispose();
  });
});

// A row for each action space it acts in (MPO: both).
const weightedRows = LEARNERS.filter((row) => row.weightedReplay).flatMap((row) => row.actionKinds.map((kind) => [`${row.name} (${kind})`, row, kind] as const));

describe.each(weightedRows)('%s with the shared off-policy options', (_name, row, kind) => {
  it("clips every network's gradient: no Adam first moment exceeds max_grad_norm", async () => {
    const data = batches(kind, 3, 1);
    const moments = (state: ModuleState) => Object.keys(state.tensors).filter((k) => k.endsWith('/adam/m') && !k.startsWith('log_alpha'));
    const clipped = (await train(row, kind, { maxGradNorm: 1e-3 }, data)).state;
    const free = (await train(row, kind, { maxGradNorm: null }, data)).state;
    expect(moments(clipped).length).toBeGreaterThanOrEqual(fewestNetworks(row));
    // m is a convex combination of the clipped gradients scaled by 1 − β₁ᵗ < 1
    for (const key of moments(clipped)) expect(norm(clipped.tensors[key]!.data), key).toBeLessThanOrEqual(1e-3);
    // without clipping they are larger: the bound above is not met by accident
    for (const key of moments(free)) expect(norm(free.tensors[key]!.data), key).toBeGreaterThan(2e-3);
  });

  it('moves the targets on every target_update_interval-th update only', async () => {
    const learner = await row.create({ ...smallFor(kind), targetUpdateInterval: 3 });
    let previous = learner.getState();
    const targets = Object.keys(previous.tensors).filter((k) => k.endsWith('/target'));
    expect(targets.length).toBeGreaterThanOrEqual(fewestNetworks(row));
    for (const [u, batch] of batches(kind, 6, 2).entries()) {
      learner.update(batch, { metrics: false });
      const next = learner.getState();
      for (const key of targets) expect(changed(previous, next, key), `${key} after update ${u + 1}`).toBe((u + 1) % 3 === 0);
      previous = next;
    }
    learner.dispose();
  });

  // DDQN has pytorchrl's polyak only (no tau): the equivalence is a question for the others.
  if ('tau' in row.settings.fields) it("takes pytorchrl's polyak as 1 − tau", async () => {
    const data = batches(kind, 2, 3);
    expect((await train(row, kind, { polyak: 0.5 }, data)).state.tensors).toEqual((await train(row, kind, { tau: 0.5 }, data)).state.tensors);
    expect(() => row.settings.resolve({ polyak: 0.99, tau: 0.1 })).toThrow(/both set the target update rate/);
  });

  it("bootstraps each row with its own discount (n-step rows): γᵏ in place of γ, 0 like a termination", async () => {
    const data = batches(kind, 3, 4);
    const withDiscounts = data.map((b) => ({ ...b, discounts: new Float32Array(b.size).fill(0.5) }));
    expect((await train(row, kind, { gamma: 0.5 }, withDiscounts)).measured).toEqual((await train(row, kind, { gamma: 0.5 }, data)).measured);
    const noBootstrap = data.map((b) => ({ ...b, discounts: new Float32Array(b.size) }));
    const terminal = data.map((b) => ({ ...b, terminals: new Float32Array(b.size).fill(1) }));
    expect((await train(row, kind, {}, noBootstrap)).state).toEqual((await train(row, kind, {}, terminal)).state);
  });

  it('weighs each row by its importance weight: weights of 1 change nothing, weights of 0 move no critic', async () => {
    const data = batches(kind, 2, 5);
    const ones = data.map((b) => ({ ...b, weights: new Float32Array(b.size).fill(1) }));
    expect((await train(row, kind, {}, ones)).state).toEqual((await train(row, kind, {}, data)).state);
    const learner = await row.create(smallFor(kind));
    const before = learner.getState();
    learner.update({ ...data[0]!, weights: new Float32Array(data[0]!.size) }, { metrics: false });
    const after = learner.getState();
    const critics = Object.keys(before.tensors).filter((k) => (k.startsWith('critic') || k.startsWith('q/')) && k.endsWith('/params'));
    expect(critics.length).toBeGreaterThanOrEqual(1);
    for (const key of critics) expect(changed(before, after, key), key).toBe(false);
    learner.dispose();
  });

  it('writes a TD error for every row, without changing the update', async () => {
    const data = batches(kind, 2, 6);
    const tdErrors = new Float32Array(16).fill(-1);
    const { measured } = await train(row, kind, {}, data, tdErrors);
    expect(measured).toEqual((await train(row, kind, {}, data)).measured);
    for (const e of tdErrors) expect(e).toBeGreaterThanOrEqual(0);
    expect(new Set(tdErrors).size).toBeGreaterThan(8);
    // With one critic, the TD errors are its |Q(s, a) − y|: their mean square is the critic loss.
    if (!('critic1/params' in (await train(row, kind, {}, data.slice(0, 1))).state.tensors)) {
      const meanSquare = tdErrors.reduce((sum, e) => sum + e * e, 0) / tdErrors.length;
      expect(meanSquare).toBeCloseTo(measured[1]!.criticLoss!, 5);
    }
  });
});
