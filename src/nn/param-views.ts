/**
 * Per-layer tensors cut from a flat parameter vector, made on first use and kept
 * until the vector changes.
 *
 * On the wasm and cpu backends a tfjs slice reads the WHOLE source tensor back to
 * JavaScript for every slice (measured: splitting 72k floats six ways took 1.5 ms),
 * so there we read the vector once and upload each piece. Native TensorFlow slices
 * in place, so there (and on any other backend) we use its ops and never sync.
 *
 * Each layer offers its kernel both as [out, in] (`kernel`, used by the backward
 * pass) and as [in, out] (`kernelT`, used by the forward pass): tfjs's fast matMul
 * path wants its right operand untransposed. Keeping the same tensor objects for a
 * parameter version also lets the wasm backend reuse its packed copy of them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamLayout } from './layout.js';
import { transpose2d } from './transpose.js';

interface LayerTensors {
  kernel?: tf.Tensor;
  kernelT?: tf.Tensor;
  bias?: tf.Tensor;
}

export class ParamViews {
  private readonly cache: LayerTensors[];
  private host: Float32Array | null = null;
  private readonly readBack: boolean;

  constructor(
    private readonly layout: ParamLayout,
    private readonly flat: tf.Tensor,
  ) {
    this.cache = Array.from({ length: layout.count * layout.layers.length }, () => ({}));
    this.readBack = readsBackToSlice(tf.getBackend());
  }

  kernel(network: number, layer: number): tf.Tensor {
    const entry = this.entry(network, layer);
    if (!entry.kernel) {
      const { inSize, outSize } = this.layout.layers[layer]!;
      entry.kernel = this.piece(this.kernelStart(network, layer), [outSize, inSize]);
    }
    return entry.kernel;
  }

  kernelT(network: number, layer: number): tf.Tensor {
    const entry = this.entry(network, layer);
    if (!entry.kernelT) {
      const kernel = this.kernel(network, layer);
      entry.kernelT = tf.keep(tf.tidy(() => transpose2d(kernel)));
    }
    return entry.kernelT;
  }

  bias(network: number, layer: number): tf.Tensor {
    const entry = this.entry(network, layer);
    if (!entry.bias) {
      const { outSize } = this.layout.layers[layer]!;
      const start = this.layout.networkOffset(network) + this.layout.layers[layer]!.biasOffset;
      entry.bias = this.piece(start, [outSize]);
    }
    return entry.bias;
  }

  dispose(): void {
    for (const entry of this.cache) {
      entry.kernel?.dispose();
      entry.kernelT?.dispose();
      entry.bias?.dispose();
    }
    this.host = null;
  }

  private entry(network: number, layer: number): LayerTensors {
    return this.cache[network * this.layout.layers.length + layer]!;
  }

  private kernelStart(network: number, layer: number): number {
    return this.layout.networkOffset(network) + this.layout.layers[layer]!.kernelOffset;
  }

  private piece(start: number, shape: number[]): tf.Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    if (this.readBack) {
      this.host ??= this.flat.dataSync() as Float32Array;
      return tf.keep(tf.tensor(this.host.subarray(start, start + size), shape, 'float32'));
    }
    return tf.keep(tf.tidy(() => tf.reshape(tf.slice(this.flat, [start], [size]), shape)));
  }
}

function readsBackToSlice(backend: string): boolean {
  return backend === 'wasm' || backend === 'cpu';
}
