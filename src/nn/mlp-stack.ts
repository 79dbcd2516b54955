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
 * On the WASM backend a whole pass is one fused kernel (wasm/fast-kernels.ts) that
 * reads the weights in place from the flat vector; elsewhere it is a few tfjs ops per
 * layer.
 *
 * Call inside `tf.tidy`; traces and gradients are ordinary tidied tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamLayout, type LayerSlot, type MlpShape } from './layout.js';
import { ParamViews } from './param-views.js';
import { transpose2d } from './transpose.js';
import { fastKernels, KERNELS_TRANSPOSED, MLP_BACKWARD, MLP_FORWARD, runFused, type LayerAttrs } from './wasm/fast-kernels.js';

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

/** One network's forward pass and the gradient at its output, for `backwardFlat`. */
export interface BackwardPass {
  network: number;
  trace: MlpTrace;
  dOutput: tf.Tensor;
}

export class MlpStack {
  readonly layout: ParamLayout;
  private flat: tf.Tensor;
  private views: ParamViews;
  /** Every kernel of the flat vector stored as [in, out] (at its offset), for the fused forward pass; made on first use. */
  private transposedKernels: tf.Tensor | null = null;

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
    this.release();
    this.flat.dispose();
    this.flat = tf.keep(next);
    this.views = new ParamViews(this.layout, this.flat);
  }

  read(): Float32Array {
    return this.flat.dataSync().slice() as Float32Array;
  }

  /** Output of network `network` for the rows of `x`; with `trace`, what backward() needs. */
  forward(network: number, x: tf.Tensor, trace = false): { output: tf.Tensor; trace: MlpTrace | null } {
    if (fastKernels()) return this.fusedForward(network, x, trace);
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
    if (fastKernels()) {
      const outputs = this.fusedBackward([{ network, trace, dOutput }], needs, true);
      const count = needs.params ? 2 * this.layout.layers.length : 0;
      return { params: needs.params ? outputs.slice(0, count) : null, input: needs.input ? outputs[count]! : null };
    }
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

  /**
   * Back-propagates several networks' passes at once: `params` is their weight
   * gradient as one vector, the passes' networks one after another (so passes for
   * networks 0 … count−1 in order give the stack's whole layout), and `inputs` each
   * pass's input gradient when asked.
   */
  backwardFlat(passes: readonly BackwardPass[], needs: BackwardNeeds): { params: tf.Tensor | null; inputs: tf.Tensor[] | null } {
    if (fastKernels()) {
      const outputs = this.fusedBackward(passes, needs, false);
      return { params: needs.params ? outputs[0]! : null, inputs: needs.input ? outputs.slice(needs.params ? 1 : 0) : null };
    }
    const results = passes.map((pass) => this.backward(pass.network, pass.trace, pass.dOutput, needs));
    return {
      params: needs.params ? MlpStack.flatten(results.map((r) => r.params!)) : null,
      inputs: needs.input ? results.map((r) => r.input!) : null,
    };
  }

  /** Concatenates per-network gradient lists into one vector in layout order. */
  static flatten(gradients: tf.Tensor[][]): tf.Tensor {
    return tf.concat(gradients.flat().map((g) => tf.reshape(g, [-1])));
  }

  dispose(): void {
    this.release();
    this.flat.dispose();
  }

  private release(): void {
    this.views.dispose();
    this.transposedKernels?.dispose();
    this.transposedKernels = null;
  }

  private layerAttrs(network: number | null): LayerAttrs {
    const base = network === null ? 0 : this.layout.networkOffset(network);
    const layers = this.layout.layers;
    return {
      inSizes: layers.map((layer) => layer.inSize),
      outSizes: layers.map((layer) => layer.outSize),
      kernelOffsets: layers.map((layer) => base + layer.kernelOffset),
      biasOffsets: layers.map((layer) => base + layer.biasOffset),
    };
  }

  private fusedForward(network: number, x: tf.Tensor, trace: boolean): { output: tf.Tensor; trace: MlpTrace | null } {
    if (x.rank !== 2 || x.shape[1] !== this.shape.inputSize || x.dtype !== 'float32') {
      throw new Error(`MlpStack.forward: expected float32 rows of ${this.shape.inputSize}, got ${x.dtype} [${x.shape.join(', ')}]`);
    }
    if (!this.transposedKernels) {
      const all: LayerAttrs = { inSizes: [], outSizes: [], kernelOffsets: [], biasOffsets: [] };
      for (let n = 0; n < this.count; n++) {
        const attrs = this.layerAttrs(n);
        for (const key of Object.keys(all) as (keyof LayerAttrs)[]) all[key].push(...attrs[key]);
      }
      this.transposedKernels = tf.keep(runFused(KERNELS_TRANSPOSED, { params: this.flat }, all)[0]!);
    }
    const outputs = runFused(MLP_FORWARD, { x, kernels: this.transposedKernels, params: this.flat }, { ...this.layerAttrs(network), activation: this.shape.activation, trace });
    const hidden = this.layout.layers.length - 1;
    return {
      output: outputs[0]!,
      trace: trace ? { inputs: [x, ...outputs.slice(1, 1 + hidden)], slopes: outputs.slice(1 + hidden) } : null,
    };
  }

  private fusedBackward(passes: readonly BackwardPass[], needs: BackwardNeeds, layered: boolean): tf.Tensor[] {
    const inputs: Record<string, tf.Tensor> = { params: this.flat };
    const last = this.layout.layers.length - 1;
    for (const { network, trace, dOutput } of passes) {
      if (dOutput.rank !== 2 || dOutput.shape[1] !== this.shape.outputSize || dOutput.dtype !== 'float32') {
        throw new Error(`MlpStack.backward: expected float32 rows of ${this.shape.outputSize}, got ${dOutput.dtype} [${dOutput.shape.join(', ')}]`);
      }
      if (inputs[`dOutput${network}`]) throw new Error(`MlpStack.backwardFlat: network ${network} passed twice`);
      inputs[`dOutput${network}`] = dOutput;
      trace.inputs.forEach((input, l) => (inputs[`input${network}_${l}`] = input));
      trace.slopes.forEach((slope, l) => (inputs[`slope${network}_${l}`] = slope));
      if (trace.inputs.length !== last + 1 || trace.slopes.length !== last) throw new Error('MlpStack.backward: the trace does not fit this network');
    }
    return runFused(MLP_BACKWARD, inputs, {
      ...this.layerAttrs(null),
      networks: passes.map((pass) => pass.network),
      perNetwork: this.layout.perNetwork,
      gradient: needs.params,
      layered,
      inputGradient: needs.input,
    });
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
