/**
 * The D4RL-style results table: one row per task and configuration, the normalised
 * score as mean ± std over seeds, under two named protocols. The same rows are written
 * as Markdown (to paste into a paper or README), CSV (for a spreadsheet) and HTML.
 */
import type { Grouping } from './group-runs.js';
import { LAST_EVALUATIONS, runResult } from './run-scores.js';
import { seedStat, type SeedStat } from './stats.js';

export interface ResultRow {
  task: string;
  /** The overrides that set this configuration apart (see group-runs). */
  config: string;
  /** All of the configuration's overrides, seed removed. */
  overrides: string[];
  seeds: (number | null)[];
  unfinished: number;
  scoreLast: SeedStat;
  scoreMeanLast10: SeedStat;
  returnLast: SeedStat;
  returnMeanLast10: SeedStat;
  stepsMin: number | null;
  stepsMax: number | null;
}

export const PROTOCOL_NOTE =
  `Normalised D4RL score (0 = random policy, 100 = expert), mean ± standard deviation over seeds ` +
  `(population std, numpy's np.std; none with one seed). "last": each run's final evaluation; ` +
  `"mean of last ${LAST_EVALUATIONS}": the mean of each run's last ${LAST_EVALUATIONS} evaluations, OfflineRL-Kit's protocol ` +
  `(fewer where a run has fewer). Unfinished runs (no summary.json) count with their evaluations so far.`;

export function resultRows(grouping: Grouping): ResultRow[] {
  return grouping.groups.map((group) => {
    const results = group.runs.map(runResult);
    const pick = (f: (r: (typeof results)[number]) => number | null | undefined) => seedStat(results.map((r) => f(r) ?? null));
    const steps = group.runs.map((r) => r.steps).filter((s): s is number => s !== null);
    return {
      task: group.runs[0]!.envId ?? 'unknown task',
      config: group.label,
      overrides: group.overrides,
      seeds: group.runs.map((r) => r.seed),
      unfinished: results.filter((r) => !r.finished).length,
      scoreLast: pick((r) => r.scores?.last.normalizedScore),
      scoreMeanLast10: pick((r) => r.scores?.meanLast10.normalizedScore),
      returnLast: pick((r) => r.scores?.last.returnMean),
      returnMeanLast10: pick((r) => r.scores?.meanLast10.returnMean),
      stepsMin: steps.length > 0 ? Math.min(...steps) : null,
      stepsMax: steps.length > 0 ? Math.max(...steps) : null,
    };
  });
}

/** "81.2 ± 3.4", "81.2" for one seed, "n/a" when no run has the number. */
export function formatStat(stat: SeedStat): string {
  if (stat.mean === null) return 'n/a';
  return stat.std === null ? stat.mean.toFixed(1) : `${stat.mean.toFixed(1)} ± ${stat.std.toFixed(1)}`;
}

export const TABLE_HEADINGS = ['Task', 'Config', 'Seeds', 'Score (last)', `Score (mean of last ${LAST_EVALUATIONS})`, `Return (mean of last ${LAST_EVALUATIONS})`, 'Steps'];

/** The cells of a row as shown in Markdown and HTML. */
export function displayCells(row: ResultRow): string[] {
  const seeds = `${row.seeds.length}${row.unfinished > 0 ? ` (${row.unfinished} unfinished)` : ''}`;
  const steps = row.stepsMin === null ? 'n/a' : row.stepsMin === row.stepsMax ? String(row.stepsMin) : `${row.stepsMin}–${row.stepsMax}`;
  return [row.task, row.config, seeds, formatStat(row.scoreLast), formatStat(row.scoreMeanLast10), formatStat(row.returnMeanLast10), steps];
}

export const MARKDOWN_MARK = '<!-- written by mopo-report -->';

export function resultsMarkdown(rows: ResultRow[], source: string, common: string[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    MARKDOWN_MARK,
    `Results of \`${source}\``,
    '',
    PROTOCOL_NOTE,
    ...(common.length > 0 && rows.length > 1 ? ['', `Overrides of every row: \`${common.join(' ')}\``] : []),
    '',
    `| ${TABLE_HEADINGS.join(' | ')} |`,
    `|${TABLE_HEADINGS.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((row) => `| ${displayCells(row).map(cell).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

export const CSV_COLUMNS = [
  'task',
  'config',
  'overrides',
  'seeds',
  'runs',
  'unfinished',
  'score_last_mean',
  'score_last_std',
  'score_mean_last_10_mean',
  'score_mean_last_10_std',
  'return_last_mean',
  'return_last_std',
  'return_mean_last_10_mean',
  'return_mean_last_10_std',
  'steps_min',
  'steps_max',
];

export function resultsCsv(rows: ResultRow[]): string {
  const number = (v: number | null) => (v === null ? '' : String(v));
  const lines = rows.map((row) =>
    [
      row.task,
      row.config,
      row.overrides.join(' '),
      row.seeds.map((s) => (s === null ? '?' : String(s))).join(' '),
      String(row.seeds.length),
      String(row.unfinished),
      ...[row.scoreLast, row.scoreMeanLast10, row.returnLast, row.returnMeanLast10].flatMap((s) => [number(s.mean), number(s.std)]),
      number(row.stepsMin),
      number(row.stepsMax),
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...lines].join('\n')}\n`;
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
