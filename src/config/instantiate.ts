/**
 * Hydra's `instantiate` for JavaScript modules: a config node with `_target_` becomes
 * the object its target makes.
 *
 *   _target_: ./envs/point.js:PointEnv     a module path (relative to `baseDir`) or a
 *             my-package:PointEnv          package name, then `:` (or `#`) and the export;
 *                                          without one, the module's default export.
 *                                          `:` needs no quotes on the command line, where
 *                                          Hydra's grammar wants `#` quoted
 *   _args_:   [1, 2]                       positional arguments
 *   _partial_: true                        return a function that makes it later
 *   every other key                        one options object, the last argument
 *
 * A class is called with `new`, a function is called; a Promise is awaited. Nested
 * nodes with their own `_target_` (in the keys or in `_args_`) are instantiated first,
 * as Hydra's recursive default does. Interpolations are resolved before (the config is
 * resolved when a job starts). Errors name the module and what is missing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { isDict, type ConfigDict, type ConfigValue } from './value.js';

const RESERVED = new Set(['_target_', '_args_', '_partial_', '_recursive_', '_convert_']);

export interface Target {
  /** The module as written, e.g. `./point.js` or `my-package`. */
  module: string;
  /** The export's name; `default` when none was given. */
  exportName: string;
  /** The module file it resolves to. */
  file: string;
}

/** Where `_target_` points; a ConfigError when the module cannot be found. */
export function resolveTarget(target: string, baseDir: string): Target {
  if (typeof target !== 'string' || target.trim() === '') throw new ConfigError(`_target_ must name a module, e.g. ./my-env.js:MyEnv, got ${JSON.stringify(target)}`);
  // The export follows the last `:` or `#` when it is a name (a Windows drive's `C:` is not one).
  const split = /^(.*)[:#]([A-Za-z_$][\w$]*)$/.exec(target);
  const module = split ? split[1]! : target;
  const exportName = split ? split[2]! : 'default';
  if (module === '' || /[:#]$/.test(target)) throw new ConfigError(`_target_ '${target}': write <module>:<export>, e.g. ./my-env.js:MyEnv (or the module alone for its default export).`);
  const isPath = module.startsWith('.') || path.isAbsolute(module);
  let file: string;
  if (isPath) {
    file = path.resolve(baseDir, module);
    if (!existsSync(file)) throw new ConfigError(`_target_ '${target}': module ${file} does not exist.`);
  } else {
    try {
      file = createRequire(path.join(baseDir, 'index.js')).resolve(module);
    } catch {
      throw new ConfigError(`_target_ '${target}': cannot find the package '${module}' from ${baseDir} (is it installed there?).`);
    }
  }
  return { module, exportName, file };
}

/** SHA-256 of a target's module file: checkpoints record it so a changed module is noticed. */
export function moduleDigest(target: Target): string {
  return createHash('sha256').update(readFileSync(target.file)).digest('hex');
}

/** Loads the export a `_target_` names; a ConfigError names the module and the missing export. */
export async function loadTarget(target: Target): Promise<unknown> {
  if (/\.(c|m)?ts$/.test(target.file) && !nodeStripsTypes()) {
    throw new ConfigError(
      `${target.module} is TypeScript, which this Node.js (${process.version}) cannot load: compile it (tsc) and point _target_ at the .js file, or use Node.js ≥ 22.6 with --experimental-strip-types.`,
    );
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(target.file).href)) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The usual cause: ESM syntax in a .js file of a package without "type": "module".
    const hint = /Unexpected token '(export|import)'|Cannot use import statement/.test(message)
      ? ' (it is an ES module in a CommonJS package: name it .mjs, or set "type": "module" in its package.json)'
      : '';
    throw new ConfigError(`${target.module} could not be loaded: ${message}${hint}`, { cause: error });
  }
  if (!(target.exportName in loaded) || loaded[target.exportName] === undefined) {
    const exported = Object.keys(loaded).filter((k) => k !== '__esModule').sort();
    throw new ConfigError(`${target.module} exports no '${target.exportName}'. It exports: ${exported.length > 0 ? exported.join(', ') : 'nothing'}.`);
  }
  return loaded[target.exportName];
}

/** Makes what `node` describes (see the header); `baseDir` anchors relative module paths. */
export async function instantiate(node: ConfigDict, baseDir: string): Promise<unknown> {
  if (!('_target_' in node)) throw new ConfigError(`instantiate: the config node has no _target_ (keys: ${Object.keys(node).join(', ')}).`);
  const target = resolveTarget(String(node._target_), baseDir);
  const made = await loadTarget(target);
  if (typeof made !== 'function') {
    // A plain exported object (e.g. an env spec) is used as it is, when there is nothing to pass it.
    if (argumentKeys(node).length === 0 && node._args_ === undefined && node._partial_ !== true) return made;
    throw new ConfigError(`${target.module}:${target.exportName} is not a class or function, so it cannot take arguments (${argumentKeys(node).join(', ')}).`);
  }
  const recursive = node._recursive_ !== false;
  const args = await Promise.all(asList(node._args_, target).map((value) => (recursive ? build(value, baseDir) : value)));
  const options: Record<string, unknown> = {};
  for (const key of argumentKeys(node)) options[key] = recursive ? await build(node[key]!, baseDir) : node[key];
  const call = (extra: unknown[]) => {
    const all = Object.keys(options).length > 0 ? [...args, ...extra, options] : [...args, ...extra];
    return isClass(made) ? new (made as new (...a: unknown[]) => unknown)(...all) : (made as (...a: unknown[]) => unknown)(...all);
  };
  if (node._partial_ === true) return (...extra: unknown[]) => call(extra);
  return await call([]);
}

async function build(value: ConfigValue, baseDir: string): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => build(v, baseDir)));
  if (!isDict(value)) return value;
  if ('_target_' in value) return instantiate(value, baseDir);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = await build(v, baseDir);
  return out;
}

function argumentKeys(node: ConfigDict): string[] {
  return Object.keys(node).filter((key) => !RESERVED.has(key));
}

function asList(args: ConfigValue | undefined, target: Target): ConfigValue[] {
  if (args === undefined || args === null) return [];
  if (!Array.isArray(args)) throw new ConfigError(`_args_ of ${target.module} must be a list, got ${JSON.stringify(args)}.`);
  return args;
}

/** Classes must be called with `new`; their source text starts with `class`. */
export function isClass(fn: unknown): boolean {
  return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

function nodeStripsTypes(): boolean {
  return (process.features as { typescript?: unknown }).typescript !== undefined && (process.features as { typescript?: unknown }).typescript !== false;
}
