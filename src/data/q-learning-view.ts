/**
 * Turns recorded rows into (s, a, r, s′, done) transitions, as D4RL's qlearning_dataset:
 * s′ is `next_observations[i]` when the file has it. Otherwise it is `observations[i + 1]`,
 * which is the next episode's first state after a time-limit cut, so those rows (and the
 * last row, which has no successor) are dropped. A terminal row keeps whatever follows:
 * its s′ is never bootstrapped from.
 */
import type { D4rlFileContents } from './d4rl-file.js';
import type { TransitionBatch } from './replay-buffer.js';

export interface Transitions extends TransitionBatch {
  timeouts: Float32Array;
  droppedRows: number;
}

export function qLearningView(contents: D4rlFileContents): Transitions {
  if (contents.nextObservations !== undefined) {
    return {
      size: contents.size,
      observations: contents.observations,
      actions: contents.actions,
      rewards: contents.rewards,
      nextObservations: contents.nextObservations,
      terminals: Float32Array.from(contents.terminals),
      timeouts: Float32Array.from(contents.timeouts),
      droppedRows: 0,
    };
  }
  return successorView(contents);
}

function successorView(contents: D4rlFileContents): Transitions {
  const { observationSize: obsSize, actionSize, terminals, timeouts } = contents;
  const keptRows = new Uint32Array(contents.size);
  let size = 0;
  for (let i = 0; i < contents.size - 1; i++) {
    if (timeouts[i] === 1 && terminals[i] === 0) continue;
    keptRows[size++] = i;
  }
  const view: Transitions = {
    size,
    observations: new Float32Array(size * obsSize),
    actions: new Float32Array(size * actionSize),
    rewards: new Float32Array(size),
    nextObservations: new Float32Array(size * obsSize),
    terminals: new Float32Array(size),
    timeouts: new Float32Array(size),
    droppedRows: contents.size - size,
  };
  keptRows.subarray(0, size).forEach((row, k) => {
    view.observations.set(contents.observations.subarray(row * obsSize, (row + 1) * obsSize), k * obsSize);
    view.nextObservations.set(contents.observations.subarray((row + 1) * obsSize, (row + 2) * obsSize), k * obsSize);
    view.actions.set(contents.actions.subarray(row * actionSize, (row + 1) * actionSize), k * actionSize);
    view.rewards[k] = contents.rewards[row]!;
    view.terminals[k] = terminals[row]!;
    view.timeouts[k] = timeouts[row]!;
  });
  return view;
}
