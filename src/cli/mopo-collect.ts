/**
 * `mopo-collect [checkpoint_path=<dir> | policy=random] collect.out=<file> [key=value …]`:
 * runs a policy (stochastic by default, as D4RL did) in an environment and writes a
 * D4RL-layout HDF5 file (a discrete env's actions as integer indices), or
 * (`collect.replay=true`) writes an online run's replay buffer. The files load with
 * `env.dataset_path=<file>` for MOPO.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ConfigView } from '../config/access.js';
import { JobConfig, createRepository } from '../config/job-config.js';
import { ConfigError } from '../errors.js';
import { packageVersion } from '../paths.js';
import { runCommand } from './command.js';

const USAGE = `Usage: mopo-collect [checkpoint_path=<dir> | policy=random] collect.out=<file.hdf5> [overrides]

  mopo-collect policy=random env.id=Hopper collect.steps=100000 collect.out=hopper-random.hdf5
  mopo-collect policy=random env.id=CartPole-v1 collect.steps=10000 collect.out=cartpole-random.hdf5
  mopo-collect checkpoint_path=<run dir> collect.steps=1000000 collect.out=medium.hdf5
  mopo-collect checkpoint_path=<online run dir> collect.replay=true collect.out=medium-replay.hdf5

Keys (configs/collect.yaml): checkpoint_path, policy (checkpoint|random), env.id,
env.max_episode_steps, collect.{steps, out, overwrite, seed, deterministic, replay,
compression}, backend. An existing collect.out is kept unless collect.overwrite=true.
--cfg job prints the config.`;

export function main(argv: string[]): Promise<number> {
  return runCommand('mopo-collect', USAGE, argv, async (flags) => {
    const repo = createRepository({ configPath: flags.configPath ?? undefined, configDir: flags.configDir ?? undefined });
    const job = JobConfig.compose(repo, { configName: 'collect', overrides: flags.overrides });
    if (flags.cfg) {
      const { toYaml } = await import('../config/run-dir.js');
      console.log(toYaml(job.jobConfig(flags.resolve)).trimEnd());
      return;
    }
    // No log callback: progress on the terminal (a bar) or stdout (a line every tenth).
    const { summary } = await collectFromConfig(job.view(), ['mopo-collect', ...argv].join(' '));
    console.log(summary);
  });
}

/** The work of `mopo-collect` (and the library's `collect`): writes the file, returns where and a summary. */
export async function collectFromConfig(config: ConfigView, command: string, log?: (line: string) => void): Promise<{ out: string; summary: string }> {
  const policyKind = config.oneOf('policy', ['checkpoint', 'random'] as const);
  const out = path.resolve(config.string('collect.out'));
  const seed = config.int('collect.seed', { min: 0 });
  const compression = config.int('collect.compression', { min: 0, max: 9 });
  const replay = config.bool('collect.replay');
  const overwrite = config.bool('collect.overwrite');
  const checkpointPath = config.optional('checkpoint_path', (k) => config.string(k));
  if (policyKind === 'checkpoint' && checkpointPath === null) {
    throw new ConfigError('Give checkpoint_path=<checkpoint or run dir> (the policy to run), or policy=random.');
  }
  if (replay && checkpointPath === null) throw new ConfigError('collect.replay=true writes the replay buffer of a checkpoint: give checkpoint_path=<online run>.');
  if (existsSync(out) && !overwrite) {
    throw new ConfigError(`collect.out=${out} exists; mopo-collect does not overwrite it. Choose another collect.out, or set collect.overwrite=true to replace it.`);
  }

  const { readCheckpoint } = await import('../train/checkpoint.js');
  const checkpoint = checkpointPath === null ? null : readCheckpoint(checkpointPath);
  const metadata = { command, mopo_version: packageVersion(), ...(checkpoint ? { checkpoint: checkpoint.dir, checkpoint_step: checkpoint.manifest.step } : {}) };

  if (replay) {
    const { writeReplay } = await import('../train/replay-export.js');
    const summary = await writeReplay(checkpoint!, out, { compression, metadata });
    return { out, summary: `Wrote ${out}: the replay buffer of ${checkpoint!.dir}, ${summary.rows} rows, ${summary.episodes} finished episodes (return ${summary.returnText}).` };
  }

  const { runCollection } = await import('../train/collection.js');
  return { out, summary: await runCollection(config, checkpoint, { out, seed, compression, metadata, ...(log ? { log } : {}) }) };
}
