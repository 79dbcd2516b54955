/**
 * `mopo-report`'s work: read the run or sweep directory, and write the HTML page with
 * `results.md` and `results.csv` beside it. Files of the same names that mopo-report did
 * not write are never replaced; its own earlier report is.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../config/run-dir.js';
import { MopoError } from '../errors.js';
import { chartSections } from './curves.js';
import { groupRuns } from './group-runs.js';
import { HTML_GENERATOR, renderPage } from './html-page.js';
import { locateRuns, type LocatedRuns } from './locate-runs.js';
import { CSV_COLUMNS, MARKDOWN_MARK, resultRows, resultsCsv, resultsMarkdown, type ResultRow } from './results-table.js';

export interface WrittenReport {
  located: LocatedRuns;
  rows: ResultRow[];
  htmlFile: string;
  markdownFile: string;
  csvFile: string;
  chartCount: number;
}

export function writeReport(target: string, outFile: string | null, version: string, ignoredKeys: string[] = []): WrittenReport {
  const located = locateRuns(target);
  const htmlFile = path.resolve(outFile ?? path.join(located.dir, 'report.html'));
  const markdownFile = path.join(path.dirname(htmlFile), 'results.md');
  const csvFile = path.join(path.dirname(htmlFile), 'results.csv');
  const ours: [string, (text: string) => boolean][] = [
    [htmlFile, (text) => text.slice(0, 2000).includes(`<meta name="generator" content="${HTML_GENERATOR}`)],
    [markdownFile, (text) => text.startsWith(MARKDOWN_MARK)],
    [csvFile, (text) => text.startsWith(`${CSV_COLUMNS.join(',')}\n`)],
  ];
  for (const [file, isOurs] of ours) {
    if (existsSync(file) && !isOurs(readFileSync(file, 'utf8'))) {
      throw new MopoError(`${file} exists and was not written by mopo-report; it is left as it is. Write the report elsewhere with --out <dir>/report.html.`);
    }
  }

  const { groups, common } = groupRuns(located.runs, ignoredKeys);
  const rows = resultRows({ groups, common });
  const sections = chartSections(groups);
  mkdirSync(path.dirname(htmlFile), { recursive: true });
  writeFileAtomic(markdownFile, resultsMarkdown(rows, target, common));
  writeFileAtomic(csvFile, resultsCsv(rows));
  writeFileAtomic(htmlFile, renderPage({ located, common, rows, sections, version }));
  return { located, rows, htmlFile, markdownFile, csvFile, chartCount: sections.reduce((n, s) => n + s.charts.length, 0) };
}
