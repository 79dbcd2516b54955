/**
 * The defaults list: which config files make up the composed config, at which
 * package, in which order. Semantics follow Hydra 1.3:
 *
 * - Entries `group: option`, `override group: option`, `optional group: option`,
 *   `group: null` (placeholder), `group: ???` (mandatory), `group@pkg: option`,
 *   plain config paths (`sac`, `/group/x@_here_`), and `_self_`.
 * - Each file's defaults are expanded last-to-first. That is how an experiment at the
 *   end of the primary list can `override /algo: …` before `algo` itself is expanded;
 *   the first registration of an override wins, and command-line choices are
 *   registered before anything else, so they beat every file.
 * - `_self_` marks where a file's own content merges; without it, it goes last.
 */
import { ConfigError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { MISSING, type ConfigValue } from './value.js';
import type { ConfigRepository, LoadedConfig } from './repository.js';

/** A group choice coming from the command line (`algo=sac`, `+db=x`, `~exp`). */
export interface GroupOverride {
  kind: 'change' | 'add' | 'force-add' | 'delete';
  group: string;
  package: string | null;
  /** The chosen option(s); for `delete`, the option it must currently be (or null). */
  option: string | string[] | null;
  /** The override as typed, for error messages. */
  text: string;
}

export interface ResultDefault {
  configPath: string;
  /** Final package: where the content lands in the composed config ("" = root). */
  package: string;
  /** The config whose defaults list brought this one in (null for the primary). */
  parent: string | null;
  /** True when this entry is a file's own content placed at its `_self_` position inside its own defaults list. */
  isSelfEntry: boolean;
  primary: boolean;
  loaded: LoadedConfig;
}

export interface DefaultsResult {
  /** Every config file in merge order. */
  defaults: ResultDefault[];
  /** Chosen option per group (override key), as Hydra's `hydra.runtime.choices`. */
  choices: Record<string, string | string[] | null>;
  /** Mandatory groups left unset (only when composing with `skipMissing`). */
  missingGroups: string[];
}

type Entry =
  | { kind: 'self' }
  | { kind: 'group'; group: string; option: string | string[] | null; package: string | null; override: boolean; optional: boolean; text: string }
  | { kind: 'config'; path: string; package: string | null; optional: boolean; text: string };

interface Node {
  configPath: string;
  /** Final package of this config. */
  package: string;
  parent: string | null;
  primary: boolean;
}

interface OverrideChoice {
  option: string | string[] | null;
  external: boolean;
  source: string;
  text: string;
  used: boolean;
}

function parseEntries(raw: ConfigValue[] | null, file: string): Entry[] {
  const entries: Entry[] = [];
  for (const item of raw ?? []) entries.push(parseEntry(item, file));
  if (!entries.some((e) => e.kind === 'self')) entries.push({ kind: 'self' });
  return entries;
}

function parseEntry(item: ConfigValue, file: string): Entry {
  if (typeof item === 'string') {
    if (item === '_self_') return { kind: 'self' };
    const optional = item.startsWith('optional ');
    const spec = optional ? item.slice('optional '.length).trim() : item;
    const [path, pkg] = splitPackage(spec);
    return { kind: 'config', path, package: pkg, optional, text: item };
  }
  if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length === 1) {
    const [rawKey, value] = Object.entries(item)[0]!;
    const words = rawKey.trim().split(/\s+/);
    const spec = words.pop()!;
    const unknown = words.filter((w) => w !== 'override' && w !== 'optional');
    if (unknown.length > 0) {
      throw new ConfigError(`In '${file}': unknown keyword '${unknown[0]}' in defaults entry '${rawKey}'. Allowed keywords: override, optional.`);
    }
    const [group, pkg] = splitPackage(spec);
    let option: string | string[] | null;
    if (value === null || typeof value === 'string') option = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) option = value as string[];
    else if (typeof value === 'number' || typeof value === 'boolean') option = String(value);
    else throw new ConfigError(`In '${file}': defaults entry '${rawKey}' must name an option (a string), null, ??? or a list of options.`);
    if (typeof option === 'string' && option.includes('${')) {
      throw new ConfigError(`In '${file}': interpolation in the defaults list ('${rawKey}: ${option}') is not supported; select the option on the command line instead (${group}=…).`);
    }
    return { kind: 'group', group, option, package: pkg, override: words.includes('override'), optional: words.includes('optional'), text: `${rawKey}: ${JSON.stringify(value)}` };
  }
  throw new ConfigError(`In '${file}': invalid defaults entry ${JSON.stringify(item)}. Use '- group: option', '- override group: option', '- config_name' or '- _self_'.`);
}

function splitPackage(spec: string): [string, string | null] {
  const at = spec.indexOf('@');
  return at === -1 ? [spec, null] : [spec.slice(0, at), spec.slice(at + 1)];
}

function groupDirOf(configPath: string): string {
  const slash = configPath.lastIndexOf('/');
  return slash === -1 ? '' : configPath.slice(0, slash);
}

function absoluteGroup(group: string, parentConfigPath: string): string {
  if (group.startsWith('/')) return group.slice(1);
  const dir = groupDirOf(parentConfigPath);
  return dir === '' ? group : `${dir}/${group}`;
}

/** Hydra's package rule: relative to the parent's package; `_global_` resets to the root. */
function finalPackage(parentPackage: string, relative: string, optionName: string | null): string {
  let pkg = relative === '_here_' ? '' : relative;
  if (optionName !== null) pkg = pkg.replace(/_name_/g, optionName);
  const combined = parentPackage === '' ? pkg : pkg === '' ? parentPackage : `${parentPackage}.${pkg}`;
  const global = combined.lastIndexOf('_global_');
  if (global === -1) return combined;
  return combined.slice(global + '_global_'.length + 1);
}

function overrideKey(group: string, defaultPackage: string, explicitPackage: string | null): string {
  return explicitPackage !== null && explicitPackage !== defaultPackage ? `${group}@${explicitPackage}` : group;
}

/**
 * Builds the defaults list for a primary config and the command line's group choices.
 * `++group=option` sets the group when the list has it and adds it otherwise, which
 * is only known after a first pass; the second pass treats it as `+group=option`.
 */
export function buildDefaultsList(
  repo: ConfigRepository,
  primaryConfigName: string,
  commandLine: GroupOverride[],
  skipMissing = false,
): DefaultsResult {
  const first = new DefaultsBuilder(repo, commandLine, skipMissing).build(primaryConfigName);
  if (first.unmatchedForceAdds.length === 0) return first;
  const retried = commandLine.map((o) => (first.unmatchedForceAdds.includes(o) ? { ...o, kind: 'add' as const } : o));
  return new DefaultsBuilder(repo, retried, skipMissing).build(primaryConfigName);
}

interface BuildResult extends DefaultsResult {
  unmatchedForceAdds: GroupOverride[];
}

class DefaultsBuilder {
  private readonly overrides = new Map<string, OverrideChoice>();
  private readonly deletions = new Map<string, { option: string | null; text: string; used: boolean }>();
  private readonly forceAdds = new Map<string, GroupOverride>();
  private readonly appended: Entry[] = [];
  private readonly choices: Record<string, string | string[] | null> = {};
  private readonly missingGroups: string[] = [];

  constructor(
    private readonly repo: ConfigRepository,
    commandLine: GroupOverride[],
    private readonly skipMissing: boolean,
  ) {
    // Command-line choices are registered first: they win over every file.
    for (const o of commandLine) {
      const key = o.package === null ? o.group : `${o.group}@${o.package}`;
      if (o.kind === 'delete') {
        this.deletions.set(key, { option: typeof o.option === 'string' ? o.option : null, text: o.text, used: false });
      } else if (o.kind === 'add') {
        this.appended.push({ kind: 'group', group: `/${o.group}`, option: o.option, package: o.package, override: false, optional: false, text: o.text });
      } else {
        this.overrides.set(key, { option: o.option, external: true, source: 'command line', text: o.text, used: false });
        if (o.kind === 'force-add') this.forceAdds.set(key, o);
      }
    }
  }

  build(primaryConfigName: string): BuildResult {
    const primary = this.repo.load(primaryConfigName);
    if (primary === null) {
      throw new ConfigError(
        `Cannot find primary config '${primaryConfigName}'. Check that it is in your config search path:\n` +
          this.repo.searchPath.map((s) => `\t${s.provider}: ${s.dir}`).join('\n') +
          didYouMean(primaryConfigName, this.repo.options('')),
      );
    }
    const root: Node = { configPath: primaryConfigName, package: finalPackage('', primary.packageHeader ?? '', null), parent: null, primary: true };
    const defaults = this.expand(root, primary);

    const unmatchedForceAdds = [...this.forceAdds.entries()].filter(([key]) => !this.overrides.get(key)!.used).map(([, o]) => o);
    if (unmatchedForceAdds.length === 0) this.ensureOverridesUsed();
    return { defaults, choices: this.choices, missingGroups: this.missingGroups, unmatchedForceAdds };
  }

  private ensureOverridesUsed(): void {
    for (const [key, choice] of this.overrides) {
      if (choice.used) continue;
      if (choice.external) {
        const option = Array.isArray(choice.option) ? `[${choice.option.join(',')}]` : String(choice.option);
        throw new ConfigError(
          `Could not override '${key}'. No match in the defaults list.\nTo append to your default list use +${key}=${option}` +
            didYouMean(key, Object.keys(this.choices)),
        );
      }
      throw new ConfigError(`In '${choice.source}': Could not override '${key}'. No match in the defaults list.` + didYouMean(key, Object.keys(this.choices)));
    }
    for (const [key, deletion] of this.deletions) {
      if (!deletion.used) {
        throw new ConfigError(`Could not delete '${key}' (${deletion.text}). No match in the defaults list.` + didYouMean(key, Object.keys(this.choices)));
      }
    }
  }

  private expand(node: Node, loaded: LoadedConfig): ResultDefault[] {
    const entries = parseEntries(loaded.defaults, loaded.file);
    if (node.primary) entries.push(...this.appended);
    this.registerOverrides(node, entries, loaded.file);

    const children: ResultDefault[][] = [];
    for (const entry of [...entries].reverse()) {
      if (entry.kind === 'self') {
        children.push([{ configPath: node.configPath, package: node.package, parent: node.parent, isSelfEntry: entries.length > 1, primary: node.primary, loaded }]);
      } else if (entry.kind === 'group') {
        if (!entry.override) children.push(this.expandGroup(node, entry, loaded.file));
      } else {
        children.push(this.expandConfig(node, entry, loaded.file));
      }
    }
    return children.reverse().flat();
  }

  private registerOverrides(node: Node, entries: Entry[], file: string): void {
    let lastOverride: Extract<Entry, { kind: 'group' }> | null = null;
    for (const entry of entries) {
      if (entry.kind === 'self') continue;
      if (entry.kind === 'group' && entry.override) {
        lastOverride = entry;
        const group = absoluteGroup(entry.group, node.configPath);
        const key = overrideKey(group, group.replace(/\//g, '.'), entry.package);
        if (!this.overrides.has(key)) {
          this.overrides.set(key, { option: entry.option, external: false, source: file, text: entry.text, used: false });
        }
      } else if (lastOverride !== null && !this.appended.includes(entry)) {
        throw new ConfigError(`In '${file}': Override '${lastOverride.text}' is defined before '${entry.text}'.\nOverrides must be at the end of the defaults list.`);
      }
    }
  }

  private expandGroup(parent: Node, entry: Extract<Entry, { kind: 'group' }>, file: string): ResultDefault[] {
    const group = absoluteGroup(entry.group, parent.configPath);
    const relativeGroup = entry.group.startsWith('/') ? entry.group.slice(1) : entry.group;
    const key = overrideKey(group, group.replace(/\//g, '.'), entry.package);

    const deletion = this.deletions.get(key);
    if (deletion) {
      if (deletion.option !== null && deletion.option !== entry.option) {
        throw new ConfigError(`Could not delete '${key}': it is '${String(entry.option)}', not '${deletion.option}' (${deletion.text}).`);
      }
      deletion.used = true;
      return [];
    }

    let option = entry.option;
    const chosen = this.overrides.get(key);
    if (chosen) {
      option = chosen.option;
      chosen.used = true;
    }
    this.choices[key] = option;
    if (option === null) return [];
    if (option === MISSING) {
      if (this.skipMissing) {
        this.missingGroups.push(key);
        return [];
      }
      throw new ConfigError(`You must specify '${key}', e.g, ${key}=<OPTION>\nAvailable options:\n${this.repo.options(group).map((o) => `\t${o}`).join('\n')}`);
    }

    const options = Array.isArray(option) ? option : [option];
    const results: ResultDefault[] = [];
    for (const name of options) {
      const configPath = `${group}/${name}`;
      const loaded = this.repo.load(configPath);
      if (loaded === null) {
        if (entry.optional) continue;
        throw this.missingOption(group, name, chosen ? chosen.source : file);
      }
      const relative = entry.package ?? loaded.packageHeader ?? relativeGroup.replace(/\//g, '.');
      const child: Node = { configPath, package: finalPackage(parent.package, relative, name), parent: parent.configPath, primary: false };
      results.push(...this.expand(child, loaded));
    }
    return results;
  }

  private expandConfig(parent: Node, entry: Extract<Entry, { kind: 'config' }>, file: string): ResultDefault[] {
    const configPath = absoluteGroup(entry.path, parent.configPath);
    const loaded = this.repo.load(configPath);
    if (loaded === null) {
      if (entry.optional) return [];
      const group = groupDirOf(configPath);
      const name = configPath.slice(group === '' ? 0 : group.length + 1);
      throw this.missingOption(group, name, file);
    }
    const relativePath = entry.path.startsWith('/') ? entry.path.slice(1) : entry.path;
    const relative = entry.package ?? loaded.packageHeader ?? groupDirOf(relativePath).replace(/\//g, '.');
    const child: Node = { configPath, package: finalPackage(parent.package, relative, null), parent: parent.configPath, primary: false };
    return this.expand(child, loaded);
  }

  private missingOption(group: string, name: string, source: string): ConfigError {
    const available = this.repo.options(group);
    const where = group === '' ? '' : ` in '${group}'`;
    return new ConfigError(
      `Could not find '${group === '' ? name : `${group}/${name}`}' (requested by ${source}).` +
        didYouMean(name, available) +
        `\nAvailable options${where}:\n${available.map((o) => `\t${o}`).join('\n')}`,
    );
  }
}
