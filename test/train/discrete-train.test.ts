import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobConfig, createRepository } from '../../src/config/job-config.js';
import { loadDataset } from '../../src/data/load-dataset.js';
import { InterruptedError } from '../../src/errors.js';
import { checkTrainingConfig } from '../../src/train/algo-choice.js';
import { listCheckpoints, readCheckpoint } from '../../src/train/checkpoint.js';
import { InterruptWatch } from '../../src/train/interrupt.js';
import { trainOffline } from '../../src/train/offline.js';
import { trainOnline } from '../../src/train/online.js';
import { loadPolicy } from '../../src/train/policy-loader.js';
import { Rng } from '../../src/util/rng.js';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';
import { comparable, readMetrics, removeRunDirs, trainJob } from '../helpers/train-job.js';

afterAll(() => {
  removeRunDirs();
  removeTempDirs();
});

/** Online DDQN on CartPole-v1 in seconds: 600 steps, 5 updates every 25 after 100 random steps. */
const TINY_DDQN = [
  'exp=cartpole-online',
  'algo.total_steps=600',
  'algo.start_steps=100',
  'algo.update_every=25',
  'algo.num_updates=5',
  'algo.test_every=200',
  'algo.per_rank_batch_size=32',
  'algo.epsilon_decay=0.99',
  'algo.q.hidden_size=16',
  'eval.episodes=2',
  'env.max_episode_steps=100',
  'checkpoint.every=1',
  'metric.progress=lines',
];

/** Discrete MOPO in seconds, on a dataset given as env.dataset_path. */
const TINY_DISCRETE_MOPO = [
  'exp=cartpole-mopo',
  'algo.total_steps=300',
  'algo.num_epochs=3',
  'algo.rollout_freq=50',
  'algo.rollout_batch_size=100',
  'algo.h=2',
  'algo.per_rank_batch_size=32',
  'algo.actor.hidden_size=16',
  'algo.critic.hidden_size=16',
  'algo.ensembles.num_ensembles=3',
  'algo.ensembles.num_elites=2',
  'algo.ensembles.hidden_size=16',
  'algo.ensembles.num_layers=2',
  'algo.ensembles.optimizer.weight_decays=[2.5e-5,5e-5,1e-4]',
  'algo.ensembles.max_epochs=2',
  'eval.every=3',
  'eval.episodes=1',
  'env.max_episode_steps=100',
  'checkpoint.every=1',
  'metric.progress=lines',
];

describe('DDQN online on CartPole-v1 (tiny configuration)', () => {
  const reference = trainJob(TINY_DDQN);
  const referenceRun = trainOnline(reference);

  it('acts ε-greedily, learns, evaluates greedily and records ε in every metrics row', async () => {
    const result = await referenceRun;
    expect(result.steps).toBe(600);
    const rows = readMetrics(reference.runDir);
    expect(rows.map((r) => [r.epoch, r.step, r['train/updates']])).toEqual([
      [1, 200, 25],
      [2, 400, 65],
      [3, 600, 105],
    ]);
    const epsilons = rows.map((r) => r['learner/epsilon'] as number);
    // ε·0.99 after every update, averaged over the updates whose metrics were read.
    expect(epsilons[0]).toBeLessThan(1);
    expect(epsilons[1]).toBeLessThan(epsilons[0]!);
    expect(epsilons[2]).toBeLessThan(epsilons[1]!);
    expect(rows.every((r) => Number.isFinite(r['learner/critic_loss']) && Number.isInteger(r['eval/return_mean']))).toBe(true);
  });

  it('saves checkpoints whose policy loads through the learner table and picks action indices', async () => {
    const result = await referenceRun;
    expect(readCheckpoint(result.checkpoint).manifest).toMatchObject({ algo: 'ddqn', learner: 'ddqn', envId: 'CartPole', actionSize: 1 });
    const policy = await loadPolicy(readCheckpoint(reference.runDir));
    expect(policy.learner).toBe('ddqn');
    const actions = policy.act(new Rng(2).fillNormal(new Float32Array(50 * 4)), false, new Rng(1));
    expect(actions.every((a) => a === 0 || a === 1)).toBe(true);
    expect(new Set(actions).size).toBe(2);
    policy.dispose();
  });

  it('resumed after an interrupt mid-episode, explores and learns exactly as the run left alone', async () => {
    await referenceRun;
    const interrupted = trainJob(TINY_DDQN);
    const watch = new InterruptWatch(() => {});
    await expect(trainOnline(interrupted, { interrupt: watch, afterStep: (step, w) => step === 333 && w.request() })).rejects.toThrow(InterruptedError);
    expect(listCheckpoints(path.join(interrupted.runDir, 'checkpoints')).map((c) => path.basename(c))).toEqual(['step-0000000200', 'step-0000000333']);
    const resumed = trainJob([...TINY_DDQN, `checkpoint.resume_from=${interrupted.runDir}`]);
    await trainOnline(resumed);
    expect(comparable(readMetrics(resumed.runDir))).toEqual(comparable(readMetrics(reference.runDir)));
    const [a, b] = await Promise.all([loadPolicy(readCheckpoint(resumed.runDir)), loadPolicy(readCheckpoint(reference.runDir))]);
    const observations = new Rng(3).fillNormal(new Float32Array(40 * 4));
    expect(a.act(observations, false, new Rng(4))).toEqual(b.act(observations, false, new Rng(4)));
    a.dispose();
    b.dispose();
  });

  it('draws n-step, prioritized batches (algo.n_step, algo.per) and resumes them exactly', async () => {
    const options = [...TINY_DDQN, 'algo.n_step=3', 'algo.per=true'];
    const straight = trainJob(options);
    await trainOnline(straight);
    const interrupted = trainJob(options);
    const watch = new InterruptWatch(() => {});
    await expect(trainOnline(interrupted, { interrupt: watch, afterStep: (step, w) => step === 333 && w.request() })).rejects.toThrow(InterruptedError);
    const priorities = readCheckpoint(interrupted.runDir).arrays['priorities/priorities']!;
    expect(new Set(priorities.data).size).toBeGreaterThan(50); // renewed from DDQN's TD errors
    const resumed = trainJob([...options, `checkpoint.resume_from=${interrupted.runDir}`]);
    await trainOnline(resumed);
    expect(comparable(readMetrics(resumed.runDir))).toEqual(comparable(readMetrics(straight.runDir)));
    expect(readMetrics(straight.runDir)[2]!['learner/critic_loss']).not.toBe(readMetrics(reference.runDir)[2]!['learner/critic_loss']);
  });

  it('is evaluated by mopo-eval', async () => {
    const result = await referenceRun;
    const cwd = tempDir();
    const evaluated = runCli('mopo-eval', [`checkpoint_path=${result.checkpoint}`, 'eval.episodes=3', 'eval_out=eval.json'], { cwd });
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(cwd, 'eval.json'), 'utf8'));
    expect(report).toMatchObject({ algo: 'ddqn', gym_env: 'CartPole', episodes: 3 });
    expect(report.returns).toHaveLength(3);
  });

  // mopo-collect runs the policy into a discrete dataset, which the offline tests below learn from.
  const collected = referenceRun.then(() => {
    const cwd = tempDir();
    const result = runCli('mopo-collect', [`checkpoint_path=${reference.runDir}`, 'collect.steps=1000', 'collect.out=cartpole.hdf5'], { cwd });
    return { result, file: path.join(cwd, 'cartpole.hdf5') };
  });

  it('collects a dataset of action indices with mopo-collect, from which DDQN learns offline', async () => {
    const { result, file } = await collected;
    expect(result.status, result.stderr).toBe(0);
    const dataset = await loadDataset(file, { expect: { observationSize: 4, actionSize: 1 } });
    expect(dataset.size).toBe(1000);
    expect(dataset.actions.every((a) => a === 0 || a === 1)).toBe(true);
    expect(dataset.source.metadata).toMatchObject({ action_space: 'discrete(2)', policy: 'ddqn step 600 (stochastic)' });

    const offline = trainJob(['exp=cartpole-ddqn-offline', `env.dataset_path=${file}`, 'algo.total_steps=200', 'algo.num_epochs=2', 'algo.q.hidden_size=16', 'eval.episodes=1', 'metric.progress=lines']);
    expect((await trainOffline(offline)).steps).toBe(200);
    expect(readMetrics(offline.runDir).every((r) => Number.isFinite(r['learner/critic_loss']) && Number.isFinite(r['eval/return_mean']))).toBe(true);
  });

  it('trains discrete MOPO on that dataset (one-hot ensemble, discrete SAC sampling the rollouts) and resumes it exactly', async () => {
    const { file } = await collected;
    const job = [...TINY_DISCRETE_MOPO, `env.dataset_path=${file}`];
    const whole = trainJob(job);
    expect((await trainOffline(whole)).steps).toBe(300);
    const rows = readMetrics(whole.runDir);
    for (const key of ['learner/critic_loss', 'learner/actor_loss', 'learner/alpha', 'learner/entropy', 'rollout/reward_mean', 'rollout/penalty_mean']) {
      expect(rows.every((r) => Number.isFinite(r[key])), key).toBe(true);
    }
    expect(rows[2]!['rollout/model_buffer_size']).toBeGreaterThan(0);
    const manifest = readCheckpoint(whole.runDir).manifest as { state: { dynamics: { options: { actionCount: number; actionSize: number } } } };
    expect(manifest.state.dynamics.options).toMatchObject({ actionCount: 2, actionSize: 1 });

    // Interrupted between two rollouts, then resumed: the same metrics as the run left alone.
    const interrupted = trainJob(job);
    const watch = new InterruptWatch(() => {});
    await expect(trainOffline(interrupted, { interrupt: watch, afterStep: (step, w) => step === 130 && w.request() })).rejects.toThrow(InterruptedError);
    const resumed = trainJob([...job, `checkpoint.resume_from=${interrupted.runDir}`]);
    await trainOffline(resumed);
    expect(comparable(readMetrics(resumed.runDir))).toEqual(comparable(readMetrics(whole.runDir)));
  });
});

describe('discrete actions: what the config check refuses, naming the thing at fault', () => {
  const check = (overrides: string[]) => {
    const job = JobConfig.compose(createRepository(), { overrides });
    return () => checkTrainingConfig(job.view());
  };

  it('a discrete learner in a box env, and a box learner in a discrete env', () => {
    expect(check(['exp=hopper-online', 'algo=ddqn'])).toThrow('algo=ddqn needs discrete actions, but env Hopper has box(3) actions');
    expect(check(['exp=cartpole-online', 'algo=sac_online'])).toThrow('algo=sac_online needs continuous (box) actions, but env CartPole has discrete(2) actions');
  });

  it('model rollouts with DDQN (no density to sample from), naming the learner that can', () => {
    expect(check(['exp=cartpole-mopo', 'algo.learner=ddqn', '+algo.lr=1e-3', 'algo.polyak=0.995', 'algo.max_grad_norm=0.5', '+algo.initial_epsilon=1', '+algo.epsilon_decay=0.999', '+algo.min_epsilon=0.05', '+algo.q={hidden_size:64,num_layers:2}'])).toThrow(
      'the ddqn learner does not (use discrete_sac)',
    );
  });

  it('algo.discrete_action that contradicts the env', () => {
    expect(check(['exp=cartpole-mopo', 'algo.discrete_action=false'])).toThrow(
      'algo.discrete_action=false, but env CartPole has discrete(2) actions; set algo.discrete_action=true or leave it null to follow the env.',
    );
    expect(check(['exp=quickstart', 'algo.discrete_action=true'])).toThrow('algo.discrete_action=true, but env HalfCheetah has box(6) actions');
    expect(check(['exp=cartpole-mopo', 'algo.discrete_action=true'])).not.toThrow();
  });
});
