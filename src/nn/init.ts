/**
 * Initial weights, drawn from our seeded Rng (never tf.random) so a seed fixes a run.
 */
import type { Rng } from '../util/rng.js';
import type { ParamLayout } from './layout.js';

export type Initializer = 'torch_default' | 'truncated_normal';

/**
 * `torch_default`: PyTorch's nn.Linear, kernel and bias ~ U(±1/√fan_in) — what SAC
 * implementations get without asking. `truncated_normal`: the MOPO dynamics model,
 * kernel ~ N(0, 1/(2√fan_in)) cut at two standard deviations, bias 0.
 */
export function initialParams(layout: ParamLayout, initializer: Initializer, rng: Rng): Float32Array {
  const params = new Float32Array(layout.size);
  for (let network = 0; network < layout.count; network++) {
    const base = layout.networkOffset(network);
    for (const layer of layout.layers) {
      const kernel = params.subarray(base + layer.kernelOffset, base + layer.kernelOffset + layer.inSize * layer.outSize);
      const bias = params.subarray(base + layer.biasOffset, base + layer.biasOffset + layer.outSize);
      if (initializer === 'torch_default') {
        const bound = 1 / Math.sqrt(layer.inSize);
        rng.fillUniform(kernel, -bound, bound);
        rng.fillUniform(bias, -bound, bound);
      } else {
        fillTruncatedNormal(kernel, 1 / (2 * Math.sqrt(layer.inSize)), rng);
      }
    }
  }
  return params;
}

function fillTruncatedNormal(out: Float32Array, std: number, rng: Rng): void {
  for (let i = 0; i < out.length; i++) {
    let z = rng.normal();
    while (Math.abs(z) > 2) z = rng.normal();
    out[i] = z * std;
  }
}
