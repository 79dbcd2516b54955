/**
 * Every learner mopo can train, one row each: what it acts on, where it can learn,
 * its options (one schema: config keys, defaults, rules), and how to build it fresh
 * or from a saved state. The command line, the training loops, evaluation,
 * collection and policy loading look rows up here; nothing else names learners.
 *
 * Adding a learner: its file in src/algos/ (update / act / getState / fromState),
 * its options schema, and a row below.
 *
 * Light to import: the learner classes (and TensorFlow.js with them) load only when a
 * row builds one, so `mopo --cfg job` can check options without them.
 */
import { actionSpaceName, type ActionKind } from '../envs/action-space.js';
import { ConfigError } from '../errors.js';
import type { ModuleState } from '../nn/state.js';
import { didYouMean } from '../util/suggest.js';
import { BEAR_SETTINGS } from './bear-options.js';
import { DDPG_SETTINGS } from './ddpg-options.js';
import { DDQN_SETTINGS } from './ddqn-options.js';
import { DISCRETE_SAC_SETTINGS } from './discrete-sac-options.js';
import type { Learner, LearnerSizes } from './learner.js';
import { MPO_SETTINGS } from './mpo-options.js';
import type { Field, OptionsSchema, Values } from './option-schema.js';
import { SAC_SETTINGS } from './sac-options.js';
import { TD3_SETTINGS } from './td3-options.js';

export type { ActionKind };
/** Where a learner can learn from: an environment it acts in, or a fixed dataset. */
export type LoopKind = 'online' | 'offline';

export interface LearnerRow<F extends Record<string, Field<any>> = Record<string, Field<any>>> {
  name: string;
  summary: string;
  /** The action spaces it can act in (MPO: both, its policy following the env's). */
  actionKinds: readonly ActionKind[];
  loops: readonly LoopKind[];
  /** Samples actions with a known density (log π(a|s)): it can drive MOPO's model rollouts. */
  stochastic: boolean;
  /**
   * Its update honours the batch's `discounts` (n-step returns) and `weights`
   * (importance weights) and writes TD errors (prioritized replay); absent: it does not.
   */
  weightedReplay?: boolean;
  settings: OptionsSchema<F>;
  create(options: Partial<Values<F>> & LearnerSizes & { seed: number }): Promise<Learner>;
  /** A learner in a saved state; `settings` may change what does not change the networks' shapes (e.g. learning rates). */
  fromState(state: ModuleState, settings?: Partial<Values<F>>): Promise<Learner>;
}

function row<F extends Record<string, Field<any>>>(r: LearnerRow<F>): LearnerRow {
  return r as unknown as LearnerRow;
}

export const LEARNERS: readonly LearnerRow[] = [
  row({
    name: 'sac',
    summary: 'Soft Actor-Critic: twin critics, tanh-Gaussian actor, learned temperature',
    actionKinds: ['box'],
    loops: ['online', 'offline'],
    stochastic: true,
    weightedReplay: true,
    settings: SAC_SETTINGS,
    create: async (options) => new (await import('./sac.js')).Sac(options),
    fromState: async (state, settings) => (await import('./sac.js')).Sac.fromState(state, settings),
  }),
  row({
    name: 'td3',
    summary: 'TD3: clipped double Q, target policy smoothing, delayed actor updates',
    actionKinds: ['box'],
    loops: ['online', 'offline'],
    stochastic: false,
    weightedReplay: true,
    settings: TD3_SETTINGS,
    create: async (options) => new (await import('./td3.js')).Td3(options),
    fromState: async (state, settings) => (await import('./td3.js')).Td3.fromState(state, settings),
  }),
  row({
    name: 'ddpg',
    summary: 'DDPG: deterministic actor, one critic, Gaussian exploration noise',
    actionKinds: ['box'],
    loops: ['online', 'offline'],
    stochastic: false,
    weightedReplay: true,
    settings: DDPG_SETTINGS,
    create: async (options) => new (await import('./ddpg.js')).Ddpg(options),
    fromState: async (state, settings) => (await import('./ddpg.js')).Ddpg.fromState(state, settings),
  }),
  row({
    name: 'bear',
    summary: 'BEAR: SAC-style actor held to the data by an MMD constraint against a learned behaviour model',
    actionKinds: ['box'],
    loops: ['offline'],
    stochastic: true,
    settings: BEAR_SETTINGS,
    create: async (options) => new (await import('./bear.js')).Bear(options),
    fromState: async (state, settings) => (await import('./bear.js')).Bear.fromState(state, settings),
  }),
  row({
    name: 'mpo',
    summary: 'MPO: E-step weights under a KL bound, KL-constrained M-step; Gaussian policy for box actions, categorical for discrete',
    actionKinds: ['box', 'discrete'],
    loops: ['online', 'offline'],
    // Its clipped Gaussian has no density at the box's faces, so it does not drive model rollouts.
    stochastic: false,
    weightedReplay: true,
    settings: MPO_SETTINGS,
    create: async (options) => (await import('./mpo-learner.js')).createMpo(options),
    fromState: async (state, settings) => (await import('./mpo-learner.js')).mpoFromState(state, settings),
  }),
  row({
    name: 'ddqn',
    summary: 'Double DQN: one Q network with a Polyak target, ε-greedy exploration',
    actionKinds: ['discrete'],
    loops: ['online', 'offline'],
    stochastic: false,
    weightedReplay: true,
    settings: DDQN_SETTINGS,
    create: async (options) => new (await import('./ddqn.js')).Ddqn({ ...options, actionCount: discreteActionCount('ddqn', options) }),
    fromState: async (state, settings) => (await import('./ddqn.js')).Ddqn.fromState(state, settings),
  }),
  row({
    name: 'discrete_sac',
    summary: 'SAC for discrete actions: categorical policy, twin Q(s, ·) critics, learned temperature',
    actionKinds: ['discrete'],
    loops: ['online', 'offline'],
    stochastic: true,
    weightedReplay: true,
    settings: DISCRETE_SAC_SETTINGS,
    create: async (options) => new (await import('./discrete-sac.js')).DiscreteSac({ ...options, actionCount: discreteActionCount('discrete_sac', options) }),
    fromState: async (state, settings) => (await import('./discrete-sac.js')).DiscreteSac.fromState(state, settings),
  }),
];

/** n of the discrete action space a discrete learner is built for. */
function discreteActionCount(learner: string, sizes: LearnerSizes): number {
  const space = sizes.actionSpace;
  if (space?.kind !== 'discrete') {
    throw new ConfigError(`The ${learner} learner needs a discrete action space, got ${space ? actionSpaceName(space) : `box(${sizes.actionSize})`}.`);
  }
  return space.n;
}

export function learnerRow(name: string): LearnerRow {
  const found = LEARNERS.find((r) => r.name === name);
  if (!found) {
    const names = LEARNERS.map((r) => r.name);
    throw new ConfigError(`Unknown learner '${name}'.${didYouMean(name, names)} Learners: ${names.join(', ')}.`);
  }
  return found;
}
