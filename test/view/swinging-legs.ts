import type { ActFn } from '../../src/train/evaluate.js';

/** An open-loop policy that swings every joint on its own phase: episodes in which the body visibly moves. */
export function swingingLegs(actionSize = 6): ActFn {
  let step = 0;
  return () => {
    const action = Float32Array.from({ length: actionSize }, (_, j) => Math.sin(0.35 * step + 1.1 * j));
    step += 1;
    return action;
  };
}
