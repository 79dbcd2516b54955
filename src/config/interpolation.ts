/**
 * Resolving `${…}` interpolations, OmegaConf-style:
 *
 *   ${a.b}            absolute key; a whole-value reference keeps the referenced type
 *   ${.x} ${..x}      relative to the node that holds the value
 *   http://${h}:${p}  text concatenation (always a string)
 *   ${name:a,b}       resolver call (oc.env, now, hydra, oc.select, oc.decode, …)
 *   \${x}             a literal "${x}"
 *
 * Every failure names the key being resolved and the one that failed: a dangling
 * reference, a cycle, a mandatory `???` value reached through a reference.
 */
import { ConfigError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { allKeys, getPath, isDict, isMissing, splitKey, type ConfigDict, type ConfigValue } from './value.js';

type Template = Part[];
type Part = { kind: 'text'; text: string } | { kind: 'interp'; interp: Interp; source: string };
type Interp = { kind: 'key'; key: Template } | { kind: 'call'; name: string; args: Arg[] };
interface Arg {
  quoted: boolean;
  template: Template;
}

export interface ResolverContext {
  /** The key whose value is being resolved (for error messages). */
  key: string;
  /** Resolves another key of the same config. */
  select(key: string): ConfigValue | undefined;
}
export type ResolverFn = (args: ConfigValue[], context: ResolverContext) => ConfigValue;

export function hasInterpolation(value: string): boolean {
  return value.includes('${');
}

class TemplateParser {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly key: string,
  ) {}

  private fail(reason: string): never {
    throw new ConfigError(`Invalid interpolation in '${this.key}': ${reason}\n  ${this.src}\n  ${' '.repeat(this.pos)}^`);
  }

  /** Text with interpolations, up to one of `stops` at the top level. */
  parseTemplate(stops: string): Template {
    const parts: Template = [];
    let text = '';
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === '\\' && this.src.startsWith('${', this.pos + 1)) {
        text += '${';
        this.pos += 3;
        continue;
      }
      if (c === '\\' && this.src[this.pos + 1] === '\\' && this.src.startsWith('${', this.pos + 2)) {
        text += '\\';
        this.pos += 2;
        continue;
      }
      if (c === '$' && this.src[this.pos + 1] === '{') {
        if (text) parts.push({ kind: 'text', text });
        text = '';
        const start = this.pos;
        const interp = this.parseInterpolation();
        parts.push({ kind: 'interp', interp, source: this.src.slice(start, this.pos) });
        continue;
      }
      if (stops.includes(c)) break;
      text += c;
      this.pos++;
    }
    if (text) parts.push({ kind: 'text', text });
    return parts;
  }

  private parseInterpolation(): Interp {
    this.pos += 2; // ${
    const resolver = /^\s*([A-Za-z_][\w.\-]*)\s*:/.exec(this.src.slice(this.pos));
    if (resolver) {
      this.pos += resolver[0].length;
      const args: Arg[] = [];
      for (;;) {
        while (this.src[this.pos] === ' ') this.pos++;
        if (this.src[this.pos] === '}' && args.length === 0) break;
        args.push(this.parseArg());
        while (this.src[this.pos] === ' ') this.pos++;
        if (this.src[this.pos] === ',') {
          this.pos++;
          continue;
        }
        break;
      }
      if (this.src[this.pos] !== '}') this.fail(`missing '}' to close \${${resolver[1]}:…`);
      this.pos++;
      return { kind: 'call', name: resolver[1]!, args };
    }
    const key = this.parseTemplate('}');
    if (this.src[this.pos] !== '}') this.fail("missing '}' to close '${'");
    this.pos++;
    return { kind: 'key', key };
  }

  private parseArg(): Arg {
    const quote = this.src[this.pos];
    if (quote === "'" || quote === '"') {
      this.pos++;
      const template = this.parseTemplate(quote);
      if (this.src[this.pos] !== quote) this.fail(`missing closing ${quote}`);
      this.pos++;
      return { quoted: true, template };
    }
    return { quoted: false, template: this.parseTemplate(',}') };
  }
}

export class ConfigResolver {
  private readonly resolved = new Map<string, ConfigValue>();
  private readonly inProgress: string[] = [];
  private readonly templates = new Map<string, Template>();

  constructor(
    private readonly root: ConfigDict,
    private readonly resolvers: Record<string, ResolverFn>,
  ) {}

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
    if (Array.isArray(value)) return value.map((v, i) => this.resolveTree(v, key === '' ? String(i) : `${key}.${i}`));
    if (isDict(value)) {
      const out: ConfigDict = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.resolveTree(v, key === '' ? k : `${key}.${k}`);
      return out;
    }
    if (typeof value === 'string' && hasInterpolation(value)) return this.resolveString(value, key);
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
      const result = this.evaluate(this.parse(value, key), key);
      this.resolved.set(key, result);
      return result;
    } finally {
      this.inProgress.pop();
    }
  }

  private parse(value: string, key: string): Template {
    let template = this.templates.get(value);
    if (!template) {
      const parser = new TemplateParser(value, key);
      template = parser.parseTemplate('');
      this.templates.set(value, template);
    }
    return template;
  }

  private evaluate(template: Template, key: string): ConfigValue {
    if (template.length === 1 && template[0]!.kind === 'interp') return this.evaluateInterp(template[0]!.interp, key, template[0]!.source);
    return template.map((part) => (part.kind === 'text' ? part.text : stringify(this.evaluateInterp(part.interp, key, part.source)))).join('');
  }

  private evaluateInterp(interp: Interp, key: string, source: string): ConfigValue {
    if (interp.kind === 'key') {
      const target = this.absoluteKey(String(this.evaluate(interp.key, key)).trim(), key);
      return this.select(target, key, source);
    }
    const resolver = this.resolvers[interp.name];
    if (!resolver) {
      throw new ConfigError(`Unsupported interpolation type '${interp.name}' in '${key}': ${source}.${didYouMean(interp.name, Object.keys(this.resolvers))} Available: ${Object.keys(this.resolvers).join(', ')}`);
    }
    const args = interp.args.map((arg) => this.evaluateArg(arg, key));
    return resolver(args, { key, select: (k) => this.resolveKey(k) });
  }

  private evaluateArg(arg: Arg, key: string): ConfigValue {
    if (arg.quoted) return arg.template.map((p) => (p.kind === 'text' ? p.text : stringify(this.evaluateInterp(p.interp, key, p.source)))).join('');
    const parts = trimTemplate(arg.template);
    if (parts.length === 1 && parts[0]!.kind === 'text') return typedArg(parts[0]!.text);
    return this.evaluate(parts, key);
  }

  /** `.x` is a sibling of the value being resolved, `..x` a sibling of its parent, and so on. */
  private absoluteKey(reference: string, fromKey: string): string {
    const dots = /^\.*/.exec(reference)![0].length;
    if (dots === 0) return reference;
    const container = splitKey(fromKey).slice(0, -1);
    const base = container.slice(0, Math.max(0, container.length - (dots - 1)));
    return [...base, reference.slice(dots)].filter((p) => p !== '').join('.');
  }

  private select(target: string, fromKey: string, source: string): ConfigValue {
    const raw = getPath(this.root, target);
    if (raw === undefined) {
      throw new ConfigError(`Interpolation key '${target}' not found (in '${fromKey}': ${source}).${didYouMean(target, allKeys(this.root))}`);
    }
    if (isMissing(raw)) {
      throw new ConfigError(`Missing mandatory value: ${target} (referenced by '${fromKey}': ${source}). Set it on the command line: ${target}=<value>`);
    }
    return this.resolveTree(raw, target);
  }
}

function trimTemplate(template: Template): Template {
  const parts = template.map((p) => ({ ...p }));
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (first?.kind === 'text') first.text = first.text.replace(/^\s+/, '');
  if (last?.kind === 'text') last.text = last.text.replace(/\s+$/, '');
  return parts.filter((p) => p.kind !== 'text' || p.text !== '');
}

/** Unquoted resolver arguments are typed like YAML scalars (`${oc.select:a,10}` gives 10). */
function typedArg(text: string): ConfigValue {
  if (/^null$/i.test(text)) return null;
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^[+-]?\d+$/.test(text)) return Number(text);
  if (/^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  return text;
}

function stringify(value: ConfigValue): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}
