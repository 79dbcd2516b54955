/**
 * MPO's actor: an MLP whose output row [m (A), r (A)] is a diagonal Gaussian
 * N(tanh(m), (softplus(r) + MIN_STD)²) (mpo-mstep.ts) — or, with `policy: 'categorical'`,
 * whose output row is the n logits of a categorical policy over discrete actions
 * (mpo-mstep-categorical.ts) — with a Polyak-averaged target copy π′ (the E-step reads
 * it) and its own Adam. The M-step's gradient with respect to the output rows comes
 * from the M-step file; the backward pass through the MLP is MlpStack's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../nn/adam.js';
import type { MlpShape } from '../nn/layout.js';
import { MlpStack, type MlpTrace } from '../nn/mlp-stack.js';
import { clipByGlobalNorm } from './clip-gradient.js';
import { mlpLayers, type PolicyGraph } from './policy-graph.js';
import { captureTargetNetwork, polyakUpdate, restoreTargetNetwork, type TargetNetwork, type TargetNetworkState } from './target-network-state.js';

export interface MpoActorSpec {
  observationSize: number;
  /** A (box actions) for the Gaussian, n (the number of choices) for the categorical policy. */
  actionSize: number;
  /** Absent: 'gaussian'. */
  policy?: 'gaussian' | 'categorical';
  hiddenSize: number;
  layers: number;
  lr: number;
  tau: number;
  maxGradNorm: number | null;
}

export function mpoActorShape(spec: Pick<MpoActorSpec, 'observationSize' | 'actionSize' | 'hiddenSize' | 'layers' | 'policy'>): MlpShape {
  return {
    inputSize: spec.observationSize,
    hiddenSizes: Array<number>(spec.layers).fill(spec.hiddenSize),
    outputSize: spec.policy === 'categorical' ? spec.actionSize : 2 * spec.actionSize,
    activation: 'relu',
  };
}

export class MpoActor {
  private readonly online: MlpStack;
  private readonly target: MlpStack;
  private readonly adam: Adam;

  /** The target starts as a copy of the actor. */
  constructor(
    readonly spec: MpoActorSpec,
    initialParams: Float32Array,
  ) {
    const shape = mpoActorShape(spec);
    this.online = new MlpStack(shape, 1, initialParams);
    this.target = new MlpStack(shape, 1, initialParams);
    this.adam = new Adam(this.online.layout.size, { lr: spec.lr });
  }

  /** Parameters of one network (the actor or its target). */
  get size(): number {
    return this.online.layout.size;
  }

  /** Output rows [rows, 2A] (categorical: [rows, n]) of the actor, or of its target, for whole rows of observations. */
  outputs(observations: Float32Array, network: 'online' | 'target'): Float32Array {
    const O = this.spec.observationSize;
    const rows = observations.length / O;
    if (!Number.isInteger(rows)) throw new RangeError(`MPO actor: ${observations.length} values are not whole rows of ${O}`);
    const stack = network === 'online' ? this.online : this.target;
    const output = tf.tidy(() => stack.forward(0, tf.tensor2d(observations, [rows, O])).output);
    const data = output.dataSync() as Float32Array;
    output.dispose();
    return data.slice();
  }

  /** The deterministic policy tanh(m) as a network description for the exporters: the head SAC's tanh-Gaussian uses. */
  policyGraph(): PolicyGraph {
    if (this.spec.policy === 'categorical') throw new Error('MPO actor: the exporters have no head for a categorical policy');
    const { observationSize, actionSize } = this.spec;
    return { observationSize, actionSize, normaliser: null, layers: mlpLayers(this.online.shape, this.online.read()), head: 'tanh_gaussian_mean' };
  }

  /** The actor's output rows with their trace, for `step`. In tf.tidy. */
  forward(observations: tf.Tensor): { output: tf.Tensor; trace: MlpTrace } {
    const { output, trace } = this.online.forward(0, observations, true);
    return { output, trace: trace! };
  }

  /** One Adam step of the loss whose gradient with respect to the output rows of `trace` is `dOutput` (clipped first). In tf.tidy. */
  step(trace: MlpTrace, dOutput: tf.Tensor): void {
    const gradient = this.online.backwardFlat([{ network: 0, trace, dOutput }], { params: true, input: false }).params!;
    this.online.setParams(this.adam.apply(this.online.params, clipByGlobalNorm(gradient, this.spec.maxGradNorm)));
  }

  private parts(): TargetNetwork {
    return { online: this.online, target: this.target, adam: this.adam };
  }

  /** θ′ ← (1 − τ)θ′ + τθ. */
  updateTarget(): void {
    polyakUpdate(this.parts(), this.spec.tau);
  }

  getState(): TargetNetworkState {
    return captureTargetNetwork(this.parts());
  }

  setState(state: TargetNetworkState): void {
    restoreTargetNetwork(this.parts(), state);
  }

  dispose(): void {
    for (const owned of [this.online, this.target, this.adam]) owned.dispose();
  }
}
