// Each exported file is run by an independent reader (onnxruntime for ONNX, tfjs-layers
// loading over HTTP as a browser does for TF.js, plain loops over the JSON) and must give
// mopo's own deterministic actions on 1 000 observations, for every learner with a
// policy. Checkpoints come from tiny real training runs of the built CLI (`npm test`
// builds it first).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionLayers, type PolicyGraph } from '../../src/algos/policy-graph.js';
import { exportInfo } from '../../src/export/export-info.js';
import { exportPolicy, type ExportFormat } from '../../src/export/export-policy.js';
import { policyToJson } from '../../src/export/json.js';
import { policyToOnnx } from '../../src/export/onnx.js';
import { policyToTfjs } from '../../src/export/tfjs.js';
import { initBackend } from '../../src/nn/backend.js';
import { readCheckpoint } from '../../src/train/checkpoint.js';
import { loadPolicy } from '../../src/train/policy-loader.js';
import { Rng } from '../../src/util/rng.js';
import { actionsFromPolicyJson, maxAbsDifference, referenceActions } from './reference-policy.js';
import { TINY_RUNS, trainTinyRuns } from './tiny-checkpoints.js';

const ROWS = 1000;
const LEARNER_OF: Record<string, string> = { sac_online: 'sac', mopo: 'sac', td3: 'td3', ddpg: 'ddpg', mpo: 'mpo' };
const TOLERANCE = 1e-5;
const dir = mkdtempSync(path.join(os.tmpdir(), 'mopo-export-'));
let runs: Record<string, string>;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  await initBackend('wasm');
  server = createServer((request, response) => {
    // A static file server over `dir`, as a web page's host would serve the model.
    const file = path.join(dir, decodeURIComponent(new URL(request.url!, 'http://x').pathname));
    try {
      response.writeHead(200).end(readFileSync(file));
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  runs = await trainTinyRuns(dir);
});

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function observations(size: number, seed: number): Float32Array {
  // Spread like real observations: most within a few units, some velocities larger.
  return new Rng(seed).fillNormal(new Float32Array(ROWS * size)).map((v, i) => v * (i % 3 === 0 ? 5 : 1));
}

async function onnxActions(file: string, obs: Float32Array, observationSize: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  expect(session.inputNames).toEqual(['observation']);
  expect(session.outputNames).toEqual(['action']);
  const result = await session.run({ observation: new ort.Tensor('float32', obs, [obs.length / observationSize, observationSize]) });
  await session.release();
  return result.action!.data as Float32Array;
}

async function tfjsActions(modelUrl: string, obs: Float32Array, observationSize: number): Promise<Float32Array> {
  const model = await tfl.loadLayersModel(modelUrl);
  const input = tf.tensor2d(obs, [obs.length / observationSize, observationSize]);
  const output = model.predict(input) as tf.Tensor;
  const values = output.dataSync() as Float32Array;
  input.dispose();
  output.dispose();
  model.dispose();
  return values;
}

describe.each(Object.keys(TINY_RUNS))('the %s policy, exported', (algo) => {
  async function exported(format: ExportFormat, name: string) {
    const checkpoint = readCheckpoint(runs[algo]!);
    const target = path.join(dir, `${algo}-${name}`);
    const result = await exportPolicy(checkpoint, format, target, '0.0.0-test');
    const policy = await loadPolicy(checkpoint);
    const obs = observations(policy.observationSize, 11);
    const mopoActions = policy.act(obs, true, new Rng(0));
    policy.dispose();
    expect(result.info.metadata).toMatchObject({ algo, learner: LEARNER_OF[algo], env_id: 'HalfCheetah', observation_size: '17', action_size: '6' });
    return { target, obs, mopoActions };
  }

  it('as ONNX, gives mopo’s actions in onnxruntime', async () => {
    const { target, obs, mopoActions } = await exported('onnx', 'policy.onnx');
    const actions = await onnxActions(target, obs, 17);
    expect(actions).toHaveLength(ROWS * 6);
    expect(maxAbsDifference(actions, mopoActions)).toBeLessThanOrEqual(TOLERANCE);
    expect(mopoActions.some((a) => Math.abs(a) > 0.05)).toBe(true);
  });

  it('as a TensorFlow.js model, loads with tf.loadLayersModel over HTTP and gives mopo’s actions', async () => {
    const { obs, mopoActions } = await exported('tfjs', 'tfjs');
    const actions = await tfjsActions(`${baseUrl}/${algo}-tfjs/model.json`, obs, 17);
    expect(maxAbsDifference(actions, mopoActions)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('as JSON, names and shapes its weights so that code of one’s own gives mopo’s actions', async () => {
    const { target, obs, mopoActions } = await exported('json', 'policy.json');
    const json = JSON.parse(readFileSync(target, 'utf8'));
    expect(json.layers.map((m: { type: string }) => m.type)).toEqual(['linear', 'relu', 'linear', 'relu', 'linear']);
    // The Gaussian policies (SAC's, MPO's) output [μ, σ parameter] per action dimension.
    const outputs = ['sac_online', 'mopo', 'mpo'].includes(algo) ? 12 : 6;
    expect(Object.fromEntries(Object.entries(json.tensors).map(([name, t]) => [name, (t as { shape: number[] }).shape]))).toEqual({
      '0.weight': [32, 17],
      '0.bias': [32],
      '2.weight': [32, 32],
      '2.bias': [32],
      '4.weight': [outputs, 32],
      '4.bias': [outputs],
    });
    expect(json.head).toBe(outputs === 12 ? 'tanh_gaussian_mean' : 'tanh');
    expect(maxAbsDifference(actionsFromPolicyJson(json, obs), mopoActions)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('a policy with observation normalisation and swish layers', () => {
  // No learner normalises its observations yet; the exporters already must, exactly.
  const rng = new Rng(5);
  const layer = (inSize: number, outSize: number, activation: 'relu' | 'swish' | 'linear') => ({
    inSize,
    outSize,
    weight: rng.fillNormal(new Float32Array(inSize * outSize)).map((v) => v / Math.sqrt(inSize)),
    bias: rng.fillNormal(new Float32Array(outSize)).map((v) => 0.1 * v),
    activation,
  });
  const graph: PolicyGraph = {
    observationSize: 5,
    actionSize: 3,
    normaliser: { mean: Float32Array.of(1, -2, 0.5, 3, 0), std: Float32Array.of(2, 0.5, 1, 4, 0.1) },
    layers: [layer(5, 16, 'swish'), layer(16, 16, 'relu'), layer(16, 6, 'linear')],
    head: 'tanh_gaussian_mean',
  };
  const info = exportInfo({ dir: 'memory', manifest: { algo: 'test', envId: 'none', observationSize: 5, actionSize: 3, step: 0, epoch: 0, seed: 0, backend: 'cpu', state: null } }, 'test', graph, '0.0.0-test');
  const obs = new Rng(6).fillNormal(new Float32Array(ROWS * 5)).map((v, i) => v * 3 + (i % 5));
  const expected = referenceActions(graph, obs);

  it('keeps the normalisation inside the ONNX graph', async () => {
    const file = path.join(dir, 'normalised.onnx');
    writeFileSync(file, policyToOnnx(graph, info));
    expect(maxAbsDifference(await onnxActions(file, obs, 5), expected)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('keeps it inside the TensorFlow.js model', async () => {
    const files = await policyToTfjs(graph, info);
    mkdirSync(path.join(dir, 'normalised-tfjs'), { recursive: true });
    writeFileSync(path.join(dir, 'normalised-tfjs/model.json'), files.modelJson);
    writeFileSync(path.join(dir, 'normalised-tfjs/weights.bin'), files.weights);
    expect(maxAbsDifference(await tfjsActions(`${baseUrl}/normalised-tfjs/model.json`, obs, 5), expected)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('writes the mean and std into the JSON file', () => {
    const json = JSON.parse(JSON.stringify(policyToJson(graph, info)));
    expect(json.observation_normaliser.std).toEqual({ shape: [5], data: [2, 0.5, 1, 4, 0.1] });
    expect(json.layers.map((m: { type: string }) => m.type)).toEqual(['linear', 'swish', 'linear', 'relu', 'linear']);
    expect(maxAbsDifference(actionsFromPolicyJson(json, obs), expected)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('cuts the Gaussian head to its mean rows for the deterministic action', () => {
    const layers = actionLayers(graph);
    expect(layers.map((l) => [l.inSize, l.outSize, l.activation])).toEqual([
      [5, 16, 'swish'],
      [16, 16, 'relu'],
      [16, 3, 'tanh'],
    ]);
    expect(layers[2]!.weight).toEqual(graph.layers[2]!.weight.slice(0, 3 * 16));
  });
});
