/**
 * What the user pointed at: one run directory, or a sweep directory (`multirun/<date>/<time>/`,
 * holding `multirun.yaml` and one run directory per job). Jobs of a sweep that have no
 * metrics yet (still starting, or failed early) are listed as skipped rather than
 * failing the whole report.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadRun, looksLikeRunDir, METRICS_FILE, type Run } from './run.js';
import { RunDirError } from './run-dir-error.js';

export interface LocatedRuns {
  kind: 'run' | 'sweep';
  dir: string;
  runs: Run[];
  skipped: { dir: string; reason: string }[];
}

export function locateRuns(target: string): LocatedRuns {
  const dir = path.resolve(target);
  if (!existsSync(dir)) throw new RunDirError(`${target} does not exist.`);
  if (!statSync(dir).isDirectory()) throw new RunDirError(`${target} is a file; give a run directory (with ${METRICS_FILE}) or a sweep directory (with multirun.yaml).`);
  if (looksLikeRunDir(dir)) return { kind: 'run', dir, runs: [loadRun(dir, path.basename(dir))], skipped: [] };

  const jobDirs = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && looksLikeRunDir(path.join(dir, entry.name)))
    .map((entry) => entry.name)
    .sort(byJobNumber);
  if (!existsSync(path.join(dir, 'multirun.yaml')) && jobDirs.length === 0) {
    throw new RunDirError(`${target} is neither a run directory (no ${METRICS_FILE}, no .hydra/) nor a sweep directory (no multirun.yaml, no job directories).`);
  }
  if (jobDirs.length === 0) throw new RunDirError(`${target}: the sweep has no job directories yet.`);

  const runs: Run[] = [];
  const skipped: LocatedRuns['skipped'] = [];
  for (const name of jobDirs) {
    try {
      runs.push(loadRun(path.join(dir, name), name));
    } catch (error) {
      if (!(error instanceof RunDirError)) throw error;
      skipped.push({ dir: path.join(dir, name), reason: error.message });
    }
  }
  if (runs.length === 0) throw new RunDirError(`${target}: no job of the sweep has metrics yet (${skipped.map((s) => s.reason).join(' ')})`);
  return { kind: 'sweep', dir, runs, skipped };
}

/** Hydra names jobs 0, 1, …, 10: numeric order, not text order. */
function byJobNumber(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return a.localeCompare(b);
}
