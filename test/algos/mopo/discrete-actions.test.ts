import { beforeAll, describe, expect, it } from 'vitest';
import { DynamicsEnsemble } from '../../../src/algos/mopo/dynamics-ensemble.js';
import type { DynamicsData } from '../../../src/algos/mopo/fit.js';
import { CheckpointError } from '../../../src/errors.js';
import { initBackend } from '../../../src/nn/backend.js';
import { Rng } from '../../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** A 3-action system: each action pushes the 2-d state its own way; the reward prefers action 2. */
const O = 2;
const n = 3;
const PUSH = [
  [0.1, 0],
  [0, 0.1],
  [-0.1, -0.1],
];

function discreteData(size: number, rng: Rng): DynamicsData {
  const data = {
    observations: rng.fillUniform(new Float32Array(size * O), -1, 1),
    actions: new Float32Array(size),
    nextObservations: new Float32Array(size * O),
    rewards: new Float32Array(size),
    size,
    observationSize: O,
    actionSize: 1,
  };
  for (let i = 0; i < size; i++) {
    const a = rng.int(n);
    data.actions[i] = a;
    for (let d = 0; d < O; d++) data.nextObservations[i * O + d] = 0.9 * data.observations[i * O + d]! + PUSH[a]![d]! + 0.01 * rng.normal();
    data.rewards[i] = a === 2 ? 1 : 0;
  }
  return data;
}

/** The same transitions with each action written out one-hot, as box actions of size n. */
function oneHot(data: DynamicsData): DynamicsData {
  const actions = new Float32Array(data.size * n);
  for (let i = 0; i < data.size; i++) actions[i * n + data.actions[i]!] = 1;
  return { ...data, actions, actionSize: n };
}

const model = { observationSize: O, members: 3, elites: 2, hiddenSize: 16, layers: 2, weightDecays: [0, 0, 0], batchSize: 32, maxEpochs: 3, seed: 5 };

describe('dynamics ensemble with discrete actions (one-hot inputs)', () => {
  it('is, step for step, the box ensemble fed the one-hot actions: fit, predictions, rollout steps and penalties', async () => {
    const data = discreteData(300, new Rng(1));
    const discrete = new DynamicsEnsemble({ ...model, actionSize: 1, actionCount: n });
    const box = new DynamicsEnsemble({ ...model, actionSize: n });
    const fitDiscrete = await discrete.fit(data);
    const fitBox = await box.fit(oneHot(data));
    expect(fitDiscrete).toEqual(fitBox);

    const probe = discreteData(40, new Rng(2));
    expect(discrete.predict(probe.observations, probe.actions)).toEqual(box.predict(probe.observations, oneHot(probe).actions));
    expect(discrete.step(probe.observations, probe.actions, new Rng(3))).toEqual(box.step(probe.observations, oneHot(probe).actions, new Rng(3)));
    discrete.dispose();
    box.dispose();
  });

  it('learns what each action does', async () => {
    const ensemble = new DynamicsEnsemble({ ...model, actionSize: 1, actionCount: n, maxEpochs: 30, hiddenSize: 32, batchSize: 64 });
    await ensemble.fit(discreteData(1000, new Rng(4)));
    const state = Float32Array.of(0.2, -0.4);
    const prediction = ensemble.predict(Float32Array.of(...state, ...state, ...state), Float32Array.of(0, 1, 2));
    const width = O + 1;
    for (let a = 0; a < n; a++) {
      // Mean over members of the predicted next state and reward for action a.
      for (let d = 0; d < width; d++) {
        let sum = 0;
        for (let m = 0; m < prediction.members; m++) sum += prediction.means[(m * 3 + a) * width + d]!;
        const expected = d < O ? 0.9 * state[d]! + PUSH[a]![d]! : a === 2 ? 1 : 0;
        expect(Math.abs(sum / prediction.members - expected)).toBeLessThan(0.05);
      }
    }
    ensemble.dispose();
  });

  it('refuses an action that is not an index 0…n−1, and a saved state for the other kind of action', () => {
    const ensemble = new DynamicsEnsemble({ ...model, actionSize: 1, actionCount: n });
    expect(() => ensemble.predict(new Float32Array(2 * O), Float32Array.of(1, 3))).toThrow('expected an action index in 0…2 in row 1, got 3');
    const state = ensemble.getState();
    expect(() => DynamicsEnsemble.fromState(state, { actionCount: null })).toThrow(CheckpointError);
    expect(() => DynamicsEnsemble.fromState(state, { actionCount: null })).toThrow('The dynamics ensemble state has actionCount 3, this ensemble null.');
    ensemble.dispose();
  });
});
