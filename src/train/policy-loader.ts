/**
 * The policy stored in a checkpoint, ready to act, whatever algorithm wrote it: the
 * manifest says which, and where in the checkpoint its learner's state lies.
 */
import { CheckpointError } from '../errors.js';
import type { Rng } from '../util/rng.js';
import type { Checkpoint } from './checkpoint.js';
import { isOnlineAlgo, learnerFromState } from './learners.js';
import { moduleStateFrom } from './state-arrays.js';

export interface LoadedPolicy {
  observationSize: number;
  actionSize: number;
  act(observations: Float32Array, deterministic: boolean, rng: Rng): Float32Array;
  /** Stochastic actions with log π(a|s); only policies with a density (SAC, MOPO's SAC) have it. */
  sample?(observations: Float32Array, rng: Rng): { actions: Float32Array; logProbs: Float32Array };
  dispose(): void;
}

export function loadPolicy(checkpoint: Checkpoint): LoadedPolicy {
  const { algo, state, observationSize, actionSize } = checkpoint.manifest;
  // MOPO keeps its policy (SAC) under `sac`; the online trainers keep theirs under `learner`.
  const where = algo === 'mopo' ? 'sac' : isOnlineAlgo(algo) ? 'learner' : null;
  if (where === null) throw new CheckpointError(`Checkpoint ${checkpoint.dir} holds a '${algo}' policy, which this version of mopo cannot load.`);
  const meta = (state as Record<string, unknown> | null)?.[where];
  if (meta === undefined) throw new CheckpointError(`Checkpoint ${checkpoint.dir}: its manifest has no '${where}' state.`);
  const learner = learnerFromState(algo, moduleStateFrom(checkpoint, where, meta));
  return {
    observationSize,
    actionSize,
    act: (observations, deterministic, rng) => learner.act(observations, deterministic, rng),
    ...(learner.sample ? { sample: learner.sample } : {}),
    dispose: () => learner.dispose(),
  };
}
