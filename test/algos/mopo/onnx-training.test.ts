// ONNX Runtime trains in a compute worker, which loads the compiled code under dist/: `npm test` builds it first.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamicsEnsemble } from '../../../src/algos/mopo/dynamics-ensemble.js';
import { MemberGroup, type MemberGroupSpec } from '../../../src/algos/mopo/member-group.js';
import { OnnxMemberTrainer } from '../../../src/algos/mopo/onnx-member-trainer.js';
import { initBackend } from '../../../src/nn/backend.js';
import { probeInference } from '../../../src/nn/onnx/inference-route.js';
import { Rng } from '../../../src/util/rng.js';
import { runCli, removeTempDirs, tempDir } from '../../helpers/cli.js';
import { readMetrics, TINY_MOPO } from '../../helpers/train-job.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const saved = process.env.MOPO_ONNXRUNTIME;
afterEach(() => {
  if (saved === undefined) delete process.env.MOPO_ONNXRUNTIME;
  else process.env.MOPO_ONNXRUNTIME = saved;
});
afterAll(removeTempDirs);

const O = 5;
const A = 3;
const MEMBERS = 3;
const model = { observationSize: O, actionSize: A, members: MEMBERS, elites: 2, hiddenSize: 32, layers: 3, weightDecays: [2.5e-5, 5e-5, 7.5e-5, 1e-4], seed: 4 };

function batch(seed: number, rows: number): { inputs: Float32Array; targets: Float32Array } {
  const rng = new Rng(seed);
  return { inputs: rng.fillNormal(new Float32Array(MEMBERS * rows * (O + A))), targets: rng.fillNormal(new Float32Array(MEMBERS * rows * (O + 1))) };
}

/** Largest |actual − expected| over the largest |expected|: float rounding gives ~1e-6. */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let error = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    error = Math.max(error, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return error / scale;
}

describe("the dynamics ensemble's training steps through ONNX Runtime (MOPO_ONNXRUNTIME=cpu)", () => {
  it("give each member's loss and the gradients of its weights and of the log-variance bounds that the WASM kernels give", async () => {
    process.env.MOPO_ONNXRUNTIME = 'cpu';
    const { route } = await probeInference(1);
    expect(route?.provider).toBe('cpu');
    // Weights moved off their start by a few steps; bounds where both soft clamps bend.
    const ensemble = new DynamicsEnsemble(model);
    for (let i = 0; i < 3; i++) ensemble.trainBatch(batch(i, 32).inputs, batch(i, 32).targets, 32);
    const params = ensemble.readMembers();
    ensemble.dispose();
    const D = O + 1;
    const bounds = Float32Array.from({ length: 2 * D }, (_, j) => (j < D ? 0.3 + 0.1 * j : -1.5 - 0.1 * j));
    const rows = 64;
    const { inputs, targets } = batch(7, rows);
    const spec: MemberGroupSpec = { inputSize: O + A, outputSize: D, hiddenSize: 32, layers: 3, members: MEMBERS, lr: 1e-3, weightDecays: model.weightDecays };

    const trainer = new OnnxMemberTrainer(spec, params, route!);
    const onnx = await trainer.gradients(inputs, targets, rows, bounds);
    const perMember = params.length / MEMBERS;
    for (let m = 0; m < MEMBERS; m++) {
      // The WASM path's step for member m alone, without its Adam step.
      const one = new MemberGroup({ ...spec, members: 1 }, params.slice(m * perMember, (m + 1) * perMember));
      const wasm = one.partialStep(inputs.subarray(m * rows * (O + A)), targets.subarray(m * rows * D), rows, rows, bounds, false);
      one.dispose();
      expect(relativeError([onnx.losses[m]!], [wasm.loss])).toBeLessThan(1e-5);
      expect(relativeError(onnx.boundGradients.subarray(m * 2 * D, (m + 1) * 2 * D), wasm.boundGradients)).toBeLessThan(1e-4);
      expect(relativeError(onnx.gradient.subarray(m * perMember, (m + 1) * perMember), wasm.gradient!)).toBeLessThan(1e-4);
    }
    await trainer.dispose();
  });

  it('train as the WASM path does, up to float rounding, and the same bit for bit run after run and with 1 or 2 threads; the state saves and restores', async () => {
    const run = async (lever: 'cpu' | 'off', threads = 1) => {
      process.env.MOPO_ONNXRUNTIME = lever;
      const ensemble = new DynamicsEnsemble(model);
      const { route } = await ensemble.trainWithOnnxRuntime(threads);
      if (lever === 'cpu') expect(route).toMatch(/^onnxruntime-node .*\(cpu\)$/);
      else expect(route).toBeNull();
      const losses = [];
      for (let i = 0; i < 6; i++) losses.push(...ensemble.trainBatch(batch(i, 48).inputs, batch(i, 48).targets, 48));
      const state = ensemble.getState();
      ensemble.dispose();
      return { losses, state };
    };
    const wasm = await run('off');
    const onnx = await run('cpu');
    const again = await run('cpu', 2);
    expect(relativeError(onnx.losses, wasm.losses)).toBeLessThan(1e-4);
    expect(relativeError(onnx.state.tensors['ensemble/params']!.data, wasm.state.tensors['ensemble/params']!.data)).toBeLessThan(1e-4);
    expect(relativeError(onnx.state.tensors['ensemble/logvar_bounds']!.data, wasm.state.tensors['ensemble/logvar_bounds']!.data)).toBeLessThan(1e-4);
    expect(onnx.state.meta.adamStep).toBe(6);
    expect(again.losses).toEqual(onnx.losses);
    expect(again.state.tensors).toEqual(onnx.state.tensors);

    // A state saved on this route continues on it, and the steps go on as without the round trip.
    const restored = DynamicsEnsemble.fromState(onnx.state);
    await restored.trainWithOnnxRuntime(1);
    const next = restored.trainBatch(batch(9, 48).inputs, batch(9, 48).targets, 48);
    const steps = restored.getState().meta.adamStep;
    restored.dispose();
    const straight = DynamicsEnsemble.fromState(again.state);
    await straight.trainWithOnnxRuntime(1);
    expect(straight.trainBatch(batch(9, 48).inputs, batch(9, 48).targets, 48)).toEqual(next);
    straight.dispose();
    expect(steps).toBe(7);
  });

  it('hand the members back to the tfjs groups, spread over compute workers, with their trained weights', async () => {
    process.env.MOPO_ONNXRUNTIME = 'cpu';
    const { WorkerThread } = await import('../../../src/nn/threads/worker-thread.js');
    const [worker] = await WorkerThread.startMany('wasm', 1);
    const ensemble = new DynamicsEnsemble(model);
    ensemble.distribute([worker!]);
    await ensemble.trainWithOnnxRuntime(1);
    ensemble.trainBatch(batch(1, 16).inputs, batch(1, 16).targets, 16);
    const trained = ensemble.getState();
    // distribute keeps training on ONNX Runtime; a tfjs route predicts from the trained weights.
    ensemble.distribute([]);
    expect(ensemble.getState().tensors).toEqual(trained.tensors);
    const observations = new Rng(3).fillNormal(new Float32Array(10 * O));
    const actions = new Rng(4).fillUniform(new Float32Array(10 * A), -1, 1);
    const onTrainer = ensemble.predict(observations, actions);
    const copy = DynamicsEnsemble.fromState(trained);
    expect(relativeError(onTrainer.means, copy.predict(observations, actions).means)).toBe(0);
    copy.dispose();
    ensemble.dispose();
    worker!.close();
  });

  it('run a whole `mopo` job end to end: the dynamics fit on the quickstart data, rollouts and SAC', () => {
    const cwd = tempDir();
    const result = runCli('mopo', [...TINY_MOPO, 'hydra.run.dir=run'], { cwd, env: { MOPO_ONNXRUNTIME: 'cpu' } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Dynamics training steps: onnxruntime-node .*\(cpu\)/);
    expect(result.stdout).toMatch(/Rollout predictions: onnxruntime-node .*\(cpu\)/);
    const fit = readMetrics(`${cwd}/run`, 'dynamics');
    expect(fit.length).toBeGreaterThan(0);
    for (const row of fit) expect(Number.isFinite(row['dynamics/train_loss'])).toBe(true);
    expect(fit.at(-1)!['dynamics/train_loss']).toBeLessThan(fit[0]!['dynamics/train_loss'] as number);
  });
});
