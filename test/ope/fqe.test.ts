import { beforeAll, describe, expect, it } from 'vitest';
import type { OfflineDataset } from '../../src/data/offline-dataset.js';
import { initBackend } from '../../src/nn/backend.js';
import { discountedReturns, episodesOf } from '../../src/ope/episodes.js';
import { FittedQEvaluation } from '../../src/ope/fqe.js';
import { FQE_SETTINGS } from '../../src/ope/fqe-options.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/**
 * A chain of K states (one-hot observations) walked left to right whatever the action;
 * the last step ends the episode. Reward 1 − a², so for the policy π(sᵢ) = cᵢ
 *   Q^π(sᵢ, a) = 1 − a² + γ·V^π(sᵢ₊₁),  V^π(sᵢ) = Σ_{j ≥ i} γ^{j−i} (1 − c_j²),  V^π(s_K) = 0.
 * The logged actions are uniformly random, so the data cover every action.
 */
const K = 5;
const GAMMA = 0.9;
const policyActions = [0.5, -0.5, 0, 0.8, -0.2];

function chainData(episodes: number, rng: Rng): OfflineDataset {
  const size = episodes * K;
  const data = {
    size,
    observationSize: K,
    actionSize: 1,
    observations: new Float32Array(size * K),
    actions: new Float32Array(size),
    rewards: new Float32Array(size),
    nextObservations: new Float32Array(size * K),
    terminals: new Float32Array(size),
    timeouts: new Float32Array(size),
    source: { path: 'chain', rowsInFile: size, droppedRows: 0, nextObservationsFromFile: true, metadata: {} },
  };
  for (let e = 0; e < episodes; e++) {
    for (let i = 0; i < K; i++) {
      const row = e * K + i;
      const a = rng.uniformIn(-1, 1);
      data.observations[row * K + i] = 1;
      if (i + 1 < K) data.nextObservations[row * K + i + 1] = 1;
      data.actions[row] = a;
      data.rewards[row] = 1 - a * a;
      data.terminals[row] = i + 1 === K ? 1 : 0;
    }
  }
  return data;
}

const chainPolicy = {
  act(observations: Float32Array) {
    const rows = observations.length / K;
    return Float32Array.from({ length: rows }, (_, r) => policyActions[observations.subarray(r * K, r * K + K).indexOf(1)] ?? 0);
  },
};

function trueValue(state: number): number {
  let value = 0;
  for (let j = state; j < K; j++) value += GAMMA ** (j - state) * (1 - policyActions[j]! ** 2);
  return value;
}

describe('Fitted Q Evaluation', () => {
  it('converges to the known Q of a policy on a small chain MDP', () => {
    const data = chainData(400, new Rng(1));
    const settings = { ...FQE_SETTINGS.defaults(), steps: 2000, stepsPerEpoch: 1000, lr: 1e-3, gamma: GAMMA, hiddenSize: 64 };
    const fqe = new FittedQEvaluation(settings, { observationSize: K, actionSize: 1 });
    const result = fqe.fit(data, chainPolicy);
    const probes = [-0.9, -0.3, 0, 0.4, 1];
    let worst = 0;
    for (let state = 0; state < K; state++) {
      const observations = new Float32Array(probes.length * K);
      probes.forEach((_, k) => (observations[k * K + state] = 1));
      const q = fqe.values(observations, Float32Array.from(probes));
      probes.forEach((a, k) => {
        const truth = 1 - a * a + (state + 1 < K ? GAMMA * trueValue(state + 1) : 0);
        worst = Math.max(worst, Math.abs(q[k]! - truth));
      });
    }
    expect(worst).toBeLessThan(0.1); // Q ranges over [0, 3.9]
    // The estimate at the initial states is V^π(s₀); the logged random policy's own value is lower.
    expect(result.initialStateValue).toBeCloseTo(trueValue(0), 1);
    expect(result.curve.map((p) => p.step)).toEqual([1000, 2000]);
    expect(result.curve[1]!.loss).toBeLessThan(result.curve[0]!.loss);
    expect(result.episodes).toBe(400);
    expect(result.datasetDiscountedReturn).toBeLessThan(trueValue(0));
    fqe.dispose();
  });

  it('ranks logged episodes by soft OPC: the better half scores above the average', () => {
    // Same chain, but the return threshold splits the episodes into those whose actions
    // were near 0 (high reward) and the rest; a fitted Q rates the first higher.
    const data = chainData(200, new Rng(2));
    const settings = { ...FQE_SETTINGS.defaults(), steps: 1000, stepsPerEpoch: 1000, lr: 1e-3, gamma: GAMMA, hiddenSize: 32 };
    const fqe = new FittedQEvaluation(settings, { observationSize: K, actionSize: 1 });
    const result = fqe.fit(data, chainPolicy);
    expect(result.softOpc).toBeGreaterThan(0.05);
    expect(result.successEpisodes).toBe(100); // the median splits 200 episodes in two
    fqe.dispose();
  });

  it('finds episodes from the transitions alone, with their returns and discounted returns', () => {
    const data = chainData(3, new Rng(3));
    // Cut the first episode after its 2nd row by the time limit, and break the chain
    // between rows 6 and 7 (a file without next_observations lost the row between).
    data.timeouts[1] = 1;
    data.terminals[1] = 0;
    data.nextObservations.fill(0, 6 * K, 7 * K);
    const episodes = episodesOf(data);
    expect(Array.from(episodes.starts)).toEqual([0, 2, 5, 7, 10]);
    expect(episodes.returns[0]).toBeCloseTo(data.rewards[0]! + data.rewards[1]!, 6);
    expect(discountedReturns(data, episodes, 0.5)[1]).toBeCloseTo(data.rewards[2]! + 0.5 * data.rewards[3]! + 0.25 * data.rewards[4]!, 6);
  });
});
