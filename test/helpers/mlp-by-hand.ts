/**
 * A ReLU MLP's output computed here, in float64, straight from a flat parameter vector
 * in mopo's layout (per layer: kernel [out, in], then bias [out]) — independent of the
 * network code under test.
 */
export interface HandShape {
  inputSize: number;
  hidden: number[];
  outputSize: number;
}

export function qByHand(params: Float32Array, shape: HandShape, input: ArrayLike<number>): number[] {
  const sizes = [shape.inputSize, ...shape.hidden, shape.outputSize];
  let h = Array.from(input);
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [inSize, outSize] = [sizes[l]!, sizes[l + 1]!];
    const out: number[] = [];
    for (let o = 0; o < outSize; o++) {
      let z = params[offset + inSize * outSize + o]!;
      for (let i = 0; i < inSize; i++) z += params[offset + o * inSize + i]! * h[i]!;
      out.push(l + 2 < sizes.length ? Math.max(0, z) : z);
    }
    offset += inSize * outSize + outSize;
    h = out;
  }
  return h;
}
