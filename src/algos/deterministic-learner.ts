/**
 * What TD3 and DDPG share: a deterministic tanh actor and `criticCount` Q critics, all
 * with Polyak targets; exploration by Gaussian noise on the actor's action; and the
 * checks a saved state must pass before it is loaded into a learner.
 */
import { CheckpointError } from '../errors.js';
import { initialParams } from '../nn/init.js';
import { ParamLayout } from '../nn/layout.js';
import type { ModuleState } from '../nn/state.js';
import { Rng } from '../util/rng.js';
import { addExplorationNoise } from './action-noise.js';
import { targetRate } from './actor-critic-options.js';
import type { CriticSpec } from './critic.js';
import { CriticSet } from './critic-set.js';
import { DeterministicActor, deterministicActorShape } from './deterministic-actor.js';

export interface DeterministicLearnerOptions {
  observationSize: number;
  actionSize: number;
  tau: number;
  polyak: number | null;
  maxGradNorm: number | null;
  actorHiddenSize: number;
  actorLayers: number;
  actorLr: number;
  criticHiddenSize: number;
  criticLayers: number;
  criticLr: number;
  explorationNoise: number;
  seed: number;
}

/** The actor's, then the critics' initial weights, all from one Rng stream of `seed`. */
export function buildActorAndCritics(o: DeterministicLearnerOptions, criticCount: number): { actor: DeterministicActor; critics: CriticSet } {
  const init = new Rng(o.seed, 1);
  const tau = targetRate(o);
  const actorSpec = { observationSize: o.observationSize, actionSize: o.actionSize, hiddenSize: o.actorHiddenSize, layers: o.actorLayers, lr: o.actorLr, tau, maxGradNorm: o.maxGradNorm };
  const actor = new DeterministicActor(actorSpec, initialParams(new ParamLayout(deterministicActorShape(actorSpec), 1), 'torch_default', init));
  const criticSpec: CriticSpec = { observationSize: o.observationSize, actionSize: o.actionSize, hiddenSize: o.criticHiddenSize, layers: o.criticLayers, lr: o.criticLr, tau, maxGradNorm: o.maxGradNorm };
  return { actor, critics: new CriticSet(criticSpec, criticCount, init) };
}

/**
 * Actions for `observations` (rows of observationSize): μ(s) when `deterministic`,
 * else μ(s) + N(0, explorationNoise²) noise from `rng`, clipped to [−1, 1].
 */
export function explore(actor: DeterministicActor, explorationNoise: number, observations: Float32Array, deterministic: boolean, rng?: Rng): Float32Array {
  if (!deterministic && !rng) throw new Error('act: a stochastic action needs an Rng');
  const actions = actor.actions(observations);
  return deterministic ? actions : addExplorationNoise(actions, explorationNoise, rng!);
}

/** The meta of a state saved as `format` version 1, else a CheckpointError naming `algoLabel`. */
export function savedMeta<Meta>(state: ModuleState, format: string, algoLabel: string): Meta {
  const meta = state.meta as { format?: unknown; version?: unknown } | null;
  if (!meta || meta.format !== format || meta.version !== 1) {
    throw new CheckpointError(`This is not a ${algoLabel} state saved by mopo (format ${format}, version 1).`);
  }
  return meta as Meta;
}

type Architecture = Pick<DeterministicLearnerOptions, 'observationSize' | 'actionSize' | 'actorHiddenSize' | 'actorLayers' | 'criticHiddenSize' | 'criticLayers'>;

/** A saved state fits a learner only if every network has the same shape. */
export function checkSameArchitecture(algoLabel: string, saved: Architecture, current: Architecture): void {
  for (const key of ['observationSize', 'actionSize', 'actorHiddenSize', 'actorLayers', 'criticHiddenSize', 'criticLayers'] as const) {
    if (saved[key] !== current[key]) {
      throw new CheckpointError(`The ${algoLabel} state has ${key} ${saved[key]}, this learner ${current[key]}.`);
    }
  }
}
