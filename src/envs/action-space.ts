/**
 * What an environment accepts as an action: a box of `size` numbers in [−1, 1] (the
 * MuJoCo tasks) or one of `n` choices (the classic-control tasks). Everything that
 * stores actions keeps rows of Float32: a box action is its `size` numbers, a discrete
 * action is its index written as a number, so buffers and datasets need no second
 * layout.
 */
import { ConfigError, EnvError } from '../errors.js';
import type { Rng } from '../util/rng.js';

export interface BoxSpace {
  readonly kind: 'box';
  readonly size: number;
}

export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
}

export type ActionSpace = BoxSpace | DiscreteSpace;

export type ActionKind = ActionSpace['kind'];

/** Every box in this project is [−1, 1] in each dimension. */
export const BOX_LOW = -1;
export const BOX_HIGH = 1;

export function box(size: number): BoxSpace {
  if (!Number.isInteger(size) || size < 1) throw new EnvError(`box(size) needs a positive integer size, got ${String(size)}`);
  return { kind: 'box', size };
}

export function discrete(n: number): DiscreteSpace {
  if (!Number.isInteger(n) || n < 1) throw new EnvError(`discrete(n) needs a positive integer n, got ${String(n)}`);
  return { kind: 'discrete', n };
}

/** `box(6)`, `discrete(2)`: how messages and metadata name a space. */
export function actionSpaceName(space: ActionSpace): string {
  return space.kind === 'box' ? `box(${space.size})` : `discrete(${space.n})`;
}

/** Numbers in one stored action row: the box's size, or 1 (the index) for a discrete space. */
export function actionRowWidth(space: ActionSpace): number {
  return space.kind === 'box' ? space.size : 1;
}

/**
 * A uniformly random action written into `out` (a row of `actionRowWidth` numbers; a
 * new Float32Array if none is given): U(−1, 1) in each box dimension, or an index drawn
 * uniformly from 0 … n − 1.
 */
export function sampleAction(space: ActionSpace, rng: Rng): Float32Array;
export function sampleAction<T extends Float32Array | Float64Array>(space: ActionSpace, rng: Rng, out: T): T;
export function sampleAction(space: ActionSpace, rng: Rng, out: Float32Array | Float64Array = new Float32Array(actionRowWidth(space))): Float32Array | Float64Array {
  if (out.length !== actionRowWidth(space)) {
    throw new EnvError(`sampleAction: a ${actionSpaceName(space)} action row has ${actionRowWidth(space)} numbers, the buffer has ${out.length}`);
  }
  if (space.kind === 'discrete') out[0] = rng.int(space.n);
  else rng.fillUniform(out, BOX_LOW, BOX_HIGH);
  return out;
}

/**
 * Checks that `action` is a row this space accepts and throws an `EnvError` naming
 * `owner` (the env id) otherwise. A box action may lie outside [−1, 1] (envs clip it);
 * it must have `size` finite numbers. A discrete action is one integer in 0 … n − 1.
 */
export function checkAction(space: ActionSpace, action: ArrayLike<number>, owner: string): void {
  const width = actionRowWidth(space);
  if (action === null || typeof action !== 'object' || typeof action.length !== 'number') {
    const shape = space.kind === 'box' ? `an array of ${width} numbers` : `an array holding one index in 0…${space.n - 1}`;
    throw new EnvError(`${owner}: an action must be ${shape}, got ${action === null ? 'null' : typeof action}`);
  }
  if (space.kind === 'discrete') {
    if (action.length !== 1) {
      throw new EnvError(`${owner}: a ${actionSpaceName(space)} action is one index, got ${action.length} entries`);
    }
    const index = action[0];
    if (!isIndex(index, space.n)) {
      throw new EnvError(`${owner}: a ${actionSpaceName(space)} action is an integer in 0…${space.n - 1}, got ${String(index)}`);
    }
    return;
  }
  if (action.length !== width) throw new EnvError(`${owner}: an action has ${width} entries, got ${action.length}`);
  for (let i = 0; i < width; i++) {
    const value = action[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new EnvError(`${owner}: action[${i}] must be a finite number, got ${String(value)}`);
    }
  }
}

/** Whether `value` is one of a discrete space's indices 0 … n − 1. */
export function isIndex(value: unknown, n: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < n;
}

/**
 * The check the learner table makes before building anything: a learner that takes
 * one kind of action cannot run in an env of the other kind (a learner that takes both,
 * MPO, runs in either). Throws a `ConfigError` naming both.
 */
export function requireActionSpace(
  learnerName: string,
  accepts: ActionKind | readonly ActionKind[],
  env: { readonly id: string; readonly actionSpace: ActionSpace },
): void {
  const kinds: readonly ActionKind[] = typeof accepts === 'string' ? [accepts] : accepts;
  if (kinds.includes(env.actionSpace.kind)) return;
  const wanted = kinds.includes('box') ? 'continuous (box) actions' : 'discrete actions';
  throw new ConfigError(
    `algo=${learnerName} needs ${wanted}, but env ${env.id} has ${actionSpaceName(env.actionSpace)} actions; ` +
      `choose a learner for ${env.actionSpace.kind === 'box' ? 'continuous' : 'discrete'} actions or another env.`,
  );
}
