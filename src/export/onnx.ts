/**
 * A policy graph as a standard ONNX model (opset 13): input `observation` [batch, O],
 * output `action` [batch, A], the deterministic action with the observation
 * normalisation and the tanh squashing inside the graph. Messages are built and
 * encoded with onnx-proto (ONNX's own onnx.proto compiled for protobufjs), so the bytes
 * are protobuf's, not ours.
 *
 *   observation ─► [Sub mean ─► Div std] ─► Gemm ─► Relu ─► … ─► Gemm ─► Tanh ─► action
 */
import onnxProto from 'onnx-proto';
import { actionLayers, type LayerActivation, type PolicyGraph } from '../algos/policy-graph.js';
import type { ExportInfo } from './export-info.js';

const { onnx } = onnxProto;

/** Gemm, Relu, Sigmoid, Tanh, Sub, Div and Mul are all unchanged since opset 13; every ONNX runtime of the last years reads it. */
const OPSET = 13;
export const ONNX_INPUT = 'observation';
export const ONNX_OUTPUT = 'action';

export function policyToOnnx(graph: PolicyGraph, info: ExportInfo): Uint8Array {
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  const layers = actionLayers(graph);
  let x = ONNX_INPUT;
  if (graph.normaliser) {
    initializers.push(floatTensor('observation_mean', [graph.observationSize], graph.normaliser.mean));
    initializers.push(floatTensor('observation_std', [graph.observationSize], graph.normaliser.std));
    nodes.push(node('Sub', [x, 'observation_mean'], 'observation_centred'));
    nodes.push(node('Div', ['observation_centred', 'observation_std'], 'observation_normalised'));
    x = 'observation_normalised';
  }
  layers.forEach((layer, l) => {
    const [weight, bias, linear] = [`layers.${l}.weight`, `layers.${l}.bias`, `layers.${l}.linear`];
    initializers.push(floatTensor(weight, [layer.outSize, layer.inSize], layer.weight));
    initializers.push(floatTensor(bias, [layer.outSize], layer.bias));
    // Gemm with transB computes x·Wᵀ + b, W kept [out, in] as in PyTorch.
    nodes.push(node('Gemm', [x, weight, bias], linear, [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]));
    x = l === layers.length - 1 ? ONNX_OUTPUT : `layers.${l}.out`;
    nodes.push(...activationNodes(layer.activation, linear, x));
  });

  const model = onnx.ModelProto.create({
    irVersion: onnx.Version.IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'mopo',
    producerVersion: info.mopoVersion,
    docString: `${info.description}. Input '${ONNX_INPUT}' [batch, ${graph.observationSize}], output '${ONNX_OUTPUT}' [batch, ${graph.actionSize}] in [-1, 1].`,
    metadataProps: Object.entries(info.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'mopo_policy',
      node: nodes,
      initializer: initializers,
      input: [valueInfo(ONNX_INPUT, graph.observationSize)],
      output: [valueInfo(ONNX_OUTPUT, graph.actionSize)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function activationNodes(activation: LayerActivation, input: string, output: string): onnxProto.onnx.INodeProto[] {
  switch (activation) {
    case 'relu':
      return [node('Relu', [input], output)];
    case 'tanh':
      return [node('Tanh', [input], output)];
    case 'swish':
      return [node('Sigmoid', [input], `${output}.sigmoid`), node('Mul', [input, `${output}.sigmoid`], output)];
    case 'linear':
      return [node('Identity', [input], output)];
  }
}

function node(opType: string, input: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []): onnxProto.onnx.INodeProto {
  return { opType, input, output: [output], name: `${output}/${opType}`, attribute };
}

function floatTensor(name: string, dims: number[], values: Float32Array): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(values) };
}

function valueInfo(name: string, features: number): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: features }] } } },
  };
}
