/**
 * OmegaConf 2.2's interpolation grammar (OmegaConfGrammarLexer.g4 / Parser.g4),
 * parsed into a small tree that interpolation.ts evaluates:
 *
 *   ${a.b}  ${.sibling}  ${..parent_key}  ${a[0]}  text-${a}-${b}  \${literal}
 *   ${resolver:arg,'quoted',[list],{k:v},${nested}}
 *
 * Like OmegaConf, a string is parsed only when it contains `${`, and an invalid one
 * (an unclosed `${`, an unquoted `~` in a resolver argument) is an error as soon as
 * the config is loaded, not when the value is first read.
 */
import { ConfigError } from '../errors.js';

type Mode = 'top' | 'value' | 'interpolation' | 'single' | 'double';

type TokenType =
  | 'INTER_OPEN'
  | 'ANY_STR'
  | 'ESC_INTER'
  | 'TOP_ESC'
  | 'BRACE_OPEN'
  | 'BRACE_CLOSE'
  | 'QUOTE_OPEN'
  | 'QUOTE_CLOSE'
  | 'COMMA'
  | 'BRACKET_OPEN'
  | 'BRACKET_CLOSE'
  | 'COLON'
  | 'FLOAT'
  | 'INT'
  | 'BOOL'
  | 'NULL'
  | 'UNQUOTED_CHAR'
  | 'ID'
  | 'ESC'
  | 'WS'
  | 'INTER_CLOSE'
  | 'DOT'
  | 'INTER_KEY'
  | 'QUOTED_ESC';

interface Token {
  type: TokenType;
  text: string;
  start: number;
}

type Action = 'push-interpolation' | 'push-value' | 'push-single' | 'push-double' | 'pop' | 'to-value' | null;
type Matcher = (src: string, pos: number) => number;
type Rule = [TokenType, Matcher, Action];

function re(pattern: string): Matcher {
  const regex = new RegExp(pattern, 'y');
  return (src, pos) => {
    regex.lastIndex = pos;
    const match = regex.exec(src);
    return match ? match[0].length : 0;
  };
}

function longestOf(...matchers: Matcher[]): Matcher {
  return (src, pos) => Math.max(...matchers.map((m) => m(src, pos)));
}

/** `~[$]* ~[\\$]` (plus the quote inside quotes): text up to a `$`, not ending in a backslash. */
function plainText(excluded: string): Matcher {
  return (src, pos) => {
    let end = pos;
    while (end < src.length && !excluded.includes(src[end]!)) end++;
    while (end > pos && src[end - 1] === '\\') end--;
    return end - pos;
  };
}

const INT_UNSIGNED = '(?:0|[1-9](?:_?[0-9])*)';
const DIGITS = '[0-9](?:_?[0-9])*';
const POINT_FLOATS = [`${INT_UNSIGNED}\\.`, `${INT_UNSIGNED}?\\.${DIGITS}`];
const FLOAT = longestOf(
  ...[...POINT_FLOATS, ...[INT_UNSIGNED, ...POINT_FLOATS].map((b) => `${b}[eE][+-]?${DIGITS}`), '[Ii][Nn][Ff]', '[Nn][Aa][Nn]'].map((f) => re(`[+-]?${f}`)),
);
const WS = '[ \\t]*';
const INTER_OPEN = re(`\\$\\{${WS}`);
const ESC_INTER = re('(?:\\\\\\\\)*\\\\\\$\\{');
const ESC_PAIRS = re('(?:\\\\\\\\)+');
const BACKSLASHES = re('\\\\+');
const DOLLAR = re('\\$');

const RULES: Record<Mode, Rule[]> = {
  top: [
    ['INTER_OPEN', INTER_OPEN, 'push-interpolation'],
    ['ANY_STR', plainText('$'), null],
    ['ESC_INTER', ESC_INTER, null],
    ['TOP_ESC', ESC_PAIRS, null],
    ['ANY_STR', BACKSLASHES, null],
    ['ANY_STR', DOLLAR, null],
  ],
  value: [
    ['INTER_OPEN', INTER_OPEN, 'push-interpolation'],
    ['BRACE_OPEN', re(`\\{${WS}`), 'push-value'],
    ['BRACE_CLOSE', re(`${WS}\\}`), 'pop'],
    ['QUOTE_OPEN', re("'"), 'push-single'],
    ['QUOTE_OPEN', re('"'), 'push-double'],
    ['COMMA', re(`${WS},${WS}`), null],
    ['BRACKET_OPEN', re(`\\[${WS}`), null],
    ['BRACKET_CLOSE', re(`${WS}\\]`), null],
    ['COLON', re(`${WS}:${WS}`), null],
    ['FLOAT', FLOAT, null],
    ['INT', re(`[+-]?${INT_UNSIGNED}`), null],
    ['BOOL', re('(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])'), null],
    ['NULL', re('[Nn][Uu][Ll][Ll]'), null],
    ['UNQUOTED_CHAR', re('[/\\-\\\\+.$%*@?|]'), null],
    ['ID', re('[a-zA-Z_][a-zA-Z0-9_]*'), null],
    ['ESC', re('(?:\\\\[\\\\()\\[\\]{}:=, \\t])+'), null],
    ['WS', re('[ \\t]+'), null],
  ],
  interpolation: [
    ['INTER_OPEN', INTER_OPEN, 'push-interpolation'],
    ['COLON', re(`${WS}:${WS}`), 'to-value'],
    ['INTER_CLOSE', re(`${WS}\\}`), 'pop'],
    ['DOT', re('\\.'), null],
    ['BRACKET_OPEN', re('\\['), null],
    ['BRACKET_CLOSE', re('\\]'), null],
    ['ID', re('[a-zA-Z_][a-zA-Z0-9_]*'), null],
    ['INTER_KEY', re('[^\\\\{}()[\\]:. \\t\'"]+'), null],
  ],
  single: quotedRules("'"),
  double: quotedRules('"'),
};

function quotedRules(quote: string): Rule[] {
  return [
    ['INTER_OPEN', INTER_OPEN, 'push-interpolation'],
    ['QUOTE_CLOSE', re(quote), 'pop'],
    ['ANY_STR', plainText(`${quote}$`), null],
    ['ESC_INTER', ESC_INTER, null],
    ['ESC', re(`(?:\\\\\\\\)*\\\\${quote}`), null],
    ['QUOTED_ESC', ESC_PAIRS, null],
    ['ANY_STR', BACKSLASHES, null],
    ['ANY_STR', DOLLAR, null],
  ];
}

function tokenize(src: string, startMode: Mode, fail: (reason: string, at: number) => never): Token[] {
  const stack: Mode[] = [startMode];
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < src.length) {
    const mode = stack[stack.length - 1] ?? startMode;
    let best: Rule | null = null;
    let bestLength = 0;
    for (const rule of RULES[mode]) {
      const length = rule[1](src, pos);
      if (length > bestLength) {
        best = rule;
        bestLength = length;
      }
    }
    if (best === null) fail(`token recognition error at: '${src[pos]}'`, pos);
    tokens.push({ type: best[0], text: src.slice(pos, pos + bestLength), start: pos });
    pos += bestLength;
    switch (best[2]) {
      case 'push-interpolation':
        stack.push('interpolation');
        break;
      case 'push-value':
        stack.push('value');
        break;
      case 'push-single':
        stack.push('single');
        break;
      case 'push-double':
        stack.push('double');
        break;
      case 'pop':
        stack.pop();
        break;
      case 'to-value':
        stack[stack.length - 1] = 'value';
        break;
      default:
    }
  }
  return tokens;
}

// ---------------------------------------------------------------- syntax tree

/** A piece of text: raw characters, an escape sequence, or an interpolation. */
export type TextPart = { kind: 'token'; type: string; text: string } | { kind: 'interpolation'; node: Interpolation };

export type Interpolation =
  | { kind: 'node'; key: KeyPart[]; source: string }
  | { kind: 'resolver'; name: KeyPart[]; args: Element[]; source: string };

/** Pieces of a key or resolver name: literal text, or an interpolation giving the text. */
export type KeyPart = string | Interpolation;

export type Element =
  | { kind: 'primitive'; parts: TextPart[] }
  | { kind: 'quoted'; text: TextPart[] | null }
  | { kind: 'list'; items: Element[] }
  | { kind: 'dict'; entries: [Element, Element][] }
  | { kind: 'empty' };

const TEXT_TYPES = ['ANY_STR', 'ESC', 'ESC_INTER', 'TOP_ESC', 'QUOTED_ESC'];
const PRIMITIVE_TYPES = ['ID', 'NULL', 'INT', 'FLOAT', 'BOOL', 'UNQUOTED_CHAR', 'COLON', 'ESC', 'WS'];
const DICT_KEY_TYPES = ['ID', 'NULL', 'INT', 'FLOAT', 'BOOL', 'UNQUOTED_CHAR', 'ESC', 'WS'];

class Parser {
  private tokens: Token[] = [];
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly fail: (reason: string, at: number) => never,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private at(...types: TokenType[]): boolean {
    const t = this.peek();
    return t !== undefined && types.includes(t.type);
  }

  private unexpected(): never {
    const t = this.peek();
    if (t === undefined) return this.fail(`no viable alternative at input '${this.src}' (it ends too early)`, this.src.length);
    return this.fail(`no viable alternative at input '${this.src.slice(0, t.start + t.text.length)}'`, t.start);
  }

  private expect(type: TokenType): Token {
    if (!this.at(type)) this.unexpected();
    return this.tokens[this.pos++]!;
  }

  /** `configValue: text EOF` */
  configValue(): TextPart[] {
    this.tokens = tokenize(this.src, 'top', this.fail);
    const text = this.text();
    if (text.length === 0 || this.peek() !== undefined) this.unexpected();
    return text;
  }

  /** `singleElement: element EOF`, lexed in value mode (oc.decode). */
  singleElement(): Element {
    this.tokens = tokenize(this.src, 'value', this.fail);
    const element = this.element();
    if (element === null || this.peek() !== undefined) this.unexpected();
    return element;
  }

  private text(): TextPart[] {
    const parts: TextPart[] = [];
    for (;;) {
      if (this.at('INTER_OPEN')) parts.push({ kind: 'interpolation', node: this.interpolation() });
      else if (this.peek() !== undefined && TEXT_TYPES.includes(this.peek()!.type)) {
        const t = this.tokens[this.pos++]!;
        parts.push({ kind: 'token', type: t.type, text: t.text });
      } else return parts;
    }
  }

  private interpolation(): Interpolation {
    const open = this.expect('INTER_OPEN');
    const saved = this.pos;
    const name = this.resolverName();
    if (name !== null && this.at('COLON')) {
      this.pos++;
      const args = this.at('BRACE_CLOSE') ? [] : this.sequence();
      const close = this.expect('BRACE_CLOSE');
      return { kind: 'resolver', name, args, source: this.src.slice(open.start, close.start + close.text.length) };
    }
    this.pos = saved;
    const key: KeyPart[] = [];
    while (this.at('DOT')) key.push(this.tokens[this.pos++]!.text);
    this.keyElement(key, true);
    while (this.at('DOT', 'BRACKET_OPEN')) {
      if (this.at('DOT')) {
        key.push(this.tokens[this.pos++]!.text);
        key.push(this.configKey());
      } else this.keyElement(key, false);
    }
    const close = this.expect('INTER_CLOSE');
    return { kind: 'node', key, source: this.src.slice(open.start, close.start + close.text.length) };
  }

  private keyElement(key: KeyPart[], first: boolean): void {
    if (this.at('BRACKET_OPEN')) {
      key.push(this.tokens[this.pos++]!.text);
      key.push(this.configKey());
      key.push(this.expect('BRACKET_CLOSE').text);
    } else if (first) key.push(this.configKey());
    else this.unexpected();
  }

  private configKey(): KeyPart {
    if (this.at('INTER_OPEN')) return this.interpolation();
    if (this.at('ID', 'INTER_KEY')) return this.tokens[this.pos++]!.text;
    return this.unexpected();
  }

  /** `(interpolation | ID) (DOT (interpolation | ID))*`, or null when the tokens are not a resolver name. */
  private resolverName(): KeyPart[] | null {
    const parts: KeyPart[] = [];
    for (;;) {
      if (this.at('INTER_OPEN')) parts.push(this.interpolation());
      else if (this.at('ID')) parts.push(this.tokens[this.pos++]!.text);
      else return null;
      if (!this.at('DOT')) return parts;
      this.pos++;
    }
  }

  /** `(element (COMMA element?)*) | (COMMA element?)+`: a missing element is an empty string. */
  private sequence(): Element[] {
    const items: Element[] = [];
    let afterComma = true;
    let sawAny = false;
    for (;;) {
      if (this.at('COMMA')) {
        if (afterComma) items.push({ kind: 'empty' });
        this.pos++;
        afterComma = true;
        sawAny = true;
        continue;
      }
      if (!afterComma) break;
      const element = this.element();
      if (element === null) break;
      items.push(element);
      afterComma = false;
      sawAny = true;
    }
    if (afterComma && sawAny) items.push({ kind: 'empty' });
    if (!sawAny) this.unexpected();
    return items;
  }

  private element(): Element | null {
    if (this.at('QUOTE_OPEN')) {
      this.pos++;
      const text = this.text();
      this.expect('QUOTE_CLOSE');
      return { kind: 'quoted', text: text.length === 0 ? null : text };
    }
    if (this.at('BRACKET_OPEN')) {
      this.pos++;
      const items = this.at('BRACKET_CLOSE') ? [] : this.sequence();
      this.expect('BRACKET_CLOSE');
      return { kind: 'list', items };
    }
    if (this.at('BRACE_OPEN')) {
      this.pos++;
      const entries: [Element, Element][] = [];
      if (!this.at('BRACE_CLOSE')) {
        for (;;) {
          const key = this.primitive(DICT_KEY_TYPES, false);
          if (key === null) this.unexpected();
          this.expect('COLON');
          const value = this.element();
          if (value === null) this.unexpected();
          entries.push([key, value]);
          if (!this.at('COMMA')) break;
          this.pos++;
        }
      }
      this.expect('BRACE_CLOSE');
      return { kind: 'dict', entries };
    }
    return this.primitive(PRIMITIVE_TYPES, true);
  }

  private primitive(types: string[], interpolations: boolean): Element | null {
    const parts: TextPart[] = [];
    for (;;) {
      if (interpolations && this.at('INTER_OPEN')) parts.push({ kind: 'interpolation', node: this.interpolation() });
      else if (this.peek() !== undefined && types.includes(this.peek()!.type)) {
        const t = this.tokens[this.pos++]!;
        parts.push({ kind: 'token', type: t.type, text: t.text });
      } else break;
    }
    return parts.length === 0 ? null : { kind: 'primitive', parts };
  }
}

function failer(src: string, where: string): (reason: string, at: number) => never {
  return (reason, at) => {
    throw new ConfigError(`Invalid interpolation in ${where}: ${reason}\n    ${src}\n    ${' '.repeat(at)}^`);
  };
}

const cache = new Map<string, TextPart[]>();

/** Parses a string that contains `${`; `where` names the key (and file) for the error. */
export function parseConfigValue(src: string, where: string): TextPart[] {
  const cached = cache.get(src);
  if (cached) return cached;
  const parsed = new Parser(src, failer(src, where)).configValue();
  cache.set(src, parsed);
  return parsed;
}

export function parseSingleElement(src: string, where: string): Element {
  return new Parser(src, failer(src, where)).singleElement();
}

/** OmegaConf treats a string as an interpolation exactly when it contains `${`. */
export function mayInterpolate(value: unknown): value is string {
  return typeof value === 'string' && value.includes('${');
}
