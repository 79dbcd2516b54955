/**
 * The config tree is plain data: dicts (plain objects), lists and scalars, exactly
 * what YAML produces. These helpers walk it by dotted key ("algo.ensembles.lr",
 * list items by index: "algo.ensembles.optimizer.weight_decays.0").
 */
export type Scalar = string | number | boolean | null;
export type ConfigValue = Scalar | ConfigDict | ConfigValue[];
export interface ConfigDict {
  [key: string]: ConfigValue;
}

/** A mandatory value that the user must supply; reading it is an error naming the key. */
export const MISSING = '???';

export function isDict(value: unknown): value is ConfigDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isMissing(value: unknown): boolean {
  return value === MISSING;
}

export function deepClone<T extends ConfigValue>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => deepClone(v)) as T;
  if (isDict(value)) {
    const out: ConfigDict = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepClone(v);
    return out as T;
  }
  return value;
}

export function splitKey(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

export function joinKey(...parts: (string | number)[]): string {
  return parts.filter((p) => p !== '').join('.');
}

function childOf(node: ConfigValue | undefined, part: string): ConfigValue | undefined {
  if (Array.isArray(node)) {
    if (!/^\d+$/.test(part)) return undefined;
    return node[Number(part)];
  }
  if (isDict(node) && Object.prototype.hasOwnProperty.call(node, part)) return node[part];
  return undefined;
}

/** Value at a dotted key, or `undefined` when any part of the path is absent. */
export function getPath(root: ConfigValue, key: string): ConfigValue | undefined {
  let node: ConfigValue | undefined = root;
  for (const part of splitKey(key)) {
    node = childOf(node, part);
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * Longest prefix of `key` that exists in `root`, and the first missing part. Error
 * messages use it to say which part of a long key went wrong.
 */
export function deepestExisting(root: ConfigValue, key: string): { existing: string; missingPart: string | null } {
  const parts = splitKey(key);
  let node: ConfigValue | undefined = root;
  for (let i = 0; i < parts.length; i++) {
    const next = childOf(node, parts[i]!);
    if (next === undefined) return { existing: parts.slice(0, i).join('.'), missingPart: parts[i]! };
    node = next;
  }
  return { existing: key, missingPart: null };
}

/** Every leaf and dict key under `root`, as full dotted keys (for "did you mean"). */
export function allKeys(root: ConfigValue, prefix = ''): string[] {
  const keys: string[] = [];
  if (isDict(root)) {
    for (const [k, v] of Object.entries(root)) {
      const full = joinKey(prefix, k);
      keys.push(full, ...allKeys(v, full));
    }
  }
  return keys;
}

/** Places `value` under a dotted package ("" = root, where only a dict can go). */
export function wrapInPackage(pkg: string, value: ConfigValue): ConfigDict {
  let wrapped: ConfigValue = value;
  for (const part of splitKey(pkg).reverse()) wrapped = { [part]: wrapped };
  return wrapped as ConfigDict;
}
