/**
 * A policy graph as a TensorFlow.js layers model: `model.json` and `weights.bin`, which
 * `tf.loadLayersModel('<url>/model.json')` loads in a browser (or in Node) and whose
 * `predict` maps observations [batch, O] to actions [batch, A].
 *
 * tfjs-layers itself builds the model and serialises it (through a save handler that
 * hands us its artifacts), so the topology and weight manifest are in the format that
 * tfjs reads, not our idea of it. The observation normalisation, when a policy has one,
 * is a first dense layer with a diagonal kernel 1/std and bias −mean/std.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { actionLayers, type PolicyGraph } from '../algos/policy-graph.js';
import type { ExportInfo } from './export-info.js';

export const TFJS_WEIGHTS_FILE = 'weights.bin';

export interface TfjsFiles {
  /** The text of model.json. */
  modelJson: string;
  /** The bytes of weights.bin, which model.json names. */
  weights: Uint8Array;
}

interface DenseSpec {
  name: string;
  inSize: number;
  outSize: number;
  /** [in, out], the layout of a tfjs Dense kernel. */
  kernel: Float32Array;
  bias: Float32Array;
  activation: 'linear' | 'relu' | 'swish' | 'tanh';
}

export async function policyToTfjs(graph: PolicyGraph, info: ExportInfo): Promise<TfjsFiles> {
  const specs: DenseSpec[] = [];
  if (graph.normaliser) specs.push(normaliserLayer(graph.normaliser.mean, graph.normaliser.std));
  actionLayers(graph).forEach((layer, l) => {
    specs.push({ name: `layers_${l}`, inSize: layer.inSize, outSize: layer.outSize, kernel: transposed(layer.weight, layer.outSize, layer.inSize), bias: layer.bias, activation: layer.activation });
  });

  const model = tfl.sequential({ name: 'mopo_policy' });
  specs.forEach((spec, i) => {
    model.add(tfl.layers.dense({ name: spec.name, units: spec.outSize, activation: spec.activation, ...(i === 0 ? { inputShape: [spec.inSize] } : {}) }));
  });
  const values = specs.flatMap((spec) => [tf.tensor2d(spec.kernel, [spec.inSize, spec.outSize]), tf.tensor1d(spec.bias)]);
  try {
    model.setWeights(values);
    model.setUserDefinedMetadata({ description: info.description, ...info.metadata });
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (saved) => {
        artifacts = saved;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(saved) };
      }),
    );
    const saved = artifacts as tf.io.ModelArtifacts | null;
    if (!saved?.weightSpecs || !saved.weightData) throw new Error('tfjs-layers saved no weights');
    const modelJson: tf.io.ModelJSON = {
      modelTopology: saved.modelTopology as object,
      format: saved.format ?? 'layers-model',
      generatedBy: saved.generatedBy ?? `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
      convertedBy: `mopo ${info.mopoVersion}`,
      weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: saved.weightSpecs }],
      ...(saved.userDefinedMetadata ? { userDefinedMetadata: saved.userDefinedMetadata } : {}),
    };
    return { modelJson: `${JSON.stringify(modelJson)}\n`, weights: new Uint8Array(tf.io.CompositeArrayBuffer.join(saved.weightData)) };
  } finally {
    model.dispose();
    for (const value of values) value.dispose();
  }
}

/** (o − mean)/std as a dense layer: kernel diag(1/std), bias −mean/std. */
function normaliserLayer(mean: Float32Array, std: Float32Array): DenseSpec {
  const n = mean.length;
  const kernel = new Float32Array(n * n);
  const bias = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    kernel[i * n + i] = 1 / std[i]!;
    bias[i] = -mean[i]! / std[i]!;
  }
  return { name: 'observation_normaliser', inSize: n, outSize: n, kernel, bias, activation: 'linear' };
}

/** [rows, cols] row-major → [cols, rows] row-major. */
function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}
