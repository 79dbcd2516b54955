import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { listCheckpoints, readCheckpoint } from '../../src/train/checkpoint.js';
import { InterruptWatch } from '../../src/train/interrupt.js';
import { trainOnline } from '../../src/train/online.js';
import { loadPolicy } from '../../src/train/policy-loader.js';
import { Rng } from '../../src/util/rng.js';
import { TINY_ONLINE, comparable, readMetrics, removeRunDirs, trainJob } from '../helpers/train-job.js';

afterAll(removeRunDirs);



describe('online SAC (tiny configuration)', () => {
  const reference = trainJob(TINY_ONLINE);
  const referenceRun = trainOnline(reference);

  it('acts, learns and evaluates on schedule, with a metrics row per evaluation', async () => {
    const result = await referenceRun;
    expect(result.steps).toBe(600);
    const rows = readMetrics(reference.runDir);
    // Update phases at steps 100, 125, …: 5 updates each.
    expect(rows.map((r) => [r.epoch, r.step, r['train/updates']])).toEqual([
      [1, 200, 25],
      [2, 400, 65],
      [3, 600, 105],
    ]);
    expect(rows.every((r) => Number.isFinite(r['eval/return_mean']) && Number.isFinite(r['learner/critic_loss']))).toBe(true);
    expect(rows[2]!['replay/size']).toBe(600);
    expect((rows[2]!['train/episodes'] as number) > 0).toBe(true);
  });

  it('saves checkpoints whose policy acts the same after loading', async () => {
    const result = await referenceRun;
    const policy = await loadPolicy(readCheckpoint(result.checkpoint));
    const again = await loadPolicy(readCheckpoint(reference.runDir));
    const observations = new Rng(2).fillNormal(new Float32Array(4 * 11));
    expect(again.act(observations, true, new Rng(0))).toEqual(policy.act(observations, true, new Rng(0)));
    policy.dispose();
    again.dispose();
  });

  it('resumed after an interrupt mid-episode, produces the same metrics as the run left alone', async () => {
    await referenceRun;
    const interrupted = trainJob(TINY_ONLINE);
    const watch = new InterruptWatch(() => {});
    await expect(trainOnline(interrupted, { interrupt: watch, afterStep: (step, w) => step === 333 && w.request() })).rejects.toThrow(InterruptedError);
    expect(listCheckpoints(path.join(interrupted.runDir, 'checkpoints')).map((c) => path.basename(c))).toEqual(['step-0000000200', 'step-0000000333']);
    const resumed = trainJob([...TINY_ONLINE, `checkpoint.resume_from=${interrupted.runDir}`]);
    await trainOnline(resumed);
    expect(comparable(readMetrics(resumed.runDir))).toEqual(comparable(readMetrics(reference.runDir)));
  });

  it('stops early once the evaluation return reaches algo.target_return', async () => {
    const job = trainJob([...TINY_ONLINE, 'algo.target_return=-1000000']);
    const result = await trainOnline(job);
    expect(result.reachedTarget).toBe(true);
    expect(result.steps).toBe(200);
  });
});

describe.each(['td3', 'ddpg'])('online %s (tiny configuration)', (algo) => {
  it('trains, evaluates and checkpoints through the same loop, and its checkpoint resumes', async () => {
    const options = [...TINY_ONLINE, `algo=${algo}`, 'algo.actor.hidden_size=32', 'algo.critic.hidden_size=32', 'algo.per_rank_batch_size=32'];
    const job = trainJob(options);
    const result = await trainOnline(job);
    expect(result.steps).toBe(600);
    const rows = readMetrics(job.runDir);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => Number.isFinite(r['learner/critic_loss']) && Number.isFinite(r['learner/actor_loss']) && !('learner/alpha' in r))).toBe(true);
    expect(readCheckpoint(result.checkpoint).manifest.algo).toBe(algo);
    const longer = trainJob([...options, 'algo.total_steps=800', `checkpoint.resume_from=${result.checkpoint}`]);
    expect((await trainOnline(longer)).steps).toBe(800);
    expect(readMetrics(longer.runDir)).toHaveLength(4);
  });
});
