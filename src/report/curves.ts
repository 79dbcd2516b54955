/**
 * Learning curves as chart data: one chart per numeric metric column, charts grouped
 * into sections by the column's namespace (`eval/…`, `dynamics/…`, `learner/…`; columns
 * the report has never heard of get charts too). Each configuration is one line, the
 * mean over its seeds, with a band from the lowest to the highest seed at each step.
 */
import type { RunGroup } from './group-runs.js';
import { numericColumns, type MetricRecord } from './metric-rows.js';
import type { Run } from './run.js';

export interface CurveSeries {
  label: string;
  /** The configuration's place among all of them, so it keeps its colour in every chart. */
  colour: number;
  runs: number;
  mean: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
}

export interface Chart {
  title: string;
  column: string;
  xLabel: string;
  x: number[];
  series: CurveSeries[];
}

export interface ChartSection {
  title: string;
  charts: Chart[];
}

interface Source {
  name: string;
  rows: (run: Run) => MetricRecord[];
  xColumn: (rows: MetricRecord[]) => string;
  xLabel: (xColumn: string) => string;
}

/**
 * The dynamics stream comes first, so a column in both streams (MOPO runs from before
 * the dynamics rows had their own file repeated the final losses on every policy
 * epoch) is drawn once, per dynamics epoch.
 */
const SOURCES: Source[] = [
  { name: 'dynamics', rows: (run) => run.dynamics, xColumn: () => 'epoch', xLabel: () => 'dynamics epoch' },
  {
    name: 'metrics',
    rows: (run) => run.metrics,
    xColumn: (rows) => (rows.some((r) => typeof r.step === 'number') ? 'step' : 'epoch'),
    xLabel: (xColumn) => xColumn,
  },
];

/** Columns that place a row in time rather than measure something. */
const TIME_COLUMNS = new Set(['epoch', 'step', 'time_s', 'wall_time']);

/** Known namespaces in reading order, their section titles and their most telling columns first. */
const SECTIONS: { namespace: string; title: string; first: string[] }[] = [
  { namespace: 'eval', title: 'Evaluation', first: ['eval/return_mean', 'eval/normalized_score'] },
  { namespace: 'dynamics', title: 'Dynamics model', first: ['dynamics/train_loss', 'dynamics/holdout_loss'] },
  { namespace: 'rollout', title: 'Model rollouts', first: ['rollout/penalty_mean', 'rollout/reward_mean'] },
  { namespace: 'learner', title: 'Learner', first: ['learner/critic_loss', 'learner/actor_loss'] },
  { namespace: 'train', title: 'Training episodes', first: ['train/return_mean'] },
  { namespace: 'perf', title: 'Speed', first: [] },
];

const TITLES: Record<string, string> = {
  'eval/return_mean': 'Evaluation return',
  'eval/normalized_score': 'D4RL normalised score',
  'dynamics/train_loss': 'Dynamics train loss',
  'dynamics/holdout_loss': 'Dynamics holdout loss',
  'rollout/penalty_mean': 'Rollout penalty',
  'rollout/reward_mean': 'Rollout reward',
  'learner/critic_loss': 'Critic loss',
  'learner/actor_loss': 'Actor loss',
};

export function chartSections(groups: RunGroup[]): ChartSection[] {
  const charts: Chart[] = [];
  const drawn = new Set<string>();
  for (const source of SOURCES) {
    const allRows = groups.flatMap((g) => g.runs.flatMap(source.rows));
    if (allRows.length === 0) continue;
    const xColumn = source.xColumn(allRows);
    for (const column of numericColumns(allRows)) {
      if (TIME_COLUMNS.has(column) || drawn.has(column)) continue;
      drawn.add(column);
      const series = groups.map((g) => ({ label: curveLabel(g, groups.length), rows: g.runs.map(source.rows) }));
      charts.push(buildChart(column, xColumn, source.xLabel(xColumn), series));
    }
  }
  return arrangeInSections(charts);
}

/** A lone configuration's overrides head the page already; its legend need not repeat them. */
function curveLabel(group: RunGroup, groupCount: number): string {
  if (groupCount > 1) return group.label;
  return group.runs.length > 1 ? 'all runs' : 'run';
}

function buildChart(column: string, xColumn: string, xLabel: string, groups: { label: string; rows: MetricRecord[][] }[]): Chart {
  // Per configuration and seed: the column's value at each x (a later row at the same x wins).
  const perGroup = groups.map(({ label, rows }, colour) => ({
    label,
    colour,
    seeds: rows.map((runRows) => {
      const byX = new Map<number, number>();
      for (const row of runRows) {
        const x = row[xColumn];
        const y = row[column];
        if (typeof x === 'number' && typeof y === 'number') byX.set(x, y);
      }
      return byX;
    }),
  }));
  const x = [...new Set(perGroup.flatMap((g) => g.seeds.flatMap((s) => [...s.keys()])))].sort((a, b) => a - b);
  const series = perGroup
    .filter((g) => g.seeds.some((s) => s.size > 0))
    .map(({ label, colour, seeds }) => {
      const at = x.map((xi) => seeds.map((s) => s.get(xi)).filter((v): v is number => v !== undefined));
      return {
        label,
        colour,
        runs: seeds.filter((s) => s.size > 0).length,
        mean: at.map((vs) => (vs.length === 0 ? null : vs.reduce((a, b) => a + b, 0) / vs.length)),
        min: at.map((vs) => (vs.length === 0 ? null : Math.min(...vs))),
        max: at.map((vs) => (vs.length === 0 ? null : Math.max(...vs))),
      };
    });
  const title = TITLES[column] ?? column;
  return { title, column, xLabel, x, series };
}

function arrangeInSections(charts: Chart[]): ChartSection[] {
  const namespaceOf = (column: string) => (column.includes('/') ? column.slice(0, column.indexOf('/')) : '');
  const namespaces = [...new Set(charts.map((c) => namespaceOf(c.column)))];
  const known = SECTIONS.filter((s) => namespaces.includes(s.namespace));
  const unknown = namespaces
    .filter((ns) => !SECTIONS.some((s) => s.namespace === ns))
    .sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))
    .map((ns) => ({ namespace: ns, title: ns === '' ? 'Other columns' : ns, first: [] as string[] }));
  return [...known, ...unknown].map(({ namespace, title, first }) => {
    const rank = (c: Chart) => (first.includes(c.column) ? first.indexOf(c.column) : first.length);
    const inSection = charts.filter((c) => namespaceOf(c.column) === namespace);
    // Stable sort: the preferred columns first, then the order the run wrote them in.
    return { title, charts: inSection.sort((a, b) => rank(a) - rank(b)) };
  });
}
