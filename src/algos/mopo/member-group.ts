/**
 * Some members of the dynamics ensemble, trained together on one thread: their
 * weights share one flat vector (one Adam, one weight-decay product per step).
 *
 * Everything crosses this boundary as Float32Arrays, so a group can live in this
 * thread or in a worker alike. The learned log-variance bounds are shared by all
 * members, so they stay with the caller: each call receives them, and a training
 * step returns every member's share of their gradient separately so the caller can
 * add them up in a fixed order whatever the grouping.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../../nn/adam.js';
import { ParamLayout, type MlpShape } from '../../nn/layout.js';
import { MlpStack } from '../../nn/mlp-stack.js';
import { memberHeadLoss, memberPredictions, splitHead } from './gaussian-head.js';

export interface MemberGroupSpec {
  inputSize: number;
  /** D: observation size + 1 (reward). The network outputs 2D values. */
  outputSize: number;
  hiddenSize: number;
  layers: number;
  members: number;
  lr: number;
  /** Per layer (hidden, then output). */
  weightDecays: readonly number[];
}

export interface GroupStepResult {
  /** [members]. */
  losses: Float32Array;
  /** [members, 2D]: d loss / d [max_logvar, min_logvar] per member. */
  boundGradients: Float32Array;
}

export interface GroupPrediction {
  /** [members, rows, D]. */
  means: Float32Array;
  /** [members, rows, D], soft-clamped. */
  logvars: Float32Array;
}

/** A share of the split member's step (see members.ts). */
export interface PartialStep {
  /** This share's part of the member's loss. */
  loss: number;
  /** [2D]: this share's part of d loss / d [max_logvar, min_logvar]. */
  boundGradients: Float32Array;
  /** Its part of the weight gradient, unless kept in the group for applyPartials. */
  gradient: Float32Array | null;
}

export interface GroupState {
  params: Float32Array;
  adamM: Float32Array;
  adamV: Float32Array;
  adamStep: number;
}

export function memberShape(spec: Pick<MemberGroupSpec, 'inputSize' | 'outputSize' | 'hiddenSize' | 'layers'>): MlpShape {
  return {
    inputSize: spec.inputSize,
    hiddenSizes: Array<number>(spec.layers).fill(spec.hiddenSize),
    outputSize: 2 * spec.outputSize,
    activation: 'swish',
  };
}

export class MemberGroup {
  private readonly stack: MlpStack;
  private readonly adam: Adam;
  /** wd of each kernel entry's layer, 0 for biases: the gradient of Σ wd·W²/2 is decay ⊙ params. */
  private readonly decay: tf.Tensor;
  /** Partial weight gradients kept by partialStep, in order. */
  private partials: tf.Tensor[] = [];

  constructor(
    readonly spec: MemberGroupSpec,
    initialParams: Float32Array,
  ) {
    this.stack = new MlpStack(memberShape(spec), spec.members, initialParams);
    this.adam = new Adam(this.stack.layout.size, { lr: spec.lr });
    this.decay = tf.keep(tf.tensor1d(decayVector(this.stack.layout, spec.weightDecays)));
  }

  get size(): number {
    return this.stack.layout.size;
  }

  /** The members' weights as one flat vector (owned by the group; replaced by every step). */
  get params(): tf.Tensor {
    return this.stack.params;
  }

  /** One Adam step (with the weight decay) with `gradient`, a vector of the group's size. */
  applyGradient(gradient: tf.Tensor): void {
    this.stack.setParams(this.adam.apply(this.stack.params, gradient, this.decay));
  }

  /** One Adam step. `inputs` [members, rows, in] and `targets` [members, rows, D], member-major. */
  trainStep(inputs: Float32Array, targets: Float32Array, rows: number, bounds: Float32Array): GroupStepResult {
    const { members, inputSize: I, outputSize: D } = this.spec;
    const values = tf.tidy(() => {
      const traces = [];
      const outputs = [];
      for (let m = 0; m < members; m++) {
        const x = tf.tensor2d(inputs.subarray(m * rows * I, (m + 1) * rows * I), [rows, I]);
        const { output, trace } = this.stack.forward(m, x, true);
        outputs.push(output);
        traces.push(trace!);
      }
      const target = tf.tensor2d(targets.subarray(0, members * rows * D), [members * rows, D]);
      const head = memberHeadLoss(outputs, target, bounds);
      const passes = traces.map((trace, m) => ({ network: m, trace, dOutput: head.dOutputs[m]! }));
      const gradient = this.stack.backwardFlat(passes, { params: true, input: false }).params!;
      this.stack.setParams(this.adam.apply(this.stack.params, gradient, this.decay));
      return tf.concat([head.perMember, tf.reshape(head.dBounds, [-1])]);
    });
    const read = values.dataSync() as Float32Array;
    values.dispose();
    return { losses: read.slice(0, members), boundGradients: read.slice(members) };
  }

  /**
   * A share of a one-member group's step: forward, head and backward on `rows` of the
   * batch's `batchRows` rows (inputs [rows, in], targets [rows, D]), without the Adam
   * step. With `keep` the weight gradient stays here for applyPartials, else it is
   * returned (to travel to the thread that owns the member).
   */
  partialStep(inputs: Float32Array, targets: Float32Array, rows: number, batchRows: number, bounds: Float32Array, keep: boolean): PartialStep {
    const { members, inputSize: I, outputSize: D } = this.spec;
    if (members !== 1) throw new Error('MemberGroup.partialStep needs a group of one member');
    let kept: tf.Tensor | null = null;
    const values = tf.tidy(() => {
      const { output, trace } = this.stack.forward(0, tf.tensor2d(inputs.subarray(0, rows * I), [rows, I]), true);
      const head = memberHeadLoss([output], tf.tensor2d(targets.subarray(0, rows * D), [rows, D]), bounds, batchRows);
      const gradient = this.stack.backwardFlat([{ network: 0, trace: trace!, dOutput: head.dOutputs[0]! }], { params: true, input: false }).params!;
      const summary = [head.perMember, tf.reshape(head.dBounds, [-1])];
      if (keep) kept = tf.keep(gradient);
      return tf.concat(keep ? summary : [...summary, gradient]);
    });
    if (kept) this.partials.push(kept);
    const read = values.dataSync() as Float32Array;
    values.dispose();
    return { loss: read[0]!, boundGradients: read.slice(1, 1 + 2 * D), gradient: keep ? null : read.slice(1 + 2 * D) };
  }

  /** One Adam step with the sum of the kept partial gradients and then `others`, in order. */
  applyPartials(others: Float32Array[]): void {
    const partials = this.partials;
    this.partials = [];
    tf.tidy(() => {
      const parts = [...partials, ...others.map((g) => tf.tensor1d(g))];
      this.applyGradient(parts.slice(1).reduce((sum, part) => tf.add(sum, part), parts[0]!));
    });
    tf.dispose(partials);
  }

  /** Every member's prediction for the same `rows` inputs [rows, in]. */
  predict(inputs: Float32Array, rows: number, bounds: Float32Array): GroupPrediction {
    const { members, inputSize: I, outputSize: D } = this.spec;
    const values = tf.tidy(() => {
      const x = tf.tensor2d(inputs.subarray(0, rows * I), [rows, I]);
      return memberPredictions(Array.from({ length: members }, (_, m) => this.stack.forward(m, x).output), bounds);
    });
    const read = values.dataSync() as Float32Array;
    values.dispose();
    const half = members * rows * D;
    return { means: read.slice(0, half), logvars: read.slice(half) };
  }

  /** Mean squared error of each member's mean on `rows` inputs [rows, in] with targets [rows, D]. */
  meanSquaredErrors(inputs: Float32Array, targets: Float32Array, rows: number): Float32Array {
    const { members, inputSize: I, outputSize: D } = this.spec;
    const values = tf.tidy(() => {
      const x = tf.tensor2d(inputs.subarray(0, rows * I), [rows, I]);
      const y = tf.tensor2d(targets.subarray(0, rows * D), [rows, D]);
      const errors = [];
      for (let m = 0; m < members; m++) {
        const [mean] = splitHead(this.stack.forward(m, x).output);
        errors.push(tf.reshape(tf.mean(tf.square(tf.sub(mean, y))), [1]));
      }
      return tf.concat(errors);
    });
    const read = values.dataSync() as Float32Array;
    values.dispose();
    return read.slice();
  }

  getParams(): Float32Array {
    return this.stack.read();
  }

  setParams(params: Float32Array): void {
    this.stack.setParams(tf.tensor1d(params));
  }

  getState(): GroupState {
    const adam = this.adam.getState('adam');
    return { params: this.getParams(), adamM: adam.tensors['adam/m']!.data, adamV: adam.tensors['adam/v']!.data, adamStep: adam.step };
  }

  setState(state: GroupState): void {
    this.setParams(state.params);
    const shape = [this.size];
    this.adam.setState({ 'adam/m': { shape, data: state.adamM }, 'adam/v': { shape, data: state.adamV } }, 'adam', state.adamStep);
  }

  /** Live tensors of this thread's tfjs engine (for leak checks across threads). */
  tensorCount(): number {
    return tf.memory().numTensors;
  }

  dispose(): void {
    tf.dispose(this.partials);
    this.partials = [];
    this.stack.dispose();
    this.adam.dispose();
    this.decay.dispose();
  }
}

function decayVector(layout: ParamLayout, weightDecays: readonly number[]): Float32Array {
  const decay = new Float32Array(layout.size);
  for (let network = 0; network < layout.count; network++) {
    layout.layers.forEach((layer, l) => {
      const start = layout.networkOffset(network) + layer.kernelOffset;
      decay.fill(weightDecays[l]!, start, start + layer.inSize * layer.outSize);
    });
  }
  return decay;
}
