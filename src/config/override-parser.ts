/**
 * Command-line overrides in Hydra's grammar:
 *
 *   key=value   +key=value   ++key=value   ~key   ~key=value   group@pkg=option
 *
 * Values: int (1_000), float (1e-3, inf, nan), bool, null, `key=` (empty string),
 * quoted strings ('…' / "…" stay strings), lists [1,[a,b]], dicts {a:1,b:2},
 * escapes (\, \= \  …), interpolations ${…}. Sweeps (multirun only): a,b,c,
 * choice(…), range(start,stop[,step]), glob(pattern, exclude=…), sort(…), and casts
 * int(…) float(…) str(…) bool(…). mopo adds append(…), which extends a list, since
 * Hydra offers no way to do that from the command line.
 */
import { ConfigError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import type { ConfigDict, ConfigValue } from './value.js';

export type OverrideKind = 'change' | 'add' | 'force-add' | 'delete';

export interface SweepElement {
  value: ConfigValue;
  /** How the element is written in a job's own override (`a=1,2` → `a=1` and `a=2`). */
  text: string;
}

export type OverrideValue =
  | { kind: 'element'; value: ConfigValue }
  | { kind: 'sweep'; elements: SweepElement[] }
  | { kind: 'glob'; include: string[]; exclude: string[] }
  | { kind: 'append'; values: ConfigValue[] };

export interface Override {
  /** As typed on the command line. */
  text: string;
  kind: OverrideKind;
  /** Dotted key (`algo.h`) or group path (`algo`, `hydra/launcher`). */
  key: string;
  /** From `key@package`. */
  package: string | null;
  /** `null` only for `~key` without a value. */
  value: OverrideValue | null;
}

const FUNCTIONS = ['choice', 'range', 'glob', 'sort', 'int', 'float', 'str', 'bool', 'append', 'interval', 'shuffle', 'tag'];
const KEY = /^[A-Za-z0-9_\-$]+([./][A-Za-z0-9_\-$]+)*$/;
const PACKAGE = /^[A-Za-z0-9_\-$]*(\.[A-Za-z0-9_\-$]+)*$/;

export function parseOverride(text: string): Override {
  let rest = text;
  let kind: OverrideKind = 'change';
  if (rest.startsWith('~')) {
    kind = 'delete';
    rest = rest.slice(1);
  } else if (rest.startsWith('++')) {
    kind = 'force-add';
    rest = rest.slice(2);
  } else if (rest.startsWith('+')) {
    kind = 'add';
    rest = rest.slice(1);
  }

  const eq = rest.indexOf('=');
  const keyPart = (eq === -1 ? rest : rest.slice(0, eq)).trim();
  if (eq === -1 && kind !== 'delete') {
    throw new ConfigError(
      `Error parsing override '${text}': no value. Use ${keyPart}=<value> to set it` +
        (kind === 'change' ? `, or ~${keyPart} to delete it.` : '.') +
        (text.startsWith('-') ? ' (Flags start with --; see mopo --help.)' : ''),
    );
  }
  const at = keyPart.indexOf('@');
  const key = at === -1 ? keyPart : keyPart.slice(0, at);
  const pkg = at === -1 ? null : keyPart.slice(at + 1);
  if (!KEY.test(key) || (pkg !== null && !PACKAGE.test(pkg))) {
    throw new ConfigError(`Error parsing override '${text}': '${keyPart}' is not a valid key. Keys are dotted names (algo.h), group paths (algo) or group@package.`);
  }
  if (eq === -1) return { text, kind, key, package: pkg, value: null };

  const valueText = rest.slice(eq + 1);
  const value = new ValueParser(valueText, text).parseTop();
  return { text, kind, key, package: pkg, value };
}

type Parsed =
  | { kind: 'element'; value: ConfigValue; text: string }
  | { kind: 'sweep'; elements: SweepElement[] }
  | { kind: 'glob'; include: string[]; exclude: string[] }
  | { kind: 'append'; values: ConfigValue[] };

type Context = 'top' | 'list' | 'dict-key' | 'dict-value' | 'args';

class ValueParser {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly overrideText: string,
  ) {}

  private fail(reason: string): never {
    const pointer = `${' '.repeat(this.overrideText.length - this.src.length + this.pos)}^`;
    throw new ConfigError(`Error parsing override '${this.overrideText}': ${reason}\n  ${this.overrideText}\n  ${pointer}`);
  }

  private peek(): string {
    return this.src[this.pos] ?? '';
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  parseTop(): OverrideValue {
    if (this.src.trim() === '') return { kind: 'element', value: '' };
    const first = this.parseItem('top');
    this.skipSpaces();
    if (this.pos >= this.src.length) return stripText(first);
    if (this.peek() !== ',') this.fail(`unexpected '${this.peek()}'`);
    if (first.kind !== 'element') this.fail('a sweep function cannot be combined with other values by commas');
    const elements: SweepElement[] = [{ value: first.value, text: first.text }];
    while (this.peek() === ',') {
      this.pos++;
      const next = this.parseItem('top');
      if (next.kind !== 'element') this.fail('a sweep function cannot be combined with other values by commas');
      elements.push({ value: next.value, text: next.text });
      this.skipSpaces();
    }
    if (this.pos < this.src.length) this.fail(`unexpected '${this.peek()}'`);
    return { kind: 'sweep', elements };
  }

  /** One element, or a function call (which may be a sweep). */
  private parseItem(context: Context): Parsed {
    this.skipSpaces();
    const start = this.pos;
    const fn = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(this.src.slice(this.pos));
    if (fn && FUNCTIONS.includes(fn[1]!)) {
      this.pos += fn[0].length;
      const result = this.parseFunction(fn[1]!, context);
      return result.kind === 'element' ? { ...result, text: this.src.slice(start, this.pos).trim() } : result;
    }
    if (fn && context !== 'dict-key') {
      this.fail(`unknown function '${fn[1]}'.${didYouMean(fn[1]!, FUNCTIONS)} To use parentheses in a value, quote it or escape them: \\( \\)`);
    }
    const value = this.parseElement(context);
    return { kind: 'element', value, text: this.src.slice(start, this.pos).trim() };
  }

  private parseElement(context: Context): ConfigValue {
    this.skipSpaces();
    const c = this.peek();
    let value: ConfigValue;
    if (c === '[') value = this.parseList();
    else if (c === '{') value = this.parseDict();
    else if (c === "'" || c === '"') value = this.parseQuoted();
    else return this.parsePrimitive(context);
    this.skipSpaces();
    return value;
  }

  private parseList(): ConfigValue[] {
    this.pos++; // [
    const items: ConfigValue[] = [];
    this.skipSpaces();
    if (this.peek() === ']') {
      this.pos++;
      return items;
    }
    for (;;) {
      const item = this.parseItem('list');
      if (item.kind !== 'element') this.fail('sweeps are not allowed inside a list');
      items.push(item.value);
      this.skipSpaces();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.peek() === ']') {
        this.pos++;
        return items;
      }
      this.fail(this.pos >= this.src.length ? "missing ']' to close the list" : `unexpected '${this.peek()}' in list`);
    }
  }

  private parseDict(): ConfigDict {
    this.pos++; // {
    const dict: ConfigDict = {};
    this.skipSpaces();
    if (this.peek() === '}') {
      this.pos++;
      return dict;
    }
    for (;;) {
      this.skipSpaces();
      const keyValue = this.peek() === "'" || this.peek() === '"' ? this.parseQuoted() : this.parsePrimitive('dict-key');
      const key = String(keyValue);
      if (key === '') this.fail('empty key in dict');
      this.skipSpaces();
      if (this.peek() !== ':') this.fail(`missing ':' after dict key '${key}'`);
      this.pos++;
      const item = this.parseItem('dict-value');
      if (item.kind !== 'element') this.fail('sweeps are not allowed inside a dict');
      dict[key] = item.value;
      this.skipSpaces();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.peek() === '}') {
        this.pos++;
        return dict;
      }
      this.fail(this.pos >= this.src.length ? "missing '}' to close the dict" : `unexpected '${this.peek()}' in dict`);
    }
  }

  private parseQuoted(): string {
    const quote = this.peek();
    this.pos++;
    let out = '';
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === '\\' && (this.src[this.pos + 1] === quote || this.src[this.pos + 1] === '\\')) {
        out += this.src[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (c === quote) {
        this.pos++;
        return out;
      }
      out += c;
      this.pos++;
    }
    return this.fail(`missing closing ${quote}`);
  }

  /** Unquoted text up to the next delimiter of this context; typed if it looks like a number, bool or null. */
  private parsePrimitive(context: Context): ConfigValue {
    const delimiters =
      context === 'top' ? ',' : context === 'dict-key' ? ',:{}[]()' : context === 'args' ? ',()[]{}=' : ',]}[{()';
    let out = '';
    let literal = false; // escapes or interpolations make it a string whatever it looks like
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === '\\') {
        const next = this.src[this.pos + 1];
        if (next !== undefined && '\\()[]{}:=, \t'.includes(next)) {
          out += next;
          this.pos += 2;
          literal = true;
          continue;
        }
        out += c;
        this.pos++;
        continue;
      }
      if (c === '$' && this.src[this.pos + 1] === '{') {
        out += this.readInterpolation();
        literal = true;
        continue;
      }
      if (delimiters.includes(c)) break;
      if (context === 'top' && '[]{}()'.includes(c)) this.fail(`'${c}' must be escaped (\\${c}) or the value quoted`);
      if ((c === "'" || c === '"') && out.trim() !== '') this.fail(`unexpected quote inside an unquoted value; quote the whole value instead`);
      out += c;
      this.pos++;
    }
    const trimmed = out.replace(/^[ \t]+|[ \t]+$/g, '');
    if (literal) return trimmed;
    return typedScalar(trimmed);
  }

  /** `${…}` is taken whole (braces balanced), to be resolved later. */
  private readInterpolation(): string {
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === '\\') {
        this.pos += 2;
        continue;
      }
      if (c === '{') depth++;
      if (c === '}') {
        depth--;
        if (depth === 0) {
          this.pos++;
          return this.src.slice(start, this.pos);
        }
      }
      this.pos++;
    }
    return this.fail("interpolation '${' is not closed with '}'");
  }

  private parseFunction(name: string, context: Context): Parsed {
    const positional: Parsed[] = [];
    const named: Record<string, Parsed> = {};
    this.skipSpaces();
    if (this.peek() === ')') this.pos++;
    else {
      for (;;) {
        this.skipSpaces();
        const argName = /^([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(this.src.slice(this.pos));
        if (argName) {
          this.pos += argName[0].length;
          named[argName[1]!] = this.parseItem('args');
        } else {
          if (Object.keys(named).length > 0) this.fail(`positional argument after a named one in ${name}()`);
          positional.push(this.parseItem('args'));
        }
        this.skipSpaces();
        if (this.peek() === ',') {
          this.pos++;
          continue;
        }
        if (this.peek() === ')') {
          this.pos++;
          break;
        }
        this.fail(this.pos >= this.src.length ? `missing ')' to close ${name}(` : `unexpected '${this.peek()}' in ${name}(…)`);
      }
    }
    const isSweep = name === 'choice' || name === 'range' || name === 'glob' || name === 'sort' || name === 'shuffle' || name === 'interval';
    if (isSweep && context !== 'top' && context !== 'args') this.fail(`${name}() is a sweep and is only allowed as the whole value of an override`);
    return applyFunction(name, positional, named, (reason) => this.fail(reason));
  }
}

function stripText(parsed: Parsed): OverrideValue {
  return parsed.kind === 'element' ? { kind: 'element', value: parsed.value } : parsed;
}

function applyFunction(name: string, positional: Parsed[], named: Record<string, Parsed>, fail: (reason: string) => never): Parsed {
  const elementValue = (p: Parsed | undefined, what: string): ConfigValue => {
    if (p === undefined) fail(`${name}() needs ${what}`);
    if (p.kind !== 'element') fail(`${name}(): ${what} must be a value, not a sweep`);
    return p.value;
  };
  const number = (p: Parsed | undefined, what: string): number => {
    const v = elementValue(p, what);
    if (typeof v !== 'number') fail(`${name}(): ${what} must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  const sweepElements = (args: Parsed[]): SweepElement[] =>
    args.flatMap((a) => (a.kind === 'sweep' ? a.elements : a.kind === 'element' ? [{ value: a.value, text: a.text }] : fail(`${name}() cannot take ${a.kind}()`)));

  switch (name) {
    case 'choice': {
      if (positional.length === 0) fail('choice() needs at least one value');
      return { kind: 'sweep', elements: sweepElements(positional) };
    }
    case 'range': {
      const start = number(named.start ?? positional[0], 'start');
      const stopArg = named.stop ?? positional[1];
      const [from, stop] = stopArg === undefined ? [0, start] : [start, number(stopArg, 'stop')];
      const step = named.step ?? positional[2] ? number(named.step ?? positional[2], 'step') : 1;
      if (step === 0) fail('range() step must not be 0');
      const elements: SweepElement[] = [];
      for (let v = from; step > 0 ? v < stop : v > stop; v += step) {
        const value = Number.isInteger(from) && Number.isInteger(step) ? v : Number(v.toPrecision(12));
        elements.push({ value, text: formatOverrideValue(value) });
        if (elements.length > 100_000) fail('range() produces more than 100000 values');
      }
      return { kind: 'sweep', elements };
    }
    case 'glob': {
      const asPatterns = (p: Parsed | undefined, what: string): string[] => {
        if (p === undefined) return [];
        const v = elementValue(p, what);
        const list = Array.isArray(v) ? v : [v];
        return list.map((x) => String(x));
      };
      const include = asPatterns(named.include ?? positional[0], 'a pattern');
      if (include.length === 0) fail('glob() needs a pattern, e.g. glob(*) or glob(halfcheetah-*)');
      return { kind: 'glob', include, exclude: asPatterns(named.exclude ?? positional[1], 'exclude patterns') };
    }
    case 'sort': {
      const reverse = named.reverse ? elementValue(named.reverse, 'reverse') === true : false;
      const elements = positional.length === 1 && positional[0]!.kind === 'element' && Array.isArray(positional[0]!.value)
        ? (positional[0]!.value as ConfigValue[]).map((value) => ({ value, text: formatOverrideValue(value) }))
        : sweepElements(positional);
      const sorted = [...elements].sort((a, b) => compareValues(a.value, b.value));
      if (reverse) sorted.reverse();
      return { kind: 'sweep', elements: sorted };
    }
    case 'int':
    case 'float':
    case 'str':
    case 'bool': {
      if (positional.length !== 1) fail(`${name}() takes exactly one value`);
      const arg = positional[0]!;
      const cast = (v: ConfigValue): ConfigValue => castValue(name, v, fail);
      if (arg.kind === 'sweep') {
        return { kind: 'sweep', elements: arg.elements.map((e) => ({ value: cast(e.value), text: formatOverrideValue(cast(e.value)) })) };
      }
      if (arg.kind !== 'element') fail(`${name}() cannot cast ${arg.kind}()`);
      const value = cast(arg.value);
      return { kind: 'element', value, text: formatOverrideValue(value) };
    }
    case 'append': {
      return { kind: 'append', values: positional.map((p) => elementValue(p, 'values')) };
    }
    case 'interval':
      return fail('interval() describes a continuous range for optimizing sweepers; the basic sweeper needs discrete values: use range() or choice()');
    default:
      return fail(`${name}() is not supported by mopo's sweeper`);
  }
}

function castValue(fn: string, v: ConfigValue, fail: (reason: string) => never): ConfigValue {
  if (Array.isArray(v)) return v.map((x) => castValue(fn, x, fail));
  if (v !== null && typeof v === 'object') fail(`${fn}() cannot cast a dict`);
  switch (fn) {
    case 'int': {
      const n = typeof v === 'string' ? Number(v.replace(/_/g, '')) : Number(v);
      if (!Number.isFinite(n)) fail(`int(): cannot convert ${JSON.stringify(v)} to an integer`);
      return Math.trunc(n);
    }
    case 'float': {
      const parsed = typeof v === 'string' ? typedScalar(v) : v;
      const n = Number(parsed);
      if (Number.isNaN(n) && !(typeof v === 'string' && v.toLowerCase() === 'nan')) fail(`float(): cannot convert ${JSON.stringify(v)} to a float`);
      return n;
    }
    case 'str':
      return v === null ? 'null' : String(v);
    default: {
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v !== 0;
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
      return fail(`bool(): cannot convert ${JSON.stringify(v)} to a bool`);
    }
  }
}

function compareValues(a: ConfigValue, b: ConfigValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

const INT = /^[+-]?(0|[1-9](_?[0-9])*)$/;
const FLOAT = /^[+-]?(((\d(_?\d)*)?\.\d(_?\d)*|\d(_?\d)*\.)([eE][+-]?\d(_?\d)*)?|\d(_?\d)*[eE][+-]?\d(_?\d)*)$/;

/** How an unquoted primitive is typed, as Hydra's grammar does. */
export function typedScalar(text: string): ConfigValue {
  const lower = text.toLowerCase();
  if (lower === 'null') return null;
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (INT.test(text)) return Number(text.replace(/_/g, ''));
  if (FLOAT.test(text)) return Number(text.replace(/_/g, ''));
  if (/^[+-]?inf$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  return text;
}

/** Writes a value back in override syntax, so that parsing it gives the same value. */
export function formatOverrideValue(value: ConfigValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (value === Infinity) return 'inf';
    if (value === -Infinity) return '-inf';
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(formatOverrideValue).join(',')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${k}:${formatOverrideValue(v)}`).join(',')}}`;
  const plain = value !== '' && !/[\\()[\]{}:=,'"\s]/.test(value) && typedScalar(value) === value && !/^[A-Za-z_]\w*\(/.test(value);
  return plain ? value : `'${value.replace(/\\(?=')|'/g, (m) => `\\${m}`)}'`;
}
