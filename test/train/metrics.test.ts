import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricsLog } from '../../src/train/metrics.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mopo-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('MetricsLog', () => {
  it('writes every row to CSV and JSONL as it comes, history first, in column order', () => {
    const log = new MetricsLog(dir, ['epoch', 'loss', 'note'], [{ epoch: 1, loss: 0.5, note: null }]);
    log.append({ loss: 0.123456789, epoch: 2, note: 'a,b' });
    expect(readFileSync(log.csvFile, 'utf8')).toBe('epoch,loss,note\n1,0.5,\n2,0.1234568,"a,b"\n');
    const rows = MetricsLog.parseJsonl(readFileSync(log.jsonlFile, 'utf8'));
    expect(rows).toEqual([
      { epoch: 1, loss: 0.5, note: null },
      { epoch: 2, loss: 0.123456789, note: 'a,b' },
    ]);
    expect(MetricsLog.parseJsonl(log.toJsonl())).toEqual(rows);
  });
});
