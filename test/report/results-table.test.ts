import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { groupRuns, overrideKey, withoutSeed } from '../../src/report/group-runs.js';
import { locateRuns } from '../../src/report/locate-runs.js';
import { resultRows, resultsCsv, resultsMarkdown } from '../../src/report/results-table.js';
import type { Run } from '../../src/report/run.js';
import { scoresFromMetrics } from '../../src/report/run-scores.js';
import { seedStat } from '../../src/report/stats.js';
import { removeTempDirs, tempDir } from '../helpers/cli.js';
import { writeFixtureRun, writeFixtureSweep } from './fixture-runs.js';

afterAll(removeTempDirs);

function run(name: string, overrides: string[]): Run {
  return { dir: name, name, overrides, envId: 'hopper-medium-v2', algo: 'mopo', seed: null, metrics: [], dynamics: [], finished: false, summaryScores: null, steps: null };
}

describe('grouping runs by their overrides minus the seed', () => {
  it('puts runs that differ only by seed together, in the order they first appear', () => {
    const runs = [
      run('0', ['exp=quickstart', 'algo.h=1', 'seed=0']),
      run('1', ['exp=quickstart', 'algo.h=1', 'seed=1']),
      run('2', ['exp=quickstart', 'algo.h=5', '+seed=0']),
      run('3', ['exp=quickstart', 'algo.h=5', '++seed=1']),
      run('4', ['exp=quickstart', 'algo.h=1', 'seed=2']),
    ];
    const { groups, common } = groupRuns(runs);
    expect(groups.map((g) => [g.label, g.runs.map((r) => r.name)])).toEqual([
      ['algo.h=1', ['0', '1', '4']],
      ['algo.h=5', ['2', '3']],
    ]);
    expect(common).toEqual(['exp=quickstart']);
  });

  it('leaves out checkpoint.resume_from and the keys it is told to ignore, and only those', () => {
    const runs = [
      run('0', ['exp=halfcheetah-medium', 'algo.ensembles.max_epochs=12', 'seed=0', 'checkpoint.resume_from=/r/0']),
      run('1', ['exp=halfcheetah-medium', 'algo.dynamics=/r/0', 'seed=1']),
      run('2', ['exp=halfcheetah-medium', '+algo.dynamics=/r/0', 'seed=2']),
    ];
    expect(groupRuns(runs).groups.map((g) => g.runs.map((r) => r.name))).toEqual([['0'], ['1'], ['2']]);
    const { groups, common } = groupRuns(runs, ['algo.dynamics', 'algo.ensembles.max_epochs']);
    expect(groups.map((g) => [g.label, g.runs.map((r) => r.name)])).toEqual([['exp=halfcheetah-medium', ['0', '1', '2']]]);
    expect(common).toEqual(['exp=halfcheetah-medium']);
    // A key is matched whole: ignoring algo.dynamics keeps algo.dynamics_x apart.
    expect(overrideKey('~algo.h')).toBe('algo.h');
    expect(groupRuns([run('a', ['algo.dynamics_x=1']), run('b', ['algo.dynamics_x=2'])], ['algo.dynamics']).groups).toHaveLength(2);
  });

  it('keeps overrides that merely mention seed in another key', () => {
    expect(withoutSeed(['eval.seed=3', 'seed=1', 'algo.seed_steps=5'])).toEqual(['eval.seed=3', 'algo.seed_steps=5']);
  });

  it('labels a lone configuration with all its overrides', () => {
    const { groups } = groupRuns([run('a', ['exp=hopper-medium', 'seed=3'])]);
    expect(groups.map((g) => g.label)).toEqual(['exp=hopper-medium']);
    expect(groupRuns([run('b', [])]).groups[0]!.label).toBe('(no overrides)');
  });
});

describe('mean ± std over seeds', () => {
  it('is the mean and the population standard deviation', () => {
    expect(seedStat([30, 40])).toEqual({ mean: 35, std: 5, n: 2 });
    // 1, 2, 6: mean 3, squared deviations 4 + 1 + 9 = 14, std √(14/3).
    const stat = seedStat([1, 2, 6]);
    expect(stat.mean).toBe(3);
    expect(stat.std).toBeCloseTo(Math.sqrt(14 / 3), 12);
  });

  it('has no spread for one seed and skips runs without the number', () => {
    expect(seedStat([7])).toEqual({ mean: 7, std: null, n: 1 });
    expect(seedStat([null, 4, null])).toEqual({ mean: 4, std: null, n: 1 });
    expect(seedStat([])).toEqual({ mean: null, std: null, n: 0 });
  });
});

describe('scores of an unfinished run, from its evaluation rows', () => {
  it('takes the last evaluation and the mean of the last 10, skipping rows without one', () => {
    const rows = [];
    for (let i = 1; i <= 12; i++) {
      rows.push({ epoch: i, step: i * 100, 'eval/return_mean': i * 10, 'eval/normalized_score': i });
      rows.push({ epoch: i, step: i * 100 + 50, 'eval/return_mean': null, 'eval/normalized_score': null });
    }
    // Scores 3…12 are the last ten: mean 7.5; returns 30…120: mean 75.
    expect(scoresFromMetrics(rows)).toEqual({ last: { returnMean: 120, normalizedScore: 12 }, meanLast10: { returnMean: 75, normalizedScore: 7.5 } });
  });

  it('has none before the first evaluation', () => {
    expect(scoresFromMetrics([{ epoch: 1, step: 100, 'learner/critic_loss': 3 }])).toBeNull();
  });
});

describe('results table of the 2 × 2 fixture sweep', () => {
  it('has one row per value of algo.h with mean ± std over both seeds', () => {
    const dir = path.join(tempDir('mopo-report-'), 'sweep');
    writeFixtureSweep(dir);
    const located = locateRuns(dir);
    const rows = resultRows(groupRuns(located.runs));
    expect(rows.map((r) => [r.config, r.seeds, r.scoreLast, r.scoreMeanLast10, r.unfinished])).toEqual([
      ['algo.h=1', [0, 1], { mean: 35, std: 5, n: 2 }, { mean: 31, std: 3, n: 2 }, 0],
      ['algo.h=5', [0, 1], { mean: 53, std: 3, n: 2 }, { mean: 47, std: 2, n: 2 }, 0],
    ]);
    expect(rows[0]!.returnLast).toEqual({ mean: 3500, std: 500, n: 2 });

    const markdown = resultsMarkdown(rows, 'sweep', ['exp=quickstart']);
    expect(markdown).toContain('| halfcheetah-random-v2 | algo.h=1 | 2 | 35.0 ± 5.0 | 31.0 ± 3.0 | 3100.0 ± 300.0 | 3000 |');
    expect(markdown).toContain('| halfcheetah-random-v2 | algo.h=5 | 2 | 53.0 ± 3.0 | 47.0 ± 2.0 | 4700.0 ± 200.0 | 3000 |');
    expect(markdown).toContain('`exp=quickstart`');

    const [header, ...lines] = resultsCsv(rows).trim().split('\n');
    const records = lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [header!.split(',')[i], cell])));
    expect(records.map((r) => [r.config, r.overrides, r.seeds, r.score_last_mean, r.score_last_std, r.score_mean_last_10_mean, r.score_mean_last_10_std])).toEqual([
      ['algo.h=1', 'exp=quickstart algo.h=1', '0 1', '35', '5', '31', '3'],
      ['algo.h=5', 'exp=quickstart algo.h=5', '0 1', '53', '3', '47', '2'],
    ]);
  });

  it('counts a run without summary.json as unfinished, with its scores so far', () => {
    const dir = path.join(tempDir('mopo-report-'), 'sweep');
    writeFixtureSweep(dir, { unfinishedJobs: [3] });
    const rows = resultRows(groupRuns(locateRuns(dir).runs));
    expect(rows[1]!.unfinished).toBe(1);
    expect(rows[1]!.scoreLast).toEqual({ mean: 53, std: 3, n: 2 });
    expect(resultsMarkdown(rows, 'sweep', [])).toContain('| algo.h=5 | 2 (1 unfinished) |');
  });

  it('shows n/a for a finished run that never evaluated (summary.json scores: null)', () => {
    const dir = tempDir('mopo-report-');
    writeFixtureRun(dir, { overrides: ['eval.every=0'], seed: 0, scores: [5] });
    const file = path.join(dir, 'summary.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), scores: null }));
    const [row] = resultRows(groupRuns(locateRuns(dir).runs));
    expect(row).toMatchObject({ unfinished: 0, scoreLast: { mean: null, n: 0 }, scoreMeanLast10: { mean: null, n: 0 } });
    expect(resultsMarkdown([row!], dir, [])).toContain('| 1 | n/a | n/a | n/a | 1000 |');
  });

  it('gives one row per task when a sweep spans tasks', () => {
    const dir = tempDir('mopo-report-');
    writeFixtureRun(path.join(dir, '0'), { overrides: ['exp=hopper-medium'], seed: 0, scores: [10], envId: 'hopper-medium-v2' });
    writeFixtureRun(path.join(dir, '1'), { overrides: ['exp=walker2d-medium'], seed: 0, scores: [20], envId: 'walker2d-medium-v2' });
    const rows = resultRows(groupRuns(locateRuns(dir).runs));
    expect(rows.map((r) => [r.task, r.config, r.scoreLast.mean, r.scoreLast.std])).toEqual([
      ['hopper-medium-v2', 'exp=hopper-medium', 10, null],
      ['walker2d-medium-v2', 'exp=walker2d-medium', 20, null],
    ]);
  });
});
