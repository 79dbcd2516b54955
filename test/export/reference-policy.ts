/**
 * Forward passes written out in plain loops (float64), independent of mopo's tensors
 * and of the exporters: one reads a PolicyGraph, one reads the JSON file as a user's own
 * code would (modules in order, tensors by name, then the head).
 */
import type { PolicyGraph } from '../../src/algos/policy-graph.js';

type Activation = (x: number) => number;

const ACTIVATIONS: Record<string, Activation> = {
  relu: (x) => Math.max(0, x),
  tanh: Math.tanh,
  swish: (x) => x / (1 + Math.exp(-x)),
  linear: (x) => x,
};

function linear(input: Float64Array, weight: ArrayLike<number>, bias: ArrayLike<number>, outSize: number): Float64Array {
  const inSize = input.length;
  const out = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    let sum = bias[o]!;
    for (let i = 0; i < inSize; i++) sum += weight[o * inSize + i]! * input[i]!;
    out[o] = sum;
  }
  return out;
}

function head(kind: string, y: Float64Array, actionSize: number): number[] {
  if (kind !== 'tanh' && kind !== 'tanh_gaussian_mean') throw new Error(`unknown head ${kind}`);
  return Array.from(y.subarray(0, actionSize), Math.tanh);
}

function rows(observations: Float32Array, size: number, act: (row: Float64Array) => number[]): Float32Array {
  const out: number[] = [];
  for (let r = 0; r < observations.length / size; r++) out.push(...act(Float64Array.from(observations.subarray(r * size, (r + 1) * size))));
  return Float32Array.from(out);
}

export function referenceActions(graph: PolicyGraph, observations: Float32Array): Float32Array {
  return rows(observations, graph.observationSize, (row) => {
    let x = row;
    if (graph.normaliser) x = x.map((v, i) => (v - graph.normaliser!.mean[i]!) / graph.normaliser!.std[i]!);
    for (const layer of graph.layers) x = linear(x, layer.weight, layer.bias, layer.outSize).map(ACTIVATIONS[layer.activation]!);
    return head(graph.head, x, graph.actionSize);
  });
}

interface JsonTensor {
  shape: number[];
  data: number[];
}

export function actionsFromPolicyJson(json: Record<string, any>, observations: Float32Array): Float32Array {
  const tensors = json.tensors as Record<string, JsonTensor>;
  const normaliser = json.observation_normaliser as { mean: JsonTensor; std: JsonTensor } | null;
  return rows(observations, json.observation_size, (row) => {
    let x = row;
    if (normaliser) x = x.map((v, i) => (v - normaliser.mean.data[i]!) / normaliser.std.data[i]!);
    for (const module of json.layers as { type: string; weight?: string; bias?: string }[]) {
      if (module.type === 'linear') {
        const weight = tensors[module.weight!]!;
        if (weight.shape[1] !== x.length) throw new Error(`${module.weight} takes ${weight.shape[1]} inputs, gets ${x.length}`);
        x = linear(x, weight.data, tensors[module.bias!]!.data, weight.shape[0]!);
      } else {
        x = x.map(ACTIVATIONS[module.type]!);
      }
    }
    return head(json.head, x, json.action_size);
  });
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
