/**
 * The metrics of a run: rows of named values in streams (`metrics`: a row per
 * epoch; `dynamics`: a row per dynamics-fit epoch), handed to sinks as they happen.
 * A row carries whatever its producer measured, namespaced (`learner/critic_loss`,
 * `eval/return_mean`, `rollout/penalty_mean`); nothing is dropped, and a key seen for
 * the first time becomes a new column.
 *
 * Sinks: `<stream>.csv` (for spreadsheets and pandas), `<stream>.jsonl` (one JSON
 * object a line), and TensorBoard event files. Every row is written and flushed at
 * once, so an interrupted run keeps every finished epoch.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TensorBoardSink } from './sinks/tensorboard.js';

export type MetricValue = number | string | null;
export type MetricRow = Record<string, MetricValue>;

/** Columns every stream leads with, in this order, when its rows have them. */
export const LEADING_COLUMNS = ['epoch', 'step', 'time_s', 'wall_time'] as const;

export interface MetricsSink {
  append(stream: string, row: MetricRow): void;
  close?(): void;
}

export class MetricsLog {
  private readonly streams = new Map<string, MetricRow[]>();

  constructor(
    private readonly sinks: MetricsSink[],
    /** Rows of earlier epochs (from a checkpoint being resumed), written first. */
    history: Record<string, MetricRow[]> = {},
  ) {
    for (const [stream, rows] of Object.entries(history)) for (const row of rows) this.append(stream, row);
  }

  append(stream: string, row: MetricRow): void {
    const kept = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined)) as MetricRow;
    if (!this.streams.has(stream)) this.streams.set(stream, []);
    this.streams.get(stream)!.push(kept);
    for (const sink of this.sinks) sink.append(stream, kept);
  }

  rows(stream: string): readonly MetricRow[] {
    return this.streams.get(stream) ?? [];
  }

  /** Every stream as `<stream>.jsonl` text, for a checkpoint: a resumed run continues the same files. */
  toFiles(): Record<string, string> {
    const files: Record<string, string> = {};
    for (const [stream, rows] of this.streams) files[`${stream}.jsonl`] = rows.map((r) => jsonLine(r)).join('');
    return files;
  }

  /** The streams saved by `toFiles` (file name `<stream>.jsonl` → rows). */
  static fromFiles(files: Record<string, string>): Record<string, MetricRow[]> {
    const history: Record<string, MetricRow[]> = {};
    for (const [name, text] of Object.entries(files)) {
      if (name.endsWith('.jsonl')) history[name.slice(0, -'.jsonl'.length)] = MetricsLog.parseJsonl(text);
    }
    return history;
  }

  static parseJsonl(text: string): MetricRow[] {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as MetricRow);
  }

  close(): void {
    for (const sink of this.sinks) sink.close?.();
  }
}

/** `<stream>.jsonl`: a row appended per line. */
export class JsonlSink implements MetricsSink {
  private readonly started = new Set<string>();

  constructor(private readonly dir: string) {}

  append(stream: string, row: MetricRow): void {
    const file = path.join(this.dir, `${stream}.jsonl`);
    if (!this.started.has(stream)) {
      writeFileSync(file, '');
      this.started.add(stream);
    }
    appendFileSync(file, jsonLine(row));
  }
}

/**
 * `<stream>.csv`: a header and a row per line. When a row brings a key no earlier row
 * had, the file is written again with the wider header (runs have at most a few
 * thousand rows), so every column has its name.
 */
export class CsvSink implements MetricsSink {
  private readonly tables = new Map<string, { columns: string[]; rows: MetricRow[] }>();

  constructor(private readonly dir: string) {}

  append(stream: string, row: MetricRow): void {
    const file = path.join(this.dir, `${stream}.csv`);
    let table = this.tables.get(stream);
    if (!table) this.tables.set(stream, (table = { columns: [], rows: [] }));
    table.rows.push(row);
    const added = Object.keys(row).filter((key) => !table.columns.includes(key));
    if (added.length > 0) {
      table.columns = orderColumns([...table.columns, ...added]);
      writeFileSync(file, [table.columns.join(','), ...table.rows.map((r) => csvLine(table.columns, r))].join('\n') + '\n');
    } else {
      appendFileSync(file, `${csvLine(table.columns, row)}\n`);
    }
  }
}

/**
 * TensorBoard event files: every numeric value of a row becomes a scalar at the row's
 * step (dynamics rows, which have no step, at their epoch); tags are the column names.
 * Rows before `startStep` are left out: a run resumed in its own directory finds them
 * in the event file written before it stopped.
 */
export class TensorBoardMetrics implements MetricsSink {
  constructor(
    private readonly events: TensorBoardSink,
    private readonly startStep = 0,
  ) {}

  append(_stream: string, row: MetricRow): void {
    const step = typeof row.step === 'number' ? row.step : Number(row.epoch ?? 0);
    if (step < this.startStep) return;
    const wallTime = typeof row.wall_time === 'number' ? row.wall_time : Date.now() / 1000;
    const values: Record<string, number> = {};
    for (const [key, value] of Object.entries(row)) {
      if (typeof value === 'number' && !(LEADING_COLUMNS as readonly string[]).includes(key)) values[key] = value;
    }
    this.events.scalars(step, wallTime, values);
  }

  close(): void {
    this.events.close();
  }
}

/**
 * The CSV, JSONL and TensorBoard files of a run directory; `configYaml` goes to
 * TensorBoard's text tab. The CSV and JSONL files are written anew from the rows handed
 * over; a new TensorBoard file is added, holding the rows from `startStep` on (a run
 * resumed in its own directory passes the first step its checkpoint does not hold).
 */
export function fileSinks(runDir: string, configYaml?: string, options: { startStep?: number } = {}): MetricsSink[] {
  const startStep = options.startStep ?? 0;
  const events = new TensorBoardSink(runDir, { startStep });
  if (configYaml !== undefined) events.text('config', `\`\`\`yaml\n${configYaml}\`\`\``);
  return [new CsvSink(runDir), new JsonlSink(runDir), new TensorBoardMetrics(events, startStep)];
}

function orderColumns(columns: string[]): string[] {
  const leading = LEADING_COLUMNS.filter((c) => columns.includes(c));
  return [...leading, ...columns.filter((c) => !(LEADING_COLUMNS as readonly string[]).includes(c))];
}

function jsonLine(row: MetricRow): string {
  return `${JSON.stringify(row, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}\n`;
}

function csvLine(columns: string[], row: MetricRow): string {
  return columns.map((c) => csvCell(row[c] ?? null)).join(',');
}

function csvCell(value: MetricValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(7)));
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
