/**
 * A continuous-control task small enough to learn in a test: a point on [−1, 1] moved by
 * 0.2·a each step, rewarded −|x′ − 0.5|. Offline data come from uniformly random
 * actions; a learned policy is scored by its return from fixed start states.
 */
import type { TransitionBatch } from '../../src/data/replay-buffer.js';
import type { Rng } from '../../src/util/rng.js';

export const pointTask = {
  move: (x: number, a: number) => Math.min(1, Math.max(-1, x + 0.2 * Math.max(-1, Math.min(1, a)))),
  reward: (x: number) => -Math.abs(x - 0.5),
};

export function emptyBatch(size: number, O: number, A: number): TransitionBatch {
  return {
    observations: new Float32Array(size * O),
    actions: new Float32Array(size * A),
    rewards: new Float32Array(size),
    nextObservations: new Float32Array(size * O),
    terminals: new Float32Array(size),
    size,
  };
}

/** `size` transitions from uniformly random states and actions. */
export function offlinePointData(size: number, rng: Rng): TransitionBatch {
  const data = emptyBatch(size, 1, 1);
  for (let i = 0; i < size; i++) {
    const x = rng.uniformIn(-1, 1);
    const a = rng.uniformIn(-1, 1);
    const next = pointTask.move(x, a);
    data.observations[i] = x;
    data.actions[i] = a;
    data.nextObservations[i] = next;
    data.rewards[i] = pointTask.reward(next);
  }
  return data;
}

/** `size` rows of `data` drawn with replacement. */
export function sampleBatch(data: TransitionBatch, size: number, rng: Rng): TransitionBatch {
  const O = data.observations.length / data.size;
  const A = data.actions.length / data.size;
  const batch = emptyBatch(size, O, A);
  for (let i = 0; i < size; i++) {
    const j = rng.int(data.size);
    batch.observations.set(data.observations.subarray(j * O, (j + 1) * O), i * O);
    batch.actions.set(data.actions.subarray(j * A, (j + 1) * A), i * A);
    batch.nextObservations.set(data.nextObservations.subarray(j * O, (j + 1) * O), i * O);
    batch.rewards[i] = data.rewards[j]!;
    batch.terminals[i] = data.terminals[j]!;
  }
  return batch;
}

/** Average 20-step return from six start states. */
export function pointReturn(policy: (x: number) => number): number {
  const starts = [-1, -0.6, -0.2, 0.2, 0.6, 1];
  let total = 0;
  for (const start of starts) {
    let x = start;
    for (let t = 0; t < 20; t++) {
      x = pointTask.move(x, policy(x));
      total += pointTask.reward(x);
    }
  }
  return total / starts.length;
}

/** `size` random transitions (normal observations and rewards, uniform actions), none terminal. */
export function randomTransitions(rng: Rng, size: number, O: number, A: number): TransitionBatch {
  return {
    observations: rng.fillNormal(new Float32Array(size * O)),
    actions: rng.fillUniform(new Float32Array(size * A), -1, 1),
    rewards: rng.fillNormal(new Float32Array(size)),
    nextObservations: rng.fillNormal(new Float32Array(size * O)),
    terminals: new Float32Array(size),
    size,
  };
}

/** Random rows at HalfCheetah sizes (obs 17, act 6), every tenth terminal. */
export function halfCheetahBatch(rng: Rng, size = 64): TransitionBatch {
  return {
    observations: rng.fillNormal(new Float32Array(size * 17)),
    actions: rng.fillUniform(new Float32Array(size * 6), -1, 1),
    rewards: rng.fillNormal(new Float32Array(size)),
    nextObservations: rng.fillNormal(new Float32Array(size * 17)),
    terminals: Float32Array.from({ length: size }, (_, i) => (i % 10 === 0 ? 1 : 0)),
    size,
  };
}
