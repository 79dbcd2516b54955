/**
 * How the dynamics ensemble sees an action. A box action enters the networks as its
 * numbers; a discrete action (stored as one index per row, see envs/action-space.ts)
 * enters one-hot encoded, n columns with a 1 at the index, as d3rlpy's MOPO does with
 * `discrete_action=True`: an index is a label, and its size means nothing to a network.
 */

/** Columns the action takes in the networks' input: the box's size, or n one-hot columns. */
export function actionInputWidth(actionSize: number, actionCount: number | null): number {
  return actionCount === null ? actionSize : actionCount;
}

/** Writes the action of row `row` of `actions` into `out` at `offset`: as it is (box) or one-hot (discrete). */
export function writeActionInput(actions: Float32Array, row: number, actionSize: number, actionCount: number | null, out: Float32Array, offset: number): void {
  if (actionCount === null) {
    out.set(actions.subarray(row * actionSize, (row + 1) * actionSize), offset);
    return;
  }
  const index = actions[row]!;
  if (!Number.isInteger(index) || index < 0 || index >= actionCount) {
    throw new RangeError(`dynamics ensemble: expected an action index in 0…${actionCount - 1} in row ${row}, got ${index}`);
  }
  out.fill(0, offset, offset + actionCount);
  out[offset + index] = 1;
}
