/**
 * Command-line overrides in Hydra 1.3's grammar (hydra/grammar/OverrideParser.g4):
 *
 *   key=value   +key=value   ++key=value   ~key   ~key=value   group@pkg=option
 *
 * Values: int (1_000), float (1e-3, inf, nan), bool, null, `key=` (empty string),
 * quoted strings ('…' / "…" stay strings; a backslash escapes only a quote or the
 * backslashes before one), lists [1,[a,b]], dicts {a:1,b:2}, escapes (\, \= \  …) in
 * unquoted text, interpolations ${…}. Sweeps (multirun only): a,b,c, choice(…),
 * range(…), interval(…), glob(…), and sort/shuffle/tag of them; casts int() float()
 * str() bool(). mopo adds append(…) (see override-functions.ts).
 *
 * The parser is a recursive descent over the grammar's rules, so it accepts exactly
 * what Hydra accepts; an error points at the first token it cannot take.
 */
import { ConfigError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { FUNCTIONS, FunctionError, callFunction } from './override-functions.js';
import { tokenize, type Token, type TokenType } from './override-lexer.js';
import {
  PyDict,
  PyFloat,
  Quoted,
  checkedInt,
  elementText,
  isAppend,
  isElement,
  isGlob,
  toConfigValue,
  type AppendValues,
  type ChoiceSweep,
  type Element,
  type FunctionResult,
  type GlobSweep,
  type IntervalSweep,
  type RangeSweep,
} from './override-values.js';
import type { ConfigValue } from './value.js';

export type OverrideKind = 'change' | 'add' | 'force-add' | 'delete';

export type OverrideValue =
  | { kind: 'element'; value: ConfigValue; element: Element }
  | ChoiceSweep
  | RangeSweep
  | IntervalSweep
  | GlobSweep
  | { kind: 'append'; values: ConfigValue[] };

export interface Override {
  /** As typed on the command line. */
  text: string;
  kind: OverrideKind;
  /** Dotted key (`algo.h`) or group path (`algo`, `hydra/launcher`). */
  key: string;
  /** From `key@package` (`''` for `key@`). */
  package: string | null;
  /** `null` only for `~key` without a value. */
  value: OverrideValue | null;
}

const GRAMMAR_HELP = 'See https://hydra.cc/docs/advanced/override_grammar/basic/ for the override grammar.';

export function parseOverride(text: string): Override {
  return new OverrideParser(text).parse();
}

/** Prefix (`+`, `++`, `~`) and key as Hydra writes them (`get_key_element`): the sweeper's identity of an override. */
export function keyElement(o: Override): string {
  const prefix = o.kind === 'delete' ? '~' : o.kind === 'add' ? '+' : o.kind === 'force-add' ? '++' : '';
  return `${prefix}${o.key}${o.package === null ? '' : `@${o.package}`}`;
}

/** The value of an element override as Hydra's sweeper writes it back (`a=1_000` → `a=1000`). */
export function overrideValueText(o: Override): string {
  if (o.value === null) return 'null';
  if (o.value.kind !== 'element') throw new ConfigError(`'${o.text}' is a sweep, not a single value`);
  return elementText(o.value.element);
}

export function isSweepOverride(o: Override): boolean {
  const kind = o.value?.kind;
  return kind === 'choice' || kind === 'range' || kind === 'interval' || kind === 'glob';
}

class OverrideParser {
  private tokens: Token[] = [];
  private pos = 0;

  constructor(private readonly text: string) {}

  private fail(reason: string, at: number): never {
    throw new ConfigError(`Error parsing override '${this.text}': ${reason}\n    ${this.text}\n    ${' '.repeat(at)}^\n${GRAMMAR_HELP}`);
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private at(type: TokenType, offset = 0): boolean {
    return this.peek(offset)?.type === type;
  }

  private next(): Token {
    return this.tokens[this.pos++]!;
  }

  private expect(type: TokenType, what: string): Token {
    if (!this.at(type)) this.unexpected(what);
    return this.next();
  }

  private unexpected(expected: string): never {
    const token = this.peek();
    if (token === undefined) this.fail(`unexpected end of override, expected ${expected}`, this.text.length);
    const shown = token.text.trim() === '' ? 'whitespace' : `'${token.text.trim()}'`;
    return this.fail(`unexpected ${shown}, expected ${expected}`, token.start + (token.text.length - token.text.trimStart().length));
  }

  parse(): Override {
    this.tokens = tokenize(this.text, (reason, at) => this.fail(reason, at));
    let kind: OverrideKind = 'change';
    if (this.at('TILDE')) {
      this.next();
      kind = 'delete';
    } else if (this.at('PLUS')) {
      this.next();
      kind = 'add';
      if (this.at('PLUS')) {
        this.next();
        kind = 'force-add';
      }
    }
    const { key, pkg } = this.parseKey();
    let value: OverrideValue | null = null;
    if (kind === 'delete' && this.peek() === undefined) return { text: this.text, kind, key, package: pkg, value };
    if (!this.at('EQUAL')) {
      if (this.peek() === undefined) {
        this.fail(`no value. Use ${key}=<value> to set it${kind === 'change' ? `, or ~${key} to delete it` : ''}${this.text.startsWith('-') ? ' (flags start with --; see --help)' : ''}`, this.text.length);
      }
      this.unexpected("'='");
    }
    this.next();
    value = this.peek() === undefined ? { kind: 'element', value: '', element: '' } : this.parseValue();
    if (this.peek() !== undefined) this.unexpected('the end of the override');
    return { text: this.text, kind, key, package: pkg, value };
  }

  // key : packageOrGroup (AT package)?
  private parseKey(): { key: string; pkg: string | null } {
    let key = '';
    if (this.at('ID') && this.at('SLASH', 1)) {
      key = this.next().text;
      while (this.at('SLASH')) {
        this.next();
        key += `/${this.expect('ID', 'a group name after /').text}`;
      }
    } else {
      key = this.parsePackage();
    }
    let pkg: string | null = null;
    if (this.at('AT')) {
      this.next();
      pkg = this.parsePackage();
    }
    return { key, pkg };
  }

  // package: ( | ID | KEY_SPECIAL | DOT_PATH)
  private parsePackage(): string {
    if (this.at('ID') || this.at('KEY_SPECIAL') || this.at('DOT_PATH')) return this.next().text;
    return '';
  }

  // value: element | simpleChoiceSweep
  private parseValue(): OverrideValue {
    const first = this.parseElement();
    if (!this.at('COMMA')) return asOverrideValue(first);
    const list: Element[] = [this.sweepItem(first)];
    while (this.at('COMMA')) {
      this.next();
      list.push(this.sweepItem(this.parseElement()));
    }
    return { kind: 'choice', list, simple: true, shuffle: false, tags: [] };
  }

  private sweepItem(item: FunctionResult): Element {
    if (!isElement(item)) this.fail('a sweep cannot be one of the comma-separated values of another sweep', this.text.length);
    return item;
  }

  // element: primitive | listContainer | dictContainer | function
  private parseElement(): FunctionResult {
    if (this.at('ID') && this.at('POPEN', 1)) return this.parseFunction();
    if (this.at('BRACKET_OPEN')) return this.parseList();
    if (this.at('BRACE_OPEN')) return this.parseDict();
    return this.parsePrimitive('primitive');
  }

  private parseList(): Element[] {
    this.next();
    const items: Element[] = [];
    if (this.at('BRACKET_CLOSE')) {
      this.next();
      return items;
    }
    for (;;) {
      items.push(this.nested(this.parseElement(), 'a list'));
      if (this.at('COMMA')) {
        this.next();
        continue;
      }
      this.expect('BRACKET_CLOSE', "',' or ']'");
      return items;
    }
  }

  private parseDict(): PyDict {
    this.next();
    const entries: [Element, Element][] = [];
    if (this.at('BRACE_CLOSE')) {
      this.next();
      return new PyDict(entries);
    }
    for (;;) {
      const key = this.parsePrimitive('dictKey');
      this.expect('COLON', "':' after the dict key");
      entries.push([key, this.nested(this.parseElement(), 'a dict')]);
      if (this.at('COMMA')) {
        this.next();
        continue;
      }
      this.expect('BRACE_CLOSE', "',' or '}'");
      return new PyDict(entries);
    }
  }

  private nested(item: FunctionResult, where: string): Element {
    if (!isElement(item)) this.fail(`${item.kind}() cannot be used inside ${where}`, this.peek()?.start ?? this.text.length);
    return item;
  }

  // function: ID POPEN (argName? element (COMMA argName? element)*)? PCLOSE
  private parseFunction(): FunctionResult {
    const nameToken = this.next();
    const name = nameToken.text;
    this.next(); // POPEN
    const args: FunctionResult[] = [];
    const kwargs = new Map<string, FunctionResult>();
    if (!this.at('PCLOSE')) {
      for (;;) {
        if (this.at('ID') && this.at('EQUAL', 1)) {
          const argName = this.next().text;
          this.next();
          kwargs.set(argName, this.parseElement());
        } else {
          if (kwargs.size > 0) this.fail('positional argument follows keyword argument', this.peek()?.start ?? this.text.length);
          args.push(this.parseElement());
        }
        if (this.at('COMMA')) {
          this.next();
          continue;
        }
        break;
      }
    }
    const close = this.expect('PCLOSE', "',' or ')'");
    const callText = this.text.slice(nameToken.start, close.start + close.text.length);
    if (!(name in FUNCTIONS)) {
      this.fail(`unknown function '${name}'.${didYouMean(name, Object.keys(FUNCTIONS))} Available: ${Object.keys(FUNCTIONS).sort().join(', ')}. To use parentheses in a value, quote it or escape them: \\( \\)`, nameToken.start);
    }
    try {
      return callFunction(name, { args, kwargs });
    } catch (error) {
      if (error instanceof FunctionError || error instanceof ConfigError) this.fail(`while evaluating '${callText}': ${error.message}`, nameToken.start);
      throw error;
    }
  }

  /**
   * primitive: QUOTED_VALUE | (ID | NULL | INT | FLOAT | BOOL | INTERPOLATION | UNQUOTED_CHAR | COLON | ESC | WS)+
   * dictKey:   (ID | NULL | INT | FLOAT | BOOL | UNQUOTED_CHAR | ESC | WS)+
   */
  private parsePrimitive(rule: 'primitive' | 'dictKey'): Element {
    if (rule === 'primitive' && this.at('QUOTED_VALUE')) return unquote(this.next().text);
    const allowed: TokenType[] = ['ID', 'NULL', 'INT', 'FLOAT', 'BOOL', 'UNQUOTED_CHAR', 'ESC', 'WS'];
    if (rule === 'primitive') allowed.push('INTERPOLATION', 'COLON');
    const parts: Token[] = [];
    while (this.peek() !== undefined && allowed.includes(this.peek()!.type)) parts.push(this.next());
    if (parts.length === 0) this.unexpected(rule === 'dictKey' ? 'a dict key (quoted keys are not allowed)' : 'a value');
    return this.primitiveValue(parts);
  }

  private primitiveValue(parts: Token[]): Element {
    let first = 0;
    let last = parts.length;
    if (parts[0]!.type === 'WS') {
      if (parts.length === 1) this.fail('a value cannot be whitespace only', parts[0]!.start);
      first = 1;
    }
    if (parts[parts.length - 1]!.type === 'WS') last--;
    if (last - first > 1) {
      return parts
        .slice(first, last)
        .map((t) => (t.type === 'ESC' ? unescape(t.text) : t.text))
        .join('');
    }
    const token = parts[first]!;
    switch (token.type) {
      case 'INT':
        return checkedInt(Number(token.text.replace(/_/g, '')), token.text);
      case 'FLOAT':
        return new PyFloat(parseFloatToken(token.text));
      case 'NULL':
        return null;
      case 'BOOL':
        return token.text.toLowerCase() === 'true';
      case 'ESC':
        return unescape(token.text);
      default:
        return token.text;
    }
  }
}

function asOverrideValue(item: FunctionResult): OverrideValue {
  if (isGlob(item)) return item;
  if (isAppend(item)) return { kind: 'append', values: (item as AppendValues).values.map(toConfigValue) };
  if (isElement(item)) return { kind: 'element', value: toConfigValue(item), element: item };
  return item;
}

function parseFloatToken(text: string): number {
  const lower = text.toLowerCase().replace(/_/g, '');
  if (lower.endsWith('inf')) return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower.endsWith('nan')) return NaN;
  return Number(lower);
}

/** `\(` → `(`, `\\` → `\`: an ESC token is pairs of backslash and character. */
function unescape(text: string): string {
  let out = '';
  for (let i = 1; i < text.length; i += 2) out += text[i];
  return out;
}

/** Quoted text: only backslashes before a quote (including the closing one) are escapes. */
function unquote(token: string): Quoted {
  const quote = token[0] as "'" | '"';
  const body = token.slice(1);
  const escaped = quote === "'" ? /(\\)+'/g : /(\\)+"/g;
  let out = '';
  let from = 0;
  for (let match = escaped.exec(body); match !== null; match = escaped.exec(body)) {
    out += body.slice(from, match.index);
    const run = body.slice(match.index, match.index + match[0].length);
    for (let i = 1; i < run.length; i += 2) out += run[i];
    from = match.index + match[0].length;
  }
  if (from < body.length) out += body.slice(from, -1);
  return new Quoted(out, quote);
}

/** Writes a value in override syntax that parses back to the same value (quoting strings that need it). */
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
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${formatKey(k)}:${formatOverrideValue(v)}`).join(',')}}`;
  try {
    const parsed = parseOverride(`x=${value}`).value;
    if (parsed?.kind === 'element' && parsed.value === value) return value;
  } catch {
    // not valid unquoted: quote it below
  }
  return withQuotesFor(value);
}

function formatKey(key: string): string {
  return key.replace(/[\\()[\]{}:=, \t]/g, (c) => `\\${c}`);
}

function withQuotesFor(value: string): string {
  return elementText(new Quoted(value, "'"));
}
