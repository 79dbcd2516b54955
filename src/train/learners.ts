/**
 * The off-policy learners the online trainer can drive (SAC, TD3, DDPG), behind one
 * small surface: update on a batch, act, state for checkpoints, compute workers, dispose.
 */
import { Ddpg } from '../algos/ddpg.js';
import { Sac } from '../algos/sac.js';
import { Td3 } from '../algos/td3.js';
import type { ConfigView } from '../config/access.js';
import type { TransitionBatch } from '../data/replay-buffer.js';
import { CheckpointError, ConfigError } from '../errors.js';
import type { ModuleState } from '../nn/state.js';
import type { WorkerThread } from '../nn/threads/worker-thread.js';
import type { Rng } from '../util/rng.js';
import { readActorCriticConfig, readSacConfig } from './options.js';

export const ONLINE_ALGOS = ['sac_online', 'td3', 'ddpg'] as const;
export type OnlineAlgo = (typeof ONLINE_ALGOS)[number];

export interface OffPolicyLearner {
  update(batch: TransitionBatch, options: { metrics: boolean }): Record<string, number> | null;
  act(observations: Float32Array, deterministic: boolean, rng?: Rng): Float32Array;
  /** Stochastic actions with log π(a|s), for policies that have a density (SAC). */
  sample?(observations: Float32Array, rng: Rng): { actions: Float32Array; logProbs: Float32Array };
  getState(): ModuleState;
  distribute(threads: WorkerThread[]): void;
  dispose(): void;
}

export function isOnlineAlgo(name: string): name is OnlineAlgo {
  return (ONLINE_ALGOS as readonly string[]).includes(name);
}

export function createLearner(algo: OnlineAlgo, config: ConfigView, sizes: { observationSize: number; actionSize: number }, seed: number): OffPolicyLearner {
  switch (algo) {
    case 'sac_online':
      return adapt(new Sac({ ...sizes, ...readSacConfig(config), seed }));
    case 'td3': {
      const algo = config.at('algo');
      return adapt(
        new Td3({
          ...sizes,
          ...readDeterministicConfig(config),
          policyDelay: algo.int('policy_delay', { min: 1 }),
          targetNoise: algo.number('target_noise', { min: 0 }),
          targetNoiseClip: algo.number('target_noise_clip', { min: 0 }),
          seed,
        }),
      );
    }
    case 'ddpg':
      return adapt(new Ddpg({ ...sizes, ...readDeterministicConfig(config), seed }));
  }
}

/** What TD3 and DDPG share: a deterministic actor with exploration noise, and critics. */
function readDeterministicConfig(config: ConfigView) {
  return { ...readActorCriticConfig(config), explorationNoise: config.number('algo.exploration_noise', { min: 0 }) };
}

export function learnerFromState(algo: string, state: ModuleState): OffPolicyLearner {
  switch (algo) {
    case 'sac_online':
    case 'mopo':
      return adapt(Sac.fromState(state));
    case 'td3':
      return adapt(Td3.fromState(state));
    case 'ddpg':
      return adapt(Ddpg.fromState(state));
    default:
      throw new CheckpointError(`This version of mopo cannot load a '${algo}' learner.`);
  }
}

function adapt(learner: Sac | Td3 | Ddpg): OffPolicyLearner {
  return {
    update: (batch, options) => learner.update(batch, options) as unknown as Record<string, number> | null,
    act: (observations, deterministic, rng) => learner.act(observations, deterministic, rng),
    ...(learner instanceof Sac ? { sample: (observations: Float32Array, rng: Rng) => learner.sample(observations, rng) } : {}),
    getState: () => learner.getState(),
    distribute: (threads) => learner.distribute(threads),
    dispose: () => learner.dispose(),
  };
}

export function requireOnlineAlgo(name: string): OnlineAlgo {
  if (!isOnlineAlgo(name)) throw new ConfigError(`algo.name=${name} is not an online learner. Online learners: ${ONLINE_ALGOS.join(', ')}.`);
  return name;
}
