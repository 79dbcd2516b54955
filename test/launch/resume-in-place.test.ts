import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { listCheckpoints } from '../../src/train/checkpoint.js';
import { InterruptWatch } from '../../src/train/interrupt.js';
import { trainOffline } from '../../src/train/offline.js';
import { readEventFile, type DecodedEvent } from '../train/sinks/read-event-file.js';
import { TINY_MOPO, comparable, isClockColumn, readMetrics, removeRunDirs, trainJob } from '../helpers/train-job.js';

afterAll(removeRunDirs);

/** The CSV without its clock columns: header and rows as text. */
function csvWithoutClock(runDir: string, stream: string): string[][] {
  const [header, ...rows] = readFileSync(path.join(runDir, `${stream}.csv`), 'utf8').trim().split('\n').map((line) => line.split(','));
  const keep = header!.map((column, i) => (isClockColumn(column) ? -1 : i)).filter((i) => i >= 0);
  return [header!, ...rows].map((cells) => keep.map((i) => cells[i] ?? ''));
}

/**
 * The scalars TensorBoard shows for a run directory: its event files in name order, each
 * SessionLog START dropping the points an earlier file holds at its step or later (as
 * TensorBoard's loader does for a restarted run).
 */
function shownScalars(runDir: string): Map<string, number> {
  const shown = new Map<string, { step: number; value: number }>();
  const files = readdirSync(runDir).filter((f) => f.startsWith('events.out.tfevents.')).sort();
  for (const file of files) {
    for (const event of readEventFile(path.join(runDir, file)) as DecodedEvent[]) {
      if (event.session_log?.status === 1) for (const [key, point] of shown) if (point.step >= event.step) shown.delete(key);
      for (const value of event.summary?.value ?? []) {
        if (value.metadata !== undefined || isClockColumn(value.tag)) continue;
        const key = `${value.tag}@${event.step}`;
        if (shown.has(key)) throw new Error(`${key} is shown twice`);
        shown.set(key, { step: event.step, value: value.simple_value });
      }
    }
  }
  return new Map([...shown].map(([key, point]) => [key, point.value]));
}

describe('a run directory that holds checkpoints continues from its latest', () => {
  const reference = trainJob(TINY_MOPO);
  const referenceRun = trainOffline(reference);

  it('with the metrics files and TensorBoard points of a run never stopped', async () => {
    await referenceRun;
    const job = trainJob(TINY_MOPO);
    const watch = new InterruptWatch(() => {}, false);
    await expect(trainOffline(job, { interrupt: watch, afterStep: (step, w) => step === 230 && w.request() })).rejects.toThrow(InterruptedError);
    // As if killed without warning after epoch 2: its rows are in the files, its checkpoints are not.
    const checkpoints = listCheckpoints(path.join(job.runDir, 'checkpoints'));
    for (const late of checkpoints.slice(-2)) rmSync(late, { recursive: true });
    expect(readMetrics(job.runDir).map((r) => r.step)).toEqual([100, 200]);

    const logged: string[] = [];
    await trainOffline(job, { interrupt: new InterruptWatch(() => {}, false), onEpoch: (row) => logged.push(String(row.step)) });
    expect(readFileSync(path.join(job.runDir, 'train.log'), 'utf8')).toContain(`This run directory holds checkpoints: continuing from the latest, ${checkpoints.at(-3)}`);
    expect(logged).toEqual(['200', '300']);
    for (const stream of ['metrics', 'dynamics']) {
      expect(comparable(readMetrics(job.runDir, stream)), stream).toEqual(comparable(readMetrics(reference.runDir, stream)));
      expect(csvWithoutClock(job.runDir, stream), `${stream}.csv`).toEqual(csvWithoutClock(reference.runDir, stream));
    }
    const events = readdirSync(job.runDir).filter((f) => f.startsWith('events.out.tfevents.')).sort();
    expect(events).toHaveLength(2);
    // The resumed run's file starts after the checkpoint (step 100) and repeats nothing the first file keeps.
    const resumed = readEventFile(path.join(job.runDir, events[1]!));
    expect(resumed.find((e) => e.session_log?.status === 1)?.step).toBe(101);
    expect(Math.min(...resumed.filter((e) => e.summary).map((e) => e.step))).toBe(200);
    expect(shownScalars(job.runDir)).toEqual(shownScalars(reference.runDir));
  });
});
