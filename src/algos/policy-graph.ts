/**
 * A learner's deterministic policy as a small network description, whatever the
 * learner: the exporters (ONNX, TensorFlow.js, JSON) read this and nothing else, so a
 * new learner with a policy needs one `policyGraph()` method, not changes to three
 * writers.
 *
 *   x = (o − mean) / std          when the policy normalises its observations
 *   y = dense layers (x)          each y = act(W·x + b), W stored as [out, in]
 *   a = head (y)                  tanh: a = tanh(y)            (TD3, DDPG)
 *                                 tanh_gaussian_mean: y = [μ, log σ], a = tanh(μ)  (SAC)
 *
 * A discrete learner would add an `argmax` head. Weights are copies: a graph stays
 * valid after its learner is disposed.
 */
import type { Activation, MlpShape } from '../nn/layout.js';
import { ParamLayout } from '../nn/layout.js';

export type LayerActivation = Activation | 'linear' | 'tanh';

export interface DenseLayer {
  inSize: number;
  outSize: number;
  /** Row-major [outSize, inSize], as PyTorch's nn.Linear keeps its weight. */
  weight: Float32Array;
  bias: Float32Array;
  activation: LayerActivation;
}

export type PolicyHead = 'tanh' | 'tanh_gaussian_mean';

export interface ObservationNormaliser {
  mean: Float32Array;
  std: Float32Array;
}

export interface PolicyGraph {
  observationSize: number;
  actionSize: number;
  /** null: the first layer reads raw observations (every learner today). */
  normaliser: ObservationNormaliser | null;
  layers: DenseLayer[];
  head: PolicyHead;
}

/** The dense layers of an MlpStack's network (hidden layers activated, the output layer linear) from its flat parameters. */
export function mlpLayers(shape: MlpShape, params: Float32Array): DenseLayer[] {
  const layout = new ParamLayout(shape, 1);
  if (params.length !== layout.size) throw new RangeError(`mlpLayers: expected ${layout.size} parameters, got ${params.length}`);
  const last = layout.layers.length - 1;
  return layout.layers.map((slot, l) => ({
    inSize: slot.inSize,
    outSize: slot.outSize,
    weight: params.slice(slot.kernelOffset, slot.kernelOffset + slot.inSize * slot.outSize),
    bias: params.slice(slot.biasOffset, slot.biasOffset + slot.outSize),
    activation: l === last ? 'linear' : shape.activation,
  }));
}

/** Outputs of the last layer that the head reads: twice the actions for the Gaussian head (mean, then log σ). */
export function headInputSize(head: PolicyHead, actionSize: number): number {
  return head === 'tanh_gaussian_mean' ? 2 * actionSize : actionSize;
}

/**
 * The graph's deterministic action as plain layers ending in tanh: the Gaussian head's
 * log σ rows are dropped from the last layer (the mean does not depend on them), so
 * every exporter writes normalise → dense … → tanh.
 */
export function actionLayers(graph: PolicyGraph): DenseLayer[] {
  checkPolicyGraph(graph);
  const layers = graph.layers.slice();
  const last = layers[layers.length - 1]!;
  const A = graph.actionSize;
  layers[layers.length - 1] = { ...last, outSize: A, weight: last.weight.slice(0, A * last.inSize), bias: last.bias.slice(0, A), activation: 'tanh' };
  return layers;
}

/** Throws a RangeError naming the first inconsistency (sizes that do not chain, wrong array lengths). */
export function checkPolicyGraph(graph: PolicyGraph): void {
  const { observationSize, actionSize, layers, normaliser } = graph;
  if (layers.length === 0) throw new RangeError('policy graph: no layers');
  if (normaliser && (normaliser.mean.length !== observationSize || normaliser.std.length !== observationSize)) {
    throw new RangeError(`policy graph: the normaliser has ${normaliser.mean.length} means and ${normaliser.std.length} stds for ${observationSize} observations`);
  }
  let inSize = observationSize;
  layers.forEach((layer, l) => {
    if (layer.inSize !== inSize) throw new RangeError(`policy graph: layer ${l} takes ${layer.inSize} inputs, the layer before gives ${inSize}`);
    if (layer.weight.length !== layer.inSize * layer.outSize || layer.bias.length !== layer.outSize) {
      throw new RangeError(`policy graph: layer ${l} has ${layer.weight.length} weights and ${layer.bias.length} biases for ${layer.inSize} → ${layer.outSize}`);
    }
    inSize = layer.outSize;
  });
  const wanted = headInputSize(graph.head, actionSize);
  if (inSize !== wanted) throw new RangeError(`policy graph: the last layer gives ${inSize} outputs, the ${graph.head} head reads ${wanted}`);
}
