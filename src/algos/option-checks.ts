/** Range checks shared by the learners' option resolvers; errors name the owner and the key. */

export function requirePositiveIntegers<T extends Record<K, number>, K extends keyof T & string>(owner: string, values: T, keys: readonly K[]): void {
  for (const key of keys) {
    if (!Number.isInteger(values[key]) || values[key] < 1) throw new RangeError(`${owner}.${key} must be a positive integer, got ${values[key]}`);
  }
}

export function requireNonNegative<T extends Record<K, number>, K extends keyof T & string>(owner: string, values: T, keys: readonly K[]): void {
  for (const key of keys) {
    if (!(values[key] >= 0)) throw new RangeError(`${owner}.${key} must be zero or positive, got ${values[key]}`);
  }
}

/** A Polyak rate: 0 would freeze the targets. */
export function requireTau(owner: string, tau: number): void {
  if (!(tau > 0 && tau <= 1)) throw new RangeError(`${owner}.tau must be in (0, 1], got ${tau}`);
}
