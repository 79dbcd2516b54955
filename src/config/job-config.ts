/**
 * One job's configuration from start to finish: composed from the search path and
 * overrides, then resolved once the run directory is known (so
 * `${hydra:runtime.output_dir}` names the directory the run really got).
 */
import path from 'node:path';
import { builtinConfigDir } from '../paths.js';
import { ConfigView } from './access.js';
import { composeConfig, type ComposedConfig } from './compose.js';
import type { RunMode } from './hydra-node.js';
import { ConfigResolver } from './interpolation.js';
import { ConfigRepository, type ConfigSource } from './repository.js';
import { standardResolvers } from './resolvers.js';
import { deepClone, type ConfigDict, type ConfigValue } from './value.js';

export interface SearchPathOptions {
  /** `--config-path`: replaces the built-in configs directory. */
  configPath?: string;
  /** `--config-dir`: an extra directory searched after the main one. */
  configDir?: string;
}

export function createRepository(options: SearchPathOptions = {}): ConfigRepository {
  const sources: ConfigSource[] = [{ provider: 'main', dir: path.resolve(options.configPath ?? builtinConfigDir()) }];
  if (options.configDir) sources.push({ provider: 'command-line', dir: path.resolve(options.configDir) });
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

  private newResolver(): ConfigResolver {
    return new ConfigResolver(this.composed.config, standardResolvers(this.startTime));
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

  /** The job config (without the hydra node), as composed or with interpolations resolved. */
  jobConfig(resolve: boolean): ConfigDict {
    const whole = resolve ? this.resolver.resolveAll() : deepClone(this.composed.config);
    delete whole.hydra;
    return whole;
  }

  hydraNode(resolve: boolean): ConfigDict {
    return (resolve ? this.resolver.resolveKey('hydra') : deepClone(this.composed.config.hydra!)) as ConfigDict;
  }

  /** Typed access to the resolved job config. */
  view(): ConfigView {
    return new ConfigView(this.jobConfig(true));
  }
}
