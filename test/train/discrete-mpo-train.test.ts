// algo=mpo on CartPole-v1: the categorical MPO through the online loop, its checkpoints,
// an exact resume, mopo-eval, and what mopo-export says of it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { listCheckpoints, readCheckpoint } from '../../src/train/checkpoint.js';
import { InterruptWatch } from '../../src/train/interrupt.js';
import { trainOnline } from '../../src/train/online.js';
import { loadPolicy } from '../../src/train/policy-loader.js';
import { Rng } from '../../src/util/rng.js';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';
import { comparable, readMetrics, removeRunDirs, trainJob } from '../helpers/train-job.js';

afterAll(() => {
  removeRunDirs();
  removeTempDirs();
});

/** Online MPO on CartPole-v1 in seconds: 600 steps, 5 updates every 25 after 100 random steps. */
const TINY_MPO = [
  'exp=cartpole-online',
  'algo=mpo',
  'algo.total_steps=600',
  'algo.start_steps=100',
  'algo.update_every=25',
  'algo.num_updates=5',
  'algo.test_every=200',
  'algo.per_rank_batch_size=32',
  'algo.actor.hidden_size=16',
  'algo.critic.hidden_size=16',
  'eval.episodes=2',
  'env.max_episode_steps=100',
  'checkpoint.every=1',
  'metric.progress=lines',
];

describe('MPO online on CartPole-v1: the categorical policy (tiny configuration)', () => {
  const reference = trainJob(TINY_MPO);
  const referenceRun = trainOnline(reference);

  it("trains from the config file box envs use, recording the E- and M-step's duals", async () => {
    const result = await referenceRun;
    expect(result.steps).toBe(600);
    const rows = readMetrics(reference.runDir);
    expect(rows.map((r) => [r.epoch, r.step, r['train/updates']])).toEqual([
      [1, 200, 25],
      [2, 400, 65],
      [3, 600, 105],
    ]);
    for (const key of ['learner/critic_loss', 'learner/q_mean', 'learner/actor_loss', 'learner/eta', 'learner/kl', 'learner/alpha', 'learner/entropy']) {
      expect(rows.every((r) => Number.isFinite(r[key])), key).toBe(true);
    }
    // α within [0, alpha_max = 1]; the entropy of a policy over 2 actions at most log 2
    expect(rows.every((r) => (r['learner/alpha'] as number) >= 0 && (r['learner/alpha'] as number) <= 1)).toBe(true);
    expect(rows.every((r) => (r['learner/entropy'] as number) <= Math.LN2)).toBe(true);
    expect(rows.every((r) => Number.isInteger(r['eval/return_mean']))).toBe(true);
  });

  it('saves checkpoints whose policy loads through the learner table and picks action indices', async () => {
    const result = await referenceRun;
    expect(readCheckpoint(result.checkpoint).manifest).toMatchObject({ algo: 'mpo', learner: 'mpo', envId: 'CartPole', actionSize: 1 });
    const policy = await loadPolicy(readCheckpoint(reference.runDir));
    expect(policy.learner).toBe('mpo');
    const observations = new Rng(2).fillNormal(new Float32Array(50 * 4));
    const drawn = policy.act(observations, false, new Rng(1));
    expect(drawn.every((a) => a === 0 || a === 1)).toBe(true);
    expect(new Set(drawn).size).toBe(2);
    expect(policy.act(observations, true, new Rng(1)).every((a) => a === 0 || a === 1)).toBe(true);
    policy.dispose();
  });

  it('resumed after an interrupt mid-episode, explores and learns exactly as the run left alone', async () => {
    await referenceRun;
    const interrupted = trainJob(TINY_MPO);
    const watch = new InterruptWatch(() => {});
    await expect(trainOnline(interrupted, { interrupt: watch, afterStep: (step, w) => step === 333 && w.request() })).rejects.toThrow(InterruptedError);
    expect(listCheckpoints(path.join(interrupted.runDir, 'checkpoints')).map((c) => path.basename(c))).toEqual(['step-0000000200', 'step-0000000333']);
    const resumed = trainJob([...TINY_MPO, `checkpoint.resume_from=${interrupted.runDir}`]);
    await trainOnline(resumed);
    expect(comparable(readMetrics(resumed.runDir))).toEqual(comparable(readMetrics(reference.runDir)));
    const [a, b] = await Promise.all([loadPolicy(readCheckpoint(resumed.runDir)), loadPolicy(readCheckpoint(reference.runDir))]);
    const observations = new Rng(3).fillNormal(new Float32Array(40 * 4));
    expect(a.act(observations, false, new Rng(4))).toEqual(b.act(observations, false, new Rng(4)));
    a.dispose();
    b.dispose();
  });

  it('draws n-step, prioritized batches (algo.n_step, algo.per) and resumes them exactly', async () => {
    const options = [...TINY_MPO, 'algo.n_step=3', 'algo.per=true'];
    const straight = trainJob(options);
    await trainOnline(straight);
    const interrupted = trainJob(options);
    const watch = new InterruptWatch(() => {});
    await expect(trainOnline(interrupted, { interrupt: watch, afterStep: (step, w) => step === 333 && w.request() })).rejects.toThrow(InterruptedError);
    const priorities = readCheckpoint(interrupted.runDir).arrays['priorities/priorities']!;
    expect(new Set(priorities.data).size).toBeGreaterThan(50); // renewed from the critic's TD errors
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
    expect(report).toMatchObject({ algo: 'mpo', gym_env: 'CartPole', episodes: 3 });
    expect(report.returns).toHaveLength(3);
    for (const value of report.returns) expect(Number.isInteger(value) && value >= 1 && value <= 100).toBe(true);
  });

  it('is refused by mopo-export with one line naming the checkpoint, writing nothing', async () => {
    const result = await referenceRun;
    const cwd = tempDir();
    const exported = runCli('mopo-export', [`checkpoint_path=${result.checkpoint}`, 'format=json', 'out=policy.json'], { cwd });
    expect(exported.status).not.toBe(0);
    expect(exported.stderr.trim()).toBe(`mopo-export: Checkpoint ${result.checkpoint} holds a 'mpo' policy, which mopo-export cannot describe yet.`);
    expect(existsSync(path.join(cwd, 'policy.json'))).toBe(false);
  });
});
