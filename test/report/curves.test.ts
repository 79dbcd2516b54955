import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chartSections } from '../../src/report/curves.js';
import { groupRuns } from '../../src/report/group-runs.js';
import { locateRuns } from '../../src/report/locate-runs.js';
import { removeTempDirs, tempDir } from '../helpers/cli.js';
import { writeFixtureRun, writeFixtureSweep } from './fixture-runs.js';

afterAll(removeTempDirs);

describe('learning curves of the 2 × 2 fixture sweep', () => {
  const dir = path.join(tempDir('mopo-report-'), 'sweep');
  writeFixtureSweep(dir);
  const sections = chartSections(groupRuns(locateRuns(dir).runs).groups);

  it('opens with evaluation, then the dynamics model, rollouts and the learner', () => {
    expect(sections.map((s) => s.title)).toEqual(['Evaluation', 'Dynamics model', 'Model rollouts', 'Learner', 'Speed']);
    expect(sections[0]!.charts.map((c) => c.column)).toEqual(['eval/return_mean', 'eval/normalized_score', 'eval/return_std', 'eval/length_mean']);
    expect(sections[1]!.charts.map((c) => c.column)).toEqual(['dynamics/train_loss', 'dynamics/holdout_loss', 'dynamics/epochs_since_update']);
    expect(sections[2]!.charts.slice(0, 2).map((c) => c.column)).toEqual(['rollout/penalty_mean', 'rollout/reward_mean']);
    expect(sections[3]!.charts.slice(0, 2).map((c) => c.column)).toEqual(['learner/critic_loss', 'learner/actor_loss']);
  });

  it('draws each configuration as the mean over seeds with a min–max band', () => {
    const score = sections[0]!.charts[1]!;
    expect(score.xLabel).toBe('step');
    expect(score.x).toEqual([1000, 2000, 3000]);
    // h=1: seed 0 → 24, 30, 30; seed 1 → 28, 34, 40.
    expect(score.series[0]).toEqual({ label: 'algo.h=1', colour: 0, runs: 2, mean: [26, 32, 35], min: [24, 30, 30], max: [28, 34, 40] });
    // h=5: seed 0 → 40, 45, 50; seed 1 → 42, 49, 56.
    expect(score.series[1]).toEqual({ label: 'algo.h=5', colour: 1, runs: 2, mean: [41, 47, 53], min: [40, 45, 50], max: [42, 49, 56] });
  });

  it('plots dynamics losses against the dynamics epoch', () => {
    const holdout = sections[1]!.charts[1]!;
    expect(holdout.xLabel).toBe('dynamics epoch');
    expect(holdout.x).toEqual([1, 2, 3, 4, 5]);
    // 12 / epoch + 1 + seed: seeds 0 and 1 at epoch 1 give 13 and 14.
    expect(holdout.series[0]!.min[0]).toBe(13);
    expect(holdout.series[0]!.max[0]).toBe(14);
  });
});

describe('a column in both streams', () => {
  it('is drawn once, against the dynamics epoch', () => {
    const dir = tempDir('mopo-report-');
    writeFixtureRun(dir, { overrides: [], seed: 0, scores: [1, 2], extra: { 'dynamics/train_loss': 2 } });
    const dynamics = chartSections(groupRuns(locateRuns(dir).runs).groups).find((s) => s.title === 'Dynamics model')!;
    const trainLoss = dynamics.charts.filter((c) => c.column === 'dynamics/train_loss');
    expect(trainLoss.map((c) => [c.xLabel, c.x])).toEqual([['dynamics epoch', [1, 2, 3, 4, 5]]]);
  });
});

describe('a sweep mixing MOPO and an online learner', () => {
  it('draws each configuration only where it has data, in the same colour everywhere', () => {
    const dir = tempDir('mopo-report-');
    writeFixtureRun(path.join(dir, '0'), { overrides: ['exp=halfcheetah-random'], seed: 0, scores: [1, 2] });
    writeFixtureRun(path.join(dir, '1'), { overrides: ['exp=halfcheetah-online'], seed: 0, scores: [3, 4], extra: { 'train/return_mean': 7 } });
    rmSync(path.join(dir, '1', 'dynamics.jsonl'));
    const charts = chartSections(groupRuns(locateRuns(dir).runs).groups).flatMap((s) => s.charts);
    const seriesOf = (column: string) => charts.find((c) => c.column === column)!.series.map((s) => [s.label, s.colour]);
    expect(seriesOf('eval/return_mean')).toEqual([['exp=halfcheetah-random', 0], ['exp=halfcheetah-online', 1]]);
    expect(seriesOf('dynamics/holdout_loss')).toEqual([['exp=halfcheetah-random', 0]]);
    expect(seriesOf('train/return_mean')).toEqual([['exp=halfcheetah-online', 1]]);
  });
});

describe('columns the report has never heard of', () => {
  it('get their own charts, grouped by namespace, with the rest under "Other columns"', () => {
    const dir = tempDir('mopo-report-');
    writeFixtureRun(dir, { overrides: ['algo=bear'], seed: 0, scores: [1, 2], extra: { 'learner/mmd_loss': 0.3, 'zeta/custom': 4, plain_number: 2 } });
    const sections = chartSections(groupRuns(locateRuns(dir).runs).groups);
    expect(sections.map((s) => s.title)).toEqual(['Evaluation', 'Dynamics model', 'Model rollouts', 'Learner', 'Speed', 'zeta', 'Other columns']);
    expect(sections[3]!.charts.map((c) => c.column)).toContain('learner/mmd_loss');
    expect(sections.at(-1)!.charts.map((c) => c.column)).toEqual(['plain_number']);
    // One run: a line, no band to draw (min = max = mean).
    expect(sections[0]!.charts[0]!.series[0]).toMatchObject({ label: 'run', runs: 1, mean: [100, 200], min: [100, 200], max: [100, 200] });
  });
});
