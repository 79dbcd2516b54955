/**
 * MOPO's model rollouts: from start states sampled in the real data, `h` steps of the
 * current policy acting stochastically through the dynamics ensemble, each step's transition
 * stored with the penalised reward r̃ = r − λ·u(s,a). Rows whose termination rule
 * fires stop there, as they would in the environment.
 */
import type { Learner } from '../algos/learner.js';
import type { DynamicsEnsemble } from '../algos/mopo/dynamics-ensemble.js';
import type { ReplayBuffer } from '../data/replay-buffer.js';
import type { TerminationFn } from '../envs/types.js';
import type { Rng } from '../util/rng.js';

export interface RolloutStats {
  transitions: number;
  /** Mean over all stored transitions of the model reward before the penalty. */
  rewardMean: number;
  penaltyMean: number;
  penalizedRewardMean: number;
  /** Mean number of steps a row lasted (≤ h). */
  lengthMean: number;
}

export function rollout(
  policy: Learner,
  model: DynamicsEnsemble,
  startStates: Float32Array,
  options: { h: number; observationSize: number; termination: TerminationFn; rng: Rng },
  into: ReplayBuffer,
): RolloutStats {
  const { h, observationSize: O, termination, rng } = options;
  let observations = startStates;
  let rows = startStates.length / O;
  const startRows = rows;
  let transitions = 0;
  let rewardSum = 0;
  let penaltySum = 0;
  let penalizedSum = 0;
  for (let t = 0; t < h && rows > 0; t++) {
    const actions = policy.act(observations, false, rng);
    const step = model.step(observations, actions, rng);
    const done = termination(step.nextObservations, O);
    into.addBatch({
      size: rows,
      observations,
      actions,
      rewards: step.penalizedRewards,
      nextObservations: step.nextObservations,
      terminals: Float32Array.from(done),
    });
    for (let r = 0; r < rows; r++) {
      rewardSum += step.rewards[r]!;
      penaltySum += step.penalties[r]!;
      penalizedSum += step.penalizedRewards[r]!;
    }
    transitions += rows;
    // Continue only the rows that did not terminate.
    let alive = 0;
    for (let r = 0; r < rows; r++) if (!done[r]) alive++;
    if (alive === rows) {
      observations = step.nextObservations;
      continue;
    }
    const next = new Float32Array(alive * O);
    for (let r = 0, k = 0; r < rows; r++) {
      if (!done[r]) next.set(step.nextObservations.subarray(r * O, r * O + O), O * k++);
    }
    observations = next;
    rows = alive;
  }
  return {
    transitions,
    rewardMean: rewardSum / Math.max(1, transitions),
    penaltyMean: penaltySum / Math.max(1, transitions),
    penalizedRewardMean: penalizedSum / Math.max(1, transitions),
    lengthMean: transitions / Math.max(1, startRows),
  };
}
