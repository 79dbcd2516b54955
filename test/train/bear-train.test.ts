import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { checkTrainingConfig } from '../../src/train/algo-choice.js';
import { listCheckpoints, readCheckpoint } from '../../src/train/checkpoint.js';
import { InterruptWatch } from '../../src/train/interrupt.js';
import { trainOffline } from '../../src/train/offline.js';
import { loadPolicy } from '../../src/train/policy-loader.js';
import { Rng } from '../../src/util/rng.js';
import { TINY_MOPO, comparable, readMetrics, removeRunDirs, trainJob } from '../helpers/train-job.js';

afterAll(removeRunDirs);

/** BEAR on the shipped HalfCheetah data, small enough for seconds, with a one-epoch warm-up. */
const TINY_BEAR = [
  'exp=quickstart',
  'algo=bear',
  'algo.total_steps=300',
  'algo.num_epochs=3',
  'algo.rl_start_epoch=1',
  'algo.actor.hidden_size=32',
  'algo.critic.hidden_size=32',
  'algo.imitator.hidden_size=32',
  'eval.every=3',
  'eval.episodes=1',
  'env.max_episode_steps=50',
  'checkpoint.every=1',
  'metric.progress=lines',
];

describe('BEAR training (tiny configuration)', () => {
  // A MOPO run whose fitted ensemble BEAR's model rollouts load (d3rlpy's `dynamics=`).
  const mopo = trainJob(TINY_MOPO);
  const mopoRun = trainOffline(mopo);
  const withDynamics = () => [...TINY_BEAR, `algo.dynamics=${mopo.runDir}`, 'algo.rollout_freq=50', 'algo.rollout_batch_size=100', 'algo.real_ratio=0.5'];
  const reference = mopoRun.then(() => {
    const job = trainJob(withDynamics());
    return { job, result: trainOffline(job) };
  });

  it("trains on the data plus rollouts through a MOPO run's ensemble (algo.dynamics=<run>), loaded, not refitted", async () => {
    const { job, result } = await reference;
    expect((await result).steps).toBe(300);
    const rows = readMetrics(job.runDir);
    expect(rows.map((r) => r.epoch)).toEqual([1, 2, 3]);
    for (const row of rows) {
      for (const key of ['learner/imitator_loss', 'learner/critic_loss', 'learner/actor_loss', 'learner/mmd', 'learner/alpha', 'learner/temp', 'rollout/reward_mean', 'rollout/penalty_mean']) {
        expect(Number.isFinite(row[key]), `${key} in epoch ${row.epoch}`).toBe(true);
      }
      expect(row['rollout/model_buffer_size']).toBeGreaterThan(0);
    }
    // The warm-up epoch has no temperature step; RL epochs do.
    expect(rows[0]!['learner/temp_loss']).toBeUndefined();
    expect(Number.isFinite(rows[1]!['learner/temp_loss'])).toBe(true);
    expect(rows[2]!['eval/normalized_score']).toEqual(expect.any(Number));
    const log = readFileSync(path.join(job.runDir, 'train.log'), 'utf8');
    expect(log).toContain(`Dynamics: the ensemble fitted in ${path.join(mopo.runDir, 'checkpoints')}`);
    expect(log).not.toContain('Fitting the dynamics ensemble');
    expect(JSON.parse(readFileSync(path.join(job.runDir, 'summary.json'), 'utf8'))).toMatchObject({ algo: 'bear', learner: 'bear', steps: 300 });
  });

  it('resumed after an interrupt, produces the same metrics as the run left alone', async () => {
    const { job } = await reference;
    await (await reference).result;
    const interrupted = trainJob(withDynamics());
    const watch = new InterruptWatch(() => {});
    await expect(trainOffline(interrupted, { interrupt: watch, afterStep: (step, w) => step === 130 && w.request() })).rejects.toThrow(InterruptedError);
    expect(listCheckpoints(path.join(interrupted.runDir, 'checkpoints')).map((c) => path.basename(c))).toEqual(['step-0000000100', 'step-0000000130']);
    const resumed = trainJob([...withDynamics(), `checkpoint.resume_from=${interrupted.runDir}`]);
    await trainOffline(resumed);
    expect(comparable(readMetrics(resumed.runDir))).toEqual(comparable(readMetrics(job.runDir)));
  });

  it('writes checkpoints whose policy loads for mopo-eval and mopo-collect, with log-probabilities', async () => {
    const { job, result } = await reference;
    const first = await loadPolicy(readCheckpoint((await result).checkpoint));
    const second = await loadPolicy(readCheckpoint(job.runDir));
    expect(first.learner).toBe('bear');
    const observations = new Rng(5).fillNormal(new Float32Array(8 * 17));
    expect(second.act(observations, true, new Rng(0))).toEqual(first.act(observations, true, new Rng(0)));
    const sampled = first.sample!(observations, new Rng(9));
    expect(sampled.actions).toEqual(second.act(observations, false, new Rng(9)));
    expect(sampled.logProbs.every(Number.isFinite)).toBe(true);
    // mopo-export describes it like SAC's policy: tanh of the Gaussian head's mean.
    expect(first.policyGraph!().head).toBe('tanh_gaussian_mean');
    first.dispose();
    second.dispose();
  });

  it('trains on the dataset alone too, and refuses online training and rollouts from a run without an ensemble', async () => {
    expect(() => checkTrainingConfig(trainJob([...TINY_BEAR, 'algo.loop=online']).config)).toThrow('algo.loop=online: the bear learner cannot learn online; it learns offline.');
    const plain = trainJob(TINY_BEAR);
    await expect(trainOffline(plain)).resolves.toMatchObject({ steps: 300 });
    expect(readMetrics(plain.runDir).every((row) => !('rollout/model_buffer_size' in row))).toBe(true);
    await expect(trainOffline(trainJob([...TINY_BEAR, `algo.dynamics=${plain.runDir}`]))).rejects.toThrow(/holds no dynamics ensemble; give a MOPO run or checkpoint/);
  });
});
