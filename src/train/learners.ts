/**
 * The off-policy learners the online trainer can drive, behind one small surface:
 * update on a batch, act, state for checkpoints, compute workers, dispose.
 */
import { Sac } from '../algos/sac.js';
import type { ConfigView } from '../config/access.js';
import type { TransitionBatch } from '../data/replay-buffer.js';
import { CheckpointError, ConfigError } from '../errors.js';
import type { ModuleState } from '../nn/state.js';
import type { WorkerThread } from '../nn/threads/worker-thread.js';
import type { Rng } from '../util/rng.js';
import { readSacConfig } from './options.js';

export const ONLINE_ALGOS = ['sac_online'] as const;
export type OnlineAlgo = (typeof ONLINE_ALGOS)[number];

export interface OffPolicyLearner {
  update(batch: TransitionBatch, options: { metrics: boolean }): Record<string, number> | null;
  act(observations: Float32Array, deterministic: boolean, rng?: Rng): Float32Array;
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
      return adaptSac(new Sac({ ...sizes, ...readSacConfig(config), seed }));
  }
}

export function learnerFromState(algo: string, state: ModuleState): OffPolicyLearner {
  switch (algo) {
    case 'sac_online':
    case 'mopo':
      return adaptSac(Sac.fromState(state));
    default:
      throw new CheckpointError(`This version of mopo cannot load a '${algo}' learner.`);
  }
}

function adaptSac(sac: Sac): OffPolicyLearner {
  return {
    update: (batch, options) => sac.update(batch, options) as Record<string, number> | null,
    act: (observations, deterministic, rng) => sac.act(observations, deterministic, rng),
    getState: () => sac.getState(),
    distribute: (threads) => sac.distribute(threads),
    dispose: () => sac.dispose(),
  };
}

export function requireOnlineAlgo(name: string): OnlineAlgo {
  if (!isOnlineAlgo(name)) throw new ConfigError(`algo.name=${name} is not an online learner. Online learners: ${ONLINE_ALGOS.join(', ')}.`);
  return name;
}
