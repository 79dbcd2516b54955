/** The interpolation resolvers Hydra users reach for (oc.env, now, hydra, oc.select, oc.decode), and mopo.data. */
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { packageRoot } from '../paths.js';
import type { ResolverFn } from './interpolation.js';
import { parseOverride } from './override-parser.js';
import { strftime } from './strftime.js';

export function standardResolvers(startTime: Date): Record<string, ResolverFn> {
  return {
    'oc.env': (args, { key }) => {
      const [name, ...rest] = args;
      if (typeof name !== 'string' || name === '') throw new ConfigError(`In '${key}': \${oc.env:…} needs a variable name`);
      const value = process.env[name];
      if (value !== undefined) return value;
      if (rest.length > 0) return rest[0] === null ? null : String(rest[0]);
      throw new ConfigError(`Environment variable '${name}' not found (in '${key}'). Set it, or give a default: \${oc.env:${name},<default>}`);
    },
    // One timestamp per process: every ${now:…} in a run names the same instant.
    now: (args) => strftime(startTime, args.length > 0 && args[0] !== null ? String(args[0]) : '%Y-%m-%d_%H-%M-%S'),
    hydra: (args, { key, select }) => {
      const path = String(args[0] ?? '');
      const value = select(`hydra.${path}`);
      if (value === undefined) throw new ConfigError(`Interpolation key 'hydra.${path}' not found (in '${key}': \${hydra:${path}})`);
      return value;
    },
    'oc.select': (args, { select }) => {
      const value = select(String(args[0] ?? ''));
      return value === undefined || value === '???' ? (args[1] ?? null) : value;
    },
    // Files that ship with mopo (the quickstart dataset), wherever the package is installed.
    'mopo.data': (args, { key }) => {
      if (typeof args[0] !== 'string' || args[0] === '') throw new ConfigError(`In '${key}': \${mopo.data:…} needs a file name`);
      return path.join(packageRoot(), 'data', args[0]);
    },
    'oc.decode': (args, { key }) => {
      const text = args[0];
      if (text === null || typeof text !== 'string') return text ?? null;
      const parsed = parseOverride(`decoded=${text}`);
      if (parsed.value?.kind !== 'element') throw new ConfigError(`In '${key}': \${oc.decode:…} cannot decode a sweep: ${text}`);
      return parsed.value.value;
    },
  };
}
