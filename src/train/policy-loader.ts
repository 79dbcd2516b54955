/**
 * The policy stored in a checkpoint, ready to act: whatever algorithm wrote it.
 * The checkpoint's manifest says which one; its arrays hold the weights.
 */
import { Sac } from '../algos/sac.js';
import { CheckpointError } from '../errors.js';
import type { Rng } from '../util/rng.js';
import type { Checkpoint } from './checkpoint.js';
import { moduleStateFrom } from './state-arrays.js';

export interface LoadedPolicy {
  observationSize: number;
  actionSize: number;
  act(observations: Float32Array, deterministic: boolean, rng: Rng): Float32Array;
  dispose(): void;
}

export function loadPolicy(checkpoint: Checkpoint): LoadedPolicy {
  const { algo, state } = checkpoint.manifest;
  switch (algo) {
    case 'mopo': {
      const sac = Sac.fromState(moduleStateFrom(checkpoint, 'sac', (state as { sac: unknown }).sac));
      return {
        observationSize: sac.options.observationSize,
        actionSize: sac.options.actionSize,
        act: (observations, deterministic, rng) => sac.act(observations, deterministic, rng),
        dispose: () => sac.dispose(),
      };
    }
    default:
      throw new CheckpointError(`Checkpoint ${checkpoint.dir} holds a '${algo}' policy, which this version of mopo cannot load.`);
  }
}
