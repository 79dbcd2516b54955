/**
 * What an override's value is after parsing, before it becomes plain config data.
 * Parsing keeps what plain data would lose and Hydra relies on: whether a string was
 * quoted (and with which quote), whether a number was written as a float (`1.0`),
 * and the keys of a dict in order. Sweeps are kept as objects the sweeper expands.
 */
import { ConfigError } from '../errors.js';
import { pythonFloat } from './python-text.js';
import type { ConfigDict, ConfigValue } from './value.js';

export class Quoted {
  constructor(
    readonly text: string,
    readonly quote: "'" | '"',
  ) {}
}

/** A number written as a float (`1.0`, `1e3`, `inf`): its text keeps the `.0`. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A dict literal `{a:1,b:2}`; keys are primitives, the last of equal keys wins at the first one's place. */
export class PyDict {
  readonly entries: [Element, Element][] = [];

  constructor(entries: [Element, Element][]) {
    for (const [key, value] of entries) {
      const at = this.entries.findIndex(([k]) => sameKey(k, key));
      if (at === -1) this.entries.push([key, value]);
      else this.entries[at] = [this.entries[at]![0], value];
    }
  }
}

export type Element = string | number | boolean | null | PyFloat | Quoted | Element[] | PyDict;
export type NumberElement = number | PyFloat;

interface Tagged {
  tags: string[];
}

/** `a,b,c` (simple form) or `choice(a,b,c)`. */
export interface ChoiceSweep extends Tagged {
  kind: 'choice';
  list: Element[];
  simple: boolean;
  shuffle: boolean;
}

export interface RangeSweep extends Tagged {
  kind: 'range';
  start: NumberElement;
  stop: NumberElement;
  step: NumberElement;
  shuffle: boolean;
}

export interface IntervalSweep extends Tagged {
  kind: 'interval';
  start: number;
  end: number;
}

export interface GlobSweep {
  kind: 'glob';
  include: string[];
  exclude: string[];
}

/** mopo's `append(…)`: extends the list at the key (Hydra offers no way to do that). */
export interface AppendValues {
  kind: 'append';
  values: Element[];
}

export type Sweep = ChoiceSweep | RangeSweep | IntervalSweep;
export type FunctionResult = Element | Sweep | GlobSweep | AppendValues;

export function isSweep(value: unknown): value is Sweep {
  return typeof value === 'object' && value !== null && 'kind' in value && ['choice', 'range', 'interval'].includes((value as Sweep).kind);
}

export function isGlob(value: unknown): value is GlobSweep {
  return typeof value === 'object' && value !== null && 'kind' in value && (value as GlobSweep).kind === 'glob';
}

export function isAppend(value: unknown): value is AppendValues {
  return typeof value === 'object' && value !== null && 'kind' in value && (value as AppendValues).kind === 'append';
}

export function isElement(value: FunctionResult): value is Element {
  return !isSweep(value) && !isGlob(value) && !isAppend(value);
}

export function numberOf(n: NumberElement): number {
  return n instanceof PyFloat ? n.value : n;
}

function sameKey(a: Element, b: Element): boolean {
  if (a instanceof PyFloat || b instanceof PyFloat || typeof a === 'number' || typeof b === 'number') {
    const x = typeof a === 'boolean' ? Number(a) : a instanceof PyFloat ? a.value : a;
    const y = typeof b === 'boolean' ? Number(b) : b instanceof PyFloat ? b.value : b;
    return typeof x === 'number' && typeof y === 'number' && x === y;
  }
  return a === b;
}

/** Plain config data: quotes dropped, floats become numbers, dict keys strings. */
export function toConfigValue(element: Element): ConfigValue {
  if (element instanceof Quoted) return element.text;
  if (element instanceof PyFloat) return element.value;
  if (Array.isArray(element)) return element.map(toConfigValue);
  if (element instanceof PyDict) {
    const dict: ConfigDict = {};
    for (const [key, value] of element.entries) dict[keyText(key)] = toConfigValue(value);
    return dict;
  }
  return element;
}

function keyText(key: Element): string {
  if (key === null) return 'null';
  const value = toConfigValue(key);
  return typeof value === 'string' ? value : elementText(key);
}

// Characters that an unquoted string must escape (Hydra's ESC token).
const SPECIAL = /[\\()[\]{}:=, \t]/g;

/** Escapes the characters that would otherwise end or split an unquoted value. */
export function escapeSpecialCharacters(s: string): string {
  return s.replace(SPECIAL, (c) => `\\${c}`);
}

/** A quoted string written back with its quotes, escaping only what the grammar needs. */
export function withQuotes(q: Quoted): string {
  const { text, quote } = q;
  let out = '';
  let backslashes = 0;
  for (const c of text + quote) {
    if (c === '\\') {
      backslashes++;
      continue;
    }
    // Backslashes before a quote (or before the closing quote) must be doubled to stay literal.
    out += c === quote ? '\\'.repeat(backslashes * 2) : '\\'.repeat(backslashes);
    backslashes = 0;
    out += c === quote ? '\\' + c : c;
  }
  // The last character added was the escaped closing quote; make it the real one.
  return quote + out.slice(0, -2) + quote;
}

/**
 * An element as override text, the form Hydra's sweeper gives each job
 * (`Override.get_value_element_as_str`): unquoted strings escaped, quoted ones
 * re-quoted, Python's text for numbers and booleans.
 */
export function elementText(element: Element, spaceAfterSeparator = false): string {
  const comma = spaceAfterSeparator ? ', ' : ',';
  const colon = spaceAfterSeparator ? ': ' : ':';
  if (element === null) return 'null';
  if (element instanceof Quoted) return withQuotes(element);
  if (element instanceof PyFloat) return pythonFloat(element.value);
  if (Array.isArray(element)) return `[${element.map((e) => elementText(e, spaceAfterSeparator)).join(comma)}]`;
  if (element instanceof PyDict) {
    return `{${element.entries.map(([k, v]) => `${elementText(k)}${colon}${elementText(v, spaceAfterSeparator)}`).join(comma)}}`;
  }
  if (typeof element === 'string') return escapeSpecialCharacters(element);
  if (typeof element === 'boolean') return element ? 'True' : 'False';
  return String(element);
}

/** An int as Python would hold it; beyond 2^53 JavaScript cannot, and says so. */
export function checkedInt(value: number, text: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new ConfigError(
      `The integer ${text} is too large for mopo: JavaScript numbers hold integers exactly only up to 2^53 (${Number.MAX_SAFE_INTEGER}). ` +
        'This is a deliberate difference from Hydra (Python integers have no limit); quote the value to keep it as text.',
    );
  }
  return value === 0 ? 0 : value;
}
