/**
 * Where each weight lives in a flat parameter vector. A stack of `count` networks of
 * one shape shares a single vector, so the optimiser, the target-network average and
 * a checkpoint each touch one tensor instead of dozens (every tfjs op costs ~10 µs).
 *
 * Per network, layer after layer: the kernel as [out, in] (PyTorch's nn.Linear
 * layout, which is also the layout its gradient comes out of the backward pass in),
 * then the bias [out].
 */
export type Activation = 'relu' | 'swish';

export interface MlpShape {
  inputSize: number;
  hiddenSizes: readonly number[];
  outputSize: number;
  /** Applied after every hidden layer; the output layer is linear. */
  activation: Activation;
}

export interface LayerSlot {
  inSize: number;
  outSize: number;
  /** Offsets within one network's block. */
  kernelOffset: number;
  biasOffset: number;
}

export class ParamLayout {
  readonly layers: readonly LayerSlot[];
  /** Parameters of one network. */
  readonly perNetwork: number;
  /** Parameters of the whole stack. */
  readonly size: number;

  constructor(
    readonly shape: MlpShape,
    readonly count: number,
  ) {
    const sizes = [shape.inputSize, ...shape.hiddenSizes, shape.outputSize];
    const layers: LayerSlot[] = [];
    let offset = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const inSize = sizes[l]!;
      const outSize = sizes[l + 1]!;
      layers.push({ inSize, outSize, kernelOffset: offset, biasOffset: offset + inSize * outSize });
      offset += inSize * outSize + outSize;
    }
    this.layers = layers;
    this.perNetwork = offset;
    this.size = offset * count;
  }

  networkOffset(network: number): number {
    return network * this.perNetwork;
  }
}
