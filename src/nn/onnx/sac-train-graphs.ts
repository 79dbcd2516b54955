/**
 * The gradients of one SAC update (algos/sac.ts) as two ONNX models, for ONNX Runtime's
 * CPU kernels: their matrix products (MLAS) use the machine's full vector width, which
 * our 128-bit WASM kernels cannot. As in ensemble-train-graph.ts the weights are inputs
 * (they change every step; a session is built once) and the backward passes are written
 * out as ONNX ops: the gradients of mlp-stack.ts (ReLU MLPs) and of the tanh-Gaussian
 * head of algos/tanh-gaussian.ts, with the same formulas. Every layer's kernel [out, in]
 * and bias [out] is an input of its own and every gradient an output of its own, so the
 * caller hands ONNX Runtime views of its flat weight vectors (layout.ts) and of its
 * gradient vectors: no op cuts or joins them.
 *
 * The critic model (the update's step 1; weights before the update):
 *   inputs   weights of actor, critic1, critic2, target1, target2 (weightName)
 *            observations, next_observations [rows, O], actions, noise [rows, A]
 *            rewards, discounts [rows, 1]   discounts: γ (or γᵏ) · (1 − terminal) per row
 *            alpha [1], row_scale [rows, 1] d loss / d (Q − y) per unit error: 2·w/rows
 *   outputs  gradients of critic1's and critic2's weights (gradientName) of
 *            Σ_k Σ_rows row_scale·(Q_k − y)²/2 (y held constant);
 *            q [2·rows, 1] Q(s, a) of the first critic's rows, then the second's; y [rows, 1]
 *   with a′ = tanh(μ + σε) on s′ (ε: `noise`) and y = r + discount·(min Q′(s′, a′) − α log π(a′|s′)).
 *
 * The actor model (step 2; the critics after their Adam step):
 *   inputs   weights of actor, critic1, critic2; observations [rows, O], noise [rows, A],
 *            alpha [1], row_scale [rows, 1] (w/rows)
 *   outputs  gradients of the actor's weights of Σ_rows row_scale·(α log π(ã|s) − min_k Q_k(s, ã)),
 *            log_prob [rows, 1], q [2·rows, 1] Q(s, ã) of both critics
 *   the gradient of min Q flowing into the critic that is smaller on each row (the first on ties).
 *
 * The log-std bounds are constants of the models. Losses, clipping, Adam, Polyak and α
 * stay in sac.ts.
 */
import onnxProto from 'onnx-proto';
import { ParamLayout, type MlpShape } from '../layout.js';
import { GraphBuilder, int, ints, OPSET, softplus } from './graph-builder.js';
import { valueInfo } from './mlp-graph.js';

const { onnx } = onnxProto;

export const SAC_INPUTS = {
  observations: 'observations',
  actions: 'actions',
  rewards: 'rewards',
  discounts: 'discounts',
  nextObservations: 'next_observations',
  noise: 'noise',
  alpha: 'alpha',
  rowScale: 'row_scale',
} as const;
export const SAC_OUTPUTS = { q: 'q', y: 'y', logProb: 'log_prob' } as const;

/** The networks whose weights a model takes: each layer's kernel and bias as inputs of their own. */
export type SacNetwork = 'actor' | 'critic1' | 'critic2' | 'target1' | 'target2';

/** The input name of layer `l`'s kernel [out, in] or bias [out] of `network`. */
export function weightName(network: SacNetwork, part: 'kernel' | 'bias', l: number): string {
  return `${network}.${part}${l}`;
}

/** The output name of the gradient of layer `l`'s kernel or bias of `network`. */
export function gradientName(network: SacNetwork, part: 'kernel' | 'bias', l: number): string {
  return `d.${weightName(network, part, l)}`;
}

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
  const actorLayout = new ParamLayout(actorShape(spec), 1);
  const criticLayout = new ParamLayout(criticGraphShape(spec), 1);
  const actor: Network = { name: 'actor', layout: actorLayout };
  const [critic1, critic2, target1, target2] = (['critic1', 'critic2', 'target1', 'target2'] as const).map((name): Network => ({ name, layout: criticLayout })) as [Network, Network, Network, Network];

  const next = squashedSample(g, spec, forward(g, actor, SAC_INPUTS.nextObservations).output);
  const nextInput = g.op('Concat', [SAC_INPUTS.nextObservations, next.action], undefined, [int('axis', 1)]);
  const nextQ = g.op('Min', [forward(g, target1, nextInput).output, forward(g, target2, nextInput).output]);
  const soft = g.op('Sub', [nextQ, g.op('Mul', [SAC_INPUTS.alpha, next.logProb])]);
  const y = g.op('Add', [SAC_INPUTS.rewards, g.op('Mul', [SAC_INPUTS.discounts, soft])], SAC_OUTPUTS.y);

  const input = g.op('Concat', [SAC_INPUTS.observations, SAC_INPUTS.actions], undefined, [int('axis', 1)]);
  const q = [critic1, critic2].map((critic) => {
    const pass = forward(g, critic, input);
    weightGradients(g, critic, pass, g.op('Mul', [g.op('Sub', [pass.output, y]), SAC_INPUTS.rowScale]));
    return pass.output;
  });
  g.op('Concat', q, SAC_OUTPUTS.q, [int('axis', 0)]);

  return encode(
    g,
    'mopo_sac_critic_gradients',
    [
      ...weightInputs(actor),
      ...[critic1, critic2, target1, target2].flatMap(weightInputs),
      valueInfo(SAC_INPUTS.observations, ['rows', O]),
      valueInfo(SAC_INPUTS.actions, ['rows', A]),
      valueInfo(SAC_INPUTS.rewards, ['rows', 1]),
      valueInfo(SAC_INPUTS.discounts, ['rows', 1]),
      valueInfo(SAC_INPUTS.nextObservations, ['rows', O]),
      valueInfo(SAC_INPUTS.noise, ['rows', A]),
      valueInfo(SAC_INPUTS.alpha, [1]),
      valueInfo(SAC_INPUTS.rowScale, ['rows', 1]),
    ],
    [...[critic1, critic2].flatMap(gradientOutputs), valueInfo(SAC_OUTPUTS.q, ['rows2', 1]), valueInfo(SAC_OUTPUTS.y, ['rows', 1])],
  );
}

/** The actor model: the actor's gradient, log π(ã|s) and Q(s, ã). */
export function sacActorGraph(spec: SacGraphShape): Uint8Array {
  const { observationSize: O, actionSize: A } = spec;
  const g = new GraphBuilder();
  const actor: Network = { name: 'actor', layout: new ParamLayout(actorShape(spec), 1) };
  const criticLayout = new ParamLayout(criticGraphShape(spec), 1);
  const critics = (['critic1', 'critic2'] as const).map((name): Network => ({ name, layout: criticLayout })) as [Network, Network];

  const head = forward(g, actor, SAC_INPUTS.observations);
  const pi = squashedSample(g, spec, head.output);
  g.op('Identity', [pi.logProb], SAC_OUTPUTS.logProb);
  const input = g.op('Concat', [SAC_INPUTS.observations, pi.action], undefined, [int('axis', 1)]);
  const [q1, q2] = critics.map((critic) => forward(g, critic, input)) as [Pass, Pass];
  g.op('Concat', [q1.output, q2.output], SAC_OUTPUTS.q, [int('axis', 0)]);

  // d/dQ_k of −row_scale·min Q: on the first critic where Q₁ ≤ Q₂, else on the second.
  const first = g.op('Cast', [g.op('LessOrEqual', [q1.output, q2.output])], undefined, [int('to', onnx.TensorProto.DataType.FLOAT)]);
  const minusScale = g.op('Neg', [SAC_INPUTS.rowScale]);
  const dq1 = g.op('Mul', [first, minusScale]);
  const dq2 = g.op('Mul', [g.op('Sub', [g.float('one', 1), first]), minusScale]);
  const dInput = g.op('Add', [inputGradient(g, critics[0], q1, dq1), inputGradient(g, critics[1], q2, dq2)]);
  const dAction = g.op('Slice', [dInput, g.ints('slice.start', [O]), g.ints('slice.end', [O + A]), g.ints('slice.axis', [1])]);

  // tanh-gaussian.ts's backward: ∂a/∂u = 1 − a², ∂ log π/∂u = 2a, ∂ log π/∂ℓ = −1 inside the clamp.
  const dLogProb = g.op('Mul', [SAC_INPUTS.alpha, SAC_INPUTS.rowScale]);
  const a = pi.action;
  const dU = g.op('Add', [g.op('Mul', [dAction, g.op('Sub', [g.float('one', 1), g.op('Mul', [a, a])])]), g.op('Mul', [g.op('Mul', [a, g.float('two', 2)]), dLogProb])]);
  const dLogStd = g.op('Mul', [g.op('Sub', [g.op('Mul', [g.op('Mul', [dU, pi.std]), SAC_INPUTS.noise]), dLogProb]), pi.free]);
  weightGradients(g, actor, head, g.op('Concat', [dU, dLogStd], undefined, [int('axis', 1)]));

  return encode(
    g,
    'mopo_sac_actor_gradient',
    [
      ...[actor, ...critics].flatMap(weightInputs),
      valueInfo(SAC_INPUTS.observations, ['rows', O]),
      valueInfo(SAC_INPUTS.noise, ['rows', A]),
      valueInfo(SAC_INPUTS.alpha, [1]),
      valueInfo(SAC_INPUTS.rowScale, ['rows', 1]),
    ],
    [...gradientOutputs(actor), valueInfo(SAC_OUTPUTS.logProb, ['rows', 1]), valueInfo(SAC_OUTPUTS.q, ['rows2', 1])],
  );
}

interface Network {
  name: SacNetwork;
  layout: ParamLayout;
}

interface Pass {
  output: string;
  /** Each layer's input: x, then the hidden layers' ReLU outputs. */
  inputs: string[];
}

function weightInputs(net: Network): onnxProto.onnx.IValueInfoProto[] {
  return net.layout.layers.flatMap((layer, l) => [valueInfo(weightName(net.name, 'kernel', l), [layer.outSize, layer.inSize]), valueInfo(weightName(net.name, 'bias', l), [layer.outSize])]);
}

function gradientOutputs(net: Network): onnxProto.onnx.IValueInfoProto[] {
  return net.layout.layers.flatMap((layer, l) => [valueInfo(gradientName(net.name, 'kernel', l), [layer.outSize, layer.inSize]), valueInfo(gradientName(net.name, 'bias', l), [layer.outSize])]);
}

/** h ← relu(h Wᵀ + b) per hidden layer, a linear last layer. */
function forward(g: GraphBuilder, net: Network, x: string): Pass {
  const last = net.layout.layers.length - 1;
  const inputs: string[] = [];
  let h = x;
  for (let l = 0; l <= last; l++) {
    inputs.push(h);
    const z = g.op('Add', [g.op('MatMul', [h, transposed(g, weightName(net.name, 'kernel', l))]), weightName(net.name, 'bias', l)]);
    h = l < last ? g.op('Relu', [z]) : z;
  }
  return { output: h, inputs };
}

/**
 * The backward pass of `pass` from d/d output `dOutput` [rows, out]: each layer's kernel
 * and bias gradient, into the outputs gradientName names. ReLU's slope is 1 where its
 * output is positive, as tf.step's.
 */
function weightGradients(g: GraphBuilder, net: Network, pass: Pass, dOutput: string): void {
  let dz = dOutput;
  for (let l = net.layout.layers.length - 1; l >= 0; l--) {
    g.op('MatMul', [transposed(g, dz), pass.inputs[l]!], gradientName(net.name, 'kernel', l));
    g.op('ReduceSum', [dz, g.ints('axes.rows', [0])], gradientName(net.name, 'bias', l), [int('keepdims', 0)]);
    if (l > 0) dz = throughLayer(g, net, pass, dz, l);
  }
}

/** d/d x [rows, in] of the backward pass of `pass` from `dOutput`. */
function inputGradient(g: GraphBuilder, net: Network, pass: Pass, dOutput: string): string {
  let dz = dOutput;
  for (let l = net.layout.layers.length - 1; l > 0; l--) dz = throughLayer(g, net, pass, dz, l);
  return g.op('MatMul', [dz, weightName(net.name, 'kernel', 0)]);
}

/** d/d z of layer l − 1 from d/d z of layer l. */
function throughLayer(g: GraphBuilder, net: Network, pass: Pass, dz: string, l: number): string {
  const dh = g.op('MatMul', [dz, weightName(net.name, 'kernel', l)]);
  return g.op('Mul', [dh, g.op('Sign', [pass.inputs[l]!])]);
}

/** [a, b] → [b, a]; ONNX Runtime folds it into the MatMul that takes it. */
function transposed(g: GraphBuilder, value: string): string {
  return g.op('Transpose', [value], undefined, [ints('perm', [1, 0])]);
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
 * tanh-gaussian.ts's sample for the head [rows, 2A] and the `noise` input:
 * log π = −Σⱼ [ε²/2 + ℓ + 2(log 2 − u − softplus(−2u))] − A·log(2π)/2.
 */
function squashedSample(g: GraphBuilder, spec: SacGraphShape, head: string): Squashed {
  const A = spec.actionSize;
  const [mean, raw] = g.multi('Split', [head, g.ints('split.head', [A, A])], 2, [int('axis', 1)]);
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
