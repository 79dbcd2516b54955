import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSinks, MetricsLog } from '../../src/train/metrics.js';

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function freshDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mopo-metrics-'));
  made.push(dir);
  return dir;
}

describe('MetricsLog with CSV and JSONL sinks', () => {
  it('writes every row as it comes, history first, leading columns first', () => {
    const dir = freshDir();
    const log = new MetricsLog(fileSinks(dir), { metrics: [{ step: 10, epoch: 1, 'learner/loss': 0.5 }] });
    log.append('metrics', { 'learner/loss': 0.123456789, epoch: 2, step: 20, note: 'a,b' });
    expect(readFileSync(path.join(dir, 'metrics.csv'), 'utf8')).toBe('epoch,step,learner/loss,note\n1,10,0.5,\n2,20,0.1234568,"a,b"\n');
    expect(MetricsLog.parseJsonl(readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8'))).toEqual([
      { step: 10, epoch: 1, 'learner/loss': 0.5 },
      { 'learner/loss': 0.123456789, epoch: 2, step: 20, note: 'a,b' },
    ]);
  });

  it('keeps a key that appears late: the CSV header grows and earlier rows get empty cells', () => {
    const dir = freshDir();
    const log = new MetricsLog(fileSinks(dir));
    log.append('metrics', { epoch: 1, 'learner/critic_loss': 2 });
    log.append('metrics', { epoch: 2, 'learner/critic_loss': 1, 'learner/imitator_loss': 0.25 });
    log.append('metrics', { epoch: 3, 'learner/critic_loss': 0.5 });
    expect(readFileSync(path.join(dir, 'metrics.csv'), 'utf8')).toBe(
      'epoch,learner/critic_loss,learner/imitator_loss\n1,2,\n2,1,0.25\n3,0.5,\n',
    );
  });

  it('leaves nulls out of JSONL rows, writes each stream to its own files, and round-trips through a checkpoint', () => {
    const dir = freshDir();
    const log = new MetricsLog(fileSinks(dir));
    log.append('dynamics', { epoch: 1, 'dynamics/holdout_loss': 3 });
    log.append('metrics', { epoch: 1, 'eval/return_mean': null, 'learner/q': Infinity });
    expect(readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')).toBe('{"epoch":1,"learner/q":"Infinity"}\n');
    expect(readFileSync(path.join(dir, 'dynamics.csv'), 'utf8')).toBe('epoch,dynamics/holdout_loss\n1,3\n');
    const history = MetricsLog.fromFiles(log.toFiles());
    expect(history).toEqual({ dynamics: [{ epoch: 1, 'dynamics/holdout_loss': 3 }], metrics: [{ epoch: 1, 'learner/q': 'Infinity' }] });
  });
});
