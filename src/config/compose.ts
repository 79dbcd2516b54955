/**
 * Composition: primary config + defaults list + command-line overrides → one config,
 * in Hydra 1.3's order: `hydra.searchpath` extends the search path, the defaults list
 * is built (group choices act there), every file merges at its package, then the value
 * overrides apply in the order they were typed, with OmegaConf's struct rules (a key
 * must exist to be set; `+` adds; a dict given to an existing dict merges into it).
 */
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { buildDefaultsList, type DefaultsTreeNode, type ResultDefault } from './defaults-list.js';
import { hydraBuiltins, isHydraOverride, unofferedHydraGroup, type RunMode } from './hydra-node.js';
import { ConfigResolver, checkInterpolationSyntax } from './interpolation.js';
import { mergeConfigs } from './merge.js';
import { isSweepOverride, keyElement, parseOverride, type Override } from './override-parser.js';
import { ConfigRepository, type ConfigSource } from './repository.js';
import { allKeys, deepClone, deepestExisting, getPath, isDict, isMissing, splitKey, wrapInPackage, type ConfigDict, type ConfigValue } from './value.js';

export interface ComposeOptions {
  configName: string;
  overrides: string[];
  mode?: RunMode;
  jobNum?: number;
  /** Leave mandatory groups (`exp: ???`) unset instead of failing: `--help`, and a sweep's first look. */
  skipMissing?: boolean;
}

export interface ComposedConfig {
  /** The whole config, `hydra` node included, interpolations not yet resolved. */
  config: ConfigDict;
  defaults: ResultDefault[];
  tree: DefaultsTreeNode;
  choices: Record<string, string | string[] | null>;
  missingGroups: string[];
  taskOverrides: string[];
  hydraOverrides: string[];
  /** The search path after `hydra.searchpath`. */
  repository: ConfigRepository;
}

export function composeConfig(repo: ConfigRepository, options: ComposeOptions): ComposedConfig {
  const parsed = options.overrides.map(parseOverride);
  const mode = options.mode ?? 'RUN';
  checkSweeps(parsed, mode);
  const repository = withSearchPath(repo, options.configName, parsed);

  const { defaults, tree, choices, missingGroups, configOverrides } = buildDefaultsList(
    repository,
    hydraBuiltins(),
    options.configName,
    parsed,
    options.skipMissing ?? false,
  );

  let config: ConfigDict = {};
  for (const item of defaults) {
    const content = deepClone(item.loaded.content);
    if (!item.primary && item.configPath !== 'hydra/config' && isDict(content) && getPath(content, 'hydra.searchpath') !== undefined && item.package === '') {
      throw new ConfigError(`In '${item.configPath}': Overriding hydra.searchpath is only supported from the primary config`);
    }
    if (Array.isArray(content) && item.package === '') {
      throw new ConfigError(`In '${item.configPath}': a config file holding a list can only be placed at a package (e.g. ${item.configPath}@some.key), not at the root of the config.`);
    }
    config = mergeConfigs(config, wrapInPackage(item.package, content));
  }
  for (const o of configOverrides) applyOverride(config, o);

  const isTask = (o: Override) => !isHydraOverride(o.key);
  const taskOverrides = parsed.filter(isTask).map((o) => o.text);
  const hydraOverrides = parsed.filter((o) => !isTask(o)).map((o) => o.text);
  const hydra = (config.hydra ??= {}) as ConfigDict;
  const job = hydra.job as ConfigDict;
  const runtime = hydra.runtime as ConfigDict;
  hydra.mode = mode;
  hydra.overrides = { hydra: hydraOverrides, task: taskOverrides };
  job.num = options.jobNum ?? 0;
  job.config_name = options.configName;
  job.override_dirname = overrideDirname(parsed.filter(isTask), (job.config as ConfigDict | undefined)?.override_dirname);
  runtime.choices = { ...((runtime.choices as ConfigDict | undefined) ?? {}), ...deepClone(choices as ConfigDict) };
  runtime.cwd = process.cwd();
  runtime.config_sources = repository.searchPath.map((s) => ({ path: s.dir, schema: 'file', provider: s.provider }));
  runtime.output_dir = mode === 'MULTIRUN' ? '${hydra.sweep.dir}/${hydra.sweep.subdir}' : '${hydra.run.dir}';
  return { config, defaults, tree, choices, missingGroups, taskOverrides, hydraOverrides, repository };
}

/** The search path a composition would use (with `hydra.searchpath`), without composing. */
export function searchPathFor(repo: ConfigRepository, configName: string, overrides: string[]): ConfigRepository {
  return withSearchPath(repo, configName, overrides.map(parseOverride));
}

/** Outside multirun a sweep is an error that says how to get each meaning; a multirun never sweeps Hydra's own config. */
function checkSweeps(parsed: Override[], mode: RunMode): void {
  for (const o of parsed) {
    if (!isSweepOverride(o)) continue;
    if (mode === 'MULTIRUN') {
      if (isHydraOverride(o.key)) throw new ConfigError(`Sweeping over Hydra's configuration is not supported : '${o.text}'`);
      continue;
    }
    if (o.value?.kind === 'choice' && o.value.simple) {
      throw new ConfigError(
        `Ambiguous value for argument '${o.text}'\n` +
          `1. To use it as a list, use key=[value1,value2]\n` +
          `2. To use it as string, quote the value: key=\\'value1,value2\\'\n` +
          `3. To sweep over it, add --multirun to your command line`,
      );
    }
    throw new ConfigError(`Sweep parameters '${o.text}' requires --multirun`);
  }
}

/**
 * `hydra.searchpath`: from the command line (`hydra.searchpath=[…]`) or else the primary
 * config; each entry (`file://dir` or a directory) is searched after the others.
 */
function withSearchPath(repo: ConfigRepository, configName: string, parsed: Override[]): ConfigRepository {
  const fromCommandLine = parsed.find((o) => keyElement(o) === 'hydra.searchpath');
  let entries: ConfigValue | undefined;
  let provider: string;
  if (fromCommandLine !== undefined) {
    entries = fromCommandLine.value?.kind === 'element' ? fromCommandLine.value.value : undefined;
    provider = 'hydra.searchpath in command-line';
  } else {
    const primary = repo.load(configName);
    if (primary !== null && !isDict(primary.content)) {
      throw new ConfigError(`primary config '${configName}' must be a mapping, got a list`);
    }
    const content = primary?.content as ConfigDict | undefined;
    if (content === undefined || getPath(content, 'hydra.searchpath') === undefined) return repo;
    entries = new ConfigResolver(content, searchPathResolvers()).resolveKey('hydra.searchpath');
    provider = 'hydra.searchpath in main';
  }
  if (entries === null || entries === undefined) return repo;
  if (!Array.isArray(entries) || !entries.every((e) => typeof e === 'string')) {
    throw new ConfigError(`hydra.searchpath must be a list of strings. Got: ${JSON.stringify(entries)}`);
  }
  const added: ConfigSource[] = (entries as string[]).map((entry) => ({ provider, dir: searchPathDir(entry) }));
  return new ConfigRepository([...repo.searchPath, ...added]);
}

function searchPathDir(entry: string): string {
  if (entry.startsWith('pkg://')) {
    throw new ConfigError(
      `hydra.searchpath entry '${entry}': mopo reads configs from directories only (file://… or a path); Python packages (pkg://) do not exist in mopo. This is a deliberate difference from Hydra.`,
    );
  }
  const dir = path.resolve(entry.startsWith('file://') ? entry.slice('file://'.length) : entry);
  return dir;
}

function searchPathResolvers() {
  return {
    'oc.env': (args: ConfigValue[]) => (typeof args[0] === 'string' && process.env[args[0]] !== undefined ? process.env[args[0]]! : (args[1] ?? null)),
  };
}

/** Hydra's `hydra.job.override_dirname`: the task overrides as typed, sorted, joined. */
function overrideDirname(task: Override[], settings: ConfigValue | undefined): string {
  const s = isDict(settings) ? settings : {};
  const kvSep = typeof s.kv_sep === 'string' ? s.kv_sep : '=';
  const itemSep = typeof s.item_sep === 'string' ? s.item_sep : ',';
  const exclude = Array.isArray(s.exclude_keys) ? s.exclude_keys.map(String) : [];
  const lines = task.filter((o) => !exclude.includes(o.key)).map((o) => o.text);
  return lines.sort().join(itemSep).replace(/=/g, kvSep);
}

/**
 * Value overrides (`a.b=v`, `+a=v`, `++a=v`, `~a`) applied to a config that is already
 * composed, e.g. the config saved in a checkpoint. Group selections make no sense there.
 */
export function applyValueOverrides(config: ConfigDict, overrides: string[], what: string): void {
  for (const text of overrides) {
    const o = parseOverride(text);
    checkSweeps([o], 'RUN');
    if (o.key.includes('/') || o.package !== null) throw new ConfigError(`'${text}': ${what} takes value overrides (key=value), not config group selections.`);
    applyOverride(config, o);
  }
}

/** One value override with Hydra's semantics (ConfigLoaderImpl._apply_overrides_to_config). */
function applyOverride(config: ConfigDict, o: Override): void {
  if (o.package !== null) {
    throw new ConfigError(`Override ${o.text} looks like a config group override, but config group '${o.key}' does not exist.`);
  }
  const existing = getPath(config, o.key);
  // What OmegaConf.select(…, throw_on_missing=False) sees: no value, null and ??? are all "nothing there".
  const nothing = existing === undefined || existing === null || isMissing(existing);
  const suggestion = () => didYouMean(o.key, allKeys(config));
  if (o.value !== null && o.value.kind !== 'element' && o.value.kind !== 'append') throw new ConfigError(`'${o.text}': unexpected ${o.value.kind}()`);
  const value = o.value?.kind === 'element' ? o.value.value : null;
  if (typeof value === 'string' || isDict(value) || Array.isArray(value)) checkInterpolationSyntax(value, () => `the override '${o.text}'`);

  if (o.kind === 'delete') {
    if (nothing) throw new ConfigError(`Could not delete from config. '${o.key}' does not exist.${suggestion()}`);
    if (Array.isArray(getPath(config, splitKey(o.key).slice(0, -1).join('.')))) {
      throw new ConfigError(`Could not delete from config: '${o.key}' is a list item, and Hydra cannot delete list items. Set the whole list instead: ${splitKey(o.key).slice(0, -1).join('.')}=[…]`);
    }
    if (value !== null && !pythonEqual(value, existing)) {
      throw new ConfigError(`Could not delete from config. The value of '${o.key}' is ${JSON.stringify(existing)} and not ${JSON.stringify(value)}.`);
    }
    deleteKey(config, o.key);
    return;
  }
  if (o.value?.kind === 'append') {
    // mopo's extension: append(…) extends a list (or starts one with +/++).
    if (existing !== undefined && existing !== null && !Array.isArray(existing)) throw new ConfigError(`Could not append to '${o.key}': it is not a list (it is ${JSON.stringify(existing)}).`);
    if (existing === undefined && o.kind === 'change') throw missingKey(config, o, suggestion());
    update(config, o, [...((existing as ConfigValue[] | null | undefined) ?? []), ...o.value.values], o.kind !== 'change');
    return;
  }
  if (o.kind === 'add' && !nothing && !isDict(value) && !Array.isArray(value)) {
    throw new ConfigError(
      `Could not append to config. An item is already at '${o.key}'.\nEither remove + prefix: '${o.text.slice(1)}'\nOr add a second + to add or override '${o.key}': '+${o.text}'`,
    );
  }
  update(config, o, value, o.kind !== 'change');
}

/** OmegaConf.update(cfg, key, value, merge=True[, force_add]) on a struct config. */
function update(config: ConfigDict, o: Override, value: ConfigValue, forceAdd: boolean): void {
  const parts = splitKey(o.key);
  let node: ConfigValue = config;
  for (const [i, part] of parts.slice(0, -1).entries()) {
    const child = childOf(node, part);
    if (!isDict(child) && !Array.isArray(child)) {
      if (child === undefined && !forceAdd) throw missingKey(config, o, didYouMean(o.key, allKeys(config)));
      setChild(node, part, {}, parts.slice(0, i + 1).join('.'));
    }
    node = childOf(node, part)!;
  }
  const last = parts[parts.length - 1]!;
  const current = childOf(node, last);
  if ((isDict(value) || Array.isArray(value)) && (isDict(current) || Array.isArray(current))) {
    setChild(node, last, mergeInto(current, value, o, forceAdd), o.key);
    return;
  }
  if (current === undefined && !forceAdd) throw missingKey(config, o, didYouMean(o.key, allKeys(config)));
  setChild(node, last, value, o.key);
}

/** A dict merges into a dict, but (the config being struct) brings new keys only with + or ++; a list replaces a list. */
function mergeInto(current: ConfigDict | ConfigValue[], value: ConfigDict | ConfigValue[], o: Override, forceAdd: boolean): ConfigValue {
  if (Array.isArray(current) !== Array.isArray(value)) {
    throw new ConfigError(`Error merging override ${o.text}: cannot merge a ${Array.isArray(value) ? 'list' : 'dict'} into the ${Array.isArray(current) ? 'list' : 'dict'} at '${o.key}'`);
  }
  if (Array.isArray(value)) return value;
  if (forceAdd) return mergeConfigs(current as ConfigDict, value as ConfigDict);
  const check = (target: ConfigDict, source: ConfigDict, prefix: string) => {
    for (const [k, v] of Object.entries(source)) {
      const full = `${prefix}.${k}`;
      if (!(k in target)) {
        throw new ConfigError(`Could not override '${o.key}'.\nTo append to your config use +${o.text.replace(/^\+*/, '')}\nKey '${k}' is not in struct\n    full_key: ${full}`);
      }
      if (isDict(v) && isDict(target[k])) check(target[k] as ConfigDict, v, full);
    }
  };
  check(current as ConfigDict, value as ConfigDict, o.key);
  return mergeConfigs(current as ConfigDict, value as ConfigDict);
}

function missingKey(config: ConfigDict, o: Override, suggestion: string): ConfigError {
  const { existing, missingPart } = deepestExisting(config, o.key);
  const valueText = o.text.slice(o.text.indexOf('=') + 1);
  return new ConfigError(
    `Could not override '${o.key}'.${suggestion}\nTo append to your config use +${o.key}=${valueText}\n` +
      `Key '${missingPart}' is not in struct${existing ? ` '${existing}'` : ''}\n    full_key: ${o.key}` +
      unofferedHydraGroup(o.key),
  );
}

function childOf(node: ConfigValue, part: string): ConfigValue | undefined {
  if (Array.isArray(node)) return /^\d+$/.test(part) ? node[Number(part)] : undefined;
  if (isDict(node) && Object.prototype.hasOwnProperty.call(node, part)) return node[part];
  return undefined;
}

function setChild(node: ConfigValue, part: string, value: ConfigValue, key: string): void {
  if (Array.isArray(node)) {
    if (!/^\d+$/.test(part) || Number(part) >= node.length) throw new ConfigError(`Could not set '${key}': '${part}' is not an index of a list of ${node.length} items`);
    node[Number(part)] = value;
  } else if (isDict(node)) node[part] = value;
  else throw new ConfigError(`Could not set '${key}': its parent is not a dict or list`);
}

function deleteKey(config: ConfigDict, key: string): void {
  const parts = splitKey(key);
  const parent = getPath(config, parts.slice(0, -1).join('.'));
  const last = parts[parts.length - 1]!;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isDict(parent)) delete parent[last];
}

/** Python's `==` on config values (1 == 1.0, lists and dicts element-wise). */
function pythonEqual(a: ConfigValue, b: ConfigValue): boolean {
  if (isMissing(a) || isMissing(b)) return a === b;
  const numeric = (v: ConfigValue) => typeof v === 'boolean' || typeof v === 'number';
  if (numeric(a) && numeric(b)) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pythonEqual(x, b[i]!));
  if (isDict(a) && isDict(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && pythonEqual(a[k]!, b[k]!));
  }
  return a === b;
}
