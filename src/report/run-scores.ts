/**
 * A run's final score under the reference protocols: the last evaluation, and the mean
 * of the last 10 evaluations (OfflineRL-Kit's). A finished run says so in `summary.json`;
 * for an unfinished one the same numbers are computed from its evaluation rows so far.
 */
import type { MetricRecord } from './metric-rows.js';
import type { Run, RunScores, Score } from './run.js';

export const LAST_EVALUATIONS = 10;

export interface RunResult {
  scores: RunScores | null;
  finished: boolean;
}

export function runResult(run: Run): RunResult {
  if (run.finished) return { scores: run.summaryScores, finished: true };
  return { scores: scoresFromMetrics(run.metrics), finished: false };
}

export function scoresFromMetrics(rows: MetricRecord[]): RunScores | null {
  const evaluations = rows.filter((row) => typeof row['eval/return_mean'] === 'number');
  if (evaluations.length === 0) return null;
  const score = (row: MetricRecord): Score => ({ returnMean: row['eval/return_mean'] ?? null, normalizedScore: row['eval/normalized_score'] ?? null });
  const tail = evaluations.slice(-LAST_EVALUATIONS).map(score);
  const meanOf = (values: (number | null)[]): number | null => (values.some((v) => v === null) ? null : values.reduce<number>((s, v) => s + v!, 0) / values.length);
  return {
    last: score(evaluations.at(-1)!),
    meanLast10: { returnMean: meanOf(tail.map((s) => s.returnMean)), normalizedScore: meanOf(tail.map((s) => s.normalizedScore)) },
  };
}
