/**
 * The defaults list: which config files make up the composed config, at which
 * package, in which order, built as Hydra 1.3 builds it (hydra/_internal/defaults_list.py):
 *
 * - A tree: a virtual root holds Hydra's own `hydra/config` and the primary config;
 *   each config's defaults list (`group: option`, `override group: option`,
 *   `optional group: option`, `group: null`, `group: ???`, `group@pkg: option`,
 *   `group: [a, b]`, `config_path`, `/abs/path@_here_`, `_self_`) are its children.
 * - Children are expanded last-to-first, so an experiment at the end of the primary
 *   list registers its `override /algo: …` before `algo` is expanded; the first
 *   registration of an override wins, and the command line registers first.
 * - `_self_` marks where a file's own content merges; a file with a defaults list but
 *   no `_self_` gets it appended last.
 * - Packages: `group@pkg` is relative to the parent's package, a `# @package`
 *   header is absolute, `_global_` resets to the root, `_here_` is the parent's.
 * - Each group may be chosen once (`Multiple values for …`, `… appears more than once`).
 *
 * The list is the tree walked depth-first; `--info defaults-tree` prints the tree.
 */
import { ConfigError } from '../errors.js';
import { didYouMean } from '../util/suggest.js';
import { unofferedHydraGroup } from './hydra-node.js';
import { ConfigResolver } from './interpolation.js';
import { standardResolvers } from './resolvers.js';
import { keyElement, isSweepOverride, type Override } from './override-parser.js';
import type { ConfigRepository, LoadedConfig } from './repository.js';
import { MISSING, isDict, type ConfigDict, type ConfigValue } from './value.js';

type Option = string | string[] | null;

abstract class InputDefault {
  package: string | null;
  parentBaseDir: string | null = null;
  parentPackage: string | null = null;
  packageHeader: string | null = null;
  primary = false;
  deleted = false;

  constructor(pkg: string | null) {
    this.package = pkg === '_here_' ? '' : pkg;
  }

  abstract isSelf(): boolean;
  abstract groupPath(): string;
  abstract configPath(): string;
  abstract name(): string | null;
  protected abstract relativeGroupPath(): string;

  updateParent(baseDir: string, parentPackage: string): void {
    this.parentBaseDir = baseDir;
    this.parentPackage = parentPackage;
    if (this.package !== null && this.package.includes('_group_')) {
      this.package = `_global_.${this.package.replace('_group_', this.defaultPackage())}`;
    }
  }

  defaultPackage(): string {
    return this.groupPath().replace(/\//g, '.');
  }

  /** A `# @package` header is absolute: `foo` means `_global_.foo`. */
  setPackageHeader(header: string | null): void {
    if (header === null) return;
    if (header === '') this.packageHeader = '_global_';
    else this.packageHeader = header === '_global_' || header.startsWith('_global_.') ? header : `_global_.${header}`;
  }

  ownPackage(defaultToHeader = true): string | null {
    return this.package === null && defaultToHeader ? this.packageHeader : this.package;
  }

  finalPackage(defaultToHeader = true): string {
    const pkg = this.ownPackage(defaultToHeader) ?? this.relativeGroupPath().replace(/\//g, '.');
    const parent = this.parentPackage ?? '';
    const joined = parent === '' ? pkg : pkg === '' ? parent : `${parent}.${pkg}`;
    const global = joined.lastIndexOf('_global_');
    return global === -1 ? joined : joined.slice(global + '_global_'.length + 1);
  }

  /** How the command line names this entry: `db`, or `db@backup` when it sits at another package. */
  overrideKey(): string {
    const finalPkg = this.finalPackage(false);
    const key = this.groupPath();
    return this.defaultPackage() === finalPkg ? key : `${key}@${finalPkg === '' ? '_global_' : finalPkg}`;
  }

  isMissing(): boolean {
    return this.name() === MISSING;
  }
}

class GroupDefault extends InputDefault {
  constructor(
    readonly group: string,
    public value: Option,
    pkg: string | null,
    readonly optional = false,
    readonly override = false,
    readonly externalAppend = false,
  ) {
    super(pkg);
  }

  isSelf(): boolean {
    return this.value === '_self_';
  }

  private absolute(): boolean {
    return this.group.startsWith('/');
  }

  protected relativeGroupPath(): string {
    return this.absolute() ? this.group.slice(1) : this.group;
  }

  groupPath(): string {
    const group = this.relativeGroupPath();
    return this.parentBaseDir === '' || this.absolute() ? group : `${this.parentBaseDir}/${group}`;
  }

  configPath(): string {
    return `${this.groupPath()}/${this.name()}`;
  }

  name(): string | null {
    return Array.isArray(this.value) ? null : this.value;
  }

  isInterpolation(): boolean {
    return typeof this.value === 'string' && this.value.includes('${');
  }
}

class ConfigDefault extends InputDefault {
  constructor(
    public path: string,
    pkg: string | null = null,
    readonly optional = false,
    primary = false,
  ) {
    super(pkg);
    this.primary = primary;
    if (path === '_self_' && pkg !== null) throw new ConfigError('_self_@PACKAGE is not supported');
  }

  isSelf(): boolean {
    return this.path === '_self_';
  }

  private absolute(): boolean {
    return this.path.startsWith('/');
  }

  protected relativeGroupPath(): string {
    const p = this.absolute() ? this.path.slice(1) : this.path;
    const slash = p.lastIndexOf('/');
    return slash === -1 ? '' : p.slice(0, slash);
  }

  groupPath(): string {
    const group = this.relativeGroupPath();
    if (this.absolute() || this.parentBaseDir === '') return group;
    return group === '' ? this.parentBaseDir! : `${this.parentBaseDir}/${group}`;
  }

  configPath(): string {
    if (this.absolute()) return this.path.slice(1);
    return this.parentBaseDir === '' ? this.path : `${this.parentBaseDir}/${this.path}`;
  }

  name(): string {
    return this.path.slice(this.path.lastIndexOf('/') + 1);
  }
}

class VirtualRoot extends InputDefault {
  constructor() {
    super(null);
  }
  isSelf(): boolean {
    return false;
  }
  groupPath(): string {
    return '';
  }
  configPath(): string {
    return '<root>';
  }
  name(): string {
    return '<root>';
  }
  protected relativeGroupPath(): string {
    return '';
  }
}

export interface DefaultsTreeNode {
  node: InputDefault;
  children: (DefaultsTreeNode | InputDefault)[] | null;
  parent: DefaultsTreeNode | null;
}

export interface ResultDefault {
  configPath: string;
  /** Final package: where the content lands in the composed config ("" = root). */
  package: string;
  /** The config whose defaults list brought this one in (`<root>` for the primary and hydra/config). */
  parent: string | null;
  /** True when this entry is a file's own content placed at its `_self_` position. */
  isSelfEntry: boolean;
  primary: boolean;
  overrideKey: string | null;
  loaded: LoadedConfig;
}

export interface DefaultsResult {
  /** Every config file in merge order. */
  defaults: ResultDefault[];
  tree: DefaultsTreeNode;
  /** Chosen option per group (override key), as Hydra's `hydra.runtime.choices`. */
  choices: Record<string, Option>;
  /** Mandatory groups left unset (only when composing with `skipMissing`). */
  missingGroups: string[];
  /** Overrides of values (`a.b=1`, `+x=2`, `~y`, dicts given to a group), applied after merging. */
  configOverrides: Override[];
}

/** Config files that are not files: Hydra's `hydra/config`, built into mopo. */
export type BuiltinConfigs = Map<string, LoadedConfig>;


/**
 * Builds the defaults list for a primary config and the command line's overrides.
 * `++group=option` (a mopo extension; Hydra refuses it) sets the group when the list
 * has it and adds it otherwise, which is known only after a first pass.
 */
export function buildDefaultsList(
  repo: ConfigRepository,
  builtins: BuiltinConfigs,
  primaryConfigName: string,
  overrides: Override[],
  skipMissing = false,
): DefaultsResult {
  try {
    return new DefaultsBuilder(repo, builtins, overrides, skipMissing, new Set()).build(primaryConfigName);
  } catch (error) {
    if (!(error instanceof UnmatchedForceAdds)) throw error;
    return new DefaultsBuilder(repo, builtins, overrides, skipMissing, error.keys).build(primaryConfigName);
  }
}

class UnmatchedForceAdds extends Error {
  constructor(readonly keys: Set<string>) {
    super('unmatched ++group overrides');
  }
}

interface OverrideMeta {
  external: boolean;
  containingConfigPath: string | null;
  used: boolean;
  forceAdd: boolean;
}

class DefaultsBuilder {
  private readonly overrideChoices = new Map<string, Option>();
  private readonly overrideMeta = new Map<string, OverrideMeta>();
  private readonly appendGroupDefaults: GroupDefault[] = [];
  private readonly configOverrides: Override[] = [];
  private readonly deletions = new Map<string, { name: string | null; used: boolean }>();
  private readonly knownChoices = new Map<string, Option>();
  private readonly knownChoicesPerGroup = new Map<string, Set<string>>();
  private readonly missingGroups: string[] = [];

  constructor(
    private readonly repo: ConfigRepository,
    private readonly builtins: BuiltinConfigs,
    overrides: Override[],
    private readonly skipMissing: boolean,
    forceAddsAsAppends: Set<string>,
  ) {
    for (const o of overrides) this.register(o, forceAddsAsAppends);
  }

  /** Sorts the command line into group choices, group appends, group deletions and value overrides. */
  private register(o: Override, forceAddsAsAppends: Set<string>): void {
    if (isSweepOverride(o)) return;
    const value = o.value?.kind === 'element' ? o.value.value : o.value === null ? null : undefined;
    if (isDict(value) || !this.repo.isGroup(o.key)) {
      this.configOverrides.push(o);
      return;
    }
    if (o.kind === 'delete') {
      if (value !== null && typeof value !== 'string') throw new ConfigError(`Config group override deletion value must be a string: '${o.text}'`);
      this.deletions.set(keyElement(o).slice(1), { name: value, used: false });
      return;
    }
    const option = typeof value === 'string' ? value : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
    if (option === undefined) {
      const got = value === null ? 'null' : value === undefined ? `${o.value?.kind}()` : Array.isArray(value) ? 'a list of non-strings' : typeof value;
      throw new ConfigError(
        `Config group override must be a string or a list of strings, got ${got}: '${o.text}'.` +
          (value === null ? ` To remove the group from the defaults list use ~${o.key}.` : ` Options of '${o.key}': ${this.repo.options(o.key).join(', ')}`),
      );
    }
    const key = o.kind === 'force-add' ? keyElement(o).slice(2) : keyElement(o).replace(/^\+/, '');
    if (o.kind === 'add' || (o.kind === 'force-add' && forceAddsAsAppends.has(key))) {
      this.appendGroupDefaults.push(new GroupDefault(o.key, option, o.package, false, false, true));
      return;
    }
    this.overrideChoices.set(key, option);
    this.overrideMeta.set(key, { external: true, containingConfigPath: null, used: false, forceAdd: o.kind === 'force-add' });
  }

  build(primaryConfigName: string): DefaultsResult {
    const primary = new ConfigDefault(primaryConfigName, null, false, true);
    const hydraConfig = new ConfigDefault('hydra/config');
    const root: DefaultsTreeNode = { node: new VirtualRoot(), children: [hydraConfig, primary], parent: null };
    // Children are expanded last to first: the primary config registers its overrides
    // (`override hydra/launcher: …`) before hydra/config is expanded.
    const children: (DefaultsTreeNode | InputDefault)[] = [];
    for (const d of [hydraConfig, primary].reverse()) {
      d.updateParent('', '');
      const subtree = this.createTree({ node: d, children: null, parent: root }, d.primary, false);
      children.push(subtree.children === null ? d : subtree);
    }
    root.children = children.reverse();

    const defaults = this.treeToList(root);
    ensureNoDuplicates(defaults);
    const forceAdds = [...this.overrideMeta].filter(([, m]) => m.forceAdd && !m.used).map(([k]) => k);
    if (forceAdds.length > 0) throw new UnmatchedForceAdds(new Set(forceAdds));
    this.ensureOverridesUsed();
    this.ensureDeletionsUsed();
    return { defaults, tree: root, choices: Object.fromEntries(this.knownChoices), missingGroups: this.missingGroups, configOverrides: this.configOverrides };
  }

  private load(configPath: string): LoadedConfig | null {
    return this.builtins.get(configPath) ?? this.repo.load(configPath);
  }

  private createTree(root: DefaultsTreeNode, isRootConfig: boolean, interpolatedSubtree: boolean): DefaultsTreeNode {
    const parent = root.node;
    if (isRootConfig) {
      parent.updateParent('', '');
      if (this.load(parent.configPath()) === null) this.configNotFound(root);
    }
    if (!parent.isMissing()) parent.setPackageHeader(this.load(parent.configPath())?.packageHeader ?? null);

    if (this.isDeleted(parent)) {
      parent.deleted = true;
      this.deletions.get(parent.overrideKey())!.used = true;
      return root;
    }
    this.setKnownChoice(parent);
    if (parent.name() === null) return root;
    if (this.checkNotMissing(parent)) return root;

    const configPath = parent.configPath();
    const loaded = this.load(configPath);
    if (loaded === null) {
      if ((parent instanceof GroupDefault || parent instanceof ConfigDefault) && parent.optional) {
        parent.deleted = true;
        return root;
      }
      this.configNotFound(root);
    }

    const defaults = parseDefaultsList(loaded.defaults, configPath, loaded.file);
    if (defaults.length > 0 || (isRootConfig && this.appendGroupDefaults.length > 0)) validateSelf(parent, defaults);
    if (isRootConfig) defaults.push(...this.appendGroupDefaults);
    this.updateOverrides(defaults, parent, interpolatedSubtree);

    const children: (DefaultsTreeNode | InputDefault)[] = [];
    const addChild = (node: InputDefault) => {
      const subtree = this.createTree({ node, children: null, parent: root }, false, interpolatedSubtree);
      children.push(subtree.children === null ? node : subtree);
    };
    for (const d of [...defaults].reverse()) {
      if (d.isSelf()) {
        d.updateParent(parent.parentBaseDir ?? '', parent.ownPackage() ?? '');
        children.push(d);
        continue;
      }
      if (d instanceof GroupDefault && d.override) continue;
      d.updateParent(parent.groupPath(), parent.finalPackage());
      if (d instanceof GroupDefault && this.overrideChoices.has(d.overrideKey())) {
        const key = d.overrideKey();
        d.value = this.overrideChoices.get(key)!;
        this.overrideMeta.get(key)!.used = true;
      }
      if (d instanceof GroupDefault && Array.isArray(d.value)) {
        for (const item of [...d.value].reverse()) {
          if (item.includes('${')) throw new ConfigError(`In '${configPath}': Defaults List interpolation is not supported in options list items`);
          const node = new ConfigDefault(`${d.group}/${item}`, d.package, d.optional);
          node.updateParent(parent.groupPath(), parent.finalPackage());
          addChild(node);
        }
      } else if (isInterpolation(d)) {
        children.push(d);
      } else {
        addChild(d);
      }
    }

    // Interpolated choices (`- model: ${dataset}_net`) see every choice made above.
    children.forEach((child, i) => {
      if (!(child instanceof InputDefault) || child.isSelf() || !isInterpolation(child)) return;
      if (child instanceof GroupDefault) child.value = this.resolveChoice(child.value as string, defaults);
      else if (child instanceof ConfigDefault) child.path = this.resolveChoice(child.configPath(), defaults);
      const subtree = this.createTree({ node: child, children: null, parent: root }, false, true);
      if (subtree.children !== null) children[i] = subtree;
    });

    if (children.length > 0) root.children = children.reverse();
    return root;
  }

  private updateOverrides(defaults: InputDefault[], parent: InputDefault, interpolatedSubtree: boolean): void {
    let lastOverride: GroupDefault | null = null;
    for (const d of defaults) {
      if (d.isSelf()) continue;
      d.updateParent(parent.groupPath(), parent.finalPackage());
      const isOverride = d instanceof GroupDefault && d.override;
      const isAppend = d instanceof GroupDefault && d.externalAppend;
      if (lastOverride !== null && !isOverride && !isAppend) {
        throw new ConfigError(
          `In ${parent.configPath()}: Override '${lastOverride.overrideKey()} : ${lastOverride.name()}' is defined before '${d.overrideKey()}: ${d.name()}'.\n` +
            'Overrides must be at the end of the defaults list',
        );
      }
      if (d instanceof GroupDefault && d.override) {
        lastOverride = d;
        if (interpolatedSubtree) {
          throw new ConfigError(
            `${parent.configPath()}: Default List Overrides are not allowed in the subtree of an interpolated config group (override ${d.overrideKey()}=${d.name()}).`,
          );
        }
        const key = d.overrideKey();
        if (!this.overrideChoices.has(key)) {
          this.overrideChoices.set(key, d.value);
          this.overrideMeta.set(key, { external: false, containingConfigPath: parent.configPath(), used: false, forceAdd: false });
        }
      }
    }
  }

  private isDeleted(d: InputDefault): boolean {
    if (!(d instanceof GroupDefault)) return false;
    const deletion = this.deletions.get(d.overrideKey());
    if (deletion === undefined) return false;
    return deletion.name === null || deletion.name === d.name();
  }

  private setKnownChoice(d: InputDefault): void {
    if (!(d instanceof GroupDefault)) return;
    const key = d.overrideKey();
    const name = d.name();
    if (!this.knownChoices.has(key)) this.knownChoices.set(key, name);
    else if (this.knownChoices.get(key) !== name) {
      throw new ConfigError(`Multiple values for ${key}. To override a value use 'override ${key}: ${String(this.knownChoices.get(key))}'`);
    }
    const group = d.groupPath();
    if (!this.knownChoicesPerGroup.has(group)) this.knownChoicesPerGroup.set(group, new Set());
    this.knownChoicesPerGroup.get(group)!.add(key);
  }

  /** True when a `???` group is left unset and missing groups are skipped (`--help`, multirun). */
  private checkNotMissing(d: InputDefault): boolean {
    if (!d.configPath().endsWith(MISSING)) return false;
    if (this.skipMissing) {
      if (d instanceof GroupDefault) this.missingGroups.push(d.overrideKey());
      return true;
    }
    if (!(d instanceof GroupDefault)) throw new ConfigError(`Missing ConfigDefault is not supported: ${d.configPath()}`);
    const key = d.overrideKey();
    const options = this.repo.options(d.groupPath());
    throw new ConfigError(`You must specify '${key}', e.g, ${key}=<OPTION>\nAvailable options:\n${options.map((o) => `\t${o}`).join('\n')}`);
  }

  private resolveChoice(value: string, defaults: InputDefault[]): string {
    if (/\$\{defaults\.\d\./.test(value)) {
      throw new ConfigError(
        `Defaults list element '${value}' is using a deprecated interpolation form (\${defaults.N.group}), which Hydra 1.3 no longer accepts: use \${group} instead.`,
      );
    }
    const known: ConfigDict = {};
    for (const [k, v] of this.knownChoices) known[k] = v as ConfigValue;
    known.defaults = defaults
      .filter((d) => !d.isSelf())
      .map((d) => (d instanceof GroupDefault ? { [d.overrideKey()]: d.value as ConfigValue } : d.configPath()));
    known._dummy_ = value;
    try {
      const resolved = new ConfigResolver(known, standardResolvers(new Date())).resolveKey('_dummy_');
      if (typeof resolved === 'string') return resolved;
    } catch {
      // reported below, with the keys an interpolation may use
    }
    const keys = [...this.knownChoices.keys()];
    throw new ConfigError(`Error resolving interpolation '${value}'${keys.length > 0 ? `, possible interpolation keys: ${keys.join(', ')}` : ''}`);
  }

  private configNotFound(tree: DefaultsTreeNode): never {
    const element = tree.node;
    const searchPath = `\nConfig search path:\n${this.repo.searchPath.map((s) => `\tprovider=${s.provider}, path=file://${s.dir}`).join('\n')}`;
    if (element.primary) {
      throw new ConfigError(
        `Cannot find primary config '${element.configPath()}'. Check that it's in your config search path.${didYouMean(element.configPath(), this.repo.options(''))}${searchPath}`,
      );
    }
    let message: string;
    if (element instanceof GroupDefault) {
      const group = element.groupPath();
      const options = this.repo.options(group);
      message = `Could not find '${element.configPath()}'${didYouMean(element.name() ?? '', options)}\n`;
      if (options.length > 0) message += `\nAvailable options in '${group}':\n${options.map((o) => `\t${o}`).join('\n')}`;
    } else {
      message = `Could not load '${element.configPath()}'.\n`;
    }
    const parent = tree.parent?.node;
    if (parent && !(parent instanceof VirtualRoot)) message = `In '${parent.configPath()}': ${message}`;
    throw new ConfigError(message + searchPath);
  }

  private ensureOverridesUsed(): void {
    for (const [key, meta] of this.overrideMeta) {
      if (meta.used) continue;
      const group = key.split('@')[0]!;
      const choices = [...(this.knownChoicesPerGroup.get(group) ?? [])].sort();
      let message =
        choices.length > 1
          ? `Could not override '${key}'.\nDid you mean to override one of ${choices.join(', ')}?`
          : choices.length === 1
            ? `Could not override '${key}'.\nDid you mean to override ${choices[0]}?`
            : `Could not override '${key}'. No match in the defaults list.`;
      if (meta.containingConfigPath !== null) message = `In '${meta.containingConfigPath}': ${message}`;
      if (meta.external) {
        const option = this.overrideChoices.get(key);
        message += `\nTo append to your default list use +${key}=${Array.isArray(option) ? `[${option.join(',')}]` : String(option)}`;
        if (choices.length === 0) message += didYouMean(key, [...this.knownChoices.keys()]);
      }
      message += unofferedHydraGroup(group);
      throw new ConfigError(message);
    }
  }

  private ensureDeletionsUsed(): void {
    for (const [key, deletion] of this.deletions) {
      if (!deletion.used) {
        const desc = deletion.name !== null ? `${key}=${deletion.name}` : key;
        throw new ConfigError(`Could not delete '${desc}'. No match in the defaults list${didYouMean(key, [...this.knownChoices.keys()])}`);
      }
    }
  }

  private treeToList(tree: DefaultsTreeNode): ResultDefault[] {
    const out: ResultDefault[] = [];
    const visit = (parentTree: DefaultsTreeNode | null, node: InputDefault) => {
      if (node.deleted || node.isMissing() || node instanceof VirtualRoot) return;
      if (node.isSelf()) {
        const owner = parentTree!.node;
        out.push(this.result(owner.configPath(), owner.finalPackage(), parentTree!.parent?.node.configPath() ?? null, true, owner));
        return;
      }
      if (node.name() === null) return;
      out.push(this.result(node.configPath(), node.finalPackage(), parentTree?.node.configPath() ?? null, false, node));
    };
    const walk = (t: DefaultsTreeNode) => {
      if (t.children === null || t.children.length === 0) {
        visit(t.parent, t.node);
        return;
      }
      for (const child of t.children) {
        if (child instanceof InputDefault) visit(t, child);
        else walk(child);
      }
    };
    walk(tree);
    return out;
  }

  private result(configPath: string, pkg: string, parent: string | null, isSelfEntry: boolean, node: InputDefault): ResultDefault {
    return {
      configPath,
      package: pkg,
      parent,
      isSelfEntry,
      primary: node.primary,
      overrideKey: !isSelfEntry && node instanceof GroupDefault ? node.overrideKey() : null,
      loaded: this.load(configPath)!,
    };
  }
}

function validateSelf(parent: InputDefault, defaults: InputDefault[]): void {
  let hasSelf = false;
  let hasNonOverride = false;
  for (const d of defaults) {
    if (!(d instanceof GroupDefault && d.override)) hasNonOverride = true;
    if (d.isSelf()) {
      if (hasSelf) throw new ConfigError(`Duplicate _self_ defined in ${parent.configPath()}`);
      hasSelf = true;
    }
  }
  if ((!hasSelf && hasNonOverride) || defaults.length === 0) defaults.push(new ConfigDefault('_self_'));
}

function ensureNoDuplicates(result: ResultDefault[]): void {
  const keys = new Set<string>();
  for (const item of result) {
    if (item.isSelfEntry || item.overrideKey === null) continue;
    if (keys.has(item.overrideKey)) throw new ConfigError(`${item.overrideKey} appears more than once in the final defaults list`);
    keys.add(item.overrideKey);
  }
}

function isInterpolation(d: InputDefault): boolean {
  if (d instanceof GroupDefault) return d.isInterpolation();
  return d instanceof ConfigDefault && !d.isSelf() && d.path.includes('${');
}

const KEYWORDS = ['override', 'optional'];

function parseDefaultsList(raw: ConfigValue[] | null, configPath: string, file: string): InputDefault[] {
  return (raw ?? []).map((item) => parseEntry(item, configPath, file));
}

function splitPackage(spec: string): [string, string | null] {
  const at = spec.indexOf('@');
  return at === -1 ? [spec, null] : [spec.slice(0, at), spec.slice(at + 1)];
}

function parseEntry(item: ConfigValue, configPath: string, file: string): InputDefault {
  if (typeof item === 'string') {
    const [path, pkg] = splitPackage(item);
    return new ConfigDefault(path, pkg);
  }
  if (isDict(item)) {
    const keys = Object.keys(item);
    if (keys.length > 1) throw new ConfigError(`In ${configPath}: Too many keys in default item ${JSON.stringify(item)} (${file})`);
    if (keys.length === 0) throw new ConfigError(`In ${configPath}: Missing group name in ${JSON.stringify(item)} (${file})`);
    const rawKey = keys[0]!;
    const [groupWithKeywords, pkg] = splitPackage(rawKey);
    const words = groupWithKeywords.split(' ');
    const group = words.pop()!;
    const keywords = words.filter((w) => w !== '');
    const unknown = keywords.find((w) => !KEYWORDS.includes(w));
    if (unknown !== undefined) {
      // Hydra silently ignores an unknown word here (and so treats `overide db: x` as `db: x`); mopo names it.
      throw new ConfigError(`In '${file}': unknown keyword '${unknown}' in defaults entry '${rawKey}'.${didYouMean(unknown, KEYWORDS)} Allowed keywords: override, optional.`);
    }
    const value = item[rawKey]!;
    let option: Option;
    if (value === null || typeof value === 'string') option = value;
    else if (Array.isArray(value)) {
      if (!value.every((v) => typeof v === 'string')) throw new ConfigError(`In ${configPath}: Unsupported item value in defaults: nested list items must be strings (${file})`);
      option = value as string[];
    } else {
      throw new ConfigError(`In ${configPath}: Unsupported item value in defaults: ${Array.isArray(value) ? 'list' : typeof value} in '${rawKey}'. Supported: string or list (${file})`);
    }
    return new GroupDefault(group, option, pkg, keywords.includes('optional'), keywords.includes('override'));
  }
  throw new ConfigError(`In ${configPath}: Unsupported type in defaults: ${JSON.stringify(item)} (${file}). Use '- group: option', '- override group: option', '- config_name' or '- _self_'.`);
}

/** `--info defaults-tree`: the tree as Hydra prints it. */
export function renderDefaultsTree(tree: DefaultsTreeNode | InputDefault, indent = 0): string[] {
  const text = (node: InputDefault): string => {
    if (node instanceof GroupDefault) return `${node.overrideKey()}: ${Array.isArray(node.value) ? `[${node.value.join(', ')}]` : (node.name() ?? 'null')}`;
    return node.isSelf() ? '_self_' : node.configPath();
  };
  const pad = '  '.repeat(indent);
  if (tree instanceof InputDefault) return [pad + text(tree)];
  if (tree.children === null || tree.children.length === 0) return [pad + text(tree.node)];
  return [`${pad}${text(tree.node)}:`, ...tree.children.flatMap((child) => renderDefaultsTree(child, indent + 1))];
}


