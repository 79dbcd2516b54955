/**
 * One job's configuration from start to finish: composed from the search path and
 * overrides, then resolved once the run directory is known (so
 * `${hydra:runtime.output_dir}` names the directory the run really got).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { builtinConfigDir } from '../paths.js';
import { ConfigView } from './access.js';
import { composeConfig, type ComposedConfig } from './compose.js';
import type { RunMode } from './hydra-node.js';
import { ConfigResolver } from './interpolation.js';
import { ConfigRepository, type ConfigSource } from './repository.js';
import { standardResolvers } from './resolvers.js';
import { deepClone, isDict, type ConfigDict, type ConfigValue } from './value.js';

export interface SearchPathOptions {
  /** `--config-path`: replaces the built-in configs directory. */
  configPath?: string;
  /** `--config-dir`: an extra directory searched after the main one. */
  configDir?: string;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The search path as Hydra orders it: Hydra's own groups (configs/hydra, always
 * there), the main config directory, then `--config-dir`. `hydra.searchpath` entries
 * are added when a config is composed.
 */
export function createRepository(options: SearchPathOptions = {}): ConfigRepository {
  const main = path.resolve(options.configPath ?? builtinConfigDir());
  if (!isDirectory(main)) {
    throw new ConfigError(`Primary config directory not found.\nCheck that the config directory '${main}' exists and readable`);
  }
  const sources: ConfigSource[] = [
    { provider: 'hydra', dir: builtinConfigDir(), scope: 'hydra' },
    { provider: 'main', dir: main },
  ];
  if (options.configDir !== undefined) {
    const dir = path.resolve(options.configDir);
    if (!isDirectory(dir)) throw new ConfigError(`Additional config directory '${dir}' not found`);
    sources.push({ provider: 'command-line', dir });
  }
  return new ConfigRepository(sources);
}

export interface JobConfigOptions {
  configName?: string;
  overrides?: string[];
  mode?: RunMode;
  jobNum?: number;
  skipMissing?: boolean;
  /** The instant `${now:…}` formats; one per process so every job of a sweep agrees. */
  startTime?: Date;
}

/** The launcher `hydra/launcher=<option>` selected, and its settings (`hydra.launcher.*`). */
export interface LauncherChoice {
  /** The option name, e.g. `basic` (null when the group was removed with `~hydra/launcher`). */
  name: string | null;
  /** `hydra.launcher._target_` (Hydra's class path; mopo's launchers key on `name`). */
  target: string | null;
  /** Every other key under `hydra.launcher`, resolved. */
  options: ConfigDict;
}

// Text Hydra records as typed: never interpolated (an override `+x=${.seed}` stays that text).
const LITERAL_KEYS = new Set(['hydra.overrides', 'hydra.job.override_dirname']);

export class JobConfig {
  private resolver: ConfigResolver;

  private constructor(
    readonly composed: ComposedConfig,
    private readonly startTime: Date,
  ) {
    this.resolver = this.newResolver();
  }

  static compose(repo: ConfigRepository, options: JobConfigOptions = {}): JobConfig {
    const composed = composeConfig(repo, {
      configName: options.configName ?? 'config',
      overrides: options.overrides ?? [],
      mode: options.mode ?? 'RUN',
      jobNum: options.jobNum ?? 0,
      skipMissing: options.skipMissing ?? false,
    });
    return new JobConfig(composed, options.startTime ?? new Date());
  }

  /** The search path this job was composed from (with `hydra.searchpath` entries). */
  get repository(): ConfigRepository {
    return this.composed.repository;
  }

  private newResolver(missingAsMissing = false): ConfigResolver {
    return new ConfigResolver(this.composed.config, standardResolvers(this.startTime), { literalKeys: (key) => LITERAL_KEYS.has(key), missingAsMissing });
  }

  /** The hydra node's value at `key` (e.g. `run.dir`), resolved. */
  hydra(key: string): ConfigValue | undefined {
    return this.resolver.resolveKey(`hydra.${key}`);
  }

  /** The directory this job asks for, before it is claimed. */
  requestedOutputDir(): string {
    const mode = this.hydra('mode');
    if (mode === 'MULTIRUN') return path.join(String(this.hydra('sweep.dir')), String(this.hydra('sweep.subdir')));
    return String(this.hydra('run.dir'));
  }

  setOutputDir(dir: string): void {
    const runtime = (this.composed.config.hydra as ConfigDict).runtime as ConfigDict;
    runtime.output_dir = dir;
    this.resolver = this.newResolver();
  }

  /**
   * The job config (without the hydra node), as composed or with interpolations
   * resolved. `display` resolves as `--cfg job --resolve` shows it: a value that
   * depends on a `???` shows `???` (a run instead fails, naming both keys).
   */
  jobConfig(resolve: boolean | 'display'): ConfigDict {
    const whole = this.resolveWhole(resolve);
    delete whole.hydra;
    return whole;
  }

  hydraNode(resolve: boolean | 'display'): ConfigDict {
    if (resolve === false) return deepClone(this.composed.config.hydra!) as ConfigDict;
    return (resolve === 'display' ? this.newResolver(true) : this.resolver).resolveKey('hydra') as ConfigDict;
  }

  private resolveWhole(resolve: boolean | 'display'): ConfigDict {
    if (resolve === false) return deepClone(this.composed.config);
    return (resolve === 'display' ? this.newResolver(true) : this.resolver).resolveAll();
  }

  /**
   * The launcher chosen by `hydra/launcher` and its settings. A launcher keys on
   * `name` (the file under configs/hydra/launcher/) and reads its settings from
   * `options`, e.g. `launcher().options.n_jobs` for `hydra.launcher.n_jobs`.
   */
  launcher(): LauncherChoice {
    const name = this.composed.choices['hydra/launcher'];
    const node = this.hydra('launcher');
    const options: ConfigDict = isDict(node) ? { ...node } : {};
    const target = typeof options._target_ === 'string' ? options._target_ : null;
    delete options._target_;
    return { name: typeof name === 'string' ? name : null, target, options };
  }

  /** `hydra.sweeper.params`: sweeps declared in the config, as `key: sweep` pairs. */
  sweeperParams(): Record<string, string> {
    const params = this.hydra('sweeper.params');
    if (params === null || params === undefined) return {};
    if (!isDict(params)) throw new ConfigError(`hydra.sweeper.params must be a mapping of key: sweep (e.g. seed: 0,1,2), got ${JSON.stringify(params)}`);
    return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, sweepText(k, v)]));
  }

  /** Typed access to the resolved job config. */
  view(): ConfigView {
    return new ConfigView(this.jobConfig(true));
  }
}

/** A params value as the override text Hydra builds from it (`f"{k}={v}"`, v a string). */
function sweepText(key: string, value: ConfigValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ConfigError(`hydra.sweeper.params.${key} must be a sweep written as text (e.g. 1,2,3 or range(0,3)), got ${JSON.stringify(value)}`);
}
