/**
 * Run directories in the layout `mopo` writes (metrics.jsonl/.csv with namespaced
 * columns, dynamics.jsonl, summary.json, .hydra/), made by hand for the report tests.
 * Each run is three epochs of 1 000 steps with an evaluation after each; the scores
 * are chosen by the tests so that their means and spreads are easy to check by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

export interface FixtureRun {
  overrides: string[];
  seed: number;
  /** The normalised score of each evaluation; the return is 100 × the score. */
  scores: number[];
  envId?: string;
  /** Without summary.json, as a run still training. */
  unfinished?: boolean;
  /** Extra columns on the metrics rows, e.g. a learner's own loss. */
  extra?: Record<string, number>;
}

export function writeFixtureRun(dir: string, run: FixtureRun): void {
  mkdirSync(path.join(dir, '.hydra'), { recursive: true });
  const envId = run.envId ?? 'halfcheetah-random-v2';
  const config = { seed: run.seed, env: { id: envId }, algo: { name: 'mopo' } };
  writeFileSync(path.join(dir, '.hydra', 'config.yaml'), yaml.dump(config));
  writeFileSync(path.join(dir, '.hydra', 'overrides.yaml'), yaml.dump([...run.overrides, `seed=${run.seed}`]));
  writeFileSync(path.join(dir, 'resolved_config.yaml'), yaml.dump(config));

  const rows = run.scores.map((score, i) => ({
    epoch: i + 1,
    step: 1000 * (i + 1),
    time_s: 10 * (i + 1),
    wall_time: 1_767_225_600 + 10 * (i + 1),
    'learner/critic_loss': 5 - i + run.seed,
    'learner/actor_loss': -2 * (i + 1) - run.seed,
    'learner/alpha': 0.5 / (i + 1),
    'eval/return_mean': 100 * score,
    'eval/return_std': 10,
    'eval/length_mean': 1000,
    'eval/normalized_score': score,
    'rollout/reward_mean': 1 + 0.1 * i,
    'rollout/penalty_mean': 0.5 - 0.05 * i + 0.01 * run.seed,
    'rollout/length_mean': 5,
    'rollout/model_buffer_size': 5000 * (i + 1),
    'perf/steps_per_s': 100,
    ...run.extra,
  }));
  writeFileSync(path.join(dir, 'metrics.jsonl'), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const columns = Object.keys(rows[0]!);
  writeFileSync(path.join(dir, 'metrics.csv'), [columns.join(','), ...rows.map((r) => columns.map((c) => String(r[c as keyof typeof r])).join(','))].join('\n') + '\n');

  const dynamics = [1, 2, 3, 4, 5].map((epoch) => ({
    epoch,
    time_s: epoch,
    wall_time: 1_767_225_500 + epoch,
    'dynamics/train_loss': 10 / epoch,
    'dynamics/holdout_loss': 12 / epoch + 1 + run.seed,
    'dynamics/epochs_since_update': 0,
  }));
  writeFileSync(path.join(dir, 'dynamics.jsonl'), dynamics.map((r) => `${JSON.stringify(r)}\n`).join(''));

  if (run.unfinished) return;
  const last = run.scores.at(-1)!;
  const tail = run.scores.slice(-10);
  const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
  const best = Math.max(...run.scores);
  const protocol = (returnMean: number, normalizedScore: number, evaluations: number, text: string) => ({
    return_mean: returnMean,
    normalized_score: normalizedScore,
    evaluations,
    step: 1000 * run.scores.length,
    protocol: text,
  });
  const summary = {
    algo: 'mopo',
    learner: 'sac',
    // The simulator's name, as mopo writes it; the task is the config's env.id.
    env_id: 'HalfCheetah',
    seed: run.seed,
    steps: 1000 * run.scores.length,
    epochs: run.scores.length,
    wall_time_s: 10 * run.scores.length,
    checkpoint: path.join(dir, 'checkpoints', 'step-0000003000'),
    scores: {
      last: protocol(100 * last, last, 1, 'the last evaluation'),
      mean_last_10: protocol(100 * mean, mean, tail.length, "mean of the last 10 evaluations (OfflineRL-Kit's protocol)"),
      best: { ...protocol(100 * best, best, 1, 'the best evaluation of the run (optimistic: it selects by test score)'), optimistic: true },
    },
  };
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
}

/**
 * The 2 × 2 sweep of the tests: algo.h ∈ {1, 5} × seed ∈ {0, 1}, as jobs 0–3 in Hydra's
 * order (the last override varies fastest). Scores per evaluation:
 *   h=1: seed 0 → 24, 30, 30 (last 30, mean 28); seed 1 → 28, 34, 40 (last 40, mean 34)
 *   h=5: seed 0 → 40, 45, 50 (last 50, mean 45); seed 1 → 42, 49, 56 (last 56, mean 49)
 * so the table reads h=1: last 35 ± 5, mean 31 ± 3; h=5: last 53 ± 3, mean 47 ± 2.
 */
export const SWEEP_SCORES: Record<string, number[]> = {
  'algo.h=1 seed=0': [24, 30, 30],
  'algo.h=1 seed=1': [28, 34, 40],
  'algo.h=5 seed=0': [40, 45, 50],
  'algo.h=5 seed=1': [42, 49, 56],
};

export function writeFixtureSweep(dir: string, options: { unfinishedJobs?: number[] } = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'multirun.yaml'), yaml.dump({ hydra: { mode: 'MULTIRUN', overrides: { task: ['exp=quickstart', 'algo.h=1,5', 'seed=0,1'] } } }));
  let job = 0;
  for (const h of [1, 5]) {
    for (const seed of [0, 1]) {
      writeFixtureRun(path.join(dir, String(job)), {
        overrides: ['exp=quickstart', `algo.h=${h}`],
        seed,
        scores: SWEEP_SCORES[`algo.h=${h} seed=${seed}`]!,
        unfinished: options.unfinishedJobs?.includes(job) ?? false,
      });
      job++;
    }
  }
}
