/**
 * `count` fully connected networks of one shape whose weights share one flat vector
 * (see layout.ts), with hand-written backward passes.
 *
 * Why by hand: tfjs's built-in matMul gradient uses transposed products, which the
 * wasm backend runs ~15× slower than plain ones, and the published tfjs-core build
 * for Node registers no gradients at all. Every product below is a plain
 * `matMul(a, b)` with any transpose made explicitly, and the passes skip what the
 * caller does not need (no weight gradients when only dQ/da is wanted, no input
 * gradient below the first layer).
 *
 * Call inside `tf.tidy`; traces and gradients are ordinary tidied tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamLayout, type LayerSlot, type MlpShape } from './layout.js';
import { ParamViews } from './param-views.js';
import { transpose2d } from './transpose.js';

/** What the backward pass needs from the forward pass of one network. */
export interface MlpTrace {
  /** Input of every layer (the last hidden activation is the input of the output layer). */
  inputs: tf.Tensor[];
  /** Derivative of each hidden activation at its pre-activation value. */
  slopes: tf.Tensor[];
}

export interface BackwardNeeds {
  /** Gradients of the weights, in layout order. */
  params: boolean;
  /** Gradient with respect to the network input. */
  input: boolean;
}

export interface MlpGradients {
  /** Per layer: kernel [out, in] then bias [out] (flatten and concatenate for the layout). */
  params: tf.Tensor[] | null;
  input: tf.Tensor | null;
}

export class MlpStack {
  readonly layout: ParamLayout;
  private flat: tf.Tensor;
  private views: ParamViews;

  constructor(
    readonly shape: MlpShape,
    readonly count: number,
    initial: Float32Array,
  ) {
    this.layout = new ParamLayout(shape, count);
    if (initial.length !== this.layout.size) {
      throw new Error(`MlpStack: expected ${this.layout.size} parameters, got ${initial.length}`);
    }
    this.flat = tf.keep(tf.tensor1d(initial));
    this.views = new ParamViews(this.layout, this.flat);
  }

  /** The flat parameter vector (owned by the stack; do not dispose). */
  get params(): tf.Tensor {
    return this.flat;
  }

  /** Replaces the parameters; the stack takes ownership of `next`. */
  setParams(next: tf.Tensor): void {
    if (next === this.flat) return;
    this.views.dispose();
    this.flat.dispose();
    this.flat = tf.keep(next);
    this.views = new ParamViews(this.layout, this.flat);
  }

  read(): Float32Array {
    return this.flat.dataSync().slice() as Float32Array;
  }

  /** Output of network `network` for the rows of `x`; with `trace`, what backward() needs. */
  forward(network: number, x: tf.Tensor, trace = false): { output: tf.Tensor; trace: MlpTrace | null } {
    const inputs: tf.Tensor[] = [];
    const slopes: tf.Tensor[] = [];
    const last = this.layout.layers.length - 1;
    let h = x;
    for (let l = 0; l < last; l++) {
      inputs.push(h);
      const weights = { a: h, b: this.views.kernelT(network, l), bias: this.views.bias(network, l) };
      if (this.shape.activation === 'relu') {
        h = tf.fused.matMul({ ...weights, activation: 'relu' });
        if (trace) slopes.push(tf.step(h));
      } else {
        const z = tf.fused.matMul(weights);
        const s = tf.sigmoid(z);
        h = tf.mul(z, s);
        // swish'(z) = s + z·s·(1 − s) = s + h·(1 − s)
        if (trace) slopes.push(tf.add(s, tf.mul(h, tf.sub(1, s))));
      }
    }
    inputs.push(h);
    const output = tf.fused.matMul({ a: h, b: this.views.kernelT(network, last), bias: this.views.bias(network, last) });
    return { output, trace: trace ? { inputs, slopes } : null };
  }

  /** Back-propagates `dOutput` (gradient of the loss w.r.t. the output) through network `network`. */
  backward(network: number, trace: MlpTrace, dOutput: tf.Tensor, needs: BackwardNeeds): MlpGradients {
    const layers = this.layout.layers;
    const params: tf.Tensor[] = [];
    let dz = dOutput;
    let dInput: tf.Tensor | null = null;
    for (let l = layers.length - 1; l >= 0; l--) {
      const x = trace.inputs[l]!;
      if (needs.params) params.unshift(...layerGradients(layers[l]!, x, dz));
      if (l === 0 && !needs.input) break;
      const dx = tf.matMul(dz, this.views.kernel(network, l));
      if (l === 0) dInput = dx;
      else dz = tf.mul(dx, trace.slopes[l - 1]!);
    }
    return { params: needs.params ? params : null, input: dInput };
  }

  /** Concatenates per-network gradient lists into one vector in layout order. */
  static flatten(gradients: tf.Tensor[][]): tf.Tensor {
    return tf.concat(gradients.flat().map((g) => tf.reshape(g, [-1])));
  }

  dispose(): void {
    this.views.dispose();
    this.flat.dispose();
  }
}

/**
 * dKernel [out, in] and dBias [out] of one layer from its input x [B, in] and the
 * gradient at its output dz [B, out]. Two equivalent routes; each packs one operand
 * for XNNPACK (~3 ns per element) and transposes others (~1.5 ns per element), so
 * the cheaper one depends on the layer's shape: narrow outputs go through xᵀ.
 */
function layerGradients(layer: LayerSlot, x: tf.Tensor, dz: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const rows = x.shape[0];
  const { inSize, outSize } = layer;
  const dzT = outSize === 1 ? tf.reshape(dz, [1, rows]) : transpose2d(dz);
  const dBias = tf.sum(dzT, 1);
  const viaDzT = 3 * rows * inSize;
  const viaXT = 1.5 * rows * inSize + 3 * rows * outSize + (outSize === 1 ? 0 : 1.5 * inSize * outSize);
  if (viaDzT <= viaXT) return [tf.matMul(dzT, x), dBias];
  const dKernelT = tf.matMul(transpose2d(x), dz);
  return [outSize === 1 ? tf.reshape(dKernelT, [1, inSize]) : transpose2d(dKernelT), dBias];
}
