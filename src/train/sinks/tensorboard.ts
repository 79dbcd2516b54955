/**
 * A metrics sink that writes TensorBoard event files, so `tensorboard --logdir outputs`
 * shows every run's metrics as scalars and its composed config as text.
 *
 * Each sink writes one new file, `events.out.tfevents.<secs>.<host>.<pid>.<n><suffix>`
 * (TensorBoard's own naming; `n` counts the files this process opened), and never
 * touches an existing one. A resumed run opens a new sink in the same directory: its
 * file sorts after the earlier ones and continues the steps. Points that the earlier
 * file holds at `startStep` or later (epochs after the checkpoint, computed again
 * now) are hidden by TensorBoard: its Rust loader drops them per tag as it sees the
 * steps start again, its Python loader on the SessionLog START event written here.
 *
 * Every call writes its records to the file at once (no buffer in the process), so a
 * killed run keeps every finished epoch; `flush()` also asks the OS to put them on disk.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type EventContent, FILE_VERSION, type SummaryValue, encodeEvent } from './tensorboard-event.js';
import { tfRecord } from './tfrecord.js';

export interface TensorBoardSinkOptions {
  /** Appended to the file name, e.g. ".dynamics" (TensorBoard reads any name containing "tfevents"). */
  fileSuffix?: string;
  /** The first step this sink will write; a resumed run passes the step it resumes at (default 0). */
  startStep?: number;
}

let filesOpenedByThisProcess = 0;

export class TensorBoardSink {
  readonly file: string;
  private fd: number | null;

  constructor(logDir: string, options: TensorBoardSinkOptions = {}) {
    const startStep = options.startStep ?? 0;
    checkStep(startStep);
    [this.file, this.fd] = openNewEventFile(logDir, options.fileSuffix ?? '');
    const now = Date.now() / 1000;
    this.write([
      [now, 0, { file_version: FILE_VERSION }],
      [now, startStep, { session_log: { status: 'START' } }],
    ]);
  }

  /**
   * One scalar per metric at `step`. A null value means "not measured this step" (an
   * epoch without an evaluation) and writes nothing. NaN and ±Infinity are written as
   * they are: TensorBoard marks them on the chart, and a diverged loss must be seen.
   */
  scalars(step: number, wallTime: number, values: Record<string, number | null>): void {
    checkStep(step);
    const summaryValues: SummaryValue[] = [];
    for (const [tag, value] of Object.entries(values)) {
      if (value !== null) summaryValues.push({ tag, simple_value: value });
    }
    // One Event per tag, as TensorFlow's writers do: every reader handles that shape.
    this.write(summaryValues.map((value) => [wallTime, step, { summary: { value: [value] } }]));
  }

  /** Markdown for TensorBoard's Text tab (fence YAML in ```yaml … ``` to keep its layout). */
  text(tag: string, markdown: string, step = 0): void {
    checkStep(step);
    const value: SummaryValue = {
      tag,
      metadata: { plugin_data: { plugin_name: 'text' } },
      tensor: { dtype: 'DT_STRING', tensor_shape: {}, string_val: [Buffer.from(markdown, 'utf8')] },
    };
    this.write([[Date.now() / 1000, step, { summary: { value: [value] } }]]);
  }

  /** Asks the OS to put everything written so far on disk (it is in the file already). */
  flush(): void {
    fsyncSync(this.openFd());
  }

  /** Flushes and closes the file; later calls to close do nothing. */
  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }

  private write(events: [wallTime: number, step: number, content: EventContent][]): void {
    if (events.length === 0) return;
    const records = events.map(([wallTime, step, content]) => tfRecord(encodeEvent(wallTime, step, content)));
    const bytes = Buffer.concat(records);
    const fd = this.openFd();
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
  }

  private openFd(): number {
    if (this.fd === null) throw new Error(`TensorBoard event file ${this.file} is already closed`);
    return this.fd;
  }
}

/** Opens a file that did not exist (never another writer's), named as TensorBoard's writers name theirs. */
function openNewEventFile(logDir: string, suffix: string): [string, number] {
  mkdirSync(logDir, { recursive: true });
  const seconds = String(Math.floor(Date.now() / 1000)).padStart(10, '0');
  for (;;) {
    const n = filesOpenedByThisProcess++;
    const file = path.join(logDir, `events.out.tfevents.${seconds}.${os.hostname()}.${process.pid}.${n}${suffix}`);
    try {
      return [file, openSync(file, 'wx')];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function checkStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) throw new Error(`TensorBoard step must be a non-negative integer, got ${step}`);
}
