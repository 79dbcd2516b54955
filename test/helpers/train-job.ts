import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigView } from '../../src/config/access.js';
import { JobConfig, createRepository } from '../../src/config/job-config.js';
import { MetricsLog, type MetricRow } from '../../src/train/metrics.js';

/** A MOPO configuration small enough to train in seconds on the shipped HalfCheetah data. */
export const TINY_MOPO = [
  'exp=quickstart',
  'algo.total_steps=300',
  'algo.num_epochs=3',
  'algo.rollout_freq=50',
  'algo.rollout_batch_size=200',
  'algo.h=2',
  'algo.actor.hidden_size=32',
  'algo.critic.hidden_size=32',
  'algo.ensembles.num_ensembles=3',
  'algo.ensembles.num_elites=2',
  'algo.ensembles.hidden_size=16',
  'algo.ensembles.num_layers=2',
  'algo.ensembles.optimizer.weight_decays=[2.5e-5,5e-5,1e-4]',
  'algo.ensembles.max_epochs=2',
  'eval.every=3',
  'eval.episodes=1',
  'env.max_episode_steps=50',
  'checkpoint.every=1',
  'metric.progress=lines',
];

/** Online SAC small enough for seconds: 600 env steps, episodes of 70, an evaluation every 200. */
export const TINY_ONLINE = [
  'exp=hopper-online',
  'algo.total_steps=600',
  'algo.start_steps=100',
  'algo.update_every=25',
  'algo.num_updates=5',
  'algo.test_every=200',
  'algo.per_rank_batch_size=32',
  'algo.actor.hidden_size=32',
  'algo.critic.hidden_size=32',
  'env.max_episode_steps=70',
  'eval.episodes=1',
  'checkpoint.every=1',
  'metric.progress=lines',
];

const made: string[] = [];

/** The resolved config of a job with these overrides, and a fresh run directory for it. */
export function trainJob(overrides: string[]): { config: ConfigView; runDir: string } {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'mopo-train-'));
  made.push(runDir);
  const job = JobConfig.compose(createRepository(), { overrides });
  job.setOutputDir(runDir);
  return { config: job.view(), runDir };
}

export function removeRunDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The rows of a metrics stream of a run: `metrics` (a row per epoch) or `dynamics`. */
export function readMetrics(runDir: string, stream = 'metrics'): MetricRow[] {
  return MetricsLog.parseJsonl(readFileSync(path.join(runDir, `${stream}.jsonl`), 'utf8'));
}

/** Metrics rows without the clock figures (time_s, wall_time, perf/*), which differ between any two runs. */
export function comparable(rows: MetricRow[]): MetricRow[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !isClockColumn(key))) as MetricRow);
}

export function isClockColumn(key: string): boolean {
  return key === 'time_s' || key === 'wall_time' || key.startsWith('perf/');
}
