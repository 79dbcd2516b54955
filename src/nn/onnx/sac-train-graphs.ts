/**
 * The gradients of one SAC update (algos/sac.ts) as two ONNX models, for ONNX Runtime's
 * CPU kernels: their matrix products (MLAS) use the machine's full vector width, which
 * our 128-bit WASM kernels cannot. As in ensemble-train-graph.ts the weights are inputs
 * (they change every step; a session is built once) and the backward passes are written
 * out as ONNX ops: the gradients of mlp-stack.ts (ReLU MLPs, kernels [out, in]) and of
 * the tanh-Gaussian head of algos/tanh-gaussian.ts, with the same formulas. Both critics
 * run together as batched products ([2, rows, in] × [2, in, out]).
 *
 * The critic model (the update's step 1; weights before the update):
 *   inputs   actor [1, Pa], critics [2, Pc], targets [2, Pc]     flat vectors of layout.ts
 *            observations, next_observations [rows, O], actions, noise [rows, A]
 *            rewards, discounts [rows, 1]   discounts: γ (or γᵏ) · (1 − terminal) per row
 *            alpha [1], row_scale [rows, 1] d loss / d (Q − y) per unit error: 2·w/rows
 *   outputs  q [2, rows, 1]  Q(s, a) of both critics; y [rows, 1] the targets
 *            gradient [2, Pc] of Σ_k Σ_rows row_scale·(Q_k − y)²/2 (y held constant)
 *   with a′ = tanh(μ + σε) on s′ (ε: `noise`) and y = r + discount·(min Q′(s′, a′) − α log π(a′|s′)).
 *
 * The actor model (step 2; the critics after their Adam step):
 *   inputs   actor [1, Pa], critics [2, Pc], observations [rows, O], noise [rows, A],
 *            alpha [1], row_scale [rows, 1] (w/rows)
 *   outputs  gradient [1, Pa] of Σ_rows row_scale·(α log π(ã|s) − min_k Q_k(s, ã)),
 *            log_prob [rows, 1], q [2, rows, 1] Q(s, ã) of both critics
 *   the gradient of min Q flowing into the critic that is smaller on each row (the first on ties).
 *
 * The log-std bounds are constants of the models. Losses, clipping, Adam, Polyak and α
 * stay in sac.ts.
 */
import onnxProto from 'onnx-proto';
import { ParamLayout, type MlpShape } from '../layout.js';
import { GraphBuilder, int, ints, OPSET, softplus, transposed } from './graph-builder.js';
import { valueInfo } from './mlp-graph.js';

const { onnx } = onnxProto;

export const SAC_INPUTS = {
  actor: 'actor',
  critics: 'critics',
  targets: 'targets',
  observations: 'observations',
  actions: 'actions',
  rewards: 'rewards',
  discounts: 'discounts',
  nextObservations: 'next_observations',
  noise: 'noise',
  alpha: 'alpha',
  rowScale: 'row_scale',
} as const;
export const SAC_OUTPUTS = { gradient: 'gradient', q: 'q', y: 'y', logProb: 'log_prob' } as const;

export interface SacGraphShape {
  observationSize: number;
  actionSize: number;
  actorHiddenSize: number;
  actorLayers: number;
  criticHiddenSize: number;
  criticLayers: number;
  logStdMin: number;
  logStdMax: number;
}

export function actorShape(spec: SacGraphShape): MlpShape {
  return { inputSize: spec.observationSize, hiddenSizes: Array<number>(spec.actorLayers).fill(spec.actorHiddenSize), outputSize: 2 * spec.actionSize, activation: 'relu' };
}

export function criticGraphShape(spec: SacGraphShape): MlpShape {
  return { inputSize: spec.observationSize + spec.actionSize, hiddenSizes: Array<number>(spec.criticLayers).fill(spec.criticHiddenSize), outputSize: 1, activation: 'relu' };
}

/** The critic model: both critics' gradients, Q(s, a) and the targets y. */
export function sacCriticGraph(spec: SacGraphShape): Uint8Array {
  const { observationSize: O, actionSize: A } = spec;
  const g = new GraphBuilder();
  const actor = weights(g, SAC_INPUTS.actor, new ParamLayout(actorShape(spec), 1));
  const criticLayout = new ParamLayout(criticGraphShape(spec), 2);
  const critics = weights(g, SAC_INPUTS.critics, criticLayout);
  const targets = weights(g, SAC_INPUTS.targets, criticLayout);

  const next = squashedSample(g, spec, forward(g, actor, SAC_INPUTS.nextObservations).output);
  const nextInput = g.op('Concat', [SAC_INPUTS.nextObservations, next.action], undefined, [int('axis', 1)]);
  const nextQ = g.op('ReduceMin', [forward(g, targets, nextInput).output], undefined, [ints('axes', [0]), int('keepdims', 0)]);
  const soft = g.op('Sub', [nextQ, g.op('Mul', [SAC_INPUTS.alpha, next.logProb])]);
  const y = g.op('Add', [SAC_INPUTS.rewards, g.op('Mul', [SAC_INPUTS.discounts, soft])], SAC_OUTPUTS.y);

  const input = g.op('Concat', [SAC_INPUTS.observations, SAC_INPUTS.actions], undefined, [int('axis', 1)]);
  const q = forward(g, critics, input);
  g.op('Identity', [q.output], SAC_OUTPUTS.q);
  const dq = g.op('Mul', [g.op('Sub', [q.output, y]), SAC_INPUTS.rowScale]);
  backward(g, critics, q, dq, SAC_OUTPUTS.gradient);

  return encode(g, 'mopo_sac_critic_gradients', [
    valueInfo(SAC_INPUTS.actor, [1, actor.layout.perNetwork]),
    valueInfo(SAC_INPUTS.critics, [2, criticLayout.perNetwork]),
    valueInfo(SAC_INPUTS.targets, [2, criticLayout.perNetwork]),
    valueInfo(SAC_INPUTS.observations, ['rows', O]),
    valueInfo(SAC_INPUTS.actions, ['rows', A]),
    valueInfo(SAC_INPUTS.rewards, ['rows', 1]),
    valueInfo(SAC_INPUTS.discounts, ['rows', 1]),
    valueInfo(SAC_INPUTS.nextObservations, ['rows', O]),
    valueInfo(SAC_INPUTS.noise, ['rows', A]),
    valueInfo(SAC_INPUTS.alpha, [1]),
    valueInfo(SAC_INPUTS.rowScale, ['rows', 1]),
  ], [valueInfo(SAC_OUTPUTS.gradient, [2, criticLayout.perNetwork]), valueInfo(SAC_OUTPUTS.q, [2, 'rows', 1]), valueInfo(SAC_OUTPUTS.y, ['rows', 1])]);
}

/** The actor model: the actor's gradient, log π(ã|s) and Q(s, ã). */
export function sacActorGraph(spec: SacGraphShape): Uint8Array {
  const { observationSize: O, actionSize: A } = spec;
  const g = new GraphBuilder();
  const actor = weights(g, SAC_INPUTS.actor, new ParamLayout(actorShape(spec), 1));
  const criticLayout = new ParamLayout(criticGraphShape(spec), 2);
  const critics = weights(g, SAC_INPUTS.critics, criticLayout);

  const head = forward(g, actor, SAC_INPUTS.observations);
  const pi = squashedSample(g, spec, head.output);
  g.op('Identity', [pi.logProb], SAC_OUTPUTS.logProb);
  const input = g.op('Concat', [SAC_INPUTS.observations, pi.action], undefined, [int('axis', 1)]);
  const q = forward(g, critics, input);
  g.op('Identity', [q.output], SAC_OUTPUTS.q);

  // d/dQ_k of −row_scale·min Q: on the first critic where Q₁ ≤ Q₂, else on the second.
  const [q1, q2] = g.multi('Split', [q.output, g.ints('split.pair', [1, 1])], 2, [int('axis', 0)]);
  const first = g.op('Cast', [g.op('LessOrEqual', [q1!, q2!])], undefined, [int('to', onnx.TensorProto.DataType.FLOAT)]);
  const chosen = g.op('Concat', [first, g.op('Sub', [g.float('one', 1), first])], undefined, [int('axis', 0)]);
  const dq = g.op('Mul', [chosen, g.op('Neg', [SAC_INPUTS.rowScale])]);
  const dInput = backward(g, critics, q, dq, null);
  const dInputAction = g.op('Slice', [dInput, g.ints('slice.start', [O]), g.ints('slice.end', [O + A]), g.ints('slice.axis', [2])]);
  const dAction = g.op('ReduceSum', [dInputAction, g.ints('axes.pair', [0])], undefined, [int('keepdims', 0)]);

  // tanh-gaussian.ts's backward: ∂a/∂u = 1 − a², ∂ log π/∂u = 2a, ∂ log π/∂ℓ = −1 inside the clamp.
  const dLogProb = g.op('Mul', [SAC_INPUTS.alpha, SAC_INPUTS.rowScale]);
  const a = pi.action;
  const dU = g.op('Add', [g.op('Mul', [dAction, g.op('Sub', [g.float('one', 1), g.op('Mul', [a, a])])]), g.op('Mul', [g.op('Mul', [a, g.float('two', 2)]), dLogProb])]);
  const dLogStd = g.op('Mul', [g.op('Sub', [g.op('Mul', [g.op('Mul', [dU, pi.std]), SAC_INPUTS.noise]), dLogProb]), pi.free]);
  const dHead = g.op('Reshape', [g.op('Concat', [dU, dLogStd], undefined, [int('axis', 1)]), g.ints('shape.head', [1, -1, 2 * A])]);
  backward(g, actor, head, dHead, SAC_OUTPUTS.gradient);

  return encode(g, 'mopo_sac_actor_gradient', [
    valueInfo(SAC_INPUTS.actor, [1, actor.layout.perNetwork]),
    valueInfo(SAC_INPUTS.critics, [2, criticLayout.perNetwork]),
    valueInfo(SAC_INPUTS.observations, ['rows', O]),
    valueInfo(SAC_INPUTS.noise, ['rows', A]),
    valueInfo(SAC_INPUTS.alpha, [1]),
    valueInfo(SAC_INPUTS.rowScale, ['rows', 1]),
  ], [valueInfo(SAC_OUTPUTS.gradient, [1, actor.layout.perNetwork]), valueInfo(SAC_OUTPUTS.logProb, ['rows', 1]), valueInfo(SAC_OUTPUTS.q, [2, 'rows', 1])]);
}

interface Weights {
  layout: ParamLayout;
  kernels: string[];
  biases: string[];
}

interface Pass {
  output: string;
  /** Each layer's input: x, then the hidden layers' ReLU outputs. */
  inputs: string[];
}

/** `params` [M, P] cut into each layer's kernel [M, out, in] and bias [M, 1, out]. */
function weights(g: GraphBuilder, params: string, layout: ParamLayout): Weights {
  const M = layout.count;
  const pieces = layout.layers.flatMap((layer) => [layer.inSize * layer.outSize, layer.outSize]);
  const parts = g.multi('Split', [params, g.ints('split.layers', pieces)], pieces.length, [int('axis', 1)]);
  return {
    layout,
    kernels: layout.layers.map((layer, l) => g.op('Reshape', [parts[2 * l]!, g.ints('shape.kernel', [M, layer.outSize, layer.inSize])])),
    biases: layout.layers.map((layer, l) => g.op('Reshape', [parts[2 * l + 1]!, g.ints('shape.bias', [M, 1, layer.outSize])])),
  };
}

/** h ← relu(h Wᵀ + b) per hidden layer, a linear last layer; x [rows, in] is shared by the M networks. */
function forward(g: GraphBuilder, net: Weights, x: string): Pass {
  const last = net.kernels.length - 1;
  const inputs: string[] = [];
  let h = x;
  for (let l = 0; l <= last; l++) {
    inputs.push(h);
    const z = g.op('Add', [g.op('MatMul', [h, transposed(g, net.kernels[l]!)]), net.biases[l]!]);
    h = l < last ? g.op('Relu', [z]) : z;
  }
  return { output: h, inputs };
}

/**
 * The backward pass of `pass` from d/d output `dOutput` [M, rows, out]: the weight
 * gradient [M, P] in layout order into `gradient`, or, when it is null, only d/d x
 * [M, rows, in] (returned). ReLU's slope is 1 where its output is positive, as tf.step's.
 */
function backward(g: GraphBuilder, net: Weights, pass: Pass, dOutput: string, gradient: string | null): string {
  const M = net.layout.count;
  const gradients: string[] = [];
  let dz = dOutput;
  for (let l = net.kernels.length - 1; l >= 0; l--) {
    if (gradient !== null) {
      const dKernel = g.op('MatMul', [transposed(g, dz), pass.inputs[l]!]);
      const dBias = g.op('ReduceSum', [dz, g.ints('axes.rows', [1])], undefined, [int('keepdims', 0)]);
      gradients.unshift(g.op('Reshape', [dKernel, g.ints('shape.flat', [M, -1])]), dBias);
      if (l === 0) break;
    }
    const dh = g.op('MatMul', [dz, net.kernels[l]!]);
    if (l === 0) return dh;
    dz = g.op('Mul', [dh, g.op('Sign', [pass.inputs[l]!])]);
  }
  return g.op('Concat', gradients, gradient!, [int('axis', 1)]);
}

interface Squashed {
  /** [rows, A] each. */
  action: string;
  std: string;
  /** 1 where the raw log-std lies inside the bounds. */
  free: string;
  /** [rows, 1] */
  logProb: string;
}

/**
 * tanh-gaussian.ts's sample for the head [1, rows, 2A] and the `noise` input:
 * log π = −Σⱼ [ε²/2 + ℓ + 2(log 2 − u − softplus(−2u))] − A·log(2π)/2.
 */
function squashedSample(g: GraphBuilder, spec: SacGraphShape, head: string): Squashed {
  const A = spec.actionSize;
  const rows = g.op('Reshape', [head, g.ints('shape.rows', [-1, 2 * A])]);
  const [mean, raw] = g.multi('Split', [rows, g.ints('split.head', [A, A])], 2, [int('axis', 1)]);
  const logStd = g.op('Clip', [raw!, g.float('log_std_min', spec.logStdMin), g.float('log_std_max', spec.logStdMax)]);
  const std = g.op('Exp', [logStd]);
  const u = g.op('Add', [mean!, g.op('Mul', [std, SAC_INPUTS.noise])]);
  const action = g.op('Tanh', [u]);
  const logOneMinusTanhSq = g.op('Mul', [g.op('Sub', [g.op('Sub', [g.float('ln2', Math.LN2), u]), softplus(g, g.op('Mul', [u, g.float('minus_two', -2)]))]), g.float('two', 2)]);
  const halfSquare = g.op('Mul', [g.op('Mul', [SAC_INPUTS.noise, SAC_INPUTS.noise]), g.float('half', 0.5)]);
  const perDim = g.op('Add', [g.op('Add', [halfSquare, logStd]), logOneMinusTanhSq]);
  const sum = g.op('ReduceSum', [perDim, g.ints('axes.columns', [1])], undefined, [int('keepdims', 1)]);
  const logProb = g.op('Sub', [g.op('Neg', [sum]), g.float('log_normaliser', A * 0.5 * Math.log(2 * Math.PI))]);
  const free = g.op('Cast', [g.op('Equal', [logStd, raw!])], undefined, [int('to', onnx.TensorProto.DataType.FLOAT)]);
  return { action, std, free, logProb };
}

function encode(g: GraphBuilder, name: string, input: onnxProto.onnx.IValueInfoProto[], output: onnxProto.onnx.IValueInfoProto[]): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: onnx.Version.IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'mopo',
    graph: { name, node: g.nodes, initializer: g.initializers, input, output },
  });
  return onnx.ModelProto.encode(model).finish();
}
