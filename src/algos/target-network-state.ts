/**
 * The checkpoint form of a network trained with Adam that has a Polyak target copy
 * (a Critic, a DeterministicActor): four vectors under one name, laid out as SAC
 * already stores its critics —
 *   <name>/params, <name>/target, <name>/adam/m, <name>/adam/v
 * — with the Adam step count kept by the caller in its JSON meta.
 */
import { requireTensor, vectorState, type TensorRecord } from '../nn/state.js';
import type { CriticState } from './critic.js';

/** The same fields as a critic's state: weights, target weights, Adam moments and step. */
export type TargetNetworkState = CriticState;

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
