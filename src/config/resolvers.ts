/**
 * The interpolation resolvers of OmegaConf 2.2 and Hydra 1.3 (oc.env, oc.select,
 * oc.decode, oc.create, oc.deprecated, oc.dict.keys, oc.dict.values, now, hydra), with
 * their semantics, and mopo.data for the files that ship with mopo.
 */
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { packageRoot } from '../paths.js';
import type { ResolverFn } from './interpolation.js';
import { pythonStr } from './python-text.js';
import { strftime } from './strftime.js';
import { isDict, isMissing } from './value.js';

function stringArg(name: string, value: unknown, key: string, what = 'a key'): string {
  if (typeof value !== 'string') throw new ConfigError(`In '${key}': \${${name}:…} needs ${what} (a string), got ${JSON.stringify(value)}`);
  return value;
}

export function standardResolvers(startTime: Date): Record<string, ResolverFn> {
  const warned = new Set<string>();
  return {
    'oc.env': (args, { key }) => {
      const name = stringArg('oc.env', args[0], key, 'a variable name');
      const value = process.env[name];
      if (value !== undefined) return value;
      if (args.length > 1) return args[1] === null ? null : pythonStr(args[1]!);
      throw new ConfigError(`Environment variable '${name}' not found (in '${key}'). Set it, or give a default: \${oc.env:${name},<default>}`);
    },
    'oc.select': (args, { key, select }) => {
      const value = select(stringArg('oc.select', args[0], key));
      if (value === undefined || isMissing(value)) return args.length > 1 ? args[1]! : null;
      return value;
    },
    'oc.decode': (args, { key, decode }) => {
      const text = args[0] ?? null;
      if (text === null) return null;
      if (typeof text !== 'string') throw new ConfigError(`In '${key}': \${oc.decode:…} decodes strings or null, got ${JSON.stringify(text)}`);
      return decode(text);
    },
    'oc.create': (args) => args[0] ?? null,
    'oc.deprecated': (args, { key, select }) => {
      const target = stringArg('oc.deprecated', args[0], key);
      const value = select(target);
      if (value === undefined) throw new ConfigError(`In oc.deprecated resolver at '${key}': Key not found: '${target}'`);
      const message = typeof args[1] === 'string' ? args[1] : "'$OLD_KEY' is deprecated. Change your code and config to use '$NEW_KEY'";
      const text = message.replace(/\$\{?OLD_KEY\}?/g, key).replace(/\$\{?NEW_KEY\}?/g, target);
      if (!warned.has(key)) {
        warned.add(key);
        console.error(`UserWarning: ${text}`);
      }
      return value;
    },
    'oc.dict.keys': (args, { key, select }) => Object.keys(dictAt('oc.dict.keys', args[0], key, select)),
    'oc.dict.values': (args, { key, select }) => Object.values(dictAt('oc.dict.values', args[0], key, select)),
    // One timestamp per process: every ${now:…} in a run names the same instant.
    now: (args, { key }) => strftime(startTime, stringArg('now', args[0], key, 'a strftime pattern, e.g. ${now:%Y-%m-%d}')),
    // As in Hydra, a key the hydra node lacks reads as null.
    hydra: (args, { key, select }) => select(`hydra.${stringArg('hydra', args[0], key)}`) ?? null,
    // Files that ship with mopo (the quickstart dataset), wherever the package is installed.
    'mopo.data': (args, { key }) => path.join(packageRoot(), 'data', stringArg('mopo.data', args[0], key, 'a file name')),
  };
}

function dictAt(name: string, arg: unknown, key: string, select: (k: string) => unknown) {
  const target = stringArg(name, arg, key);
  const value = select(target);
  if (value === undefined) throw new ConfigError(`In '${key}': \${${name}:${target}}: Key not found: '${target}'`);
  if (!isDict(value)) throw new ConfigError(`In '${key}': \${${name}:${target}} needs a dict, but '${target}' is ${JSON.stringify(value)}`);
  return value;
}
