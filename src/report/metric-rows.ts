/**
 * Reads `metrics.jsonl` / `dynamics.jsonl`: one JSON object a line, each carrying only
 * the keys it has. Numbers stay numbers; anything else (null, "NaN", "Infinity" as the
 * trainer writes non-finite values, text) becomes a missing cell, since a report can
 * neither plot nor average it.
 */
import { readFileSync } from 'node:fs';
import { RunDirError } from './run-dir-error.js';

export type MetricRecord = Record<string, number | null>;

export function readMetricRows(file: string): MetricRecord[] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  // A run killed mid-write may leave half a last line (no newline yet); that epoch is
  // simply not there yet. A broken line elsewhere is damage worth reporting.
  const unterminated = lines.pop() ?? '';
  const rows: MetricRecord[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    rows.push(parseRow(line, () => `${file} line ${index + 1} is not a JSON object of metrics`));
  });
  if (unterminated.trim() !== '') {
    try {
      rows.push(parseRow(unterminated, () => ''));
    } catch {
      // the half-written line described above
    }
  }
  return rows;
}

function parseRow(line: string, describe: () => string): MetricRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new RunDirError(`${describe()}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new RunDirError(`${describe()}.`);
  const row: MetricRecord = {};
  for (const [key, value] of Object.entries(parsed)) row[key] = typeof value === 'number' && Number.isFinite(value) ? value : null;
  return row;
}

/** Every column that holds a number in at least one row, in first-seen order. */
export function numericColumns(rows: MetricRecord[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const [key, value] of Object.entries(row)) if (value !== null) seen.add(key);
  return [...seen];
}
