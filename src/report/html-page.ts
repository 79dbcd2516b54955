/**
 * The report as one HTML file that needs no network: uPlot's script and style are
 * inlined, the chart data travels in the page as JSON, and the tables are plain HTML
 * (readable even with scripts off).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CHART_SCRIPT } from './chart-script.js';
import type { Chart, ChartSection } from './curves.js';
import type { LocatedRuns } from './locate-runs.js';
import { displayCells, formatStat, PROTOCOL_NOTE, TABLE_HEADINGS, type ResultRow } from './results-table.js';
import { runResult } from './run-scores.js';
import { seedStat } from './stats.js';

export const HTML_GENERATOR = 'mopo-report';

export interface PageContent {
  located: LocatedRuns;
  common: string[];
  rows: ResultRow[];
  sections: ChartSection[];
  version: string;
}

export function renderPage({ located, common, rows, sections, version }: PageContent): string {
  const charts: Chart[] = sections.flatMap((s) => s.charts);
  const title = `mopo report: ${located.dir}`;
  const what = located.kind === 'sweep' ? `sweep of ${located.runs.length} run${located.runs.length === 1 ? '' : 's'}` : 'run';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="${HTML_GENERATOR} ${escapeHtml(version)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${uplotAsset('uPlot.min.css')}</style>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>mopo report</h1>
<p><code>${escapeHtml(located.dir)}</code>: ${what}${common.length > 0 ? `; ${rows.length > 1 ? 'every configuration has' : 'overrides'} <code>${escapeHtml(common.join(' '))}</code>` : ''}.</p>
</header>
${skippedNotice(located)}
<section id="results">
<h2>Results</h2>
<p class="note">${escapeHtml(PROTOCOL_NOTE)}</p>
<table id="results-table">
<thead><tr>${TABLE_HEADINGS.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.map((row) => `<tr>${displayCells(row).map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n')}
</tbody>
</table>
</section>
<section id="runs">
<h2>Runs</h2>
${runsTable(located)}
</section>
<p class="note">Charts: one line per configuration, the mean over its seeds; with two or more seeds the shaded band spans the lowest to the highest seed (min–max) at each point. Hover a chart for values.</p>
${sections.map((section) => sectionHtml(section, charts)).join('\n')}
<script id="report-data" type="application/json">${JSON.stringify({ charts }).replace(/</g, '\\u003c')}</script>
<script>${uplotAsset('uPlot.iife.min.js')}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}

function sectionHtml(section: ChartSection, all: Chart[]): string {
  const figures = section.charts.map(
    (chart) => `<figure class="chart" data-chart="${all.indexOf(chart)}"><figcaption>${escapeHtml(chart.title)} <code>${escapeHtml(chart.column)}</code></figcaption><div class="plot"></div></figure>`,
  );
  return `<section class="charts-section">\n<h2>${escapeHtml(section.title)}</h2>\n<div class="charts">\n${figures.join('\n')}\n</div>\n</section>`;
}

function runsTable(located: LocatedRuns): string {
  const headings = ['Run', 'Task', 'Algo', 'Seed', 'Overrides', 'Steps', 'Status', 'Score (last)', 'Score (mean of last 10)'];
  const body = located.runs.map((run) => {
    const result = runResult(run);
    const score = (v: number | null | undefined) => formatStat(seedStat([v ?? null]));
    const cells = [
      run.name,
      run.envId ?? '?',
      run.algo ?? '?',
      run.seed === null ? '?' : String(run.seed),
      run.overrides.join(' '),
      run.steps === null ? '?' : String(run.steps),
      result.finished ? 'finished' : 'unfinished (no summary.json)',
      score(result.scores?.last.normalizedScore),
      score(result.scores?.meanLast10.normalizedScore),
    ];
    return `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  return `<table id="runs-table">\n<thead><tr>${headings.map((h) => `<th>${h}</th>`).join('')}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

function skippedNotice(located: LocatedRuns): string {
  if (located.skipped.length === 0) return '';
  const items = located.skipped.map((s) => `<li>${escapeHtml(s.reason)}</li>`).join('');
  return `<section id="skipped" class="warning"><h2>Jobs left out</h2><ul>${items}</ul></section>`;
}

const require = createRequire(import.meta.url);

function uplotAsset(file: string): string {
  return readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const PAGE_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 1240px; padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
code { font-size: 90%; background: #f4f4f4; padding: 0 0.2em; }
.note { color: #555; max-width: 60rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }
#results-table td:nth-child(n+3) { text-align: right; font-variant-numeric: tabular-nums; }
thead { background: #f4f4f4; }
.warning { background: #fff4e0; border: 1px solid #e0b060; padding: 0 1rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 1rem 1.5rem; }
figure.chart { margin: 0; min-width: 0; }
figcaption { font-weight: 600; margin-bottom: 0.2rem; }
.plot { width: 100%; }
.u-legend .band-edge { display: none; }
.u-legend { font-size: 12px; text-align: left; }
`;
