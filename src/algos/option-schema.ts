/**
 * One declaration per option: its config key, its default and every rule about its
 * value. A learner's schema serves both ways in: `read` takes the options from a
 * config section (errors name the config key: `algo.actor.log_std_min`), `resolve`
 * takes them from code (errors name the option: `SacOptions.logStdMin`). The rules
 * therefore cannot drift apart, and `mopo --cfg job` can run them before any work.
 *
 * Light on purpose: no TensorFlow.js, so the command line can check a config fast.
 */
import type { ConfigView } from '../config/access.js';
import { ConfigError } from '../errors.js';

export interface NumberRule {
  min?: number;
  max?: number;
  /** Exclusive bounds: a learning rate must be > 0. */
  above?: number;
  below?: number;
}

export interface Field<T> {
  /** Config key inside the learner's section, e.g. `actor.log_std_min`. */
  readonly key: string;
  readonly defaultValue: T;
  /** Reads and checks the value at `key`; a ConfigError names the full config key. */
  read(view: ConfigView): T;
  /** What is wrong with a value given in code ('must be >= 1'), or null. */
  problem(value: unknown): string | null;
}

export function number(key: string, defaultValue: number, rule: NumberRule = {}): Field<number> {
  return {
    key,
    defaultValue,
    read: (view) => view.number(key, rule),
    problem: (value) => (typeof value !== 'number' || Number.isNaN(value) ? 'must be a number' : ruleProblem(value, rule)),
  };
}

export function integer(key: string, defaultValue: number, rule: NumberRule = {}): Field<number> {
  return {
    key,
    defaultValue,
    read: (view) => view.int(key, rule),
    problem: (value) => (typeof value !== 'number' || !Number.isInteger(value) ? 'must be an integer' : ruleProblem(value, rule)),
  };
}

export function flag(key: string, defaultValue: boolean): Field<boolean> {
  return {
    key,
    defaultValue,
    read: (view) => view.bool(key),
    problem: (value) => (typeof value === 'boolean' ? null : 'must be true or false'),
  };
}

export function oneOf<C extends string>(key: string, defaultValue: C, choices: readonly C[]): Field<C> {
  return {
    key,
    defaultValue,
    read: (view) => view.oneOf(key, choices),
    problem: (value) => (choices.includes(value as C) ? null : `must be one of ${choices.join(', ')}`),
  };
}

export function numberList(key: string, defaultValue: number[], rule: NumberRule = {}): Field<number[]> {
  return {
    key,
    defaultValue,
    read: (view) => view.numberList(key, rule),
    problem: (value) => {
      if (!Array.isArray(value)) return 'must be a list of numbers';
      for (const item of value) {
        const problem = typeof item !== 'number' || Number.isNaN(item) ? 'must hold numbers only' : ruleProblem(item, rule);
        if (problem) return `${problem} (entry ${item})`;
      }
      return null;
    },
  };
}

/** The field, or null (the config's `null`). */
export function nullable<T>(field: Field<T>, defaultValue: T | null = null): Field<T | null> {
  return {
    key: field.key,
    defaultValue,
    read: (view) => view.optional(field.key, () => field.read(view)),
    problem: (value) => (value === null ? null : field.problem(value)),
  };
}

export type Values<F> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

/** A rule over several options, e.g. log_std_min < log_std_max. */
export interface Relation<V> {
  /** The option a violation is reported on. */
  key: keyof V & string;
  holds(values: V): boolean;
  /** What is wrong; `name` spells an option the way the reader calls it (config key or option name). */
  message(values: V, name: (option: keyof V & string) => string): string;
}

export class OptionsSchema<F extends Record<string, Field<any>>> {
  constructor(
    /** Name used in messages for options given in code, e.g. `SacOptions`. */
    readonly owner: string,
    readonly fields: F,
    readonly relations: readonly Relation<Values<F>>[] = [],
  ) {}

  defaults(): Values<F> {
    const values: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(this.fields)) values[name] = structuredClone(field.defaultValue);
    return values as Values<F>;
  }

  /** Every option from the config section `view` (e.g. `algo`), checked. */
  read(view: ConfigView): Values<F> {
    const values: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(this.fields)) values[name] = field.read(view);
    const typed = values as Values<F>;
    const configKey = (option: string) => `${view.prefix === '' ? '' : `${view.prefix}.`}${this.fields[option]!.key}`;
    for (const relation of this.relations) {
      if (!relation.holds(typed)) throw new ConfigError(`Invalid value for '${configKey(relation.key)}': ${relation.message(typed, configKey)}.`);
    }
    return typed;
  }

  /** Options given in code: absent ones take their defaults; every rule is checked. */
  resolve(given: Partial<Values<F>>): Values<F> {
    const values: Record<string, unknown> = this.defaults();
    for (const [name, value] of Object.entries(given)) if (value !== undefined && name in this.fields) values[name] = value;
    for (const [name, field] of Object.entries(this.fields)) {
      const problem = field.problem(values[name]);
      if (problem) throw new ConfigError(`${this.owner}.${name} ${problem}, got ${JSON.stringify(values[name])}.`);
    }
    const typed = values as Values<F>;
    const optionName = (option: string) => `${this.owner}.${option}`;
    for (const relation of this.relations) {
      if (!relation.holds(typed)) throw new ConfigError(`${optionName(relation.key)}: ${relation.message(typed, optionName)}.`);
    }
    return typed;
  }
}

/** Sizes come from the environment, not the config; they must be positive integers. */
export function requireSizes(owner: string, sizes: Record<string, number>): void {
  for (const [name, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${owner}.${name} must be a positive integer, got ${JSON.stringify(value)}.`);
  }
}

function ruleProblem(value: number, rule: NumberRule): string | null {
  if (rule.min !== undefined && value < rule.min) return `must be >= ${rule.min}`;
  if (rule.max !== undefined && value > rule.max) return `must be <= ${rule.max}`;
  if (rule.above !== undefined && !(value > rule.above)) return `must be > ${rule.above}`;
  if (rule.below !== undefined && !(value < rule.below)) return `must be < ${rule.below}`;
  return null;
}
