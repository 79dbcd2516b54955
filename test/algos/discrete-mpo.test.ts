// MPO on discrete actions: its E-step with the target policy as the prior, its M-step's
// KL and multiplier, the critic's target, and the learner built from them.
import { beforeAll, describe, expect, it } from 'vitest';
import { criticTargets, DiscreteMpo } from '../../src/algos/discrete-mpo.js';
import { logSoftmax } from '../../src/algos/discrete-sac.js';
import { learnerRow } from '../../src/algos/learner-table.js';
import { Mpo } from '../../src/algos/mpo.js';
import { sampleWeights, solveTemperature, temperatureDual, temperatureSlope } from '../../src/algos/mpo-estep.js';
import { categoricalKl, categoricalMStepTerms, nextMultiplier } from '../../src/algos/mpo-mstep-categorical.js';
import { allocateBatch, type TransitionBatch } from '../../src/data/replay-buffer.js';
import { discrete } from '../../src/envs/action-space.js';
import { initBackend } from '../../src/nn/backend.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe("discrete MPO's E-step: all n actions, weighted by the target policy", () => {
  // One state, two actions with Q = (0, 1) and target-policy probabilities π′ = (3/4, 1/4).
  // By hand, with t = 1/η and m = 1 (so z = (−t, 0)):
  //   g(η)  = ηε + 1 + η·log(¾e^−t + ¼)
  //   g′(η) = ε + log(¾e^−t + ¼) + t·¾e^−t/(¾e^−t + ¼)
  // ε chosen so that g′(½) = 0 makes η = ½ the minimiser, where
  //   q = (¾·e^0, ¼·e^2)/(¾ + ¼e²) = (0.288765…, 0.711235…).
  const q = Float32Array.of(0, 1);
  const prior = Float64Array.of(0.75, 0.25);
  const e2 = Math.exp(-2);
  const epsilon = -Math.log(0.75 * e2 + 0.25) - (2 * 0.75 * e2) / (0.75 * e2 + 0.25); // 0.468011…

  it('solves the dual with the prior for the temperature computed by hand, from any start', () => {
    expect(epsilon).toBeCloseTo(0.468011, 6);
    for (const start of [1e-3, 0.2, 0.5, 4, 300]) expect(solveTemperature(q, 1, 2, epsilon, start, prior)).toBeCloseTo(0.5, 9);
    expect(temperatureSlope(q, 1, 2, epsilon, 0.5, prior).slope).toBeCloseTo(0, 12);
    expect(temperatureDual(q, 1, 2, epsilon, 0.5, prior)).toBeCloseTo(epsilon / 2 + 1 + 0.5 * Math.log(0.75 * e2 + 0.25), 12);
    // without the prior (equally likely actions) the same ε gives another temperature
    expect(Math.abs(solveTemperature(q, 1, 2, epsilon, 1) - 0.5)).toBeGreaterThan(0.1);
  });

  it('weighs each action by π′(a|s)·exp(Q/η)', () => {
    const weights = sampleWeights(q, 1, 2, 0.5, new Float64Array(2), prior);
    expect(weights[0]).toBeCloseTo(0.75 / (0.75 + 0.25 * Math.exp(2)), 12);
    expect(weights[1]).toBeCloseTo((0.25 * Math.exp(2)) / (0.75 + 0.25 * Math.exp(2)), 12);
    expect(weights[1]).toBeCloseTo(0.711235, 6);
    // softmax(Q/η) alone would give the better action 0.880797
    expect(sampleWeights(q, 1, 2, 0.5, new Float64Array(2))[1]).toBeCloseTo(0.880797, 6);
  });

  it('reduces to the sample E-step under a uniform prior, and ignores actions the prior never takes', () => {
    const rows = Float32Array.of(0.3, -1, 2, 5, 4, 4.5);
    const uniform = new Float64Array(6).fill(1 / 3);
    expect(solveTemperature(rows, 2, 3, 0.2, 1, uniform)).toBeCloseTo(solveTemperature(rows, 2, 3, 0.2, 1), 9);
    const w = sampleWeights(rows, 2, 3, 0.7, new Float64Array(6), uniform);
    const v = sampleWeights(rows, 2, 3, 0.7, new Float64Array(6));
    for (let i = 0; i < 6; i++) expect(w[i]).toBeCloseTo(v[i]!, 12);
    // π′ = (½, ½, 0): the third action, the best, gets no weight and the dual is that of the first two
    const withZero = Float64Array.of(0.5, 0.5, 0, 0.5, 0.5, 0);
    const firstTwo = Float32Array.of(0.3, -1, 5, 4);
    expect(solveTemperature(rows, 2, 3, 0.2, 1, withZero)).toBeCloseTo(solveTemperature(firstTwo, 2, 2, 0.2, 1), 9);
    expect(sampleWeights(rows, 2, 3, 0.7, new Float64Array(6), withZero)[2]).toBe(0);
  });
});

describe("discrete MPO's M-step: one KL bound and its multiplier", () => {
  it('measures KL(π′‖π) as computed by hand', () => {
    // π′ = (½, ½), π = (¼, ¾): ½ ln(½/¼) + ½ ln(½/¾) = ½ ln(4/3)
    const kl = categoricalKl(Float64Array.of(Math.log(0.5), Math.log(0.5)), Float64Array.of(Math.log(0.25), Math.log(0.75)), 1, 2);
    expect(kl).toBeCloseTo(0.5 * Math.log(4 / 3), 12);
    // averaged over rows; a row where both agree adds 0, an action π′ never takes adds 0
    const two = categoricalKl(Float64Array.of(Math.log(0.5), Math.log(0.5), 0, -Infinity), Float64Array.of(Math.log(0.25), Math.log(0.75), Math.log(0.9), Math.log(0.1)), 2, 2);
    expect(two).toBeCloseTo((0.5 * Math.log(4 / 3) + Math.log(1 / 0.9)) / 2, 12);
  });

  it("moves the multiplier α ← clip(α − scale·(ε − KL), 0, max) with pytorchrl's defaults", () => {
    const defaults = { scale: 10, bound: 0.01, max: 1 };
    expect(nextMultiplier(0.5, defaults, 0.03)).toBeCloseTo(0.7, 12); // KL above the bound: α grows
    expect(nextMultiplier(0.5, defaults, 0)).toBeCloseTo(0.4, 12); // below: α shrinks
    expect(nextMultiplier(0.5, defaults, 0.2)).toBe(1); // clipped at alpha_max
    expect(nextMultiplier(0.05, defaults, 0)).toBe(0); // and at 0
  });

  it('gives the gradient of its loss with respect to the logits, as finite differences do', () => {
    const rng = new Rng(5);
    const B = 3;
    const n = 4;
    const targetLogProbs = logSoftmax(Float64Array.from({ length: B * n }, () => rng.uniformIn(-1, 1)), B, n);
    const raw = Float64Array.from({ length: B * n }, () => rng.uniform());
    const weights = raw.map((w, i) => w / raw.slice(Math.floor(i / n) * n, Math.floor(i / n) * n + n).reduce((a, b) => a + b, 0));
    const settings = { rows: B, n, alpha: 0.6, klConstraint: 0.01 };
    const logits = Float64Array.from({ length: B * n }, () => rng.uniformIn(-1, 1));
    const terms = (z: Float64Array) => categoricalMStepTerms(logSoftmax(z, B, n), targetLogProbs, weights, settings);
    const { dLogits, fit, kl, loss } = terms(logits);
    // F and L by their definitions
    const logProbs = logSoftmax(logits, B, n);
    expect(fit).toBeCloseTo(weights.reduce((sum, w, i) => sum + w * logProbs[i]!, 0) / (B * n), 12);
    expect(kl).toBeCloseTo(categoricalKl(targetLogProbs, logProbs, B, n), 12);
    expect(loss).toBeCloseTo(-(fit + 0.6 * (0.01 - kl)), 12);
    for (let i = 0; i < logits.length; i++) {
      const h = 1e-6;
      const up = logits.slice();
      const down = logits.slice();
      up[i]! += h;
      down[i]! -= h;
      expect(dLogits[i]).toBeCloseTo((terms(up).loss - terms(down).loss) / (2 * h), 6);
    }
  });
});

describe("discrete MPO's critic target", () => {
  it('is r + γ(1 − d)·Σ_a π′(a|s′)Q′(s′, a), with each row\'s n-step discount where given', () => {
    const batch = { size: 3, rewards: Float32Array.of(1, 2, -1), terminals: Float32Array.of(0, 1, 0), discounts: undefined };
    const nextPolicy = Float64Array.of(0.25, 0.75, 0.5, 0.5, 1, 0);
    const nextValues = Float32Array.of(2, 4, 10, 10, 3, 100);
    // row 0: 1 + 0.9·(0.5 + 3) = 4.15; row 1: terminal, 2; row 2: −1 + 0.9·3 = 1.7
    const y = criticTargets(batch, 0.9, nextPolicy, nextValues, 2);
    expect(Array.from(y)).toEqual([Math.fround(4.15), 2, Math.fround(1.7)]);
    const nStep = criticTargets({ ...batch, discounts: Float32Array.of(0.5, 0.5, 0.25) }, 0.9, nextPolicy, nextValues, 2);
    expect(Array.from(nStep)).toEqual([Math.fround(1 + 0.5 * 3.5), 2, Math.fround(-1 + 0.25 * 3)]);
  });
});

/**
 * A contextual bandit with 3 actions: the observation x ∈ [−1, 1]² asks for action 0
 * when x₀ < −⅓, 2 when x₀ > ⅓, else 1; the right one pays 1, the others 0; every step ends.
 */
function banditBatch(rows: number, rng: Rng): TransitionBatch {
  const batch = allocateBatch(rows, 2, 1);
  rng.fillUniform(batch.observations, -1, 1);
  rng.fillUniform(batch.nextObservations, -1, 1);
  for (let i = 0; i < rows; i++) {
    const action = rng.int(3);
    batch.actions[i] = action;
    batch.rewards[i] = action === banditAnswer(batch.observations[2 * i]!) ? 1 : 0;
    batch.terminals[i] = 1;
  }
  return batch;
}

function banditAnswer(x: number): number {
  return x < -1 / 3 ? 0 : x > 1 / 3 ? 2 : 1;
}

describe('discrete MPO', () => {
  const small = { observationSize: 2, actionCount: 3, actorHiddenSize: 32, criticHiddenSize: 32, actorLr: 1e-3, criticLr: 1e-3, tau: 0.05, seed: 1 };

  it('learns a contextual bandit from random data: its greedy action is right far more often than chance', () => {
    const rng = new Rng(8);
    const mpo = new DiscreteMpo(small);
    for (let update = 0; update < 300; update++) mpo.update(banditBatch(64, rng), { metrics: false });
    const test = new Rng(9).fillUniform(new Float32Array(2 * 300), -1, 1);
    const actions = mpo.act(test, true);
    let right = 0;
    for (let i = 0; i < 300; i++) right += actions[i] === banditAnswer(test[2 * i]!) ? 1 : 0;
    expect(right / 300).toBeGreaterThan(0.85); // chance: 1/3
    mpo.dispose();
  });

  it('holds its multiplier within [0, alpha_max], raising it when the KL bound binds and leaving it at 0 when it does not', () => {
    const run = (settings: object) => {
      const mpo = new DiscreteMpo({ ...small, ...settings });
      const rng = new Rng(4);
      const rows = Array.from({ length: 20 }, () => mpo.update(banditBatch(32, rng), { metrics: true })!);
      mpo.dispose();
      return rows;
    };
    const tight = run({ klConstraint: 1e-9, alphaMax: 0.3 });
    expect(tight.at(-1)!.alpha).toBe(0.3);
    const loose = run({ klConstraint: 10 });
    expect(loose.every((m) => m.alpha === 0)).toBe(true);
    for (const m of [...tight, ...loose]) {
      expect(m.eta).toBeGreaterThan(0);
      expect(m.kl).toBeGreaterThanOrEqual(0);
      expect(m.entropy).toBeGreaterThan(0);
      expect(m.entropy).toBeLessThanOrEqual(Math.log(3) + 1e-9);
      for (const value of Object.values(m)) expect(Number.isFinite(value)).toBe(true);
    }
    // the tight bound holds the policy closer to the target policy
    expect(tight.at(-1)!.kl).toBeLessThan(loose.at(-1)!.kl);
  });

  it('acts greedily (argmax π) when deterministic, else draws from π with the given Rng', () => {
    const mpo = new DiscreteMpo(small);
    const rng = new Rng(6);
    for (let update = 0; update < 100; update++) mpo.update(banditBatch(64, rng), { metrics: false });
    const observations = new Rng(2).fillUniform(new Float32Array(2 * 400), -1, 1);
    const greedy = mpo.act(observations, true);
    expect(greedy.every((a) => a === 0 || a === 1 || a === 2)).toBe(true);
    const drawn = mpo.act(observations, false, new Rng(3));
    expect(drawn).toEqual(mpo.act(observations, false, new Rng(3)));
    expect(new Set(drawn).size).toBe(3);
    expect(drawn.some((a, i) => a !== greedy[i])).toBe(true);
    expect(() => mpo.act(observations, false)).toThrow('a stochastic action needs an Rng');
    mpo.dispose();
  });

  it('is what algo=mpo builds on a discrete env, and the Gaussian MPO on a box env; each state restores to its own', async () => {
    const row = learnerRow('mpo');
    const categorical = await row.create({ observationSize: 2, actionSize: 1, actionSpace: discrete(3), seed: 0 });
    const gaussian = await row.create({ observationSize: 2, actionSize: 3, seed: 0 });
    expect(categorical).toBeInstanceOf(DiscreteMpo);
    expect(gaussian).toBeInstanceOf(Mpo);
    expect(await row.fromState(categorical.getState())).toBeInstanceOf(DiscreteMpo);
    expect(await row.fromState(gaussian.getState())).toBeInstanceOf(Mpo);
    expect(() => DiscreteMpo.fromState(gaussian.getState())).toThrow('This is not a discrete MPO state saved by mopo');
    for (const learner of [categorical, gaussian]) learner.dispose();
  });
});
