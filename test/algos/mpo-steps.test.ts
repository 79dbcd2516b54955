import { describe, expect, it } from 'vitest';
import { MIN_TEMPERATURE, sampleWeights, solveTemperature, temperatureDual, temperatureSlope } from '../../src/algos/mpo-estep.js';
import { decoupledKl, gaussianHeads, mStepTerms, sampleMoments, type Gaussians } from '../../src/algos/mpo-mstep.js';
import { Rng } from '../../src/util/rng.js';

describe("MPO's E-step", () => {
  // One state, two sampled actions with Q = 0 and 1. By hand, with t = 1/η:
  //   g(η) = ηε + 1 + η·log((1 + e^−t)/2),  g′(η) = ε + log((1 + e^−t)/2) + t·e^−t/(1 + e^−t).
  // Choosing ε = log 2 − log(1 + e^−1) − e^−1/(1 + e^−1) makes g′(1) = 0: the minimiser is η = 1,
  // where the weights are softmax(0, 1) = (1, e)/(1 + e).
  const q = Float32Array.of(0, 1);
  const e1 = Math.exp(-1);
  const epsilon = Math.LN2 - Math.log(1 + e1) - e1 / (1 + e1); // 0.110944…

  it('solves the dual for the temperature computed by hand, from any start', () => {
    expect(epsilon).toBeCloseTo(0.110944, 6);
    for (const start of [1e-3, 0.5, 1, 7, 300]) expect(solveTemperature(q, 1, 2, epsilon, start)).toBeCloseTo(1, 9);
    expect(temperatureSlope(q, 1, 2, epsilon, 1).slope).toBeCloseTo(0, 12);
    expect(temperatureDual(q, 1, 2, epsilon, 1)).toBeCloseTo(epsilon + 1 + Math.log((1 + e1) / 2), 12);
    // the minimum: g is larger on both sides
    expect(temperatureDual(q, 1, 2, epsilon, 0.9)).toBeGreaterThan(temperatureDual(q, 1, 2, epsilon, 1));
    expect(temperatureDual(q, 1, 2, epsilon, 1.1)).toBeGreaterThan(temperatureDual(q, 1, 2, epsilon, 1));
  });

  it('weights the samples by softmax(Q/η)', () => {
    const weights = sampleWeights(q, 1, 2, 1, new Float64Array(2));
    expect(weights[0]).toBeCloseTo(1 / (1 + Math.E), 12);
    expect(weights[1]).toBeCloseTo(Math.E / (1 + Math.E), 12);
    // a lower temperature sharpens them
    expect(sampleWeights(q, 1, 2, 0.1, new Float64Array(2))[1]).toBeCloseTo(1 / (1 + Math.exp(-10)), 12);
  });

  it('keeps η at its bound when the KL allowance is at least log N (any weights are allowed)', () => {
    expect(solveTemperature(q, 1, 2, Math.LN2 + 0.01, 1)).toBe(MIN_TEMPERATURE);
  });

  it('averages the dual over states, each shifted by its own maximum', () => {
    // two states whose Q differ by a constant: the same η as one of them alone
    const rows = Float32Array.of(0, 1, 100, 101);
    expect(solveTemperature(rows, 2, 2, epsilon, 3)).toBeCloseTo(1, 9);
    const g = temperatureDual(rows, 2, 2, epsilon, 1);
    expect(g).toBeCloseTo(epsilon + (1 + 101) / 2 + Math.log((1 + e1) / 2), 9);
  });
});

describe("MPO's M-step", () => {
  const target: Gaussians = { mean: Float64Array.of(0), std: Float64Array.of(1) };

  it('measures the decoupled KLs of mean and covariance as computed by hand', () => {
    const current: Gaussians = { mean: Float64Array.of(0.5), std: Float64Array.of(2) };
    const kl = decoupledKl(target, current, 1, 1);
    expect(kl.mean).toBeCloseTo(0.5 * 0.25, 12); // ½(μ − μ′)²/σ′²
    expect(kl.variance).toBeCloseTo(0.5 * (1 / 4 - 1 + Math.log(4)), 12); // ½(σ′²/σ² − 1 + ln σ²/σ′²)
  });

  it('reads μ = tanh(m) and σ = softplus(r) + 1e-4 from the actor output', () => {
    const heads = gaussianHeads(Float32Array.of(0.3, -2, 0, 1), 1, 2);
    expect(heads.mean[0]).toBeCloseTo(Math.tanh(0.3), 6);
    expect(heads.mean[1]).toBeCloseTo(Math.tanh(-2), 6);
    expect(heads.std[0]).toBeCloseTo(Math.log(2) + 1e-4, 6);
    expect(heads.std[1]).toBeCloseTo(Math.log1p(Math.E) + 1e-4, 6);
  });

  it('gives the gradient of its loss with respect to the actor output, as finite differences do', () => {
    const rng = new Rng(3);
    const B = 3;
    const A = 2;
    const N = 5;
    const targetOutput = Float64Array.from({ length: B * 2 * A }, () => rng.uniformIn(-1, 1));
    const targetPolicy = gaussianHeads(targetOutput, B, A);
    const actions = Float64Array.from({ length: B * N * A }, () => rng.uniformIn(-1.5, 1.5));
    const raw = Float64Array.from({ length: B * N }, () => rng.uniform());
    const weights = raw.map((w, i) => w / raw.slice(Math.floor(i / N) * N, Math.floor(i / N) * N + N).reduce((a, b) => a + b, 0));
    const moments = sampleMoments(actions, weights, targetPolicy, B, N, A);
    const settings = { rows: B, samples: N, actionSize: A, alphaMean: 0.07, alphaVariance: 3, klMeanConstraint: 0.01, klVarConstraint: 1e-4 };
    const output = Float64Array.from({ length: B * 2 * A }, () => rng.uniformIn(-1, 1));
    const loss = (out: Float64Array) => mStepTerms(out, gaussianHeads(out, B, A), targetPolicy, moments, settings).loss;
    const { dOutput, fit } = mStepTerms(output, gaussianHeads(output, B, A), targetPolicy, moments, settings);
    // F by its definition: the mean over all N·B (state, sample) pairs of q·[log N(a; μ, σ′²) + log N(a; μ′, σ²)]
    const current = gaussianHeads(output, B, A);
    const logNormal = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
    let direct = 0;
    for (let s = 0; s < B; s++) {
      for (let k = 0; k < N; k++) {
        for (let j = 0; j < A; j++) {
          const a = actions[(s * N + k) * A + j]!;
          const i = s * A + j;
          direct += weights[s * N + k]! * (logNormal(a, current.mean[i]!, targetPolicy.std[i]!) + logNormal(a, targetPolicy.mean[i]!, current.std[i]!));
        }
      }
    }
    expect(fit).toBeCloseTo(direct / (N * B), 10);
    for (let i = 0; i < output.length; i++) {
      const h = 1e-6;
      const up = output.slice();
      const down = output.slice();
      up[i]! += h;
      down[i]! -= h;
      expect(dOutput[i]).toBeCloseTo((loss(up) - loss(down)) / (2 * h), 5);
    }
  });
});
