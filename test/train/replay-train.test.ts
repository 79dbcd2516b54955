// n-step returns and prioritized replay in both loops, and MPO online: each trains, and a run
// interrupted and resumed (priorities restored from the checkpoint) matches the run left alone.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { listCheckpoints, readCheckpoint } from '../../src/train/checkpoint.js';
import { InterruptWatch } from '../../src/train/interrupt.js';
import { trainOffline } from '../../src/train/offline.js';
import { trainOnline } from '../../src/train/online.js';
import { loadPolicy } from '../../src/train/policy-loader.js';
import { Rng } from '../../src/util/rng.js';
import { TINY_MOPO, TINY_ONLINE, comparable, readMetrics, removeRunDirs, trainJob } from '../helpers/train-job.js';

afterAll(removeRunDirs);

/** Runs `options` straight through, and again interrupted at `stopAt` and resumed; returns both runs' metrics. */
async function straightAndResumed(train: typeof trainOnline | typeof trainOffline, options: string[], stopAt: number) {
  const straight = trainJob(options);
  await train(straight);
  const interrupted = trainJob(options);
  const watch = new InterruptWatch(() => {});
  await expect(train(interrupted, { interrupt: watch, afterStep: (step, w) => step === stopAt && w.request() })).rejects.toThrow(InterruptedError);
  const last = listCheckpoints(path.join(interrupted.runDir, 'checkpoints')).at(-1)!;
  const resumed = trainJob([...options, `checkpoint.resume_from=${interrupted.runDir}`]);
  await train(resumed);
  return { straight: readMetrics(straight.runDir), straightDir: straight.runDir, resumed: readMetrics(resumed.runDir), interruptedAt: readCheckpoint(last) };
}

describe('online SAC with algo.n_step=3 and algo.per=true (tiny configuration)', () => {
  it('trains, checkpoints its priorities, and resumes exactly', async () => {
    const options = [...TINY_ONLINE, 'algo.n_step=3', 'algo.per=true'];
    const { straight, resumed, interruptedAt } = await straightAndResumed(trainOnline, options, 333);
    expect(straight.map((r) => r.step)).toEqual([200, 400, 600]);
    expect(straight.every((r) => Number.isFinite(r['learner/critic_loss']) && Number.isFinite(r['eval/return_mean']))).toBe(true);
    const priorities = interruptedAt.arrays['priorities/priorities']!;
    expect(priorities.data.length).toBe(333);
    expect(new Set(priorities.data).size).toBeGreaterThan(50); // renewed from TD errors, not all at the start value
    expect(comparable(resumed)).toEqual(comparable(straight));
    // the options change training: the same run without them learns otherwise
    const plain = trainJob(TINY_ONLINE);
    await trainOnline(plain);
    expect(readMetrics(plain.runDir)[2]!['learner/critic_loss']).not.toBe(straight[2]!['learner/critic_loss']);
  });
});

describe('offline SAC on a dataset with algo.n_step=3 and algo.per=true (tiny configuration)', () => {
  it('trains without model rollouts and resumes exactly', async () => {
    const options = [...TINY_MOPO, 'algo.dynamics=null', 'algo.n_step=3', 'algo.per=true'];
    const { straight, resumed, interruptedAt } = await straightAndResumed(trainOffline, options, 130);
    expect(straight.map((r) => r.step)).toEqual([100, 200, 300]);
    expect(straight.every((r) => Number.isFinite(r['learner/critic_loss']) && !('rollout/reward_mean' in r))).toBe(true);
    expect(interruptedAt.arrays['priorities/priorities']!.data.length).toBe(12_000); // every row of the dataset
    expect(comparable(resumed)).toEqual(comparable(straight));
  });
});

describe('online MPO (tiny configuration)', () => {
  it('trains, evaluates and checkpoints through the online loop, and its checkpoint resumes and loads', async () => {
    const options = [...TINY_ONLINE, 'algo=mpo', 'algo.actor.hidden_size=32', 'algo.critic.hidden_size=32', 'algo.per_rank_batch_size=32', 'algo.sample_action_num=8'];
    const { straight, straightDir, resumed } = await straightAndResumed(trainOnline, options, 333);
    expect(straight).toHaveLength(3);
    for (const key of ['learner/critic_loss', 'learner/actor_loss', 'learner/eta', 'learner/kl_mean', 'learner/kl_var', 'learner/alpha_mean', 'learner/alpha_var', 'learner/std', 'eval/return_mean']) {
      expect(straight.every((r) => Number.isFinite(r[key])), key).toBe(true);
    }
    expect(comparable(resumed)).toEqual(comparable(straight));
    const checkpoint = readCheckpoint(straightDir);
    expect(checkpoint.manifest.learner).toBe('mpo');
    const policy = await loadPolicy(checkpoint);
    const observations = new Rng(2).fillNormal(new Float32Array(3 * 11));
    expect(policy.act(observations, true, new Rng(0)).every((a) => Math.abs(a) < 1)).toBe(true);
    policy.dispose();
  });
});
