/**
 * The deterministic actor of TD3 and DDPG: μ(s) = tanh(f(s)) with f an MLP, a
 * Polyak-averaged target copy μ′ and its own Adam.
 *
 * The learners need μ′(s′) for the critic targets, μ(s) with a trace for the actor
 * step, and one Adam step from dL/dμ(s) (which the critic supplies as dQ/da). The
 * backward pass is by hand like everything on MlpStack: through tanh it is
 * dL/df = dL/da · (1 − a²).
 *
 * Methods taking or returning tensors run inside the caller's `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../nn/adam.js';
import type { MlpShape } from '../nn/layout.js';
import { MlpStack, type MlpTrace } from '../nn/mlp-stack.js';
import { clipByGlobalNorm } from './clip-gradient.js';
import { mlpLayers, type PolicyGraph } from './policy-graph.js';
import { captureTargetNetwork, polyakUpdate, restoreTargetNetwork, type TargetNetwork, type TargetNetworkState } from './target-network-state.js';

export interface DeterministicActorSpec {
  observationSize: number;
  actionSize: number;
  hiddenSize: number;
  layers: number;
  lr: number;
  /** Polyak rate of the target actor. */
  tau: number;
  /** The gradient is clipped to this global norm before each Adam step; null or absent: no clipping. */
  maxGradNorm?: number | null;
}

/** μ(s) with what `gradient`/`step` need to back-propagate through it. */
export interface ActorPass {
  action: tf.Tensor;
  trace: MlpTrace;
}

export function deterministicActorShape(spec: Pick<DeterministicActorSpec, 'observationSize' | 'actionSize' | 'hiddenSize' | 'layers'>): MlpShape {
  return {
    inputSize: spec.observationSize,
    hiddenSizes: Array<number>(spec.layers).fill(spec.hiddenSize),
    outputSize: spec.actionSize,
    activation: 'relu',
  };
}

export class DeterministicActor {
  private readonly online: MlpStack;
  private readonly target: MlpStack;
  private readonly adam: Adam;

  /** The target starts as a copy of the actor, as in the TD3 and DDPG papers. */
  constructor(
    readonly spec: DeterministicActorSpec,
    initialParams: Float32Array,
  ) {
    const shape = deterministicActorShape(spec);
    this.online = new MlpStack(shape, 1, initialParams);
    this.target = new MlpStack(shape, 1, initialParams);
    this.adam = new Adam(this.online.layout.size, { lr: spec.lr });
  }

  /** Parameters of one network (the actor or its target). */
  get size(): number {
    return this.online.layout.size;
  }

  /** μ(s) of the online actor for the rows of `observations` [rows, O], with its trace. In tf.tidy. */
  forward(observations: tf.Tensor): ActorPass {
    const { output, trace } = this.online.forward(0, observations, true);
    return { action: tf.tanh(output), trace: trace! };
  }

  /** μ′(s) of the target actor. In tf.tidy. */
  targetForward(observations: tf.Tensor): tf.Tensor {
    return tf.tanh(this.target.forward(0, observations).output);
  }

  /** μ(s) for whole rows of observationSize, as a Float32Array of rows × actionSize. */
  actions(observations: Float32Array): Float32Array {
    const O = this.spec.observationSize;
    const rows = observations.length / O;
    if (!Number.isInteger(rows)) throw new RangeError(`act: ${observations.length} values are not whole rows of ${O}`);
    const actions = tf.tidy(() => tf.tanh(this.online.forward(0, tf.tensor2d(observations, [rows, O])).output));
    const out = actions.dataSync() as Float32Array;
    actions.dispose();
    return out;
  }

  /** μ(s) = tanh(f(s)) of the online actor, for the exporters. */
  policyGraph(): PolicyGraph {
    const { observationSize, actionSize } = this.spec;
    return { observationSize, actionSize, normaliser: null, layers: mlpLayers(this.online.shape, this.online.read()), head: 'tanh' };
  }

  /** dL/dθ (flat, in layout order) given dL/dμ(s) for the rows of `pass`. In tf.tidy. */
  gradient(pass: ActorPass, dAction: tf.Tensor): tf.Tensor {
    const dOutput = tf.mul(dAction, tf.sub(1, tf.square(pass.action)));
    return MlpStack.flatten([this.online.backward(0, pass.trace, dOutput, { params: true, input: false }).params!]);
  }

  /** One Adam step of the loss whose gradient w.r.t. μ(s) is `dAction`. In tf.tidy. */
  step(pass: ActorPass, dAction: tf.Tensor): void {
    this.online.setParams(this.adam.apply(this.online.params, clipByGlobalNorm(this.gradient(pass, dAction), this.spec.maxGradNorm ?? null)));
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
