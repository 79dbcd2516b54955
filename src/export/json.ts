/**
 * A policy graph as plain JSON, for people who load the weights into their own code.
 * Tensors are named as the state_dict of PyTorch's
 *   nn.Sequential(Linear, ReLU, Linear, ReLU, …, Linear)
 * ("0.weight", "0.bias", "2.weight", …; activations take the odd indices), so
 * `load_state_dict` takes them as they are; `layers` lists the modules in order.
 * Each tensor is `{ shape, data }` with `data` flat in row-major order; weights are
 * [out, in] as nn.Linear keeps them. The action is computed as `head` says.
 */
import type { LayerActivation, PolicyGraph } from '../algos/policy-graph.js';
import { shortestFloat32 } from '../util/float32-text.js';
import type { ExportInfo } from './export-info.js';

export const POLICY_JSON_FORMAT = 'mopo-policy';

export interface JsonTensor {
  shape: number[];
  data: number[];
}

export interface PolicyJson {
  format: typeof POLICY_JSON_FORMAT;
  version: 1;
  description: string;
  metadata: Record<string, string>;
  observation_size: number;
  action_size: number;
  /** a = tanh(y) for `tanh`; a = tanh(y[:, :action_size]) for `tanh_gaussian_mean` (y[:, action_size:] is the log std). */
  head: PolicyGraph['head'];
  /** When not null, the network reads (o − mean) / std. */
  observation_normaliser: { mean: JsonTensor; std: JsonTensor } | null;
  /** The modules of the nn.Sequential, in order: a linear layer names its two tensors. */
  layers: ({ type: 'linear'; weight: string; bias: string } | { type: Exclude<LayerActivation, 'linear'> })[];
  tensors: Record<string, JsonTensor>;
}

export function policyToJson(graph: PolicyGraph, info: ExportInfo): PolicyJson {
  const layers: PolicyJson['layers'] = [];
  const tensors: Record<string, JsonTensor> = {};
  for (const layer of graph.layers) {
    const index = layers.length;
    tensors[`${index}.weight`] = tensor([layer.outSize, layer.inSize], layer.weight);
    tensors[`${index}.bias`] = tensor([layer.outSize], layer.bias);
    layers.push({ type: 'linear', weight: `${index}.weight`, bias: `${index}.bias` });
    if (layer.activation !== 'linear') layers.push({ type: layer.activation });
  }
  const n = graph.observationSize;
  return {
    format: POLICY_JSON_FORMAT,
    version: 1,
    description: info.description,
    metadata: info.metadata,
    observation_size: graph.observationSize,
    action_size: graph.actionSize,
    head: graph.head,
    observation_normaliser: graph.normaliser ? { mean: tensor([n], graph.normaliser.mean), std: tensor([n], graph.normaliser.std) } : null,
    layers,
    tensors,
  };
}

/** float32 values as JSON numbers: each prints as the shortest decimal that reads back as the same float32. */
function tensor(shape: number[], values: Float32Array): JsonTensor {
  return { shape, data: Array.from(values, shortestFloat32) };
}
