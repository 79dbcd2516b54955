/**
 * What the hand-written training graphs (ensemble-train-graph.ts, sac-train-graphs.ts)
 * share: a builder of ONNX nodes with generated value names and named constants, and a
 * few spelled-out ops.
 */
import onnxProto from 'onnx-proto';
import { node } from './mlp-graph.js';

const { onnx } = onnxProto;
export const OPSET = 13;
const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;

/**
 * softplus(t) = max(t, 0) + log(1 + e^(−|t|)), which cannot overflow. Spelled out:
 * ONNX Runtime's own Softplus is a scalar loop some 20× slower per value than these
 * vectorised ops.
 */
export function softplus(g: GraphBuilder, t: string): string {
  const tail = g.op('Log', [g.op('Add', [g.float('one', 1), g.op('Exp', [g.op('Neg', [g.op('Abs', [t])])])])]);
  return g.op('Add', [g.op('Relu', [t]), tail]);
}

/** [M, a, b] → [M, b, a]; ONNX Runtime folds it into the following MatMul (transA/transB). */
export function transposed(g: GraphBuilder, value: string): string {
  return g.op('Transpose', [value], undefined, [ints('perm', [0, 2, 1])]);
}

export function int(name: string, value: number): onnxProto.onnx.IAttributeProto {
  return { name, type: INT, i: value };
}

export function ints(name: string, values: number[]): onnxProto.onnx.IAttributeProto {
  return { name, type: INTS, ints: values };
}

/** Nodes with generated value names, and constants made once by name. */
export class GraphBuilder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly constants = new Set<string>();
  private count = 0;

  op(opType: string, input: string[], output = `${opType.toLowerCase()}${this.count++}`, attribute: onnxProto.onnx.IAttributeProto[] = []): string {
    this.nodes.push(node(opType, input, output, attribute));
    return output;
  }

  multi(opType: string, input: string[], outputs: number, attribute: onnxProto.onnx.IAttributeProto[] = []): string[] {
    const names = Array.from({ length: outputs }, (_, i) => `${opType.toLowerCase()}${this.count}_${i}`);
    this.count++;
    this.nodes.push({ opType, input, output: names, name: names[0], attribute });
    return names;
  }

  /** An int64 vector constant; one name, one value (names carry their sizes where they vary). */
  ints(name: string, values: number[]): string {
    const key = `${name}[${values.join(',')}]`;
    if (!this.constants.has(key)) {
      this.constants.add(key);
      const data = BigInt64Array.from(values.map(BigInt));
      this.initializers.push({ name: key, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(data.buffer) });
    }
    return key;
  }

  /** A float scalar constant. */
  float(name: string, value: number): string {
    if (!this.constants.has(name)) {
      this.constants.add(name);
      this.initializers.push({ name, dims: [], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(Float32Array.of(value).buffer) });
    }
    return name;
  }
}
