import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { InterruptedError } from '../../src/errors.js';
import { listCheckpoints, readCheckpoint } from '../../src/train/checkpoint.js';
import { InterruptWatch } from '../../src/train/interrupt.js';
import { trainOffline } from '../../src/train/offline.js';
import { loadPolicy } from '../../src/train/policy-loader.js';
import { readEventFile } from './sinks/read-event-file.js';
import { TINY_MOPO, comparable, readMetrics, removeRunDirs, trainJob } from '../helpers/train-job.js';

afterAll(removeRunDirs);


describe('MOPO training (tiny configuration)', () => {
  // One uninterrupted run serves several tests.
  const reference = trainJob(TINY_MOPO);
  const referenceRun = trainOffline(reference);

  it('fits the dynamics, trains SAC and writes a metrics row per epoch', async () => {
    const result = await referenceRun;
    expect(result.steps).toBe(300);
    expect(result.epochs).toBe(3);
    expect(readMetrics(reference.runDir, 'dynamics').map((r) => r.epoch)).toEqual([1, 2]);
    const policy = readMetrics(reference.runDir);
    expect(policy.map((r) => [r.epoch, r.step])).toEqual([
      [1, 100],
      [2, 200],
      [3, 300],
    ]);
    for (const row of policy) {
      for (const key of ['learner/critic_loss', 'learner/actor_loss', 'learner/alpha', 'learner/q_mean', 'rollout/reward_mean', 'rollout/penalty_mean']) {
        expect(Number.isFinite(row[key]), `${key} in epoch ${row.epoch}`).toBe(true);
      }
      expect(row['rollout/model_buffer_size']).toBeGreaterThan(0);
    }
    expect(policy[2]!['eval/return_mean']).toEqual(expect.any(Number));
    expect(policy[2]!['eval/normalized_score']).toEqual(expect.any(Number));
    expect(readFileSync(path.join(reference.runDir, 'metrics.csv'), 'utf8').split('\n')[0]).toContain('learner/critic_loss');
  });

  it('says where each epoch\'s time went: rollouts and evaluation within the epoch\'s seconds', async () => {
    await referenceRun;
    const policy = readMetrics(reference.runDir);
    for (const row of policy) {
      const [epoch, rollout, evaluation] = [row['perf/epoch_s'], row['perf/rollout_s'], row['perf/eval_s'] ?? 0];
      // rollout_freq=50 in 100-step epochs: two rollouts in each
      expect(rollout, `perf/rollout_s in epoch ${row.epoch}`).toBeGreaterThan(0);
      expect(Number(rollout) + Number(evaluation)).toBeLessThanOrEqual(Number(epoch));
    }
    expect(policy.at(-1)!['perf/eval_s']).toBeGreaterThan(0);
  });

  it('writes every metric to a TensorBoard event file as well, at its step, with the config as text', async () => {
    await referenceRun;
    const [file] = readdirSync(reference.runDir).filter((f) => f.startsWith('events.out.tfevents.'));
    const events = readEventFile(path.join(reference.runDir, file!));
    const scalars = events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.metadata === undefined).map((v) => ({ step: e.step, tag: v.tag, value: v.simple_value })));
    for (const row of readMetrics(reference.runDir)) {
      const critic = scalars.find((s) => s.tag === 'learner/critic_loss' && s.step === row.step);
      expect(critic?.value).toBeCloseTo(row['learner/critic_loss'] as number, 4);
    }
    expect(scalars.filter((s) => s.tag === 'dynamics/holdout_loss').map((s) => s.step)).toEqual([1, 2]);
    expect(events.some((e) => e.summary?.value.some((v) => v.tag === 'config'))).toBe(true);
  });

  it('lowers the critic loss as it trains', async () => {
    await referenceRun;
    const critic = readMetrics(reference.runDir)
      .map((r) => r['learner/critic_loss'] as number);
    expect(critic[2]!).toBeLessThan(critic[0]!);
  });

  it('writes checkpoints that give the same actions after loading', async () => {
    const result = await referenceRun;
    const checkpoints = listCheckpoints(path.join(reference.runDir, 'checkpoints'));
    expect(checkpoints.map((c) => path.basename(c))).toEqual(['step-0000000000', 'step-0000000100', 'step-0000000200', 'step-0000000300']);
    expect(result.checkpoint).toBe(checkpoints[3]);
    const first = await loadPolicy(readCheckpoint(result.checkpoint));
    const second = await loadPolicy(readCheckpoint(reference.runDir));
    const observations = new Rng(5).fillNormal(new Float32Array(8 * 17));
    const deterministic = first.act(observations, true, new Rng(0));
    expect(second.act(observations, true, new Rng(0))).toEqual(deterministic);
    expect(second.act(observations, false, new Rng(9))).toEqual(first.act(observations, false, new Rng(9)));
    expect(deterministic.every((a) => a >= -1 && a <= 1)).toBe(true);
    first.dispose();
    second.dispose();
  });

  it('resumed after an interrupt mid-policy, produces the same metrics as the run left alone', async () => {
    await referenceRun;
    const interrupted = trainJob(TINY_MOPO);
    const watch = new InterruptWatch(() => {});
    await expect(trainOffline(interrupted, { interrupt: watch, afterStep: (step, w) => step === 130 && w.request() })).rejects.toThrow(InterruptedError);
    const saved = listCheckpoints(path.join(interrupted.runDir, 'checkpoints')).map((c) => path.basename(c));
    expect(saved).toEqual(['step-0000000000', 'step-0000000100', 'step-0000000130']);

    const resumed = trainJob([...TINY_MOPO, `checkpoint.resume_from=${interrupted.runDir}`]);
    await trainOffline(resumed);
    expect(comparable(readMetrics(resumed.runDir))).toEqual(comparable(readMetrics(reference.runDir)));
    expect(comparable(readMetrics(resumed.runDir, 'dynamics'))).toEqual(comparable(readMetrics(reference.runDir, 'dynamics')));
  });

  it('resumes exactly with a cosine learning-rate schedule and the α cap (OfflineRL-Kit\'s setup)', async () => {
    const setup = [...TINY_MOPO, 'algo.actor.optimizer.schedule=cosine', 'algo.alpha.max=1', 'algo.actor.optimizer.lr=1e-4'];
    const whole = trainJob(setup);
    await trainOffline(whole);
    const interrupted = trainJob(setup);
    const watch = new InterruptWatch(() => {});
    await expect(trainOffline(interrupted, { interrupt: watch, afterStep: (step, w) => step === 170 && w.request() })).rejects.toThrow(InterruptedError);
    const resumed = trainJob([...setup, `checkpoint.resume_from=${interrupted.runDir}`]);
    await trainOffline(resumed);
    expect(comparable(readMetrics(resumed.runDir))).toEqual(comparable(readMetrics(whole.runDir)));
    expect(comparable(readMetrics(whole.runDir))).not.toEqual(comparable(readMetrics(reference.runDir)));
  });

  it('resumed after an interrupt during the dynamics fit, produces the same metrics too', async () => {
    await referenceRun;
    const interrupted = trainJob(TINY_MOPO);
    const watch = new InterruptWatch(() => {});
    watch.request();
    await expect(trainOffline(interrupted, { interrupt: watch })).rejects.toThrow(/interrupted while fitting the dynamics ensemble/);
    const resumed = trainJob([...TINY_MOPO, `checkpoint.resume_from=${interrupted.runDir}`]);
    await trainOffline(resumed);
    expect(comparable(readMetrics(resumed.runDir))).toEqual(comparable(readMetrics(reference.runDir)));
  });

  it('refuses to resume on another dataset or environment', async () => {
    const result = await referenceRun;
    const otherEnv = trainJob([...TINY_MOPO, 'env.id=hopper-random-v2', `checkpoint.resume_from=${result.checkpoint}`]);
    await expect(trainOffline(otherEnv)).rejects.toThrow(/was trained on HalfCheetah, but env.id=hopper-random-v2 is Hopper/);
  });
});
