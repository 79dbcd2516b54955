// `mopo-eval … ope=fqe` end to end, on a tiny online TD3 run (a learner without a
// dataset of its own) evaluated on the HalfCheetah data that ships with mopo.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';

const shipped = path.resolve(import.meta.dirname, '../../data/halfcheetah-random-small.hdf5');
const tinyFqe = ['ope=fqe', `ope.dataset=${shipped}`, 'ope.n_steps=200', 'ope.n_steps_per_epoch=100', 'ope.hidden_size=32', 'env.max_episode_steps=50'];
let cwd: string;

beforeAll(() => {
  cwd = tempDir();
  const train = runCli(
    'mopo',
    ['exp=halfcheetah-online', 'algo=td3', 'algo.total_steps=200', 'algo.start_steps=100', 'algo.num_updates=5', 'algo.test_every=200', 'algo.per_rank_batch_size=32', 'algo.actor.hidden_size=16', 'algo.critic.hidden_size=16', 'env.max_episode_steps=50', 'eval.episodes=1', 'threads=0', 'metric.progress=lines', 'hydra.run.dir=run'],
    { cwd },
  );
  expect(train.status, train.stderr).toBe(0);
});

afterAll(removeTempDirs);

const report = (file: string) => JSON.parse(readFileSync(path.join(cwd, file), 'utf8'));

describe('mopo-eval ope=fqe', () => {
  it('writes the FQE estimate, soft OPC and curve next to the simulator result, with the episodes\' discounted return and the relative error', () => {
    const result = runCli('mopo-eval', ['checkpoint_path=run', ...tinyFqe, 'eval.episodes=2', 'eval_out=both.json'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/FQE epoch 2 step 200 \| loss \S+ \| initial-state value \S+ \| soft OPC \S+/);
    const written = report('both.json');
    expect(written).toMatchObject({ algo: 'td3', episodes: 2, returns: expect.any(Array) });
    const ope = written.ope;
    expect(ope).toMatchObject({ method: 'fqe', dataset: shipped, transitions: expect.any(Number), episodes: 12, success_episodes: 6, settings: { n_steps: 200, learning_rate: 1e-4, batch_size: 100, gamma: 0.99, target_update_interval: 100 } });
    expect(ope.curve.map((p: { step: number }) => p.step)).toEqual([100, 200]);
    expect(ope.initial_state_value).toBe(ope.curve[1].initial_state_value);
    expect(ope.monte_carlo.discounted_returns).toHaveLength(2);
    const truth = ope.monte_carlo.discounted_return_mean;
    expect(ope.relative_error).toBeCloseTo((ope.initial_state_value - truth) / Math.abs(truth), 9);
  });

  it('runs without the simulator with eval.episodes=0', () => {
    const result = runCli('mopo-eval', ['checkpoint_path=run', ...tinyFqe, 'eval.episodes=0', 'eval_out=data-only.json'], { cwd });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('episodes (seeds');
    const written = report('data-only.json');
    expect(written.return_mean).toBeUndefined();
    expect(written.ope.monte_carlo).toBeUndefined();
    expect(Number.isFinite(written.ope.initial_state_value)).toBe(true);
  });

  it('asks for the data of a run that names none (online), and names wrong methods and keys in one line', () => {
    const cases: [string[], RegExp][] = [
      [['ope=fqe', 'eval.episodes=0'], /names no dataset \(td3 on HalfCheetah\): give the data to evaluate its policy on, ope.dataset=<HDF5 file or D4RL id>\.\n$/],
      [['ope=fq'], /Unknown off-policy evaluation method ope=fq. Did you mean 'fqe'\? Methods: fqe.\n$/],
      [['ope=fqe', 'ope.n_step=3'], /Could not override 'ope.n_step'. Did you mean 'ope.n_steps'\?/],
      [['ope.n_steps=3'], /'ope.n_steps=3' sets an off-policy evaluation option: add ope=fqe.\n$/],
      [['eval.episodes=0'], /Invalid value for 'eval.episodes': 0 \(must be >= 1\)/],
      [['ope=fqe', 'ope.gamma=1'], /Invalid value for 'ope.gamma': 1 \(must be < 1\)\.\n$/],
    ];
    for (const [args, message] of cases) {
      const result = runCli('mopo-eval', ['checkpoint_path=run', ...args], { cwd });
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
