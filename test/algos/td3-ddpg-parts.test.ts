// The pieces TD3 and DDPG share: the deterministic actor's backward pass, the policy
// gradient through a critic as the learners wire it, and the action noise.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { addExplorationNoise, smoothTargetActions } from '../../src/algos/action-noise.js';
import { Critic, criticShape, type CriticSpec } from '../../src/algos/critic.js';
import { DeterministicActor, deterministicActorShape, type DeterministicActorSpec } from '../../src/algos/deterministic-actor.js';
import { initBackend } from '../../src/nn/backend.js';
import { initialParams } from '../../src/nn/init.js';
import { ParamLayout } from '../../src/nn/layout.js';
import { MlpStack } from '../../src/nn/mlp-stack.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const actorSpec: DeterministicActorSpec = { observationSize: 3, actionSize: 2, hiddenSize: 8, layers: 2, lr: 1e-3, tau: 0.005 };
const rows = 4;

function newActor(rng: Rng): { actor: DeterministicActor; params: Float32Array } {
  const params = initialParams(new ParamLayout(deterministicActorShape(actorSpec), 1), 'torch_default', rng);
  return { actor: new DeterministicActor(actorSpec, params), params };
}

/** ∂loss/∂θᵢ by central differences, for every `stride`-th parameter. */
function numericGradient(actor: DeterministicActor, params: Float32Array, loss: () => number, stride: number): Map<number, number> {
  const h = 2e-3; // small enough not to straddle a ReLU kink, large enough for float32
  const state = actor.getState();
  const at = (i: number, delta: number) => {
    const p = params.slice();
    p[i]! += delta;
    actor.setState({ ...state, params: p });
    return loss();
  };
  const out = new Map<number, number>();
  for (let i = 0; i < params.length; i += stride) out.set(i, (at(i, h) - at(i, -h)) / (2 * h));
  actor.setState(state);
  return out;
}

/** Every checked parameter within 2% of the largest numeric gradient: a tolerance on the gradient's scale, not an absolute one. */
function expectGradient(analytic: Float32Array, numeric: Map<number, number>): void {
  const scale = Math.max(...[...numeric.values()].map(Math.abs));
  expect(scale).toBeGreaterThan(1e-3); // finite differences are meaningful at this scale in float32
  for (const [i, value] of numeric) expect(Math.abs(analytic[i]! - value), `param ${i}: ${analytic[i]} vs ${value}`).toBeLessThan(0.02 * scale);
}

describe('deterministic actor', () => {
  it('back-propagates through tanh and the MLP like central finite differences', () => {
    const rng = new Rng(3);
    const { actor, params } = newActor(rng);
    const observations = rng.fillNormal(new Float32Array(rows * 3));
    const upstream = rng.fillNormal(new Float32Array(rows * 2));
    // loss = Σ upstream ⊙ μ(s), so dLoss/dμ = upstream
    const loss = () => tf.tidy(() => tf.sum(tf.mul(actor.forward(tf.tensor2d(observations, [rows, 3])).action, tf.tensor2d(upstream, [rows, 2]))).dataSync()[0]!);
    const analytic = tf.tidy(() => actor.gradient(actor.forward(tf.tensor2d(observations, [rows, 3])), tf.tensor2d(upstream, [rows, 2])).dataSync() as Float32Array);
    expect(analytic.length).toBe(params.length);
    expectGradient(analytic, numericGradient(actor, params, loss, 3));
    actor.dispose();
  });

  it('gets the policy gradient of −mean Q(s, μ(s)) from a critic as TD3 and DDPG wire it', () => {
    const rng = new Rng(5);
    const { actor, params } = newActor(rng);
    const criticSpec: CriticSpec = { observationSize: 3, actionSize: 2, hiddenSize: 8, layers: 2, lr: 1e-3, tau: 0.005 };
    const critic = new Critic(criticSpec, initialParams(new ParamLayout(criticShape(criticSpec), 1), 'torch_default', rng));
    const observations = rng.fillNormal(new Float32Array(rows * 3));
    const piActions = actor.actions(observations);
    critic.evaluate(observations, rng.fillUniform(new Float32Array(rows * 2), -1, 1), rows);
    critic.train(rng.fillNormal(new Float32Array(rows)), piActions, rows);
    const dAction = critic.actionGradient(new Float32Array(rows).fill(-1 / rows), rows);
    const analytic = tf.tidy(() => actor.gradient(actor.forward(tf.tensor2d(observations, [rows, 3])), tf.tensor2d(dAction, [rows, 2])).dataSync() as Float32Array);

    // The probe (and so the gradient) uses the critic's weights after its step.
    const q = new MlpStack(criticShape(criticSpec), 1, critic.getState().params);
    const loss = () =>
      tf.tidy(() => {
        const input = tf.concat([tf.tensor2d(observations, [rows, 3]), actor.forward(tf.tensor2d(observations, [rows, 3])).action], 1);
        return tf.neg(tf.mean(q.forward(0, input).output)).dataSync()[0]!;
      });
    expectGradient(analytic, numericGradient(actor, params, loss, 3));
    q.dispose();
    critic.dispose();
    actor.dispose();
  });

  it('moves its target by Polyak averaging and restores its whole state', () => {
    const rng = new Rng(6);
    const { actor } = newActor(rng);
    const observations = rng.fillNormal(new Float32Array(rows * 3));
    tf.tidy(() => actor.step(actor.forward(tf.tensor2d(observations, [rows, 3])), tf.ones([rows, 2])));
    const before = actor.getState();
    expect(before.adamStep).toBe(1);
    expect(Array.from(before.target)).not.toEqual(Array.from(before.params));
    actor.updateTarget();
    const after = actor.getState();
    after.target.forEach((t, i) => expect(t).toBeCloseTo(0.995 * before.target[i]! + 0.005 * before.params[i]!, 6));
    const copy = newActor(new Rng(99)).actor;
    copy.setState(structuredClone(after));
    expect(copy.getState()).toEqual(after);
    expect(Array.from(copy.actions(observations))).toEqual(Array.from(actor.actions(observations)));
    copy.dispose();
    actor.dispose();
  });
});

describe('action noise', () => {
  it('keeps the target smoothing noise within its clip and the actions within [−1, 1]', () => {
    const rng = new Rng(8);
    const actions = rng.fillUniform(new Float32Array(20000), -1, 1);
    const smoothed = smoothTargetActions(actions.slice(), 1, 0.5, rng); // σ̃ = 1: most draws exceed the clip
    let atClip = 0;
    smoothed.forEach((a, i) => {
      const noise = a - actions[i]!;
      expect(Math.abs(a)).toBeLessThanOrEqual(1);
      if (Math.abs(a) < 1) {
        expect(Math.abs(noise)).toBeLessThanOrEqual(0.5 + 1e-6);
        if (Math.abs(Math.abs(noise) - 0.5) < 1e-6) atClip += 1;
      }
    });
    expect(atClip / smoothed.length).toBeGreaterThan(0.4); // P(|N(0,1)| > 0.5) ≈ 0.62, less the rows clipped at ±1
  });

  it('gives the default smoothing noise σ̃ = 0.2 a spread of about 0.2 inside the clip', () => {
    const rng = new Rng(9);
    const smoothed = smoothTargetActions(new Float32Array(20000), 0.2, 0.5, rng);
    const variance = smoothed.reduce((s, x) => s + x * x, 0) / smoothed.length;
    expect(Math.max(...smoothed)).toBeLessThanOrEqual(0.5);
    expect(Math.min(...smoothed)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.sqrt(variance)).toBeGreaterThan(0.19);
    expect(Math.sqrt(variance)).toBeLessThan(0.205); // a little under 0.2: the ±2.5σ̃ tails are cut
  });

  it('adds exploration noise of the given σ and clips to [−1, 1]', () => {
    const rng = new Rng(10);
    const noisy = addExplorationNoise(new Float32Array(20000), 0.1, rng);
    const std = Math.sqrt(noisy.reduce((s, x) => s + x * x, 0) / noisy.length);
    expect(std).toBeCloseTo(0.1, 2);
    const edge = addExplorationNoise(new Float32Array(1000).fill(0.99), 0.5, rng);
    for (const a of edge) expect(Math.abs(a)).toBeLessThanOrEqual(1);
    expect(edge.filter((a) => a === 1).length).toBeGreaterThan(400);
  });
});
