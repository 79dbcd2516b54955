/**
 * `mopo [flags] [overrides]`: compose the config, then print it (--cfg, --info,
 * --help), list a sweep's jobs (--jobs-json), or run one job or a sweep (-m).
 */
import { searchPathFor } from '../config/compose.js';
import { JobConfig, createRepository } from '../config/job-config.js';
import type { ConfigRepository } from '../config/repository.js';
import { toYaml } from '../config/run-dir.js';
import { expandSweep } from '../config/sweep.js';
import { pythonStr } from '../config/python-text.js';
import { allKeys, getPath, isDict, type ConfigDict } from '../config/value.js';
import { didYouMean } from '../util/suggest.js';
import { ConfigError } from '../errors.js';
import { packageVersion } from '../paths.js';
import { parseFlags, type CliFlags } from './flags.js';
import { shellCompletion } from './completion.js';
import { renderHelp, renderHydraHelp } from './help.js';
import { renderInfo, renderPlugins, renderSearchPath } from './info.js';
import { chooseLauncher } from '../launch/launcher-table.js';
import { openSweep, type ComposedJob } from '../launch/sweep-dir.js';
import { launchJob, renderSummary } from './launch.js';
import { reportError } from './report-error.js';
import { checkTrainJob, loadTrainTask } from './task.js';
import path from 'node:path';

export async function main(argv: string[]): Promise<number> {
  const startTime = new Date();
  try {
    const flags = parseFlags(argv);
    if (flags.version) {
      console.log(`mopo ${packageVersion()}`);
      return 0;
    }
    if (flags.shellCompletion) {
      console.log(shellCompletion('mopo', flags.overrides));
      return 0;
    }
    const repo = createRepository({ configPath: flags.configPath ?? undefined, configDir: flags.configDir ?? undefined });
    if (flags.help || flags.hydraHelp) {
      console.log(flags.help ? renderHelp(repo, flags.configName, flags.overrides) : renderHydraHelp(repo));
      return 0;
    }
    // The search path and the plugins need no composed config (no experiment chosen yet).
    if (flags.info === 'searchpath' || flags.info === 'plugins') {
      const searched = searchPathFor(repo, flags.configName, flags.overrides);
      console.log(flags.info === 'searchpath' ? renderSearchPath(searched) : renderPlugins(searched));
      return 0;
    }
    if (flags.noWait && !flags.multirun) throw new ConfigError('--no-wait is for sweeps on a cluster: mopo -m … hydra/launcher=slurm --no-wait.');
    if (flags.multirun || flags.jobsJson) return await multirun(repo, flags, startTime);

    const job = JobConfig.compose(repo, { configName: flags.configName, overrides: flags.overrides, startTime });
    if (flags.info) {
      console.log(renderInfo(flags.info, job));
      return 0;
    }
    if (flags.cfg) {
      console.log(renderConfig(job, flags));
      await checkValues(flags, job);
      return 0;
    }
    await checkValues(flags, job);
    await launchJob(job, await loadTrainTask(), (line) => console.log(line));
    return 0;
  } catch (error) {
    return reportError('mopo', error);
  }
}

/**
 * A training job's values, checked before anything is created. Printing does not need
 * them: skipped for --info, --cfg hydra, and a printed config tree that has no `algo`.
 */
async function checkValues(flags: CliFlags, job: JobConfig): Promise<void> {
  if (flags.info || flags.cfg === 'hydra') return;
  // Decided on the config as composed: resolving a tree that is not a training job could fail first.
  if (flags.cfg && !('algo' in job.jobConfig(false))) return;
  await checkTrainJob(job.view());
}

/** `--cfg job|hydra|all [--resolve] [--package PKG]`, printed as Hydra prints it. */
function renderConfig(job: JobConfig, flags: CliFlags): string {
  const resolve = flags.resolve ? 'display' : false;
  const pick = (whole: ConfigDict) => (flags.cfg === 'job' ? whole : flags.cfg === 'hydra' ? { hydra: whole.hydra! } : whole);
  const withHydra = (resolved: boolean | 'display') => ({ ...job.jobConfig(resolved), hydra: job.hydraNode(resolved) });
  const config = pick(flags.cfg === 'job' ? job.jobConfig(resolve) : withHydra(resolve));
  const pkg = flags.package === '_global_' ? null : flags.package;
  if (pkg === null) return toYaml(config).trimEnd();
  const selected = getPath(config, pkg);
  if (selected === undefined) throw new ConfigError(`package '${pkg}' not found in config.${didYouMean(pkg, allKeys(config))}`);
  if (!isDict(selected) && !Array.isArray(selected)) {
    // A single value prints as itself, resolved (Hydra selects it with OmegaConf.select).
    const value = getPath(pick(flags.cfg === 'job' ? job.jobConfig('display') : withHydra('display')), pkg);
    return pythonStr(value ?? null);
  }
  return `# @package ${pkg}\n${toYaml(selected).trimEnd()}`;
}

async function multirun(repo: ConfigRepository, flags: CliFlags, startTime: Date): Promise<number> {
  const sweep = expandSweep(repo, flags.overrides, { configName: flags.configName, startTime });
  if (flags.jobsJson) {
    console.log(JSON.stringify(sweep.map((j) => ({ num: j.num, overrides: j.overrides }))));
    return 0;
  }

  // Compose every job before launching any: a typo in one job should not surface
  // hours into the sweep.
  const composed: ComposedJob[] = [];
  const configErrors: string[] = [];
  for (const j of sweep) {
    try {
      const config = JobConfig.compose(repo, { configName: flags.configName, overrides: j.overrides, mode: 'MULTIRUN', jobNum: j.num, startTime });
      await checkValues(flags, config);
      composed.push({ ...j, config });
    } catch (error) {
      configErrors.push(`#${j.num} (${j.overrides.join(' ')}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (configErrors.length > 0) {
    throw new ConfigError(`${configErrors.length} of ${sweep.length} jobs have config errors; no job was launched.\n${configErrors.join('\n')}`);
  }
  if (flags.cfg || flags.info) {
    for (const j of composed) console.log(`# job #${j.num}: ${j.overrides.join(' ')}\n${flags.info ? renderInfo(flags.info, j.config) : renderConfig(j.config, flags)}\n`);
    return 0;
  }

  // The launcher's settings are checked before any directory is made.
  const choice = composed[0]!.config.launcher();
  if (flags.noWait) {
    if (choice.name !== 'slurm') throw new ConfigError(`--no-wait is for hydra/launcher=slurm (jobs on a cluster); hydra/launcher=${choice.name} runs them here, so there is nothing to leave running.`);
    choice.options.wait = false;
  }
  const launcher = chooseLauncher(choice);
  const search = { configName: flags.configName, configPath: absolute(flags.configPath), configDir: absolute(flags.configDir), startTime };
  const { sweepDir, continued, jobs } = openSweep(composed, search);
  const log = (line: string) => console.log(line);
  const rerun = rerunCommand(flags, sweepDir);
  log(`[${timestamp()}][HYDRA] Launching ${composed.length} jobs ${launcher.where} (sweep dir: ${sweepDir})`);
  if (continued) {
    const finished = jobs.filter((j) => j.earlier?.status === 'ok').length;
    log(`Continuing the sweep in ${sweepDir}: ${finished} of ${jobs.length} jobs finished earlier and are not run again; the others continue from their latest checkpoints.`);
  } else {
    log(`If the sweep stops, this continues it: ${rerun}`);
  }
  const outcomes = await launcher.launch(jobs, { sweepDir, search, failFast: flags.failFast, rerun, log, loadTask: loadTrainTask });
  log(renderSummary(outcomes, sweepDir));
  if (outcomes.some((o) => o.status === 'interrupted')) return 130;
  return outcomes.every((o) => o.status === 'ok' || o.status === 'finished earlier' || o.status === 'submitted') ? 0 : 1;
}

/** `mopo -m <the same overrides> hydra.sweep.dir=<this sweep's directory>`, ready to paste into a shell. */
function rerunCommand(flags: CliFlags, sweepDir: string): string {
  const configFlags = [
    ...(flags.configName !== 'config' ? ['-cn', flags.configName] : []),
    ...(flags.configPath !== null ? ['-cp', path.resolve(flags.configPath)] : []),
    ...(flags.configDir !== null ? ['-cd', path.resolve(flags.configDir)] : []),
  ];
  const overrides = [...flags.overrides.filter((o) => !/^\+{0,2}hydra\.sweep\.dir=/.test(o)), `hydra.sweep.dir=${sweepDir}`];
  return ['mopo', '-m', ...configFlags, ...overrides].map(shellWord).join(' ');
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function absolute(dir: string | null): string | null {
  return dir === null ? null : path.resolve(dir);
}

function timestamp(): string {
  return new Date().toISOString().replace('T', ' ').replace('Z', '');
}
