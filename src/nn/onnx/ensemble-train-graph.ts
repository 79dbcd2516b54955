/**
 * One training step's loss and gradients for `members` dynamics members (swish MLPs
 * with the Gaussian head of algos/mopo/gaussian-head.ts) as one ONNX model, for ONNX
 * Runtime's CPU kernels: its matrix products (MLAS) use the machine's full vector width
 * and fused multiply-adds, which our 128-bit WASM kernels cannot.
 *
 * The weights are inputs, not initializers: they change every step, and a session is
 * built once. All members run together as batched products ([members, rows, in] ×
 * [members, in, out]), so each layer is one batched GEMM. The backward pass is written
 * out by hand as ONNX ops, exactly the gradient of mlp-stack.ts and the fused head:
 *
 *   inputs   params  [members, P]         the flat vector of layout.ts (kernels [out, in])
 *            x       [members, rows, in]
 *            y       [members, rows, D]
 *            bounds  [2D]                 [max_logvar, min_logvar]
 *            scale   [1]                  1 / (rows · D)
 *   outputs  losses           [members]   mean((μ − y)²·e^(−lv) + lv) of each member
 *            gradient         [members, P] d Σ losses / d params, in layout order
 *            bound_gradients  [members, 2D] each member's d loss / d [max, min]
 *
 * Weight decay and the Adam step are not in the graph: the caller adds them as on the
 * tfjs path (member-group.ts), so they stay exactly what they are there.
 */
import onnxProto from 'onnx-proto';
import { ParamLayout } from '../layout.js';
import { GraphBuilder, int, ints, OPSET, softplus, transposed } from './graph-builder.js';
import { valueInfo } from './mlp-graph.js';

const { onnx } = onnxProto;

export const TRAIN_INPUTS = { params: 'params', x: 'x', y: 'y', bounds: 'bounds', scale: 'scale' } as const;
export const TRAIN_OUTPUTS = { losses: 'losses', gradient: 'gradient', boundGradients: 'bound_gradients' } as const;

export interface TrainGraphShape {
  inputSize: number;
  /** D: the head's output is [μ (D), raw log-variance (D)]. */
  outputSize: number;
  hiddenSize: number;
  layers: number;
  members: number;
}

export function ensembleTrainGraph(spec: TrainGraphShape): Uint8Array {
  const { members: M, inputSize: I, outputSize: D } = spec;
  const layout = new ParamLayout({ inputSize: I, hiddenSizes: Array<number>(spec.layers).fill(spec.hiddenSize), outputSize: 2 * D, activation: 'swish' }, M);
  const g = new GraphBuilder();
  const layers = layout.layers;
  const last = layers.length - 1;

  // Weights: [M, P] cut into each layer's kernel [M, out, in] and bias [M, 1, out].
  const pieces = layers.flatMap((layer) => [layer.inSize * layer.outSize, layer.outSize]);
  const parts = g.multi('Split', [TRAIN_INPUTS.params, g.ints('split.layers', pieces)], pieces.length, [int('axis', 1)]);
  const kernels = layers.map((layer, l) => g.op('Reshape', [parts[2 * l]!, g.ints(`shape.kernel${l}`, [M, layer.outSize, layer.inSize])]));
  const biases = layers.map((layer, l) => g.op('Reshape', [parts[2 * l + 1]!, g.ints(`shape.bias${l}`, [M, 1, layer.outSize])]));

  // Forward: h ← swish(h Wᵀ + b) per hidden layer, kept for the backward pass.
  const inputs: string[] = [];
  const sigmoids: string[] = [];
  let h: string = TRAIN_INPUTS.x;
  for (let l = 0; l < last; l++) {
    inputs.push(h);
    const z = g.op('Add', [g.op('MatMul', [h, transposed(g, kernels[l]!)]), biases[l]!]);
    const s = g.op('Sigmoid', [z]);
    sigmoids.push(s);
    h = g.op('Mul', [z, s]);
  }
  inputs.push(h);
  const output = g.op('Add', [g.op('MatMul', [h, transposed(g, kernels[last]!)]), biases[last]!]);

  // The Gaussian head (gaussian-head.ts): lv = min + softplus(max − softplus(max − raw) − min).
  const [mean, raw] = g.multi('Split', [output, g.ints('split.head', [D, D])], 2, [int('axis', 2)]);
  const [max, min] = g.multi('Split', [g.op('Reshape', [TRAIN_INPUTS.bounds, g.ints('shape.bounds', [2, 1, 1, D])]), g.ints('split.bounds', [1, 1])], 2, [int('axis', 0)]).map((b) =>
    g.op('Reshape', [b, g.ints("shape.bound", [1, 1, D])]),
  ) as [string, string];
  const t1 = g.op('Sub', [max, raw]);
  const upper = g.op('Sub', [max, softplus(g, t1)]);
  const t2 = g.op('Sub', [upper, min]);
  const logvar = g.op('Add', [min, softplus(g, t2)]);
  const inverseVariance = g.op('Exp', [g.op('Neg', [logvar])]);
  const error = g.op('Sub', [mean, TRAIN_INPUTS.y]);
  const weighted = g.op('Mul', [g.op('Mul', [error, error]), inverseVariance]);
  g.op('ReduceMean', [g.op('Add', [weighted, logvar])], TRAIN_OUTPUTS.losses, [ints('axes', [1, 2]), int('keepdims', 0)]);

  const one = g.float('one', 1);
  const two = g.float('two', 2);
  const dMean = g.op('Mul', [g.op('Mul', [error, inverseVariance]), g.op('Mul', [TRAIN_INPUTS.scale, two])]);
  const dLogvar = g.op('Mul', [g.op('Sub', [one, weighted]), TRAIN_INPUTS.scale]);
  const throughLower = g.op('Mul', [dLogvar, g.op('Sigmoid', [t2])]);
  const dRaw = g.op('Mul', [throughLower, g.op('Sigmoid', [t1])]);
  const rowsAxis = g.ints('axes.rows', [1]);
  const dMax = g.op('ReduceSum', [g.op('Sub', [throughLower, dRaw]), rowsAxis], undefined, [int('keepdims', 0)]);
  const dMin = g.op('ReduceSum', [g.op('Sub', [dLogvar, throughLower]), rowsAxis], undefined, [int('keepdims', 0)]);
  g.op('Concat', [dMax, dMin], TRAIN_OUTPUTS.boundGradients, [int('axis', 1)]);

  // Backward: dW = dzᵀ h, db = Σ rows dz, dh = dz W, dz ← dh · swish′(z) with swish′ = s + h(1 − s).
  let dz = g.op('Concat', [dMean, dRaw], undefined, [int('axis', 2)]);
  const gradients: string[] = [];
  for (let l = last; l >= 0; l--) {
    const dKernel = g.op('MatMul', [transposed(g, dz), inputs[l]!]);
    const dBias = g.op('ReduceSum', [dz, rowsAxis], undefined, [int('keepdims', 0)]);
    gradients.unshift(g.op('Reshape', [dKernel, g.ints('shape.flat', [M, -1])]), dBias);
    if (l === 0) break;
    const dh = g.op('MatMul', [dz, kernels[l]!]);
    const s = sigmoids[l - 1]!;
    const slope = g.op('Add', [s, g.op('Mul', [inputs[l]!, g.op('Sub', [one, s])])]);
    dz = g.op('Mul', [dh, slope]);
  }
  g.op('Concat', gradients, TRAIN_OUTPUTS.gradient, [int('axis', 1)]);

  const model = onnx.ModelProto.create({
    irVersion: onnx.Version.IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'mopo',
    graph: {
      name: 'mopo_ensemble_train_step',
      node: g.nodes,
      initializer: g.initializers,
      input: [
        valueInfo(TRAIN_INPUTS.params, [M, layout.perNetwork]),
        valueInfo(TRAIN_INPUTS.x, [M, 'rows', I]),
        valueInfo(TRAIN_INPUTS.y, [M, 'rows', D]),
        valueInfo(TRAIN_INPUTS.bounds, [2 * D]),
        valueInfo(TRAIN_INPUTS.scale, [1]),
      ],
      output: [valueInfo(TRAIN_OUTPUTS.losses, [M]), valueInfo(TRAIN_OUTPUTS.gradient, [M, layout.perNetwork]), valueInfo(TRAIN_OUTPUTS.boundGradients, [M, 2 * D])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
