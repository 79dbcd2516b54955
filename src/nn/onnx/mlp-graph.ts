/**
 * `count` networks of one MLP shape (a flat parameter vector in the layout of
 * layout.ts) as one ONNX model for inference: input `x` [rows, in], shared by all
 * networks; output `y` [count · rows, out], network after network. Each layer is a
 * Gemm (the kernel kept [out, in] with transB, as PyTorch stores it), then ReLU or
 * swish (x · sigmoid(x)); the output layer is linear. Built with onnx-proto, so the
 * bytes are protobuf's own.
 */
import onnxProto from 'onnx-proto';
import { ParamLayout, type MlpShape } from '../layout.js';

const { onnx } = onnxProto;
const OPSET = 13;
export const GRAPH_INPUT = 'x';
export const GRAPH_OUTPUT = 'y';

export function mlpStackGraph(shape: MlpShape, count: number, params: Float32Array): Uint8Array {
  const layout = new ParamLayout(shape, count);
  if (params.length !== layout.size) throw new Error(`mlpStackGraph: expected ${layout.size} parameters, got ${params.length}`);
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  const outputs: string[] = [];
  const last = layout.layers.length - 1;
  for (let n = 0; n < count; n++) {
    let x = GRAPH_INPUT;
    layout.layers.forEach((layer, l) => {
      const start = layout.networkOffset(n);
      const name = `n${n}.l${l}`;
      initializers.push(floatTensor(`${name}.weight`, [layer.outSize, layer.inSize], params.subarray(start + layer.kernelOffset, start + layer.biasOffset)));
      initializers.push(floatTensor(`${name}.bias`, [layer.outSize], params.subarray(start + layer.biasOffset, start + layer.biasOffset + layer.outSize)));
      const z = `${name}.z`;
      nodes.push(node('Gemm', [x, `${name}.weight`, `${name}.bias`], z, [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]));
      if (l === last) {
        x = z;
      } else if (shape.activation === 'relu') {
        x = `${name}.h`;
        nodes.push(node('Relu', [z], x));
      } else {
        nodes.push(node('Sigmoid', [z], `${name}.s`));
        x = `${name}.h`;
        nodes.push(node('Mul', [z, `${name}.s`], x));
      }
    });
    outputs.push(x);
  }
  nodes.push(node('Concat', outputs, GRAPH_OUTPUT, [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }]));
  const model = onnx.ModelProto.create({
    irVersion: onnx.Version.IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'mopo',
    graph: {
      name: 'mopo_mlp_stack',
      node: nodes,
      initializer: initializers,
      input: [valueInfo(GRAPH_INPUT, ['rows', shape.inputSize])],
      output: [valueInfo(GRAPH_OUTPUT, ['stacked_rows', shape.outputSize])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export function node(opType: string, input: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []): onnxProto.onnx.INodeProto {
  return { opType, input, output: [output], name: output, attribute };
}

function floatTensor(name: string, dims: number[], values: Float32Array): onnxProto.onnx.ITensorProto {
  const copy = values.slice();
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength) };
}

export function valueInfo(name: string, dims: (number | string)[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}
