/**
 * The policy stored in a checkpoint, ready to act, whatever learner wrote it: the
 * manifest names the learner (a row of the learner table) and its state is the part
 * `learner`.
 */
import { learnerRow } from '../algos/learner-table.js';
import type { Learner } from '../algos/learner.js';
import type { PolicyGraph } from '../algos/policy-graph.js';
import { CheckpointError, isMopoError } from '../errors.js';
import type { Rng } from '../util/rng.js';
import type { Checkpoint } from './checkpoint.js';
import { moduleState, savedPart } from './state-arrays.js';

export interface LoadedPolicy {
  /** The learner table's name of what wrote it (`sac`, `td3`, …). */
  learner: string;
  observationSize: number;
  actionSize: number;
  act(observations: Float32Array, deterministic: boolean, rng: Rng): Float32Array;
  /** Stochastic actions with log π(a|s); only policies with a density (SAC) have it. */
  sample?(observations: Float32Array, rng: Rng): { actions: Float32Array; logProbs: Float32Array };
  /** The deterministic policy as a network description (what mopo-export writes); absent for policies it cannot describe. */
  policyGraph?(): PolicyGraph;
  dispose(): void;
}

/** mopo 0.1 wrote no learner name: MOPO kept SAC under `sac`, the online trainers theirs under `learner`. */
const LEARNER_OF_01: Record<string, { learner: string; part: string }> = {
  mopo: { learner: 'sac', part: 'sac' },
  sac_online: { learner: 'sac', part: 'learner' },
  td3: { learner: 'td3', part: 'learner' },
  ddpg: { learner: 'ddpg', part: 'learner' },
};

export async function loadPolicy(checkpoint: Checkpoint): Promise<LoadedPolicy> {
  const { manifest } = checkpoint;
  const where = manifest.learner ? { learner: manifest.learner, part: 'learner' } : LEARNER_OF_01[manifest.algo];
  if (!where) throw new CheckpointError(`Checkpoint ${checkpoint.dir} holds a '${manifest.algo}' policy, which this version of mopo cannot load.`);
  const part = savedPart(checkpoint, where.part);
  if (!part) throw new CheckpointError(`Checkpoint ${checkpoint.dir}: its manifest has no '${where.part}' state.`);
  let row;
  try {
    row = learnerRow(where.learner);
  } catch (error) {
    if (isMopoError(error)) throw new CheckpointError(`Checkpoint ${checkpoint.dir} was written by a '${where.learner}' learner, which this version of mopo does not have.`);
    throw error;
  }
  const learner: Learner = await row.fromState(moduleState(checkpoint, part));
  return {
    learner: row.name,
    observationSize: manifest.observationSize,
    actionSize: manifest.actionSize,
    act: (observations, deterministic, rng) => learner.act(observations, deterministic, rng),
    ...(learner.sample ? { sample: learner.sample.bind(learner) } : {}),
    ...(learner.policyGraph ? { policyGraph: learner.policyGraph.bind(learner) } : {}),
    dispose: () => learner.dispose(),
  };
}
