/**
 * `mopo [flags] [overrides]`: compose the config, then print it (--cfg, --info,
 * --help), list a sweep's jobs (--jobs-json), or run one job or a sweep (-m).
 */
import { JobConfig, createRepository } from '../config/job-config.js';
import type { ConfigRepository } from '../config/repository.js';
import { claimDirectory, claimSweepDir, toYaml, writeFileAtomic } from '../config/run-dir.js';
import { expandSweep } from '../config/sweep.js';
import { getPath, type ConfigDict } from '../config/value.js';
import { ConfigError } from '../errors.js';
import { packageVersion } from '../paths.js';
import { parseFlags, type CliFlags } from './flags.js';
import { renderHelp } from './help.js';
import { renderInfo } from './info.js';
import { launchJob, renderSummary, runJobs } from './launch.js';
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
    const repo = createRepository({ configPath: flags.configPath ?? undefined, configDir: flags.configDir ?? undefined });
    if (flags.help) {
      console.log(renderHelp(repo, flags.configName, flags.overrides));
      return 0;
    }
    if (flags.multirun || flags.jobsJson) return await multirun(repo, flags, startTime);

    const job = JobConfig.compose(repo, { configName: flags.configName, overrides: flags.overrides, startTime });
    if (flags.info) {
      console.log(renderInfo(flags.info, repo, job));
      return 0;
    }
    if (flags.cfg) {
      console.log(renderConfig(job, flags));
      checkValues(flags, job);
      return 0;
    }
    checkValues(flags, job);
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
function checkValues(flags: CliFlags, job: JobConfig): void {
  if (flags.info || flags.cfg === 'hydra') return;
  const view = job.view();
  if (flags.cfg && !view.has('algo')) return;
  checkTrainJob(view);
}

function renderConfig(job: JobConfig, flags: CliFlags): string {
  let config: ConfigDict;
  if (flags.cfg === 'job') config = job.jobConfig(flags.resolve);
  else if (flags.cfg === 'hydra') config = { hydra: job.hydraNode(flags.resolve) };
  else config = { ...job.jobConfig(flags.resolve), hydra: job.hydraNode(flags.resolve) };
  if (flags.package === null) return toYaml(config).trimEnd();
  const selected = getPath(config, flags.package);
  if (selected === undefined) throw new ConfigError(`--package: '${flags.package}' is not in the ${flags.cfg} config.`);
  return `# @package ${flags.package}\n${toYaml(selected).trimEnd()}`;
}

async function multirun(repo: ConfigRepository, flags: CliFlags, startTime: Date): Promise<number> {
  const sweep = expandSweep(repo, flags.overrides);
  if (flags.jobsJson) {
    console.log(JSON.stringify(sweep.map((j) => ({ num: j.num, overrides: j.overrides }))));
    return 0;
  }

  // Compose every job before launching any: a typo in one job should not surface
  // hours into the sweep.
  const composed: { num: number; overrides: string[]; config: JobConfig }[] = [];
  const configErrors: string[] = [];
  for (const j of sweep) {
    try {
      const config = JobConfig.compose(repo, { configName: flags.configName, overrides: j.overrides, mode: 'MULTIRUN', jobNum: j.num, startTime });
      checkValues(flags, config);
      composed.push({ ...j, config });
    } catch (error) {
      configErrors.push(`#${j.num} (${j.overrides.join(' ')}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (configErrors.length > 0) {
    throw new ConfigError(`${configErrors.length} of ${sweep.length} jobs have config errors; no job was launched.\n${configErrors.join('\n')}`);
  }
  if (flags.cfg || flags.info) {
    for (const j of composed) console.log(`# job #${j.num}: ${j.overrides.join(' ')}\n${flags.info ? renderInfo(flags.info, repo, j.config) : renderConfig(j.config, flags)}\n`);
    return 0;
  }

  const sweepDir = claimDirectory(String(composed[0]!.config.hydra('sweep.dir')), claimSweepDir);
  for (const j of composed) (((j.config.composed.config.hydra as ConfigDict).sweep as ConfigDict).dir = sweepDir);
  writeFileAtomic(path.join(sweepDir, 'multirun.yaml'), toYaml({ hydra: composed[0]!.config.hydraNode(false), ...composed[0]!.config.jobConfig(false) }));

  const log = (line: string) => console.log(line);
  log(`[${timestamp()}][HYDRA] Launching ${composed.length} jobs locally (sweep dir: ${sweepDir})`);
  const outcomes = await runJobs(composed, await loadTrainTask(), { failFast: flags.failFast, log });
  log(renderSummary(outcomes, sweepDir));
  if (outcomes.some((o) => o.status === 'interrupted')) return 130;
  return outcomes.every((o) => o.status === 'ok') ? 0 : 1;
}

function timestamp(): string {
  return new Date().toISOString().replace('T', ' ').replace('Z', '');
}
