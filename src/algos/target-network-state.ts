/**
 * The checkpoint form of a network trained with Adam that has a Polyak target copy
 * (a Critic, a DeterministicActor): four vectors under one name, laid out as SAC
 * already stores its critics —
 *   <name>/params, <name>/target, <name>/adam/m, <name>/adam/v
 * — with the Adam step count kept by the caller in its JSON meta.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Adam } from '../nn/adam.js';
import type { MlpStack } from '../nn/mlp-stack.js';
import { requireTensor, vectorState, type TensorRecord } from '../nn/state.js';
import type { CriticState } from './critic.js';

/** The same fields as a critic's state: weights, target weights, Adam moments and step. */
export type TargetNetworkState = CriticState;

/** A network with its Polyak target and its optimiser, as a Critic and a DeterministicActor hold them. */
export interface TargetNetwork {
  readonly online: MlpStack;
  readonly target: MlpStack;
  readonly adam: Adam;
}

/** θ′ ← (1 − τ)θ′ + τθ. */
export function polyakUpdate({ online, target }: TargetNetwork, tau: number): void {
  target.setParams(tf.tidy(() => tf.add(tf.mul(target.params, 1 - tau), tf.mul(online.params, tau))));
}

export function captureTargetNetwork({ online, target, adam }: TargetNetwork): TargetNetworkState {
  const moments = adam.getState('adam');
  return { params: online.read(), target: target.read(), adamM: moments.tensors['adam/m']!.data, adamV: moments.tensors['adam/v']!.data, adamStep: moments.step };
}

export function restoreTargetNetwork({ online, target, adam }: TargetNetwork, state: TargetNetworkState): void {
  online.setParams(tf.tensor1d(state.params));
  target.setParams(tf.tensor1d(state.target));
  const shape = [online.layout.size];
  adam.setState({ 'adam/m': { shape, data: state.adamM }, 'adam/v': { shape, data: state.adamV } }, 'adam', state.adamStep);
}

export function targetNetworkTensors(name: string, state: TargetNetworkState): TensorRecord {
  return {
    [`${name}/params`]: vectorState(state.params),
    [`${name}/target`]: vectorState(state.target),
    [`${name}/adam/m`]: vectorState(state.adamM),
    [`${name}/adam/v`]: vectorState(state.adamV),
  };
}

/** The state stored under `name`, each vector checked to hold `size` values. */
export function readTargetNetwork(tensors: TensorRecord, name: string, size: number, adamStep: number): TargetNetworkState {
  const shape = [size];
  return {
    params: requireTensor(tensors, `${name}/params`, shape),
    target: requireTensor(tensors, `${name}/target`, shape),
    adamM: requireTensor(tensors, `${name}/adam/m`, shape),
    adamV: requireTensor(tensors, `${name}/adam/v`, shape),
    adamStep,
  };
}
