/**
 * Where config files live: an ordered search path of directories. A config group is
 * a folder, an option a `.yaml` file in it; the first directory that has a file wins.
 * Listings and parsed files are cached, since composition asks the same questions
 * many times and `--help` must stay fast.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { ConfigError } from '../errors.js';
import { isDict, type ConfigDict, type ConfigValue } from './value.js';

export interface ConfigSource {
  /** Where it came from: `main` (the config path) or `command-line` (--config-dir). */
  provider: string;
  dir: string;
}

export interface LoadedConfig {
  /** Path inside the repository without `.yaml`, e.g. `algo/mopo`. */
  configPath: string;
  file: string;
  /** From a `# @package …` header line, if any. */
  packageHeader: string | null;
  /** The raw `defaults:` list, if the file has one. */
  defaults: ConfigValue[] | null;
  /** The file's own content, without `defaults`. */
  content: ConfigDict;
}

const PACKAGE_HEADER = /^#\s*@package\s+(\S+)\s*$/;

export class ConfigRepository {
  private readonly listings = new Map<string, { groups: Set<string>; options: Set<string> }>();
  private readonly loaded = new Map<string, LoadedConfig | null>();

  constructor(readonly searchPath: ConfigSource[]) {}

  private listing(group: string): { groups: Set<string>; options: Set<string> } {
    const cached = this.listings.get(group);
    if (cached) return cached;
    const groups = new Set<string>();
    const options = new Set<string>();
    for (const source of this.searchPath) {
      const dir = path.join(source.dir, group);
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
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

  /** Every group, recursively (`algo`, `env`, `exp`, …), sorted. */
  groups(parent = ''): string[] {
    const out: string[] = [];
    for (const name of [...this.listing(parent).groups].sort()) {
      const group = parent === '' ? name : `${parent}/${name}`;
      out.push(group, ...this.groups(group));
    }
    return out;
  }

  exists(configPath: string): boolean {
    return this.findFile(configPath) !== null;
  }

  private findFile(configPath: string): string | null {
    for (const source of this.searchPath) {
      for (const ext of ['.yaml', '.yml']) {
        const file = path.join(source.dir, configPath + ext);
        if (existsSync(file) && statSync(file).isFile()) return file;
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

function parseConfigFile(configPath: string, file: string): LoadedConfig {
  const text = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = yaml.load(text, { filename: file });
  } catch (error) {
    const reason = error instanceof yaml.YAMLException ? error.message : String(error);
    throw new ConfigError(`Error parsing config file '${file}':\n${reason}`);
  }
  if (parsed === undefined || parsed === null) parsed = {};
  if (!isDict(parsed)) {
    throw new ConfigError(`Config file '${file}' must contain a mapping (key: value pairs) at the top level, found a ${Array.isArray(parsed) ? 'list' : typeof parsed}.`);
  }
  const { defaults, ...content } = parsed;
  if (defaults !== undefined && !Array.isArray(defaults)) {
    throw new ConfigError(`In '${file}': 'defaults' must be a list, e.g.\ndefaults:\n  - _self_\n  - group: option`);
  }
  return { configPath, file, packageHeader: readPackageHeader(text), defaults: defaults ?? null, content };
}

/** Hydra reads `# @package` only from the comment block at the top of the file. */
function readPackageHeader(text: string): string | null {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('#')) break;
    const match = PACKAGE_HEADER.exec(trimmed);
    if (match) return match[1]!;
  }
  return null;
}
