/**
 * BEAR's behaviour model π_β(a|s): a conditional variational auto-encoder (the
 * "imitator" of d3rlpy and BCQ), trained by reconstruction.
 *
 *   encoder  [s, a] → MLP → [μ, ℓ] (latent L each), σ = exp(clamp(ℓ, −4, 15))
 *   decoder  [s, z] → MLP → u (A values), action = tanh(u)
 *   loss     mean((tanh(u(s, μ + σε)) − a)²) + β · mean KL(N(μ, σ²) ‖ N(0, 1)),
 *            ε ~ N(0, 1),  KL per latent = (μ² + σ²)/2 − ℓ − 1/2
 * Sampling decodes z ~ N(0, 1) clipped to ±0.5 (BCQ's guard against extreme latents)
 * into actions tanh(u).
 *
 * The elementwise steps run on the host; the two MLPs on tfjs with their hand-written
 * backward passes (mlp-stack.ts). Noise comes from the caller's Rng, so a seed fixes
 * every step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../nn/adam.js';
import { initialParams } from '../nn/init.js';
import { ParamLayout, type MlpShape } from '../nn/layout.js';
import { MlpStack } from '../nn/mlp-stack.js';
import { requireTensor, vectorState, type TensorRecord } from '../nn/state.js';
import type { Rng } from '../util/rng.js';

export interface ImitatorSpec {
  observationSize: number;
  actionSize: number;
  latentSize: number;
  hiddenSize: number;
  layers: number;
  lr: number;
  klWeight: number;
  adamEpsilon: number;
}

export interface ImitatorStep {
  /** Reconstruction error plus β·KL, before the step. */
  loss: number;
  reconstruction: number;
  kl: number;
}

const LOG_STD_MIN = -4;
const LOG_STD_MAX = 15;
/** Sampled latents are clipped to ±this. */
export const LATENT_CLIP = 0.5;

function shapes(spec: ImitatorSpec): { encoder: MlpShape; decoder: MlpShape } {
  const hiddenSizes = Array<number>(spec.layers).fill(spec.hiddenSize);
  return {
    encoder: { inputSize: spec.observationSize + spec.actionSize, hiddenSizes, outputSize: 2 * spec.latentSize, activation: 'relu' },
    decoder: { inputSize: spec.observationSize + spec.latentSize, hiddenSizes, outputSize: spec.actionSize, activation: 'relu' },
  };
}

export class BehaviourVae {
  private readonly encoder: MlpStack;
  private readonly decoder: MlpStack;
  private readonly encoderAdam: Adam;
  private readonly decoderAdam: Adam;

  /** Initial weights drawn from `init` (PyTorch's default for nn.Linear): the encoder's, then the decoder's. */
  constructor(
    readonly spec: ImitatorSpec,
    init: Rng,
  ) {
    const { encoder, decoder } = shapes(spec);
    this.encoder = new MlpStack(encoder, 1, initialParams(new ParamLayout(encoder, 1), 'torch_default', init));
    this.decoder = new MlpStack(decoder, 1, initialParams(new ParamLayout(decoder, 1), 'torch_default', init));
    const adam = { lr: spec.lr, epsilon: spec.adamEpsilon };
    this.encoderAdam = new Adam(this.encoder.layout.size, adam);
    this.decoderAdam = new Adam(this.decoder.layout.size, adam);
  }

  /** One Adam step of the loss on (s, a) rows; `noise` holds rows × L standard normals for the reparameterised z. */
  train(observations: Float32Array, actions: Float32Array, noise: Float32Array, rows: number): ImitatorStep {
    const { observationSize: O, actionSize: A, latentSize: L, klWeight } = this.spec;
    let step: ImitatorStep = { loss: 0, reconstruction: 0, kl: 0 };
    tf.tidy(() => {
      const encoded = this.encoder.forward(0, tf.tensor2d(joinRows(observations, O, actions, A, rows), [rows, O + A]), true);
      const head = encoded.output.dataSync() as Float32Array;
      const z = new Float32Array(rows * L);
      const sigma = new Float32Array(rows * L);
      let kl = 0;
      for (let r = 0; r < rows; r++) {
        for (let l = 0; l < L; l++) {
          const mu = head[r * 2 * L + l]!;
          const logStd = clamp(head[r * 2 * L + L + l]!, LOG_STD_MIN, LOG_STD_MAX);
          const s = Math.exp(logStd);
          sigma[r * L + l] = s;
          z[r * L + l] = mu + s * noise[r * L + l]!;
          kl += 0.5 * (mu * mu + s * s) - logStd - 0.5;
        }
      }
      kl /= rows * L;

      const decoded = this.decoder.forward(0, tf.tensor2d(joinRows(observations, O, z, L, rows), [rows, O + L]), true);
      const u = decoded.output.dataSync() as Float32Array;
      const dU = new Float32Array(rows * A);
      let reconstruction = 0;
      for (let k = 0; k < rows * A; k++) {
        const y = Math.tanh(u[k]!);
        const error = y - actions[k]!;
        reconstruction += error * error;
        dU[k] = ((2 * error) / (rows * A)) * (1 - y * y);
      }
      reconstruction /= rows * A;

      const decoderPass = this.decoder.backwardFlat([{ network: 0, trace: decoded.trace!, dOutput: tf.tensor2d(dU, [rows, A]) }], { params: true, input: true });
      const dInput = decoderPass.inputs![0]!.dataSync() as Float32Array;
      const dHead = new Float32Array(rows * 2 * L);
      const klScale = klWeight / (rows * L);
      for (let r = 0; r < rows; r++) {
        for (let l = 0; l < L; l++) {
          const dz = dInput[r * (O + L) + O + l]!;
          const mu = head[r * 2 * L + l]!;
          const rawLogStd = head[r * 2 * L + L + l]!;
          const s = sigma[r * L + l]!;
          dHead[r * 2 * L + l] = dz + klScale * mu;
          // The clamp passes no gradient outside its range.
          const free = rawLogStd >= LOG_STD_MIN && rawLogStd <= LOG_STD_MAX ? 1 : 0;
          dHead[r * 2 * L + L + l] = free * (dz * s * noise[r * L + l]! + klScale * (s * s - 1));
        }
      }
      const encoderGradient = this.encoder.backwardFlat([{ network: 0, trace: encoded.trace!, dOutput: tf.tensor2d(dHead, [rows, 2 * L]) }], { params: true, input: false }).params!;
      this.decoder.setParams(this.decoderAdam.apply(this.decoder.params, decoderPass.params!));
      this.encoder.setParams(this.encoderAdam.apply(this.encoder.params, encoderGradient));
      step = { loss: reconstruction + klWeight * kl, reconstruction, kl };
    });
    return step;
  }

  /**
   * Behaviour actions tanh(u(s, z)): `samples` per row of `observations`, for the latents
   * `latent` (rows × samples × L, already drawn and clipped), row-major as rows × samples × A.
   */
  sample(observations: Float32Array, latent: Float32Array, rows: number, samples: number): Float32Array {
    const { observationSize: O, latentSize: L } = this.spec;
    const input = joinRows(repeatRows(observations, O, rows, samples), O, latent, L, rows * samples);
    const output = tf.tidy(() => tf.tanh(this.decoder.forward(0, tf.tensor2d(input, [rows * samples, O + L])).output));
    const values = output.dataSync().slice() as Float32Array;
    output.dispose();
    return values;
  }

  /** Latents for `count` samples: N(0, 1) clipped to ±LATENT_CLIP. */
  drawLatents(count: number, rng: Rng): Float32Array {
    const latent = rng.fillNormal(new Float32Array(count * this.spec.latentSize));
    for (let k = 0; k < latent.length; k++) latent[k] = clamp(latent[k]!, -LATENT_CLIP, LATENT_CLIP);
    return latent;
  }

  getState(prefix: string): { tensors: TensorRecord; adamSteps: { encoder: number; decoder: number } } {
    const encoderAdam = this.encoderAdam.getState(`${prefix}/encoder/adam`);
    const decoderAdam = this.decoderAdam.getState(`${prefix}/decoder/adam`);
    return {
      tensors: {
        [`${prefix}/encoder/params`]: vectorState(this.encoder.read()),
        ...encoderAdam.tensors,
        [`${prefix}/decoder/params`]: vectorState(this.decoder.read()),
        ...decoderAdam.tensors,
      },
      adamSteps: { encoder: encoderAdam.step, decoder: decoderAdam.step },
    };
  }

  setState(tensors: TensorRecord, prefix: string, adamSteps: { encoder: number; decoder: number }): void {
    this.encoder.setParams(tf.tensor1d(requireTensor(tensors, `${prefix}/encoder/params`, [this.encoder.layout.size])));
    this.decoder.setParams(tf.tensor1d(requireTensor(tensors, `${prefix}/decoder/params`, [this.decoder.layout.size])));
    this.encoderAdam.setState(tensors, `${prefix}/encoder/adam`, adamSteps.encoder);
    this.decoderAdam.setState(tensors, `${prefix}/decoder/adam`, adamSteps.decoder);
  }

  dispose(): void {
    for (const owned of [this.encoder, this.decoder, this.encoderAdam, this.decoderAdam]) owned.dispose();
  }
}

/** Rows [u, v] of two row-major blocks (joined here: tfjs's concat along columns is slow on WASM). */
export function joinRows(u: Float32Array, uSize: number, v: Float32Array, vSize: number, rows: number): Float32Array {
  const joined = new Float32Array(rows * (uSize + vSize));
  for (let r = 0; r < rows; r++) {
    joined.set(u.subarray(r * uSize, (r + 1) * uSize), r * (uSize + vSize));
    joined.set(v.subarray(r * vSize, (r + 1) * vSize), r * (uSize + vSize) + uSize);
  }
  return joined;
}

/** Each of `rows` rows of `width` values repeated `times` times in place: r₀ r₀ … r₁ r₁ … */
export function repeatRows(values: Float32Array, width: number, rows: number, times: number): Float32Array {
  const out = new Float32Array(rows * times * width);
  for (let r = 0; r < rows; r++) {
    const row = values.subarray(r * width, (r + 1) * width);
    for (let t = 0; t < times; t++) out.set(row, (r * times + t) * width);
  }
  return out;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
