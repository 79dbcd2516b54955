/**
 * Where config files live: an ordered search path of directories. A config group is
 * a folder, an option a `.yaml` file in it; the first directory that has a file wins,
 * and a group's options are the union over all directories. A source may be scoped
 * to one subtree: Hydra's own groups (hydra/launcher, hydra/sweeper) are always
 * found, even when `--config-path` replaces mopo's configs, without bringing mopo's
 * experiments along. Listings and parsed files are cached, since composition asks the
 * same questions many times and `--help` must stay fast.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { ConfigError } from '../errors.js';
import { checkInterpolationSyntax } from './interpolation.js';
import { isDict, type ConfigDict, type ConfigValue } from './value.js';
import { OMEGACONF_SCHEMA } from './yaml-schema.js';

export interface ConfigSource {
  /** Where it came from: `hydra`, `main` (the config path), `command-line` (--config-dir), `hydra.searchpath in …`. */
  provider: string;
  dir: string;
  /** Only paths under this group are served from this source (`hydra` for Hydra's own groups). */
  scope?: string;
}

export interface LoadedConfig {
  /** Path inside the repository without `.yaml`, e.g. `algo/mopo`. */
  configPath: string;
  file: string;
  /** From a `# @package …` header line, if any. */
  packageHeader: string | null;
  /** The raw `defaults:` list, if the file has one. */
  defaults: ConfigValue[] | null;
  /** The file's own content, without `defaults` (a list when the file holds a list). */
  content: ConfigDict | ConfigValue[];
}

export class ConfigRepository {
  private readonly listings = new Map<string, { groups: Set<string>; options: Set<string> }>();
  private readonly loaded = new Map<string, LoadedConfig | null>();

  constructor(readonly searchPath: ConfigSource[]) {}

  /** Sources that may hold `configPath`: a scoped source only serves paths under its scope. */
  private sourcesFor(configPath: string): ConfigSource[] {
    return this.searchPath.filter((s) => s.scope === undefined || configPath === s.scope || configPath.startsWith(`${s.scope}/`));
  }

  private listing(group: string): { groups: Set<string>; options: Set<string> } {
    const cached = this.listings.get(group);
    if (cached) return cached;
    const groups = new Set<string>();
    const options = new Set<string>();
    for (const source of this.searchPath) {
      if (source.scope !== undefined && group !== source.scope && !group.startsWith(`${source.scope}/`)) {
        // A scoped source still shows its scope folder at the level above it.
        if (group === path.posix.dirname(source.scope).replace(/^\.$/, '')) groups.add(path.posix.basename(source.scope));
        continue;
      }
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(path.join(source.dir, group), { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (entry.isDirectory() && !entry.name.startsWith('.')) groups.add(entry.name);
        else if (entry.name.endsWith('.yaml') || entry.name.endsWith('.yml')) options.add(entry.name.replace(/\.ya?ml$/, ''));
      }
    }
    const result = { groups, options };
    this.listings.set(group, result);
    return result;
  }

  /** True when some directory on the search path has a folder at `group`. */
  isGroup(group: string): boolean {
    if (group === '') return true;
    const parent = path.posix.dirname(group);
    return this.listing(parent === '.' ? '' : parent).groups.has(path.posix.basename(group));
  }

  /** Options (file names without `.yaml`) of a group, sorted. */
  options(group: string): string[] {
    return [...this.listing(group).options].sort();
  }

  /** Sub-groups directly inside `group`, sorted. */
  childGroups(group: string): string[] {
    return [...this.listing(group).groups].sort();
  }

  /** Every group, recursively (`algo`, `env`, `exp`, …), sorted. */
  groups(parent = ''): string[] {
    const out: string[] = [];
    for (const name of this.childGroups(parent)) {
      const group = parent === '' ? name : `${parent}/${name}`;
      out.push(group, ...this.groups(group));
    }
    return out;
  }

  exists(configPath: string): boolean {
    return this.findFile(configPath) !== null;
  }

  private findFile(configPath: string): string | null {
    // As Hydra does, `algo/mopo.yaml` names the same file as `algo/mopo`.
    const candidates = configPath.endsWith('.yaml') ? [configPath] : [`${configPath}.yaml`, `${configPath}.yml`];
    for (const source of this.sourcesFor(configPath)) {
      for (const candidate of candidates) {
        const file = path.join(source.dir, candidate);
        try {
          if (statSync(file).isFile()) return file;
        } catch {
          // not in this directory
        }
      }
    }
    return null;
  }

  /** Loads and parses a config file; `null` when no file exists at that path. */
  load(configPath: string): LoadedConfig | null {
    if (this.loaded.has(configPath)) return this.loaded.get(configPath)!;
    const file = this.findFile(configPath);
    const result = file === null ? null : parseConfigFile(configPath, file);
    this.loaded.set(configPath, result);
    return result;
  }
}

export function loadYaml(text: string, file: string): unknown {
  try {
    return yaml.load(text, { filename: file, schema: OMEGACONF_SCHEMA });
  } catch (error) {
    const reason = error instanceof yaml.YAMLException ? error.message : String(error);
    throw new ConfigError(`Error parsing config file '${file}':\n${reason}`);
  }
}

function parseConfigFile(configPath: string, file: string): LoadedConfig {
  const text = readFileSync(file, 'utf8');
  let parsed = loadYaml(text, file);
  if (parsed === undefined || parsed === null) parsed = {};
  const packageHeader = readPackageHeader(text, file);
  if (Array.isArray(parsed)) {
    checkInterpolationSyntax(parsed, (key) => `'${key}' of '${file}'`);
    return { configPath, file, packageHeader, defaults: null, content: parsed };
  }
  if (!isDict(parsed)) {
    throw new ConfigError(`Config file '${file}' must contain a mapping (key: value pairs) or a list at the top level, found a ${typeof parsed}.`);
  }
  const { defaults, ...content } = parsed;
  if (defaults !== undefined && defaults !== null && !Array.isArray(defaults)) {
    throw new ConfigError(`Invalid defaults list in '${configPath}' (${file}), defaults must be a list (got ${isDict(defaults) ? 'mapping' : typeof defaults}), e.g.\ndefaults:\n  - _self_\n  - group: option`);
  }
  checkInterpolationSyntax(content, (key) => `'${key}' of '${file}'`);
  return { configPath, file, packageHeader, defaults: (defaults as ConfigValue[] | null | undefined) ?? null, content };
}

/**
 * Hydra reads `# @KEY VALUE` lines from the top of the file (its first 512
 * characters), skipping blank lines and stopping at the first line that is not one.
 */
function readPackageHeader(text: string, file: string): string | null {
  let pkg: string | null = null;
  for (const raw of text.slice(0, 512).split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (!/^\s*#\s*@/.test(line)) break;
    const parts = line.replace(/^#+/, '').trim().split(' ').filter((p) => p.length > 0);
    if (parts.length < 2) throw new ConfigError(`In '${file}': expected a header of the form '# @KEY VALUE', got '${line}'`);
    if (parts.length > 2) throw new ConfigError(`In '${file}': too many components in the header '${line}'`);
    if (parts[0] === '@package') pkg = parts[1]!;
  }
  return pkg;
}
