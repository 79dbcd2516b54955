import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { listCheckpoints, readCheckpoint } from '../../src/train/checkpoint.js';
import { InterruptWatch } from '../../src/train/interrupt.js';
import { trainOffline } from '../../src/train/offline.js';
import { TINY_MOPO, comparable, readMetrics, removeRunDirs, trainJob } from '../helpers/train-job.js';

afterAll(removeRunDirs);

const checkpointsOf = (runDir: string) => listCheckpoints(path.join(runDir, 'checkpoints'));
const bytes = (checkpoint: string) => readFileSync(path.join(checkpoint, 'arrays.bin')).byteLength;

describe('small checkpoints', () => {
  it('checkpoint.model_buffer=false leaves the model buffer out; a run resumed from one refills it and says it is not exact', async () => {
    const whole = trainJob(TINY_MOPO);
    await trainOffline(whole);
    const small = trainJob([...TINY_MOPO, 'checkpoint.model_buffer=false']);
    const watch = new InterruptWatch(() => {});
    await expect(trainOffline(small, { interrupt: watch, afterStep: (step, w) => step === 130 && w.request() })).rejects.toThrow(InterruptedError);

    const [withBuffer, withoutBuffer] = [checkpointsOf(whole.runDir)[1]!, checkpointsOf(small.runDir)[1]!];
    expect(path.basename(withoutBuffer)).toBe('step-0000000100');
    expect(Object.keys(readCheckpoint(withBuffer).arrays).some((k) => k.startsWith('model_buffer/'))).toBe(true);
    expect(Object.keys(readCheckpoint(withoutBuffer).arrays).some((k) => k.startsWith('model_buffer/'))).toBe(false);
    const bufferBytes = Object.entries(readCheckpoint(withBuffer).arrays).filter(([k]) => k.startsWith('model_buffer/')).reduce((n, [, a]) => n + a.data.byteLength, 0);
    expect(bytes(withBuffer) - bytes(withoutBuffer)).toBeGreaterThanOrEqual(bufferBytes);

    const resumed = trainJob([...TINY_MOPO, `checkpoint.resume_from=${small.runDir}`]);
    await trainOffline(resumed);
    const log = readFileSync(path.join(resumed.runDir, 'train.log'), 'utf8');
    expect(log).toContain(`Checkpoint ${checkpointsOf(small.runDir).at(-1)} was saved without its model_buffer (checkpoint.model_buffer=false): the run refills it and continues, but not bit-identically with a run that was never stopped.`);
    const rows = readMetrics(resumed.runDir);
    expect(rows.map((r) => r.step)).toEqual([100, 200, 300]);
    // Epoch 2 began before the interrupt, with the full buffer; after resuming at step 130, one rollout refilled it.
    expect(rows[1]!['rollout/model_buffer_size']).toBeGreaterThan(0);
    expect(comparable(rows).slice(0, 1)).toEqual(comparable(readMetrics(whole.runDir)).slice(0, 1));
    expect(comparable(rows).slice(1)).not.toEqual(comparable(readMetrics(whole.runDir)).slice(1));
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
