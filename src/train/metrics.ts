/**
 * Per-epoch metrics, written as they happen to `metrics.csv` (for spreadsheets and
 * pandas) and `metrics.jsonl` (one JSON object a line). Each row is appended and
 * flushed at once, so an interrupted run keeps every finished epoch.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type MetricValue = number | string | null;
export type MetricRow = Record<string, MetricValue>;

/** Columns of the learner's losses and statistics, shared by the MOPO and online trainers. */
export const LEARNER_METRIC_COLUMNS = ['critic_loss', 'actor_loss', 'alpha_loss', 'alpha', 'q_mean', 'entropy'] as const;
/** Columns of a policy evaluation in the real environment (empty in rows without one). */
export const EVAL_METRIC_COLUMNS = ['eval_return_mean', 'eval_return_std', 'eval_normalized_score'] as const;

export class MetricsLog {
  readonly csvFile: string;
  readonly jsonlFile: string;
  private readonly rows: MetricRow[] = [];

  constructor(
    runDir: string,
    readonly columns: string[],
    /** Rows of earlier epochs (from a checkpoint being resumed), written first. */
    history: MetricRow[] = [],
  ) {
    this.csvFile = path.join(runDir, 'metrics.csv');
    this.jsonlFile = path.join(runDir, 'metrics.jsonl');
    writeFileSync(this.csvFile, `${columns.join(',')}\n`);
    writeFileSync(this.jsonlFile, '');
    for (const row of history) this.append(row);
  }

  append(row: MetricRow): void {
    const ordered: MetricRow = {};
    for (const column of this.columns) ordered[column] = row[column] ?? null;
    this.rows.push(ordered);
    appendFileSync(this.csvFile, `${this.columns.map((c) => csvCell(ordered[c]!)).join(',')}\n`);
    appendFileSync(this.jsonlFile, `${JSON.stringify(ordered, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}\n`);
  }

  /** All rows so far, for a checkpoint: a resumed run continues the same files. */
  toJsonl(): string {
    return this.rows.map((r) => JSON.stringify(r)).join('\n') + (this.rows.length > 0 ? '\n' : '');
  }

  static parseJsonl(text: string): MetricRow[] {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as MetricRow);
  }
}

function csvCell(value: MetricValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(7)));
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
