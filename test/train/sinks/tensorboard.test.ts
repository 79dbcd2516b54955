import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TensorBoardSink } from '../../../src/train/sinks/tensorboard.js';
import { type DecodedEvent, readEventFile, readRecords } from './read-event-file.js';

const root = path.resolve(import.meta.dirname, '../../..');
const tensorboardFixture = path.join(import.meta.dirname, 'fixtures', 'tensorboard-python-writer.tfevents');
const CONFIG_MARKDOWN = '```yaml\nalgo:\n  name: mopo\n```';

const made: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mopo-tensorboard-'));
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function eventFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes('tfevents')).sort();
}

function scalarsOf(events: DecodedEvent[]): [tag: string, step: number, wallTime: number, value: number][] {
  return events
    .filter((e) => e.what === 'summary')
    .flatMap((e) => e.summary!.value.filter((v) => v.value === 'simple_value').map((v) => [v.tag, e.step, e.wall_time, v.simple_value] as [string, number, number, number]));
}

/** Clears what a writer takes from the clock or names about itself, to compare two writers' events. */
function withoutClock(event: DecodedEvent): DecodedEvent {
  const clockTimed = event.what === 'file_version' || event.what === 'session_log' || event.summary?.value[0]?.value === 'tensor';
  return { ...event, wall_time: clockTimed ? 0 : event.wall_time, source_metadata: undefined };
}

describe("the tests' event-file reader (independent of the writer)", () => {
  it('reads a file written by TensorBoard’s own Python writer, checksums included', () => {
    const events = readEventFile(tensorboardFixture);
    expect(events.map((e) => e.what)).toEqual(['file_version', 'session_log', 'summary', 'summary', 'summary', 'summary']);
    expect(events[0]!.file_version).toBe('brain.Event:2');
    expect(events[1]).toMatchObject({ step: 4, wall_time: 1700000000.5, session_log: { status: 1 } });
    expect(scalarsOf(events)).toEqual([
      ['learner/critic_loss', 5, 1700000001.25, 0.25],
      ['learner/zero', 5, 1700000001.25, 0],
      ['learner/nan', 5, 1700000001.25, NaN],
    ]);
    const text = events[5]!.summary!.value[0]!;
    expect(text.metadata!.plugin_data!.plugin_name).toBe('text');
    expect(text.tensor!.dtype).toBe(7); // DT_STRING
    expect(text.tensor!.tensor_shape.dim).toEqual([]); // a scalar
    expect(text.tensor!.string_val.map((b) => Buffer.from(b).toString('utf8'))).toEqual([CONFIG_MARKDOWN]);
  });

  it('rejects a record whose payload or length was changed (the checksums are checked)', () => {
    const bytes = readFileSync(tensorboardFixture);
    expect(readRecords(bytes)).toHaveLength(6);
    const payloadFlipped = Buffer.from(bytes);
    payloadFlipped[20]! ^= 0x01; // inside the first record's payload
    expect(() => readRecords(payloadFlipped)).toThrow(/payload checksum mismatch at byte 0/);
    const lengthFlipped = Buffer.from(bytes);
    lengthFlipped[0]! ^= 0x01;
    expect(() => readRecords(lengthFlipped)).toThrow(/length checksum mismatch at byte 0/);
  });
});

describe('TensorBoardSink', () => {
  it('writes the same events as TensorBoard’s own writer for the same scalars and text', () => {
    const dir = tempDir();
    const sink = new TensorBoardSink(dir, { startStep: 4 });
    sink.scalars(5, 1700000001.25, { 'learner/critic_loss': 0.25, 'learner/zero': 0, 'learner/nan': NaN, 'eval/return_mean': null });
    sink.text('config', CONFIG_MARKDOWN);
    sink.close();

    const ours = readEventFile(sink.file);
    const tensorboards = readEventFile(tensorboardFixture);
    expect(ours.map(withoutClock)).toEqual(tensorboards.map(withoutClock));
    expect(ours[0]!.wall_time).toBeGreaterThan(1.6e9);
  });

  it('keeps step and wall time of every scalar, in float32 as TensorBoard stores them, and skips nulls', () => {
    const dir = tempDir();
    const sink = new TensorBoardSink(dir);
    sink.scalars(1, 1700000000.125, { 'learner/critic_loss': 1 / 3, 'eval/return_mean': null, 'learner/alpha': -Infinity });
    sink.scalars(5_000_000_001, 1700000099.5, { 'learner/critic_loss': 1e-12, 'eval/return_mean': 3123.5 });
    sink.close();

    expect(scalarsOf(readEventFile(sink.file))).toEqual([
      ['learner/critic_loss', 1, 1700000000.125, Math.fround(1 / 3)],
      ['learner/alpha', 1, 1700000000.125, -Infinity],
      ['learner/critic_loss', 5_000_000_001, 1700000099.5, Math.fround(1e-12)],
      ['eval/return_mean', 5_000_000_001, 1700000099.5, 3123.5],
    ]);
  });

  it('writes Markdown with any characters as UTF-8', () => {
    const dir = tempDir();
    const sink = new TensorBoardSink(dir);
    const markdown = '# λ = 1.0 — “quoted” ✓\n\n| a | b |\n|---|---|\n| 1 | 2 |';
    sink.text('config', markdown, 7);
    sink.close();
    const textEvent = readEventFile(sink.file).find((e) => e.summary?.value[0]?.tag === 'config')!;
    expect(textEvent.step).toBe(7);
    expect(Buffer.from(textEvent.summary!.value[0]!.tensor!.string_val[0]!).toString('utf8')).toBe(markdown);
  });

  it('names its file as TensorBoard’s writers do, starts it with the file version and a session start, and never reuses a file', () => {
    const dir = tempDir();
    const first = new TensorBoardSink(dir);
    first.scalars(1, 1700000000, { 'learner/critic_loss': 2 });
    first.close();
    const resumed = new TensorBoardSink(dir, { fileSuffix: '.mopo', startStep: 2 });
    resumed.close();

    const host = os.hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(path.basename(first.file)).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${host}\\.${process.pid}\\.\\d+$`));
    expect(path.basename(resumed.file)).toMatch(/\.mopo$/);
    expect(eventFiles(dir)).toEqual([path.basename(first.file), path.basename(resumed.file)]);
    expect(scalarsOf(readEventFile(first.file))).toEqual([['learner/critic_loss', 1, 1700000000, 2]]);
    const resumedEvents = readEventFile(resumed.file);
    expect(resumedEvents.map((e) => e.what)).toEqual(['file_version', 'session_log']);
    expect(resumedEvents[1]).toMatchObject({ step: 2, session_log: { status: 1 } });
  });

  it('has every finished epoch in the file when the process is killed without closing it', () => {
    const dir = tempDir();
    const script = path.join(dir, 'killed.mjs');
    writeFileSync(
      script,
      `import { TensorBoardSink } from ${JSON.stringify(path.join(root, 'dist/src/train/sinks/tensorboard.js'))};
const sink = new TensorBoardSink(process.argv[2]);
for (let epoch = 1; epoch <= 3; epoch++) sink.scalars(epoch, 1700000000 + epoch, { 'learner/critic_loss': epoch / 2 });
process.kill(process.pid, 'SIGKILL');`,
    );
    const result = spawnSync(process.execPath, [script, dir], { encoding: 'utf8', timeout: 30_000 });
    expect(result.signal).toBe('SIGKILL');
    const [file] = eventFiles(dir);
    expect(scalarsOf(readEventFile(path.join(dir, file!))).map(([, step, , value]) => [step, value])).toEqual([
      [1, 0.5],
      [2, 1],
      [3, 1.5],
    ]);
  });

  it('refuses a step TensorBoard cannot order and a write after close, naming the fault', () => {
    const sink = new TensorBoardSink(tempDir());
    expect(() => sink.scalars(-1, 0, { a: 1 })).toThrow('TensorBoard step must be a non-negative integer, got -1');
    expect(() => sink.scalars(1.5, 0, { a: 1 })).toThrow('got 1.5');
    sink.close();
    sink.close();
    expect(() => sink.scalars(1, 0, { a: 1 })).toThrow(/already closed/);
  });
});
