import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { listCheckpoints, readCheckpoint } from '../../src/train/checkpoint.js';
import { InterruptWatch } from '../../src/train/interrupt.js';
import { trainOffline } from '../../src/train/offline.js';
import { TINY_MOPO, readMetrics, removeRunDirs, trainJob } from '../helpers/train-job.js';

afterAll(removeRunDirs);

const checkpointsOf = (runDir: string) => listCheckpoints(path.join(runDir, 'checkpoints'));

describe('small checkpoints', () => {
  it('checkpoint.model_buffer=false leaves the model buffer out; a run resumed from one refills it and says it is not exact', async () => {
    // Rollouts every 100 steps: a run resumed at step 130 would wait until 200 for the next.
    const setup = [...TINY_MOPO, 'algo.rollout_freq=100'];
    const small = trainJob([...setup, 'checkpoint.model_buffer=false']);
    const watch = new InterruptWatch(() => {});
    await expect(trainOffline(small, { interrupt: watch, afterStep: (step, w) => step === 130 && w.request() })).rejects.toThrow(InterruptedError);

    const [, afterEpoch1, interrupted] = checkpointsOf(small.runDir);
    const saved = readCheckpoint(afterEpoch1!);
    expect(path.basename(afterEpoch1!)).toBe('step-0000000100');
    expect(Object.keys(saved.arrays).filter((k) => k.startsWith('model_buffer/'))).toEqual([]);
    expect((saved.manifest.state as Record<string, unknown>).model_buffer).toEqual({ omitted: 'checkpoint.model_buffer=false' });
    // The learner and the ensemble are all that is left: the rest resumes exactly.
    expect(new Set(Object.keys(saved.arrays).map((k) => k.split('/')[0]))).toEqual(new Set(['learner', 'dynamics']));

    const resumed = trainJob([...setup, `checkpoint.resume_from=${small.runDir}`]);
    await trainOffline(resumed);
    const log = readFileSync(path.join(resumed.runDir, 'train.log'), 'utf8');
    expect(log).toContain(`Checkpoint ${interrupted} was saved without its model_buffer (checkpoint.model_buffer=false): the run refills it and continues, but not bit-identically with a run that was never stopped.`);
    const rows = readMetrics(resumed.runDir);
    expect(rows.map((r) => r.step)).toEqual([100, 200, 300]);
    // Resumed at step 130 with an empty buffer, one rollout refilled it at once, not at step 200.
    expect(rows[1]!['rollout/model_buffer_size']).toBe(200 * 2);
  });

  it('keep_last=1 keep_best=true keeps the last checkpoint and the best evaluated one, named in summary.json', async () => {
    const job = trainJob([...TINY_MOPO, 'eval.every=1', 'checkpoint.keep_last=1', 'checkpoint.keep_best=true']);
    await trainOffline(job);
    const evaluated = readMetrics(job.runDir).map((r) => ({ step: r.step as number, value: r['eval/return_mean'] as number }));
    const best = evaluated.reduce((a, b) => (b.value > a.value ? b : a));
    const expected = [...new Set([best.step, 300])].sort((a, b) => a - b).map((s) => `step-${String(s).padStart(10, '0')}`);
    expect(checkpointsOf(job.runDir).map((c) => path.basename(c))).toEqual(expected);
    const summary = JSON.parse(readFileSync(path.join(job.runDir, 'summary.json'), 'utf8'));
    expect(path.basename(summary.best_checkpoint)).toBe(`step-${String(best.step).padStart(10, '0')}`);
    expect(readCheckpoint(summary.best_checkpoint).manifest.evaluation?.returnMean).toBe(best.value);
  });
});
