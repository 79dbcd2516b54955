/**
 * Tokens of Hydra's override grammar (hydra/grammar/OverrideLexer.g4, Hydra 1.3), in
 * its two modes: the key (`+db@pkg`) up to the first `=`, then the value. As in ANTLR,
 * at each position the longest token wins and a tie goes to the rule listed first.
 * A character no token accepts (`~` or `#` inside a value, a space in a key) is an
 * error pointing at it, as in Hydra.
 */
export type TokenType =
  // key mode
  | 'EQUAL'
  | 'TILDE'
  | 'PLUS'
  | 'AT'
  | 'COLON'
  | 'SLASH'
  | 'ID'
  | 'KEY_SPECIAL'
  | 'DOT_PATH'
  // value mode (EQUAL and COLON also occur there)
  | 'POPEN'
  | 'COMMA'
  | 'PCLOSE'
  | 'BRACKET_OPEN'
  | 'BRACKET_CLOSE'
  | 'BRACE_OPEN'
  | 'BRACE_CLOSE'
  | 'FLOAT'
  | 'INT'
  | 'BOOL'
  | 'NULL'
  | 'UNQUOTED_CHAR'
  | 'ESC'
  | 'WS'
  | 'QUOTED_VALUE'
  | 'INTERPOLATION';

export interface Token {
  type: TokenType;
  text: string;
  /** Offset in the override text. */
  start: number;
}

type Rule = [TokenType, (src: string, pos: number) => number];

const INT_UNSIGNED = '(?:0|[1-9](?:_?[0-9])*)';
const DIGITS = '[0-9](?:_?[0-9])*';
const KEY_SPECIAL = '[a-zA-Z_$][a-zA-Z0-9_\\-$]*';
const ID = '[a-zA-Z_][a-zA-Z0-9_\\-]*';
const WS = '[ \\t]*';

/** Longest match of any of the patterns at `pos` (regex alternation is ordered, ANTLR's is longest). */
function longest(...patterns: string[]): (src: string, pos: number) => number {
  const regexes = patterns.map((p) => new RegExp(p, 'y'));
  return (src, pos) => {
    let best = 0;
    for (const regex of regexes) {
      regex.lastIndex = pos;
      const match = regex.exec(src);
      if (match && match[0].length > best) best = match[0].length;
    }
    return best;
  };
}

const POINT_FLOATS = [`${INT_UNSIGNED}\\.`, `${INT_UNSIGNED}?\\.${DIGITS}`];
const EXPONENT = `[eE][+-]?${DIGITS}`;
const FLOATS = [
  ...POINT_FLOATS,
  ...[INT_UNSIGNED, ...POINT_FLOATS].map((base) => `${base}${EXPONENT}`),
  '[Ii][Nn][Ff]',
  '[Nn][Aa][Nn]',
].map((f) => `[+-]?${f}`);

/** `'…'` or `"…"`: ends at the first matching quote preceded by an even number of backslashes. */
function quotedValue(src: string, pos: number): number {
  const quote = src[pos];
  if (quote !== "'" && quote !== '"') return 0;
  let backslashes = 0;
  for (let i = pos + 1; i < src.length; i++) {
    const c = src[i];
    if (c === quote && backslashes % 2 === 0) return i - pos + 1;
    backslashes = c === '\\' ? backslashes + 1 : 0;
  }
  return 0;
}

const KEY_RULES: Rule[] = [
  ['EQUAL', longest(`=${WS}`)],
  ['TILDE', longest('~')],
  ['PLUS', longest('\\+')],
  ['AT', longest('@')],
  ['COLON', longest(':')],
  ['SLASH', longest('/')],
  ['ID', longest(ID)],
  ['KEY_SPECIAL', longest(KEY_SPECIAL)],
  ['DOT_PATH', longest(`(?:${KEY_SPECIAL}|${INT_UNSIGNED})(?:\\.(?:${KEY_SPECIAL}|${INT_UNSIGNED}))+`)],
];

const VALUE_RULES: Rule[] = [
  ['POPEN', longest(`${WS}\\(${WS}`)],
  ['COMMA', longest(`${WS},${WS}`)],
  ['PCLOSE', longest(`${WS}\\)`)],
  ['BRACKET_OPEN', longest(`\\[${WS}`)],
  ['BRACKET_CLOSE', longest(`${WS}\\]`)],
  ['BRACE_OPEN', longest(`\\{${WS}`)],
  ['BRACE_CLOSE', longest(`${WS}\\}`)],
  ['COLON', longest(`${WS}:${WS}`)],
  ['EQUAL', longest(`${WS}=${WS}`)],
  ['FLOAT', longest(...FLOATS)],
  ['INT', longest(`[+-]?${INT_UNSIGNED}`)],
  ['BOOL', longest('[Tt][Rr][Uu][Ee]', '[Ff][Aa][Ll][Ss][Ee]')],
  ['NULL', longest('[Nn][Uu][Ll][Ll]')],
  ['UNQUOTED_CHAR', longest('[/\\-\\\\+.$%*@?|]')],
  ['ID', longest(ID)],
  ['ESC', longest('(?:\\\\[\\\\()\\[\\]{}:=, \\t])+')],
  ['WS', longest('[ \\t]+')],
  ['QUOTED_VALUE', quotedValue],
  ['INTERPOLATION', longest('\\$\\{[^}]+\\}')],
];

export function tokenize(src: string, fail: (reason: string, at: number) => never): Token[] {
  const tokens: Token[] = [];
  let rules = KEY_RULES;
  let pos = 0;
  while (pos < src.length) {
    let best: TokenType | null = null;
    let bestLength = 0;
    for (const [type, match] of rules) {
      const length = match(src, pos);
      if (length > bestLength) {
        best = type;
        bestLength = length;
      }
    }
    if (best === null) fail(unexpectedCharacter(src, pos, rules === KEY_RULES), pos);
    tokens.push({ type: best, text: src.slice(pos, pos + bestLength), start: pos });
    if (rules === KEY_RULES && best === 'EQUAL') rules = VALUE_RULES;
    pos += bestLength;
  }
  return tokens;
}

function unexpectedCharacter(src: string, pos: number, inKey: boolean): string {
  const c = src[pos]!;
  const shown = c === ' ' ? 'a space' : c === '\t' ? 'a tab' : `'${c}'`;
  if (inKey) return `${shown} cannot appear in a key. Keys are dotted names (a.b), group paths (a/b), optionally with @package`;
  if (c === "'" || c === '"') return `the quote ${c} is not closed`;
  return `${shown} must be quoted in a value (e.g. key='…${c}…'); unquoted values may hold letters, digits, whitespace and _ - / \\ + . $ % * @ ? | :`;
}
