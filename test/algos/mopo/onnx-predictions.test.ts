// ONNX Runtime runs in a compute worker, which loads the compiled code under dist/: `npm test` builds it first.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamicsEnsemble } from '../../../src/algos/mopo/dynamics-ensemble.js';
import { initBackend } from '../../../src/nn/backend.js';
import { probeInference } from '../../../src/nn/onnx/inference-route.js';
import { Rng } from '../../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const saved = process.env.MOPO_ONNXRUNTIME;
afterEach(() => {
  if (saved === undefined) delete process.env.MOPO_ONNXRUNTIME;
  else process.env.MOPO_ONNXRUNTIME = saved;
});

const O = 5;
const A = 3;
const model = { observationSize: O, actionSize: A, members: 5, elites: 3, hiddenSize: 32, layers: 3, weightDecays: [2.5e-5, 5e-5, 7.5e-5, 1e-4], seed: 4 };

/** A trained-looking ensemble: a few steps on random data so the weights and bounds move off their start. */
function trainedEnsemble(): DynamicsEnsemble {
  const ensemble = new DynamicsEnsemble(model);
  const rng = new Rng(8);
  for (let i = 0; i < 5; i++) ensemble.trainBatch(rng.fillNormal(new Float32Array(5 * 64 * (O + A))), rng.fillNormal(new Float32Array(5 * 64 * (O + 1))), 64);
  return ensemble;
}

function worstRelative(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  return worst;
}

describe("the dynamics ensemble's predictions through ONNX Runtime", () => {
  // 5 000 rows: three chunks of the rollout, the last one partial.
  const rows = 5000;
  const data = new Rng(3);
  const observations = data.fillNormal(new Float32Array(rows * O));
  const actions = data.fillUniform(new Float32Array(rows * A), -1, 1);

  it('agree with the tfjs path up to float rounding', async () => {
    process.env.MOPO_ONNXRUNTIME = 'cpu';
    const ensemble = trainedEnsemble();
    const here = ensemble.predict(observations, actions);
    const { route } = await ensemble.predictWithOnnxRuntime(1);
    expect(route).toMatch(/^onnxruntime-node .*\(cpu\)$/);
    const onnx = ensemble.predict(observations, actions);
    expect(worstRelative(onnx.means, here.means)).toBeLessThan(1e-4);
    expect(worstRelative(onnx.variances, here.variances)).toBeLessThan(1e-4);
    ensemble.dispose();
  });

  it('step rollouts the same bit for bit, run after run and with any number of threads, and follow new weights', async () => {
    process.env.MOPO_ONNXRUNTIME = 'cpu';
    const steps = [];
    for (const threads of [1, 2, 1]) {
      const ensemble = trainedEnsemble();
      await ensemble.predictWithOnnxRuntime(threads);
      steps.push(ensemble.step(observations, actions, new Rng(11)));
      ensemble.trainBatch(new Rng(1).fillNormal(new Float32Array(5 * 8 * (O + A))), new Rng(2).fillNormal(new Float32Array(5 * 8 * (O + 1))), 8);
      steps.push(ensemble.step(observations, actions, new Rng(11)));
      ensemble.dispose();
    }
    expect(steps[2]).toEqual(steps[0]);
    expect(steps[4]).toEqual(steps[0]);
    expect(steps[3]).toEqual(steps[1]);
    expect(steps[1]!.nextObservations).not.toEqual(steps[0]!.nextObservations);
  });

  it('are not taken when MOPO_ONNXRUNTIME=off, and the ensemble then predicts with tfjs as before', async () => {
    process.env.MOPO_ONNXRUNTIME = 'off';
    expect(await probeInference(1)).toEqual({ route: null, reason: 'MOPO_ONNXRUNTIME=off' });
    const ensemble = trainedEnsemble();
    const before = ensemble.step(observations, actions, new Rng(5));
    expect((await ensemble.predictWithOnnxRuntime(1)).route).toBeNull();
    expect(ensemble.step(observations, actions, new Rng(5))).toEqual(before);
    ensemble.dispose();
  });
});
