/**
 * What a person sees on a terminal: the commands run in a real pseudo-terminal and the
 * screen is read back through a terminal emulator (test/helpers/pty.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/cli.js';
import { runInPty, type PtyRun } from '../helpers/pty.js';
import { TINY_MOPO } from '../helpers/train-job.js';

afterAll(removeTempDirs);

/** TINY_MOPO as a person types it: progress left at `auto`, so the terminal is detected. */
const ON_A_TERMINAL = TINY_MOPO.filter((o) => !o.startsWith('metric.progress'));
const BAR = /[█░]/;

/** Rows showing a bar must be whole bars; anything else on a bar row is a remnant of an old one. */
function expectCleanRows(run: PtyRun): void {
  for (const row of run.rows) {
    if (BAR.test(row)) expect(row, 'a bar row').toMatch(/^(dynamics|policy) +\|[█░]+\| \d+\/\d+ (epochs|steps) \| \d+:\d\d elapsed/);
    expect(row).not.toMatch(/NaN|steps\/s 0\b|\b0 steps\/s/);
  }
  for (const row of run.rows.filter((r) => r.startsWith('Checkpoint saved'))) expect(row).toMatch(/^Checkpoint saved: \S+\/step-\d{10}$/);
}

describe('on a terminal', () => {
  it('a finished run leaves its bars in the scrollback, then shows the last checkpoint, "Done" and the scores', async () => {
    const cwd = tempDir();
    const run = await runInPty('mopo', [...ON_A_TERMINAL, 'hydra.run.dir=run'], { cwd, cols: 110 });
    expect(run.status, run.rows.join('\n')).toBe(0);
    expectCleanRows(run);
    const rows = run.rows;
    const index = (pattern: RegExp) => rows.findIndex((r) => pattern.test(r));
    // One finished bar per phase, each where its phase ended.
    expect(rows.filter((r) => BAR.test(r))).toEqual([
      expect.stringMatching(/^dynamics \|█+\| 2\/2 epochs \| \d:\d\d elapsed \| epochs since improvement \d\/5 \| train loss \d/),
      expect.stringMatching(/^policy +\|█+\| 300\/300 steps \| \d:\d\d elapsed \| [\d.]+ steps\/s \| epoch 3\/3 \| critic [\d.]+/),
    ]);
    expect(index(/^dynamics \|/)).toBeLessThan(index(/^Dynamics fitted in 2 epochs/));
    expect(index(/^Checkpoint saved: .*step-0000000300$/)).toBeLessThan(index(/^policy +\|/));
    const done = index(/^Done: 300 steps, 3 epochs\. Final evaluation over 1 episode: return -?[\d.]+ ± 0, normalised score/);
    expect(done).toBeGreaterThan(index(/^policy +\|/));
    expect(rows.slice(done + 1)).toEqual([
      'Scores by protocol (summary.json):',
      expect.stringMatching(/^ {2}last: return/),
      expect.stringMatching(/^ {2}mean of last 1 \(OfflineRL-Kit\): return/),
      expect.stringMatching(/^ {2}best \(optimistic: picks a checkpoint by its test score\): return/),
    ]);
    // Epoch lines carry the time so far and what is left.
    expect(rows.find((r) => r.startsWith('epoch 1/3 step 100/300'))).toMatch(/\| \d:\d\d elapsed, ETA \d:\d\d$/);
    // The cursor, hidden while the bars ran, is shown again.
    expect(run.raw.lastIndexOf('\x1b[?25h')).toBeGreaterThan(run.raw.lastIndexOf('\x1b[?25l'));
  }, 120_000);

  it('Ctrl-C shows its notice, the checkpoint it saved and how to resume, below the stopped bar', async () => {
    const cwd = tempDir();
    let pressed = false;
    const run = await runInPty('mopo', [...ON_A_TERMINAL, 'algo.total_steps=30000', 'algo.num_epochs=300', 'hydra.run.dir=run'], {
      cwd,
      cols: 110,
      onOutput: (output, send) => {
        if (!pressed && output.includes('policy ')) {
          pressed = true;
          send('\x03');
        }
      },
    });
    expect(run.status, run.rows.join('\n')).toBe(130);
    expectCleanRows(run);
    const rows = run.rows;
    const notice = rows.findIndex((r) => r.startsWith('SIGINT received: finishing the current step and saving a checkpoint'));
    const bar = rows.findIndex((r) => /^policy +\|/.test(r));
    const saved = rows.findIndex((r) => /^Checkpoint saved: .*step-\d+$/.test(r) && !r.endsWith('step-0000000000'));
    expect(notice).toBeGreaterThan(0);
    expect(bar).toBeGreaterThan(notice);
    expect(saved).toBeGreaterThan(bar);
    expect(rows.slice(saved + 1).join('\n')).toMatch(/^mopo: Training interrupted at step \d+\. Checkpoint: \S+\nResume with: mopo <same overrides> checkpoint\.resume_from=\S+$/);
  }, 120_000);

  it('mopo-collect draws one bar and leaves it with the summary below', async () => {
    const cwd = tempDir();
    const run = await runInPty('mopo-collect', ['policy=random', 'env.id=Walker2d', 'collect.steps=3000', 'collect.out=w.hdf5'], { cwd, cols: 110 });
    expect(run.status, run.rows.join('\n')).toBe(0);
    const bars = run.rows.filter((r) => BAR.test(r));
    expect(bars).toEqual([expect.stringMatching(/^collect +\|█+\| 3000\/3000 steps \| \d:\d\d elapsed \| [\d.]+ steps\/s \| episodes \d+ \| last return -?[\d.]+$/)]);
    expect(run.rows.at(-2)).toMatch(/^Wrote .*w\.hdf5: 3000 steps, \d+ finished episodes/);
    expect(run.rows.at(-1)).toMatch(/^Behaviour policy return: -?[\d.]+ ± [\d.]+, D4RL score -?[\d.]+$/);
  }, 60_000);
});
