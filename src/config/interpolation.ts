/**
 * Resolving `${…}` interpolations as OmegaConf 2.2 does (grammar in
 * interpolation-grammar.ts):
 *
 *   ${a.b}            absolute key; a whole-value reference keeps the referenced type
 *   ${.x} ${..x}      relative to the node that holds the value
 *   http://${h}:${p}  text concatenation, each piece in Python's text form (True, None, [1, 2])
 *   ${name:a,b}       resolver call (oc.env, oc.select, oc.decode, now, hydra, …)
 *   \${x}             a literal "${x}"
 *
 * Every failure names the key being resolved and the one that failed: a dangling
 * reference, a cycle, a mandatory `???` value reached through a reference.
 */
import { ConfigError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { mayInterpolate, parseConfigValue, parseSingleElement, type Element, type Interpolation, type KeyPart, type TextPart } from './interpolation-grammar.js';
import { pythonStr } from './python-text.js';
import { MISSING, allKeys, getPath, isDict, isMissing, splitKey, type ConfigDict, type ConfigValue } from './value.js';

export interface ResolverContext {
  /** The key whose value is being resolved (for error messages). */
  key: string;
  /** Resolves a key: absolute, or relative (`.x`) to the node being resolved. */
  select(key: string): ConfigValue | undefined;
  /** Evaluates `text` as one element of the grammar (oc.decode). */
  decode(text: string): ConfigValue;
}
export type ResolverFn = (args: ConfigValue[], context: ResolverContext) => ConfigValue;

export function hasInterpolation(value: string): boolean {
  return mayInterpolate(value);
}

/** Fails, naming the key, when a string with `${` is not valid interpolation syntax. */
export function checkInterpolationSyntax(value: ConfigValue, where: (key: string) => string, key = ''): void {
  if (Array.isArray(value)) value.forEach((v, i) => checkInterpolationSyntax(v, where, key === '' ? String(i) : `${key}.${i}`));
  else if (isDict(value)) for (const [k, v] of Object.entries(value)) checkInterpolationSyntax(v, where, key === '' ? k : `${key}.${k}`);
  else if (mayInterpolate(value)) parseConfigValue(value, where(key));
}

/** Raised when an interpolation reaches a `???` value. */
class MissingValueError extends ConfigError {}

export interface ResolverOptions {
  /** Keys whose values are text, never interpolated (the override lists Hydra records). */
  literalKeys?: (key: string) => boolean;
  /**
   * As OmegaConf.resolve does (`--cfg job --resolve`): a value that depends on a `???`
   * becomes `???` instead of failing. A run resolves strictly, so the error names both keys.
   */
  missingAsMissing?: boolean;
}

export class ConfigResolver {
  private readonly resolved = new Map<string, ConfigValue>();
  private readonly inProgress: string[] = [];
  private readonly literalKeys: (key: string) => boolean;

  constructor(
    private readonly root: ConfigDict,
    private readonly resolvers: Record<string, ResolverFn>,
    private readonly options: ResolverOptions = {},
  ) {
    this.literalKeys = options.literalKeys ?? (() => false);
  }

  /** A fully resolved copy; `???` leaves stay `???` (they fail only when read). */
  resolveAll(): ConfigDict {
    return this.resolveTree(this.root, '') as ConfigDict;
  }

  /** The resolved value at `key`, or undefined if there is no such key. */
  resolveKey(key: string): ConfigValue | undefined {
    const raw = getPath(this.root, key);
    return raw === undefined ? undefined : this.resolveTree(raw, key);
  }

  private resolveTree(value: ConfigValue, key: string): ConfigValue {
    if (this.literalKeys(key)) return value;
    if (Array.isArray(value)) return value.map((v, i) => this.resolveTree(v, key === '' ? String(i) : `${key}.${i}`));
    if (isDict(value)) {
      const out: ConfigDict = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.resolveTree(v, key === '' ? k : `${key}.${k}`);
      return out;
    }
    if (mayInterpolate(value)) return this.resolveString(value, key);
    return value;
  }

  private resolveString(value: string, key: string): ConfigValue {
    const cached = this.resolved.get(key);
    if (cached !== undefined) return cached;
    if (this.inProgress.includes(key)) {
      const cycle = [...this.inProgress.slice(this.inProgress.indexOf(key)), key].join(' -> ');
      throw new ConfigError(`Interpolation cycle detected at '${key}': ${cycle}`);
    }
    this.inProgress.push(key);
    try {
      const result = this.text(parseConfigValue(value, `'${key}'`), key);
      this.resolved.set(key, result);
      return result;
    } catch (error) {
      if (error instanceof MissingValueError && this.options.missingAsMissing) return MISSING;
      throw error;
    } finally {
      this.inProgress.pop();
    }
  }

  /** `text`: one interpolation alone keeps its value's type; anything else is a string. */
  private text(parts: TextPart[], key: string): ConfigValue {
    const only = parts[0];
    if (parts.length === 1 && only?.kind === 'interpolation') return this.interpolation(only.node, key);
    return this.concatenate(parts, key);
  }

  /** Joins pieces, un-escaping what the grammar marks as escaped and writing values as Python's str(). */
  private concatenate(parts: TextPart[], key: string): string {
    let out = '';
    parts.forEach((part, i) => {
      const next = parts[i + 1];
      if (part.kind === 'interpolation') {
        out += pythonStr(this.interpolation(part.node, key));
        return;
      }
      const { type, text } = part;
      if (type === 'ESC_INTER') out += text.slice(text.length - (Math.floor(text.length / 2) + 1));
      else if (
        type === 'ESC' ||
        (type === 'TOP_ESC' && next?.kind === 'interpolation') ||
        (type === 'QUOTED_ESC' && (next === undefined || next.kind === 'interpolation'))
      ) {
        out += everyOther(text);
      } else out += text;
    });
    return out;
  }

  private interpolation(node: Interpolation, key: string): ConfigValue {
    if (node.kind === 'node') {
      const reference = this.keyText(node.key, key);
      return this.select(this.absoluteKey(reference, key), key, node.source);
    }
    const name = this.keyText(node.name, key, '.');
    const resolver = this.resolvers[name];
    if (!resolver) {
      const known = Object.keys(this.resolvers);
      throw new ConfigError(`Unsupported interpolation type ${name} (in '${key}': ${node.source}).${didYouMean(name, known)} Available: ${known.join(', ')}`);
    }
    const args = node.args.map((arg) => this.element(arg, key));
    return resolver(args, {
      key,
      select: (k) => {
        const target = k.startsWith('.') ? this.absoluteKey(k, key) : k;
        const raw = getPath(this.root, target);
        return raw === undefined ? undefined : this.resolveTree(raw, target);
      },
      decode: (text) => this.element(parseSingleElement(text, `'${key}' (oc.decode)`), key),
    });
  }

  private keyText(parts: KeyPart[], key: string, separator = ''): string {
    return parts
      .map((p) => {
        if (typeof p === 'string') return p;
        const value = this.interpolation(p, key);
        if (typeof value !== 'string') {
          throw new ConfigError(`In '${key}': the interpolation ${p.source} names a key, so it must give a string, but it gave ${JSON.stringify(value)}.`);
        }
        return value;
      })
      .join(separator);
  }

  private element(element: Element, key: string): ConfigValue {
    switch (element.kind) {
      case 'empty':
        return '';
      case 'quoted':
        return element.text === null ? '' : pythonStr(this.text(element.text, key));
      case 'list':
        return element.items.map((item) => this.element(item, key));
      case 'dict': {
        const dict: ConfigDict = {};
        for (const [k, v] of element.entries) dict[String(this.element(k, key))] = this.element(v, key);
        return dict;
      }
      default:
        return this.primitive(element.parts, key);
    }
  }

  private primitive(parts: TextPart[], key: string): ConfigValue {
    if (parts.length > 1) return this.concatenate(parts, key);
    const only = parts[0]!;
    if (only.kind === 'interpolation') return this.interpolation(only.node, key);
    switch (only.type) {
      case 'NULL':
        return null;
      case 'BOOL':
        return only.text.toLowerCase() === 'true';
      case 'INT':
        return Number(only.text.replace(/_/g, ''));
      case 'FLOAT': {
        const lower = only.text.toLowerCase().replace(/_/g, '');
        if (lower.endsWith('inf')) return lower.startsWith('-') ? -Infinity : Infinity;
        return lower.endsWith('nan') ? NaN : Number(lower);
      }
      case 'ESC':
        return everyOther(only.text);
      default:
        return only.text;
    }
  }

  /** `.x` is a sibling of the value being resolved, `..x` a sibling of its parent; `a[0]` is `a.0`. */
  private absoluteKey(reference: string, fromKey: string): string {
    const normalized = reference.replace(/\[([^\]]*)\]/g, '.$1');
    const dots = /^\.*/.exec(reference)![0].length;
    if (dots === 0) return normalized.replace(/^\./, '');
    const container = splitKey(fromKey).slice(0, -1);
    const base = container.slice(0, Math.max(0, container.length - (dots - 1)));
    return [...base, normalized.slice(dots)].filter((p) => p !== '').join('.');
  }

  private select(target: string, fromKey: string, source: string): ConfigValue {
    const raw = getPath(this.root, target);
    if (raw === undefined) {
      throw new ConfigError(`Interpolation key '${target}' not found (in '${fromKey}': ${source}).${didYouMean(target, allKeys(this.root))}`);
    }
    if (isMissing(raw)) {
      throw new MissingValueError(`Missing mandatory value: ${target} (referenced by '${fromKey}': ${source}). Set it on the command line: ${target}=<value>`);
    }
    return this.resolveTree(raw, target);
  }
}

/** Un-escapes pairs: `\\` → `\`, `\(` → `(`. */
function everyOther(text: string): string {
  let out = '';
  for (let i = 1; i < text.length; i += 2) out += text[i];
  return out;
}
