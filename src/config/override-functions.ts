/**
 * The functions an override value may call, with Hydra 1.3's semantics: casts
 * (int, float, str, bool), sweeps (choice, range, interval, glob), and helpers that
 * reshape them (sort, shuffle, tag). mopo adds append(…), which Hydra lacks.
 *
 * Each function is one row of FUNCTIONS; arguments are checked the way Hydra checks
 * them against its Python signatures (a string where range() wants a number is an
 * error, a bool counts as an int), and casts follow Python's int()/float()/str().
 */
import { pythonFloat } from './python-text.js';
import {
  PyDict,
  PyFloat,
  Quoted,
  checkedInt,
  isGlob,
  isSweep,
  numberOf,
  type ChoiceSweep,
  type Element,
  type FunctionResult,
  type NumberElement,
  type RangeSweep,
  type Sweep,
} from './override-values.js';

/** Raised for a wrong call; the parser adds the override and the call's text. */
export class FunctionError extends Error {}

interface Call {
  args: FunctionResult[];
  kwargs: Map<string, FunctionResult>;
}

interface FunctionSpec {
  /** Named parameters in order; a `*` prefix marks Python's *args. */
  params: string[];
  apply(bound: Record<string, FunctionResult | undefined>, rest: FunctionResult[]): FunctionResult;
}

const CASTS = ['int', 'float', 'str', 'bool'] as const;
type CastName = (typeof CASTS)[number];

export const FUNCTIONS: Record<string, FunctionSpec> = {
  int: castSpec('int'),
  float: castSpec('float'),
  str: castSpec('str'),
  bool: castSpec('bool'),
  choice: { params: ['*args'], apply: (_, args) => choice(args) },
  range: { params: ['start', 'stop', 'step'], apply: (b) => range(b.start, b.stop, b.step) },
  interval: { params: ['start', 'end'], apply: (b) => interval(b.start, b.end) },
  tag: { params: ['*args', 'sweep'], apply: (b, args) => tag(b.sweep === undefined ? args : [...args, b.sweep]) },
  sort: { params: ['*args', 'sweep', 'list', 'reverse'], apply: (b, args) => sort(args, b.sweep, b.list, b.reverse) },
  shuffle: { params: ['*args', 'sweep', 'list'], apply: (b, args) => shuffle(args, b.sweep, b.list) },
  glob: { params: ['include', 'exclude'], apply: (b) => glob(b.include, b.exclude) },
  append: { params: ['*args'], apply: (_, args) => ({ kind: 'append', values: args.map((a) => element(a, 'append', 'values')) }) },
};

/** Binds arguments as Python does: positional first, then keywords; unknown or doubled ones are errors. */
export function callFunction(name: string, call: Call): FunctionResult {
  const spec = FUNCTIONS[name]!;
  // Quoted strings passed directly are plain strings to the function (nested ones stay quoted).
  const unquote = (v: FunctionResult) => (v instanceof Quoted ? v.text : v);
  const args = call.args.map(unquote);
  const bound: Record<string, FunctionResult | undefined> = {};
  const star = spec.params.find((p) => p.startsWith('*'));
  const named = spec.params.filter((p) => !p.startsWith('*'));
  let rest: FunctionResult[] = [];
  if (star) {
    const before = spec.params.indexOf(star);
    named.slice(0, before).forEach((p, i) => (bound[p] = args[i]));
    rest = args.slice(before);
  } else {
    if (args.length > named.length) throw new FunctionError(`${name}() takes at most ${named.length} arguments (${args.length} given)`);
    args.forEach((a, i) => (bound[named[i]!] = a));
  }
  for (const [key, value] of call.kwargs) {
    if (!named.includes(key)) throw new FunctionError(`${name}() got an unexpected keyword argument '${key}'`);
    if (bound[key] !== undefined) throw new FunctionError(`${name}() got multiple values for argument '${key}'`);
    bound[key] = unquote(value);
  }
  return spec.apply(bound, rest);
}

function describe(v: FunctionResult | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (v instanceof PyFloat) return 'a float';
  if (v instanceof Quoted || typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'an int';
  if (typeof v === 'boolean') return 'a bool';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof PyDict) return 'a dict';
  return `${v.kind}()`;
}

function typeError(fn: string, param: string, v: FunctionResult | undefined, expected: string): never {
  throw new FunctionError(`${fn}(): ${param} must be ${expected}, got ${describe(v)}`);
}

function isNumber(v: FunctionResult | undefined): v is NumberElement | boolean {
  return typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat;
}

function asNumber(v: NumberElement | boolean): NumberElement {
  return typeof v === 'boolean' ? Number(v) : v;
}

/** Anything that is a value (not a sweep, glob or append). */
function element(v: FunctionResult | undefined, fn: string, param: string): Element {
  if (v === undefined || isSweep(v) || isGlob(v) || (typeof v === 'object' && v !== null && 'kind' in v)) {
    return typeError(fn, param, v, 'a value');
  }
  return v as Element;
}

function choiceArg(v: FunctionResult, fn: string): Element | ChoiceSweep {
  if (v === null) return typeError(fn, 'each value', v, 'a string, number, bool, list or dict (not null)');
  if (isSweep(v)) {
    if (v.kind !== 'choice') return typeError(fn, 'each value', v, 'a value or choice()');
    return v;
  }
  return element(v, fn, 'each value');
}

function simpleChoice(args: FunctionResult[], fn: string): ChoiceSweep {
  return { kind: 'choice', list: args.map((a) => element(a, fn, 'each value')), simple: true, shuffle: false, tags: [] };
}

// ---------------------------------------------------------------- sweeps

function choice(args: FunctionResult[]): ChoiceSweep {
  if (args.length === 0) throw new FunctionError('empty choice is not legal');
  const checked = args.map((a) => choiceArg(a, 'choice'));
  if (checked.length === 1 && isSweep(checked[0])) {
    const only = checked[0] as ChoiceSweep;
    if (!only.simple) throw new FunctionError('nesting choices is not supported');
    return { ...only, simple: false };
  }
  if (checked.some(isSweep)) throw new FunctionError('nesting choices is not supported');
  return { kind: 'choice', list: checked as Element[], simple: false, shuffle: false, tags: [] };
}

function range(start: FunctionResult | undefined, stop: FunctionResult | undefined, step: FunctionResult | undefined): RangeSweep {
  if (!isNumber(start)) return typeError('range', 'start', start, 'a number');
  if (stop !== undefined && stop !== null && !isNumber(stop)) return typeError('range', 'stop', stop, 'a number');
  if (step !== undefined && !isNumber(step)) return typeError('range', 'step', step, 'a number');
  const [from, to] = stop === undefined || stop === null ? [0, asNumber(start)] : [asNumber(start), asNumber(stop)];
  return { kind: 'range', start: from, stop: to, step: step === undefined ? 1 : asNumber(step), shuffle: false, tags: [] };
}

function interval(start: FunctionResult | undefined, end: FunctionResult | undefined): Sweep {
  if (!isNumber(start)) return typeError('interval', 'start', start, 'a number');
  if (!isNumber(end)) return typeError('interval', 'end', end, 'a number');
  return { kind: 'interval', start: numberOf(asNumber(start)), end: numberOf(asNumber(end)), tags: [] };
}

function tag(args: FunctionResult[]): Sweep {
  if (args.length < 1) throw new FunctionError('Not enough arguments to tag, must take at least a sweep');
  const last = args[args.length - 1];
  if (!isSweep(last)) throw new FunctionError(`Last argument to tag() must be a choice(), range() or interval(), got ${describe(last)}`);
  const tags = args.slice(0, -1).map((t) => {
    if (typeof t !== 'string') throw new FunctionError(`tag arguments must be strings, got ${describe(t)}`);
    return t;
  });
  return { ...last, tags: [...new Set(tags)].sort() };
}

function glob(include: FunctionResult | undefined, exclude: FunctionResult | undefined) {
  const patterns = (v: FunctionResult | undefined, param: string, optional: boolean): string[] => {
    if (v === undefined || (optional && v === null)) {
      if (optional) return [];
      return typeError('glob', param, v, 'a pattern or a list of patterns');
    }
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) return v.map((p) => (p instanceof Quoted ? p.text : typeof p === 'string' ? p : String(p)));
    return typeError('glob', param, v, 'a pattern or a list of patterns');
  };
  return { kind: 'glob' as const, include: patterns(include, 'include', false), exclude: patterns(exclude, 'exclude', true) };
}

function sortable(v: FunctionResult, fn: string): Element | ChoiceSweep | RangeSweep {
  if (v === null || (isSweep(v) && v.kind === 'interval') || isGlob(v)) return typeError(fn, 'each value', v, 'a value, choice() or range()');
  return v as Element | ChoiceSweep | RangeSweep;
}

function sort(args: FunctionResult[], sweep: FunctionResult | undefined, list: FunctionResult | undefined, reverse: FunctionResult | undefined): FunctionResult {
  if (reverse !== undefined && typeof reverse !== 'boolean') return typeError('sort', 'reverse', reverse, 'true or false');
  const descending = reverse === true;
  if (list !== undefined && list !== null) {
    if (!Array.isArray(list)) return typeError('sort', 'list', list, 'a list');
    return sortList(list, descending);
  }
  if (sweep !== undefined && sweep !== null) {
    if (!isSweep(sweep) || sweep.kind === 'interval') return typeError('sort', 'sweep', sweep, 'choice() or range()');
    return sortSweep(sweep, descending);
  }
  const checked = args.map((a) => sortable(a, 'sort'));
  if (checked.length === 1) {
    const only = checked[0]!;
    if (isSweep(only)) return sortSweep(only, descending);
    if (Array.isArray(only)) return sortList(only, descending);
    return only;
  }
  if (checked.length === 0) throw new FunctionError('empty sort input');
  for (const a of checked) {
    if (!(typeof a === 'string' || typeof a === 'boolean' || typeof a === 'number' || a instanceof PyFloat)) {
      throw new FunctionError(`sort() of several values takes strings, numbers and bools, got ${describe(a)}`);
    }
  }
  return sortSweep(simpleChoice(checked as Element[], 'sort'), descending);
}

function sortList(list: Element[], descending: boolean): Element[] {
  const sign = descending ? -1 : 1;
  return [...list].sort((a, b) => sign * pythonCompare(a, b));
}

function sortSweep(sweep: ChoiceSweep | RangeSweep, descending: boolean): ChoiceSweep | RangeSweep {
  if (sweep.kind === 'choice') return { ...sweep, list: sortList(sweep.list, descending) };
  const [start, stop, step] = [numberOf(sweep.start), numberOf(sweep.stop), numberOf(sweep.step)];
  const isFloat = [sweep.start, sweep.stop, sweep.step].some((n) => n instanceof PyFloat);
  const num = (x: number): NumberElement => (isFloat ? new PyFloat(x) : x);
  const flip = !descending ? start > stop : start < stop;
  if (!flip) return { ...sweep };
  const shift = descending ? -Math.abs(step) : Math.abs(step);
  return { ...sweep, start: num(stop + shift), stop: num(start + shift), step: num(-step) };
}

function shuffle(args: FunctionResult[], sweep: FunctionResult | undefined, list: FunctionResult | undefined): FunctionResult {
  if (list !== undefined && list !== null) return shuffle([list], undefined, undefined);
  if (sweep !== undefined && sweep !== null) return shuffle([sweep], undefined, undefined);
  const checked = args.map((a) => sortable(a, 'shuffle'));
  if (checked.length === 1) {
    const only = checked[0]!;
    if (isSweep(only)) return { ...only, shuffle: true };
    if (Array.isArray(only)) return shuffled(only);
    return [only];
  }
  return { ...simpleChoice(checked as Element[], 'shuffle'), shuffle: true };
}

/** Fisher–Yates; like Hydra's shuffle() it is not seeded. */
export function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Python's `<` ordering; values Python cannot order (a string and an int, dicts, null) are an error. */
export function pythonCompare(a: Element, b: Element): number {
  const num = (v: Element) => (typeof v === 'boolean' ? Number(v) : v instanceof PyFloat ? v.value : v);
  const x = num(a);
  const y = num(b);
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = pythonCompare(x[i]!, y[i]!);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  throw new FunctionError(`cannot order ${describe(a)} and ${describe(b)}`);
}

// ---------------------------------------------------------------- casts

function castSpec(name: CastName): FunctionSpec {
  return {
    params: ['*args', 'value'],
    apply: (bound, args) => {
      if (args.length > 0 && bound.value !== undefined) throw new FunctionError('cannot use both position and named arguments');
      if (bound.value !== undefined) return cast(name, bound.value);
      if (args.length === 0) throw new FunctionError('No positional args or value specified');
      if (args.length === 1) return cast(name, args[0]!);
      return cast(name, simpleChoice(args, name));
    },
  };
}

export function cast(name: CastName, v: FunctionResult): FunctionResult {
  if (v instanceof Quoted) return cast(name, v.text);
  if (v instanceof PyDict) return new PyDict(v.entries.map(([k, x]) => [k, cast(name, x) as Element]));
  if (Array.isArray(v)) return v.map((x) => cast(name, x) as Element);
  if (isGlob(v) || (typeof v === 'object' && v !== null && 'kind' in v && v.kind === 'append')) {
    throw new FunctionError(`${name}() cannot cast ${describe(v)}`);
  }
  if (isSweep(v)) {
    if (v.kind === 'choice') return { ...v, list: v.list.map((x) => cast(name, x) as Element) };
    if (v.kind === 'range') {
      if (name !== 'int' && name !== 'float') throw new FunctionError('Range can only be cast to int or float');
      return { ...v, start: cast(name, v.start) as NumberElement, stop: cast(name, v.stop) as NumberElement, step: cast(name, v.step) as NumberElement };
    }
    if (name === 'str' || name === 'bool') throw new FunctionError(`Intervals cannot be cast to ${name}`);
    return { ...v, start: numberOf(cast(name, v.start) as NumberElement), end: numberOf(cast(name, v.end) as NumberElement) };
  }
  return castScalar(name, v as string | number | boolean | PyFloat | null);
}

function castScalar(name: CastName, v: string | number | boolean | PyFloat | null): Element {
  if (name === 'bool') {
    if (v === null) return false;
    if (typeof v === 'string') {
      if (v.toLowerCase() === 'true') return true;
      if (v.toLowerCase() === 'false') return false;
      throw new FunctionError(`Cannot cast '${v}' to bool`);
    }
    return typeof v === 'boolean' ? v : numberOf(v) !== 0;
  }
  if (v === null) throw new FunctionError(`${name}() cannot cast null`);
  if (name === 'str') {
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (v instanceof PyFloat) return pythonFloat(v.value);
    return String(v);
  }
  if (name === 'int') {
    if (typeof v === 'boolean') return Number(v);
    if (typeof v === 'string') {
      const text = v.trim();
      if (!/^[+-]?\d(_?\d)*$/.test(text)) throw new FunctionError(`invalid literal for int() with base 10: '${v}'`);
      return checkedInt(Number(text.replace(/_/g, '')), text);
    }
    const n = numberOf(v);
    if (Number.isNaN(n)) throw new FunctionError('cannot convert float NaN to integer');
    if (!Number.isFinite(n)) throw new FunctionError('cannot convert float infinity to integer');
    return checkedInt(Math.trunc(n), String(n));
  }
  // float
  if (typeof v === 'boolean') return new PyFloat(Number(v));
  if (typeof v === 'string') return new PyFloat(pythonFloatFromString(v));
  return new PyFloat(numberOf(v));
}

/** Python's `float(text)`: decimal or exponent forms with `_` between digits, inf, infinity, nan. */
function pythonFloatFromString(v: string): number {
  const text = v.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  const digits = '\\d(?:_?\\d)*';
  const decimal = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
  if (!decimal.test(text)) throw new FunctionError(`could not convert string to float: '${v}'`);
  return Number(text.replace(/_/g, ''));
}

// ---------------------------------------------------------------- range values

/**
 * The values of a range sweep. Integer ranges are Python's range(); a range with any
 * float is stepped as Hydra's FloatRange does, in Python's decimal arithmetic (28
 * significant digits, half-even), so range(0,1,0.1) gives 0.3 and 0.7000000000000001
 * exactly as Hydra does.
 */
export function rangeValues(r: RangeSweep): NumberElement[] {
  const isFloat = [r.start, r.stop, r.step].some((n) => n instanceof PyFloat);
  const [start, stop, step] = [numberOf(r.start), numberOf(r.stop), numberOf(r.step)];
  if (step === 0) throw new FunctionError(`Invalid range values (start:${start}, stop:${stop}, step:${step}): step must not be 0`);
  const out: NumberElement[] = [];
  const limit = 1_000_000;
  if (!isFloat) {
    for (let v = start; step > 0 ? v < stop : v > stop; v += step) {
      out.push(v);
      if (out.length > limit) throw new FunctionError(`range() produces more than ${limit} values`);
    }
    return out;
  }
  if (![start, stop, step].every(Number.isFinite)) throw new FunctionError('range() needs finite numbers');
  const end = Decimal.fromNumber(stop);
  const increment = Decimal.fromNumber(step);
  let current = Decimal.fromNumber(start);
  while (step > 0 ? current.compare(end) < 0 : current.compare(end) > 0) {
    out.push(new PyFloat(current.toNumber()));
    if (out.length > limit) throw new FunctionError(`range() produces more than ${limit} values`);
    current = current.add(increment);
  }
  return out;
}

/** Python's decimal.Decimal, as far as FloatRange needs it: exact from a float, sums rounded to 28 digits. */
class Decimal {
  private constructor(
    readonly coefficient: bigint,
    readonly exponent: number,
  ) {}

  static fromNumber(x: number): Decimal {
    if (Number.isInteger(x)) return new Decimal(BigInt(x), 0);
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    const bits = view.getBigUint64(0);
    const sign = bits >> 63n ? -1n : 1n;
    const biased = Number((bits >> 52n) & 0x7ffn);
    const fraction = bits & 0xfffffffffffffn;
    const mantissa = sign * (biased === 0 ? fraction : fraction | (1n << 52n));
    const binaryExponent = (biased === 0 ? 1 : biased) - 1075;
    // m · 2^-k = m · 5^k · 10^-k
    return binaryExponent >= 0 ? new Decimal(mantissa << BigInt(binaryExponent), 0) : new Decimal(mantissa * 5n ** BigInt(-binaryExponent), binaryExponent);
  }

  private static align(a: Decimal, b: Decimal): [bigint, bigint, number] {
    const exponent = Math.min(a.exponent, b.exponent);
    return [a.coefficient * 10n ** BigInt(a.exponent - exponent), b.coefficient * 10n ** BigInt(b.exponent - exponent), exponent];
  }

  add(other: Decimal): Decimal {
    const [x, y, exponent] = Decimal.align(this, other);
    return new Decimal(x + y, exponent).rounded(28);
  }

  compare(other: Decimal): number {
    const [x, y] = Decimal.align(this, other);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /** Round half-even to `digits` significant digits. */
  private rounded(digits: number): Decimal {
    const negative = this.coefficient < 0n;
    let c = negative ? -this.coefficient : this.coefficient;
    const excess = c.toString().length - digits;
    if (excess <= 0) return this;
    const divisor = 10n ** BigInt(excess);
    let quotient = c / divisor;
    const remainder = c % divisor;
    const twice = remainder * 2n;
    if (twice > divisor || (twice === divisor && quotient % 2n === 1n)) quotient += 1n;
    c = quotient;
    return new Decimal(negative ? -c : c, this.exponent + excess);
  }

  /** float(Decimal): the nearest double to the decimal's exact value. */
  toNumber(): number {
    const negative = this.coefficient < 0n;
    const digits = (negative ? -this.coefficient : this.coefficient).toString();
    return Number(`${negative ? '-' : ''}${digits}e${this.exponent}`);
  }
}

export { CASTS };
