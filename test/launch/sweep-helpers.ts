import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MetricsLog, type MetricRow } from '../../src/train/metrics.js';
import { comparable } from '../helpers/train-job.js';

const root = path.resolve(import.meta.dirname, '../..');
const mopoBin = path.join(root, 'bin/mopo.js');

/**
 * A MOPO job of 6 epochs × 25 steps, seconds long: long enough to be stopped between
 * epochs, short enough that a 4-job sweep stays a test.
 */
export const SWEEP_JOB = [
  'exp=quickstart',
  'algo.total_steps=150',
  'algo.num_epochs=6',
  'algo.rollout_freq=25',
  'algo.rollout_batch_size=100',
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
  'env.max_episode_steps=30',
  'checkpoint.every=1',
  'metric.progress=lines',
];

export const SEEDS = ['seed=0,1,2,3'];

export interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `mopo <args>` run to its end in `cwd`. */
export function mopo(args: string[], cwd: string, timeoutMs = 240_000): Finished {
  const result = spawnSync(process.execPath, [mopoBin, ...args], { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, MOPO_FULL_ERROR: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `mopo <args>` started in `cwd`; `ended` resolves with what it printed and its exit code. */
export function startMopo(args: string[], cwd: string): { pid: number; kill(signal: NodeJS.Signals): void; ended: Promise<Finished> } {
  const child = spawn(process.execPath, [mopoBin, ...args], { cwd, env: { ...process.env, MOPO_FULL_ERROR: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const ended = new Promise<Finished>((resolve) => child.on('exit', (status) => resolve({ status, stdout, stderr })));
  return { pid: child.pid!, kill: (signal) => child.kill(signal), ended };
}

/** Waits (polling every 50 ms) until `ready()` holds; fails after `timeoutMs`. */
export async function waitUntil(what: string, ready: () => boolean, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The epoch rows a job of a sweep has written so far (none before its first epoch ends). */
export function epochRows(jobDir: string): MetricRow[] {
  const file = path.join(jobDir, 'metrics.jsonl');
  return existsSync(file) ? MetricsLog.parseJsonl(readFileSync(file, 'utf8')) : [];
}

/** A job's metrics and dynamics rows without the clock columns, for comparing runs. */
export function jobMetrics(jobDir: string): { metrics: MetricRow[]; dynamics: MetricRow[] } {
  const read = (stream: string) => comparable(MetricsLog.parseJsonl(readFileSync(path.join(jobDir, `${stream}.jsonl`), 'utf8')));
  return { metrics: read('metrics'), dynamics: read('dynamics') };
}
