/**
 * Composition: primary config + defaults list + command-line overrides → one config.
 *
 * Order: the hydra node, then every file of the defaults list at its package, then the
 * value overrides in the order they were typed. Group choices (`algo=sac`) act on the
 * defaults list before anything merges.
 */
import { ConfigError } from '../errors.js';
import { buildDefaultsList, type GroupOverride, type ResultDefault } from './defaults-list.js';
import { hydraDefaults, isHydraOverride, type RunMode } from './hydra-node.js';
import { mergeConfigs } from './merge.js';
import { parseOverride, type Override } from './override-parser.js';
import type { ConfigRepository } from './repository.js';
import { didYouMean } from '../util/suggest.js';
import {
  allKeys,
  deepClone,
  deepestExisting,
  deletePath,
  getPath,
  isDict,
  sameValue,
  setPath,
  wrapInPackage,
  type ConfigDict,
  type ConfigValue,
} from './value.js';

export interface ComposeOptions {
  configName: string;
  overrides: string[];
  mode?: RunMode;
  jobNum?: number;
  /** Leave mandatory groups (`exp: ???`) unset instead of failing: for `--help`. */
  skipMissing?: boolean;
}

export interface ComposedConfig {
  /** The whole config, `hydra` node included, interpolations not yet resolved. */
  config: ConfigDict;
  defaults: ResultDefault[];
  choices: Record<string, string | string[] | null>;
  missingGroups: string[];
  taskOverrides: string[];
  hydraOverrides: string[];
}

export function composeConfig(repo: ConfigRepository, options: ComposeOptions): ComposedConfig {
  const parsed = options.overrides.map(parseOverride);
  for (const o of parsed) rejectSweep(o);
  const isGroupOverride = (o: Override) => o.package !== null || o.key.includes('/') || repo.isGroup(o.key);
  const groupOverrides = parsed.filter(isGroupOverride).map((o) => toGroupOverride(o));
  const valueOverrides = parsed.filter((o) => !isGroupOverride(o));

  for (const o of groupOverrides) checkOptionExists(repo, o);
  const { defaults, choices, missingGroups } = buildDefaultsList(repo, options.configName, groupOverrides, options.skipMissing);

  let config = hydraDefaults(options.configName);
  for (const item of defaults) {
    config = mergeConfigs(config, wrapInPackage(item.package, deepClone(item.loaded.content)));
  }
  for (const o of valueOverrides) applyValueOverride(config, o, repo);

  const taskOverrides = options.overrides.filter((_, i) => !isHydraOverride(parsed[i]!.key));
  const hydraOverrides = options.overrides.filter((_, i) => isHydraOverride(parsed[i]!.key));
  const hydra = config.hydra as ConfigDict;
  const job = hydra.job as ConfigDict;
  const runtime = hydra.runtime as ConfigDict;
  hydra.mode = options.mode ?? 'RUN';
  hydra.overrides = { task: taskOverrides, hydra: hydraOverrides };
  job.num = options.jobNum ?? 0;
  job.override_dirname = [...taskOverrides].sort().join(',');
  runtime.choices = deepClone(choices as ConfigDict);
  runtime.config_sources = repo.searchPath.map((s) => ({ provider: s.provider, path: `file://${s.dir}` }));
  if (hydra.mode === 'MULTIRUN') runtime.output_dir = '${hydra.sweep.dir}/${hydra.sweep.subdir}';
  return { config, defaults, choices, missingGroups, taskOverrides, hydraOverrides };
}

/**
 * Value overrides (`a.b=v`, `+a=v`, `++a=v`, `~a`) applied to a config that is already
 * composed, e.g. the config saved in a checkpoint. Group selections make no sense there.
 */
export function applyValueOverrides(config: ConfigDict, overrides: string[], what: string): void {
  for (const text of overrides) {
    const o = parseOverride(text);
    rejectSweep(o);
    if (o.key.includes('/') || o.package !== null) throw new ConfigError(`'${text}': ${what} takes value overrides (key=value), not config group selections.`);
    applyValueOverride(config, o, null);
  }
}

function rejectSweep(o: Override): void {
  const kind = o.value?.kind;
  if (kind === 'sweep' || kind === 'glob') {
    throw new ConfigError(
      `Ambiguous value for argument '${o.text}'\n` +
        `1. To use it as a list, use ${o.key}=[value1,value2]\n` +
        `2. To use it as a string, quote the value: ${o.key}='value1,value2'\n` +
        `3. To sweep over it, add --multirun (-m) to your command line`,
    );
  }
}

/** A misspelled option on the command line is reported first, before any other composition error. */
function checkOptionExists(repo: ConfigRepository, o: GroupOverride): void {
  if (o.kind === 'delete' || o.option === null || !repo.isGroup(o.group)) return;
  const available = repo.options(o.group);
  for (const option of Array.isArray(o.option) ? o.option : [o.option]) {
    if (!available.includes(option)) {
      throw new ConfigError(
        `Could not find '${o.group}/${option}' (from '${o.text}').${didYouMean(option, available)}\n` +
          `Available options in '${o.group}':\n${available.map((a) => `\t${a}`).join('\n')}`,
      );
    }
  }
}

function toGroupOverride(o: Override): GroupOverride {
  let option: string | string[] | null = null;
  if (o.value !== null) {
    if (o.value.kind !== 'element') throw new ConfigError(`'${o.text}': a config group takes an option name, not ${o.value.kind}(…)`);
    const v = o.value.value;
    if (Array.isArray(v)) option = v.map((x) => String(x));
    else if (v === null) option = null;
    else if (isDict(v)) throw new ConfigError(`'${o.text}': '${o.key}' is a config group; select one of its options (${o.key}=<option>), not a dict`);
    else option = String(v);
  }
  return { kind: o.kind, group: o.key, package: o.package, option, text: o.text };
}

function applyValueOverride(config: ConfigDict, o: Override, repo: ConfigRepository | null): void {
  const existing = getPath(config, o.key);
  const valueText = o.text.slice(o.text.indexOf('=') + 1);
  const suggestion = () => didYouMean(o.key, [...allKeys(config), ...(repo?.groups() ?? [])]);

  if (o.kind === 'delete') {
    if (existing === undefined) throw new ConfigError(`Could not delete from config. '${o.key}' does not exist.${suggestion()}`);
    if (o.value !== null && o.value.kind === 'element' && !sameValue(existing, o.value.value)) {
      throw new ConfigError(`Could not delete from config. The value of '${o.key}' is ${JSON.stringify(existing)} and not ${JSON.stringify(o.value.value)}.`);
    }
    deletePath(config, o.key);
    return;
  }
  if (o.kind === 'add' && existing !== undefined) {
    throw new ConfigError(`Could not append to config. An item is already at '${o.key}'.\nEither remove the + prefix: ${o.text.slice(1)}\nOr add a second +, to add or replace: +${o.text}`);
  }
  if (o.kind === 'change' && existing === undefined) {
    const { existing: found, missingPart } = deepestExisting(config, o.key);
    throw new ConfigError(
      `Could not override '${o.key}'.${suggestion()}\nTo append to your config use +${o.key}=${valueText}\n` +
        `Key '${missingPart}' is not in struct${found ? ` '${found}'` : ''}\n    full_key: ${o.key}`,
    );
  }

  const value = o.value!;
  if (value.kind === 'append') {
    if (existing !== undefined && !Array.isArray(existing)) throw new ConfigError(`Could not append to '${o.key}': it is not a list (it is ${JSON.stringify(existing)}).`);
    assign(config, o.key, [...((existing as ConfigValue[] | undefined) ?? []), ...value.values]);
    return;
  }
  if (value.kind !== 'element') throw new ConfigError(`'${o.text}': unexpected ${value.kind}`);
  // Dicts merge into an existing dict; anything else replaces.
  const next = isDict(value.value) && isDict(existing) ? mergeConfigs(existing, value.value) : value.value;
  assign(config, o.key, next);
}

function assign(config: ConfigDict, key: string, value: ConfigValue): void {
  try {
    setPath(config, key, value);
  } catch (error) {
    throw new ConfigError(`Could not set '${key}': ${(error as Error).message}`);
  }
}
