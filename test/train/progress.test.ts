import { describe, expect, it } from 'vitest';
import { BarState, createProgress, formatDuration, type ProgressStream } from '../../src/train/progress.js';

/** A pipe: not a terminal, keeps what was written. */
function pipe(): ProgressStream & { text: string } {
  const stream = { text: '', isTTY: false, write: (t: string) => (stream.text += t) };
  return stream;
}

describe('a bar reads right at every moment', () => {
  it('before any value: the count and the clock, no NaN, no speed, no ETA', () => {
    const bar = new BarState('policy', 3000, { unit: 'steps', speed: true }, 0, 0);
    bar.set(0, { critic: undefined, 'eval return': NaN, epoch: '1/3' });
    expect(bar.text(100)).toBe('0/3000 steps | 0:00 elapsed | epoch 1/3');
  });

  it('midway: the average speed since it started and the time left at that speed', () => {
    const bar = new BarState('policy', 3000, { unit: 'steps', speed: true }, 1000, 0);
    bar.set(1500, { critic: 3.99 });
    // 500 steps in 100 s: 5 steps/s, 1500 steps left: 300 s.
    expect(bar.text(100_000)).toBe('1500/3000 steps | 1:40 elapsed, ETA 5:00 | 5 steps/s | critic 3.99');
  });

  it('at the end: the average speed, not 0, and no ETA', () => {
    const bar = new BarState('policy', 300, { unit: 'steps', speed: true }, 0, 0);
    bar.set(300);
    expect(bar.text(60_000)).toBe('300/300 steps | 1:00 elapsed | 5 steps/s');
  });

  it('a bar that finishes within half a second still ends with its speed', () => {
    const bar = new BarState('collect', 300, { unit: 'steps', speed: true }, 0, 0);
    bar.set(150);
    expect(bar.text(100)).toBe('150/300 steps | 0:00 elapsed');
    bar.set(300);
    expect(bar.text(200)).toBe('300/300 steps | 0:00 elapsed | 1500 steps/s');
  });

  it('an upper-bound total says so in its ETA; an open-ended count has neither total nor ETA', () => {
    const bounded = new BarState('dynamics', 100, { unit: 'epochs', mayEndEarly: true }, 0, 0);
    bounded.set(10);
    expect(bounded.text(20_000)).toBe('10/100 epochs | 0:20 elapsed, ETA ≤ 3:00');
    const open = new BarState('dynamics', null, { unit: 'epochs', mayEndEarly: true }, 0, 0);
    open.set(37, { 'epochs since improvement': '2/5' });
    expect(open.text(3_700_000)).toBe('37 epochs | 1:01:40 elapsed | epochs since improvement 2/5');
    expect(open.render(3_700_000, 120)).toBe('dynamics 37 epochs | 1:01:40 elapsed | epochs since improvement 2/5');
  });

  it('fits a terminal row: the bar shrinks first, then the end is cut with an ellipsis', () => {
    const bar = new BarState('policy', 100, { unit: 'steps' }, 0, 0);
    bar.set(50, { critic: 1.5 });
    const wide = bar.render(1000, 120);
    expect(wide).toBe(`policy   |${'█'.repeat(15)}${'░'.repeat(15)}| 50/100 steps | 0:01 elapsed, ETA 0:01 | critic 1.50`);
    const narrow = bar.render(1000, 50);
    expect(narrow).toHaveLength(50);
    expect(narrow).toBe('policy   |█████░░░░░| 50/100 steps | 0:01 elapsed…');
  });

  it('formats durations as m:ss and h:mm:ss', () => {
    expect([0, 9.6, 61, 3599, 3600, 86_399].map(formatDuration)).toEqual(['0:00', '0:10', '1:01', '59:59', '1:00:00', '23:59:59']);
  });
});

describe('without a terminal', () => {
  it('prints plain lines: one per update, or one per tenth of the total, with no escape codes', async () => {
    const stream = pipe();
    const progress = await createProgress('auto', stream);
    expect(progress.bars).toBe(false);
    const epochs = progress.bar('dynamics', 3, { unit: 'epochs', lines: 'update' });
    for (let e = 1; e <= 3; e++) epochs.update(e, { 'train loss': 1 / e });
    const steps = progress.bar('collect', 1000, { unit: 'steps', lines: 'tenth' });
    for (let s = 0; s <= 1000; s += 7) steps.update(s, { episodes: s });
    steps.update(1000);
    const silent = progress.bar('policy', 1000, { unit: 'steps' });
    silent.update(500);
    progress.log('a log line');
    progress.stop();

    const lines = stream.text.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('dynamics '))).toHaveLength(3);
    expect(lines[0]).toMatch(/^dynamics 1\/3 epochs \| 0:00 elapsed(, ETA 0:00)? \| train loss 1$/);
    const collect = lines.filter((l) => l.startsWith('collect '));
    expect(collect.map((l) => Number(/^collect (\d+)\//.exec(l)![1]))).toEqual([105, 203, 301, 406, 504, 602, 700, 805, 903, 1000]);
    expect(lines.some((l) => l.startsWith('policy'))).toBe(false);
    expect(lines.at(-1)).toBe('a log line');
    expect(stream.text).not.toContain('\x1b');
  });
});
