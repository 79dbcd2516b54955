// ONNX Runtime computes in a compute worker, which loads the compiled code under dist/: `npm test` builds it first.
import * as tf from '@tensorflow/tfjs-core';
// tfjs's autodiff, the reference for the gradients here (the project's own backward passes are hand-written).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OnnxSacGradients, sacWorkspace } from '../../src/algos/onnx-sac-gradients.js';
import { Sac } from '../../src/algos/sac.js';
import { initBackend } from '../../src/nn/backend.js';
import { initialParams } from '../../src/nn/init.js';
import { ParamLayout } from '../../src/nn/layout.js';
import { probeInference } from '../../src/nn/onnx/inference-route.js';
import { WorkerThread } from '../../src/nn/threads/worker-thread.js';
import { actorShape, criticGraphShape, type SacGraphShape } from '../../src/nn/onnx/sac-train-graphs.js';
import { Rng } from '../../src/util/rng.js';
import { runCli, removeTempDirs, tempDir } from '../helpers/cli.js';
import { halfCheetahBatch } from '../helpers/point-task.js';
import { readMetrics, TINY_MOPO } from '../helpers/train-job.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const saved = process.env.MOPO_ONNXRUNTIME;
afterEach(() => {
  if (saved === undefined) delete process.env.MOPO_ONNXRUNTIME;
  else process.env.MOPO_ONNXRUNTIME = saved;
});
afterAll(removeTempDirs);

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

// Narrow log-std bounds, so that the clamp cuts some rows' gradient and passes others'.
const shape: SacGraphShape = { observationSize: 5, actionSize: 3, actorHiddenSize: 32, actorLayers: 2, criticHiddenSize: 32, criticLayers: 2, logStdMin: -0.1, logStdMax: 0.1 };

/** The network of layout.ts on flat weights `params`, in plain tfjs ops (tfjs's autodiff differentiates it). */
function mlp(params: tf.Tensor, layout: ParamLayout, x: tf.Tensor): tf.Tensor {
  let h = x;
  layout.layers.forEach((layer, l) => {
    const kernel = tf.reshape(tf.slice(params, layer.kernelOffset, layer.inSize * layer.outSize), [layer.outSize, layer.inSize]);
    h = tf.add(tf.matMul(h, kernel, false, true), tf.slice(params, layer.biasOffset, layer.outSize));
    if (l < layout.layers.length - 1) h = tf.relu(h);
  });
  return h;
}

/** tanh-gaussian.ts's sample and log π, in plain tfjs ops. */
function squashed(head: tf.Tensor, noise: tf.Tensor): { action: tf.Tensor; logProb: tf.Tensor } {
  const [mean, raw] = tf.split(head, 2, 1) as [tf.Tensor, tf.Tensor];
  const logStd = tf.clipByValue(raw, shape.logStdMin, shape.logStdMax);
  const u = tf.add(mean, tf.mul(tf.exp(logStd), noise));
  const logOneMinusTanhSq = tf.mul(tf.sub(tf.sub(Math.LN2, u), tf.softplus(tf.mul(u, -2))), 2);
  const perDim = tf.add(tf.add(tf.mul(tf.square(noise), 0.5), logStd), logOneMinusTanhSq);
  return { action: tf.tanh(u), logProb: tf.sub(tf.neg(tf.sum(perDim, 1, true)), shape.actionSize * 0.5 * Math.log(2 * Math.PI)) };
}

describe("SAC's updates with their gradients from ONNX Runtime (MOPO_ONNXRUNTIME=cpu)", () => {
  it("give the critic targets, both critics' Q and gradients, and the actor's gradient and log π that tfjs's autodiff gives for SAC's losses", async () => {
    process.env.MOPO_ONNXRUNTIME = 'cpu';
    const { route } = await probeInference(1);
    expect(route?.provider).toBe('cpu');
    const { observationSize: O, actionSize: A } = shape;
    const B = 64;
    const rng = new Rng(11);
    const actorLayout = new ParamLayout(actorShape(shape), 1);
    const criticLayout = new ParamLayout(criticGraphShape(shape), 2);
    const actor = initialParams(actorLayout, 'torch_default', rng);
    const critics = initialParams(criticLayout, 'torch_default', rng);
    const targets = initialParams(criticLayout, 'torch_default', rng);
    const observations = rng.fillNormal(new Float32Array(B * O));
    const nextObservations = rng.fillNormal(new Float32Array(B * O));
    const actions = rng.fillUniform(new Float32Array(B * A), -1, 1);
    const rewards = rng.fillNormal(new Float32Array(B));
    const discounts = Float32Array.from({ length: B }, (_, i) => (i % 7 === 0 ? 0 : 0.99 ** (1 + (i % 3))));
    const weights = rng.fillUniform(new Float32Array(B), 0.5, 1.5);
    const nextNoise = rng.fillNormal(new Float32Array(B * A));
    const noise = rng.fillNormal(new Float32Array(B * A));
    const alpha = 0.3;

    const onnx = new OnnxSacGradients(shape, route!);
    const space = sacWorkspace(shape, B);
    onnx.useWorkspace(space);
    space.actor.set(actor);
    space.critics.set(critics);
    space.targets.set(targets);
    space.observations.set(observations);
    space.actions.set(actions);
    space.rewards.set(rewards);
    space.discounts.set(discounts);
    space.nextObservations.set(nextObservations);
    space.nextNoise.set(nextNoise);
    space.noise.set(noise);
    space.criticScale.set(weights.map((w) => (2 * w) / B));
    space.actorScale.set(weights.map((w) => w / B));
    await onnx.critic(B, alpha);
    await onnx.actor(B, alpha);
    const critic = { y: space.y, q: space.q, gradient: space.criticGradient };
    const pi = { logProb: space.logProb, gradient: space.actorGradient };
    await onnx.dispose();

    const P = criticLayout.perNetwork;
    const expected = tf.tidy(() => {
      const [c1, c2] = [tf.tensor1d(critics.slice(0, P)), tf.tensor1d(critics.slice(P))];
      const [t1, t2] = [tf.tensor1d(targets.slice(0, P)), tf.tensor1d(targets.slice(P))];
      const s = tf.tensor2d(observations, [B, O]);
      const w = tf.tensor2d(weights, [B, 1]);
      const next = squashed(mlp(tf.tensor1d(actor), actorLayout, tf.tensor2d(nextObservations, [B, O])), tf.tensor2d(nextNoise, [B, A]));
      const nextInput = tf.concat([tf.tensor2d(nextObservations, [B, O]), next.action], 1);
      const soft = tf.sub(tf.minimum(mlp(t1, criticLayout, nextInput), mlp(t2, criticLayout, nextInput)), tf.mul(alpha, next.logProb));
      const y = tf.add(tf.tensor2d(rewards, [B, 1]), tf.mul(tf.tensor2d(discounts, [B, 1]), soft));
      const input = tf.concat([s, tf.tensor2d(actions, [B, A])], 1);
      const criticLoss = (c: tf.Tensor) => tf.mean(tf.mul(w, tf.square(tf.sub(mlp(c, criticLayout, input), y))));
      const criticGradients = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.add(criticLoss(a), criticLoss(b)))([c1, c2]);
      const q = tf.concat([mlp(c1, criticLayout, input), mlp(c2, criticLayout, input)]);
      const actorLoss = (params: tf.Tensor) => {
        const sample = squashed(mlp(params, actorLayout, s), tf.tensor2d(noise, [B, A]));
        const probe = tf.concat([s, sample.action], 1);
        return tf.mean(tf.mul(w, tf.sub(tf.mul(alpha, sample.logProb), tf.minimum(mlp(c1, criticLayout, probe), mlp(c2, criticLayout, probe)))));
      };
      const logProb = squashed(mlp(tf.tensor1d(actor), actorLayout, s), tf.tensor2d(noise, [B, A])).logProb;
      return {
        y: y.dataSync().slice(),
        q: q.dataSync().slice(),
        criticGradient: tf.concat(criticGradients).dataSync().slice(),
        actorGradient: tf.grad(actorLoss)(tf.tensor1d(actor)).dataSync().slice(),
        logProb: logProb.dataSync().slice(),
      };
    });
    expect(relativeError(critic.y, expected.y)).toBeLessThan(1e-5);
    expect(relativeError(critic.q, expected.q)).toBeLessThan(1e-5);
    expect(relativeError(critic.gradient, expected.criticGradient)).toBeLessThan(1e-5);
    expect(relativeError(pi.logProb, expected.logProb)).toBeLessThan(1e-5);
    expect(relativeError(pi.gradient, expected.actorGradient)).toBeLessThan(1e-5);
  });

  it('train as the WASM path does, up to float rounding (measured ~3e-7 after 6 updates), with importance weights, n-step discounts and clipping; the same bits run after run; the state saves and restores', async () => {
    const options = { observationSize: 17, actionSize: 6, actorHiddenSize: 32, criticHiddenSize: 32, maxGradNorm: 1, seed: 5 };
    const batches = Array.from({ length: 6 }, (_, k) => {
      const rng = new Rng(20 + k);
      const batch = halfCheetahBatch(rng, 48);
      return { ...batch, weights: rng.fillUniform(new Float32Array(48), 0.5, 1.5), discounts: Float32Array.from({ length: 48 }, (_, i) => 0.99 ** (1 + (i % 3))) };
    });
    const run = async (lever: 'cpu' | 'off', from?: ReturnType<Sac['getState']>) => {
      process.env.MOPO_ONNXRUNTIME = lever;
      const sac = from ? Sac.fromState(from) : new Sac(options);
      const { route } = await sac.trainWithOnnxRuntime(1);
      if (lever === 'cpu') expect(route).toMatch(/^onnxruntime-node .*\(cpu\)$/);
      else expect(route).toBeNull();
      const metrics = [];
      const tdErrors = [];
      for (const batch of from ? batches.slice(0, 2) : batches) {
        const errors = new Float32Array(48);
        metrics.push(sac.update(batch, { tdErrors: errors })!);
        tdErrors.push(...errors);
      }
      const state = sac.getState();
      sac.dispose();
      return { metrics, tdErrors, state };
    };
    const wasm = await run('off');
    const onnx = await run('cpu');
    const again = await run('cpu');
    for (const key of ['criticLoss', 'actorLoss', 'alphaLoss', 'alpha', 'qMean', 'entropy'] as const) {
      expect(relativeError(onnx.metrics.map((m) => m[key]), wasm.metrics.map((m) => m[key]))).toBeLessThan(1e-5);
    }
    expect(relativeError(onnx.tdErrors, wasm.tdErrors)).toBeLessThan(1e-5);
    for (const name of ['actor/params', 'critic1/params', 'critic2/target', 'log_alpha']) {
      expect(onnx.state.tensors[name], name).toBeDefined();
      expect(relativeError(onnx.state.tensors[name]!.data, wasm.state.tensors[name]!.data)).toBeLessThan(1e-5);
    }
    expect(onnx.state.meta.updates).toBe(6);
    expect(again.metrics).toEqual(onnx.metrics);
    expect(again.state.tensors).toEqual(onnx.state.tensors);

    // A state saved on this route continues on it exactly.
    const resumed = await run('cpu', onnx.state);
    const straight = await run('cpu', again.state);
    expect(resumed.state.tensors).toEqual(straight.state.tensors);
    expect(resumed.state.meta.updates).toBe(8);
  });

  it('give the same bits with the second critic in a compute worker as with both in this thread', async () => {
    process.env.MOPO_ONNXRUNTIME = 'cpu';
    const [worker] = await WorkerThread.startMany('wasm', 1);
    const run = async (threads: WorkerThread[]) => {
      const sac = new Sac({ observationSize: 17, actionSize: 6, actorHiddenSize: 32, criticHiddenSize: 32, seed: 9 });
      sac.distribute(threads);
      await sac.trainWithOnnxRuntime(1);
      const metrics = [];
      for (let k = 0; k < 3; k++) metrics.push(sac.update(halfCheetahBatch(new Rng(40 + k), 32))!);
      const state = sac.getState();
      sac.dispose();
      return { metrics, state };
    };
    const alone = await run([]);
    const spread = await run([worker!]);
    worker!.close();
    expect(spread.metrics).toEqual(alone.metrics);
    expect(spread.state.tensors).toEqual(alone.state.tensors);
  });

  it('run a whole `mopo` job end to end with the lever: SAC updates on ONNX Runtime', () => {
    const cwd = tempDir();
    const result = runCli('mopo', [...TINY_MOPO, 'hydra.run.dir=run'], { cwd, env: { MOPO_ONNXRUNTIME: 'cpu' } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Learner updates' gradients: onnxruntime-node .*\(cpu\)/);
    const rows = readMetrics(`${cwd}/run`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(Number.isFinite(row['learner/critic_loss'])).toBe(true);
  });
});
