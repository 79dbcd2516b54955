/**
 * Reading a resolved config into typed options: the seam between the config layer
 * and the learning code. Every failure names the full key, the value found and, for
 * a missing key, the closest existing ones; a `???` value fails here, when read.
 */
import { ConfigError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { allKeys, getPath, isDict, isMissing, type ConfigDict, type ConfigValue } from './value.js';

interface NumberRule {
  min?: number;
  max?: number;
  /** Exclusive bounds, e.g. a learning rate must be > 0. */
  above?: number;
  below?: number;
}

export class ConfigView {
  constructor(
    readonly root: ConfigDict,
    /** Key prefix of this view inside the whole config, for messages. */
    readonly prefix = '',
  ) {}

  /** A view of a sub-dict (`config.at('algo').int('h')` reports `algo.h`). */
  at(key: string): ConfigView {
    const value = this.value(key);
    if (!isDict(value)) throw this.wrongType(key, value, 'a mapping');
    return new ConfigView(value, this.fullKey(key));
  }

  has(key: string): boolean {
    return getPath(this.root, key) !== undefined;
  }

  /** True when the key is absent, null, or `???`. */
  isUnset(key: string): boolean {
    const v = getPath(this.root, key);
    return v === undefined || v === null || isMissing(v);
  }

  value(key: string): ConfigValue {
    const v = getPath(this.root, key);
    if (v === undefined) {
      throw new ConfigError(`Missing key '${this.fullKey(key)}' in the config.${didYouMean(key, allKeys(this.root))}`);
    }
    if (isMissing(v)) {
      throw new ConfigError(`Missing mandatory value: ${this.fullKey(key)}. Set it on the command line: ${this.fullKey(key)}=<value>`);
    }
    return v;
  }

  number(key: string, rule: NumberRule = {}): number {
    const v = this.value(key);
    if (typeof v !== 'number' || Number.isNaN(v)) throw this.wrongType(key, v, 'a number');
    this.checkRange(key, v, rule);
    return v;
  }

  int(key: string, rule: NumberRule = {}): number {
    const v = this.number(key, rule);
    if (!Number.isInteger(v)) throw this.wrongType(key, v, 'an integer');
    return v;
  }

  string(key: string): string {
    const v = this.value(key);
    if (typeof v !== 'string') throw this.wrongType(key, v, 'a string');
    return v;
  }

  bool(key: string): boolean {
    const v = this.value(key);
    if (typeof v !== 'boolean') throw this.wrongType(key, v, 'true or false');
    return v;
  }

  oneOf<T extends string>(key: string, choices: readonly T[]): T {
    const v = this.value(key);
    if (typeof v !== 'string' || !choices.includes(v as T)) {
      throw new ConfigError(
        `Invalid value for '${this.fullKey(key)}': ${JSON.stringify(v)}.${typeof v === 'string' ? didYouMean(v, choices) : ''} Choose one of: ${choices.join(', ')}`,
      );
    }
    return v as T;
  }

  numberList(key: string, rule: NumberRule & { length?: number } = {}): number[] {
    const v = this.value(key);
    if (!Array.isArray(v)) throw this.wrongType(key, v, 'a list of numbers');
    if (rule.length !== undefined && v.length !== rule.length) {
      throw new ConfigError(`'${this.fullKey(key)}' must have ${rule.length} entries, found ${v.length}: ${JSON.stringify(v)}`);
    }
    return v.map((item, i) => {
      if (typeof item !== 'number' || Number.isNaN(item)) throw this.wrongType(`${key}.${i}`, item, 'a number');
      this.checkRange(`${key}.${i}`, item, rule);
      return item;
    });
  }

  /** `null` stays null; anything else must pass `read`. */
  optional<T>(key: string, read: (key: string) => T): T | null {
    const v = getPath(this.root, key);
    if (v === undefined) return read(key); // reports the missing key
    return v === null ? null : read(key);
  }

  private checkRange(key: string, v: number, rule: NumberRule): void {
    if (rule.min !== undefined && v < rule.min) throw this.outOfRange(key, v, `>= ${rule.min}`);
    if (rule.max !== undefined && v > rule.max) throw this.outOfRange(key, v, `<= ${rule.max}`);
    if (rule.above !== undefined && !(v > rule.above)) throw this.outOfRange(key, v, `> ${rule.above}`);
    if (rule.below !== undefined && !(v < rule.below)) throw this.outOfRange(key, v, `< ${rule.below}`);
  }

  private fullKey(key: string): string {
    return this.prefix === '' ? key : `${this.prefix}.${key}`;
  }

  private wrongType(key: string, v: ConfigValue, expected: string): ConfigError {
    return new ConfigError(`Invalid value for '${this.fullKey(key)}': expected ${expected}, got ${JSON.stringify(v)}.`);
  }

  private outOfRange(key: string, v: number, bound: string): ConfigError {
    return new ConfigError(`Invalid value for '${this.fullKey(key)}': ${v} (must be ${bound}).`);
  }
}
