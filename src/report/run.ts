/**
 * One run directory as the report sees it: the job's overrides and identity (task,
 * learner, seed), its metric rows, and its summary when training finished. Only files
 * are read; nothing here knows how they were produced.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { readMetricRows, type MetricRecord } from './metric-rows.js';
import { RunDirError } from './run-dir-error.js';

/** A score under one protocol: the evaluation return and its D4RL normalised score. */
export interface Score {
  returnMean: number | null;
  normalizedScore: number | null;
}

/** The protocols a run's final score can follow (`summary.json`'s `scores`). */
export interface RunScores {
  last: Score;
  meanLast10: Score;
}

export interface Run {
  dir: string;
  /** The job number inside a sweep, else the directory's name. */
  name: string;
  overrides: string[];
  envId: string | null;
  algo: string | null;
  seed: number | null;
  metrics: MetricRecord[];
  dynamics: MetricRecord[];
  /** Training ended and wrote `summary.json`. */
  finished: boolean;
  /** `summary.json`'s scores; null before the run finishes, or when it never evaluated. */
  summaryScores: RunScores | null;
  /** Environment steps trained so far. */
  steps: number | null;
}

export const METRICS_FILE = 'metrics.jsonl';
const DYNAMICS_FILE = 'dynamics.jsonl';
const SUMMARY_FILE = 'summary.json';

/** A run directory holds the Hydra record of its job or the metrics it wrote. */
export function looksLikeRunDir(dir: string): boolean {
  return existsSync(path.join(dir, METRICS_FILE)) || isDirectory(path.join(dir, '.hydra'));
}

export function loadRun(dir: string, name: string): Run {
  const metricsFile = path.join(dir, METRICS_FILE);
  if (!existsSync(metricsFile)) throw new RunDirError(`${dir}: no ${METRICS_FILE}; the run has not finished its first epoch, or this is not a mopo run directory.`);
  const metrics = readMetricRows(metricsFile);
  if (metrics.length === 0) throw new RunDirError(`${metricsFile} holds no rows yet; the run has not finished its first epoch.`);
  const dynamicsFile = path.join(dir, DYNAMICS_FILE);
  const dynamics = existsSync(dynamicsFile) ? readMetricRows(dynamicsFile) : [];

  const overrides = readOverrides(dir);
  const config = readConfig(dir);
  const summary = readSummary(dir);
  const env = dictAt(config, 'env');
  const algo = dictAt(config, 'algo');
  const lastStep = [...metrics].reverse().find((row) => row.step !== null && row.step !== undefined)?.step ?? null;
  return {
    dir,
    name,
    overrides,
    // The config's env.id names the dataset (hopper-medium-v2); the summary's, the simulator.
    envId: stringOrNull(env?.id) ?? stringOrNull(summary?.env_id),
    algo: stringOrNull(summary?.algo) ?? stringOrNull(algo?.name),
    seed: numberOrNull(summary?.seed) ?? numberOrNull(config?.seed),
    metrics,
    dynamics,
    finished: summary !== null,
    summaryScores: summary === null ? null : readSummaryScores(summary, path.join(dir, SUMMARY_FILE)),
    steps: numberOrNull(summary?.steps) ?? lastStep,
  };
}

function readOverrides(dir: string): string[] {
  const file = path.join(dir, '.hydra', 'overrides.yaml');
  if (!existsSync(file)) return [];
  const parsed = loadYaml(file);
  if (parsed === null || parsed === undefined) return [];
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new RunDirError(`${file} is not a list of overrides.`);
  return parsed;
}

/** The resolved config (interpolations filled in) if the run wrote one, else Hydra's composed one. */
function readConfig(dir: string): Record<string, unknown> | null {
  for (const file of [path.join(dir, 'resolved_config.yaml'), path.join(dir, '.hydra', 'config.yaml')]) {
    if (!existsSync(file)) continue;
    const parsed = loadYaml(file);
    if (isDict(parsed)) return parsed;
    throw new RunDirError(`${file} does not hold a config.`);
  }
  return null;
}

function readSummary(dir: string): Record<string, unknown> | null {
  const file = path.join(dir, SUMMARY_FILE);
  if (!existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RunDirError(`${file} is not valid JSON (${(error as Error).message}).`);
  }
  if (!isDict(parsed)) throw new RunDirError(`${file} does not hold a summary object.`);
  return parsed;
}

function readSummaryScores(summary: Record<string, unknown>, file: string): RunScores | null {
  if (summary.scores === null) return null;
  const scores = dictAt(summary, 'scores');
  if (scores === null) throw new RunDirError(`${file} has no 'scores'.`);
  const score = (key: string): Score => {
    const entry = dictAt(scores, key);
    if (entry === null) throw new RunDirError(`${file} has no 'scores.${key}'.`);
    return { returnMean: numberOrNull(entry.return_mean), normalizedScore: numberOrNull(entry.normalized_score) };
  };
  return { last: score('last'), meanLast10: score('mean_last_10') };
}

function loadYaml(file: string): unknown {
  try {
    return yaml.load(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RunDirError(`${file} is not valid YAML (${(error as Error).message.split('\n')[0]}).`);
  }
}

function isDirectory(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dictAt(parent: Record<string, unknown> | null | undefined, key: string): Record<string, unknown> | null {
  const value = parent?.[key];
  return isDict(value) ? value : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
