import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/mopo-report.js';
import { removeTempDirs, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { writeFixtureRun, writeFixtureSweep } from './fixture-runs.js';

afterAll(removeTempDirs);

/** The command's entry point in this process: the same messages and exit code as bin/mopo-report.js, without starting Node each time. */
async function runInProcess(args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(`${a.join(' ')}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(`${a.join(' ')}\n`));
  try {
    const status = await main(args);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('mopo-report on a sweep', () => {
  it('writes report.html, results.md and results.csv into the sweep directory', () => {
    const dir = path.join(tempDir('mopo-report-'), 'sweep');
    writeFixtureSweep(dir);
    const result = runCli('mopo-report', [dir]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Read a sweep of 4 runs in 2 configurations');
    for (const file of ['report.html', 'results.md', 'results.csv']) expect(result.stdout).toContain(`Wrote ${path.join(dir, file)}`);
    expect(readFileSync(path.join(dir, 'results.md'), 'utf8')).toContain('| algo.h=5 | 2 | 53.0 ± 3.0 | 47.0 ± 2.0 |');
    expect(readFileSync(path.join(dir, 'results.csv'), 'utf8').split('\n')[1]).toMatch(/^halfcheetah-random-v2,algo\.h=1,exp=quickstart algo\.h=1,0 1,2,0,35,5,31,3,/);
  });

  it('with --ignore algo.h reads the sweep as one configuration of four seeds; a key it cannot be is an error', () => {
    const dir = path.join(tempDir('mopo-report-'), 'sweep');
    writeFixtureSweep(dir);
    const result = runCli('mopo-report', ['--ignore', 'algo.h', dir]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Read a sweep of 4 runs in 1 configuration;');
    expect(readFileSync(path.join(dir, 'results.md'), 'utf8')).toMatch(/\| exp=quickstart \| 4 \|/);
    const bad = runCli('mopo-report', [dir, '--ignore', 'algo.h=1']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--ignore needs a config key such as algo.dynamics, not 'algo.h=1'.");
  });

  it('writes where --out says, creating the folder, and replaces its own earlier report', () => {
    const dir = path.join(tempDir('mopo-report-'), 'sweep');
    writeFixtureSweep(dir);
    const out = path.join(path.dirname(dir), 'reports', 'h.html');
    expect(runCli('mopo-report', [dir, '--out', out]).status).toBe(0);
    const again = runCli('mopo-report', [dir, '-o', out]);
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(readFileSync(path.join(path.dirname(out), 'results.md'), 'utf8')).toContain('algo.h=1');
  });

  it('leaves out a job without metrics, saying so, and reports the others', () => {
    const dir = path.join(tempDir('mopo-report-'), 'sweep');
    writeFixtureSweep(dir);
    rmSync(path.join(dir, '2', 'metrics.jsonl'));
    const result = runCli('mopo-report', [dir]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`mopo-report: left out ${path.join(dir, '2')}: no metrics.jsonl`);
    expect(result.stdout).toContain('Read a sweep of 3 runs in 2 configurations');
    expect(readFileSync(path.join(dir, 'results.md'), 'utf8')).toContain('| algo.h=5 | 1 | 56.0 |');
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('Jobs left out');
  });
});

describe('mopo-report on one run', () => {
  it('reports an unfinished run from its metrics', () => {
    const dir = tempDir('mopo-report-');
    writeFixtureRun(dir, { overrides: ['exp=hopper-medium'], seed: 3, scores: [10, 20], envId: 'hopper-medium-v2', unfinished: true });
    const result = runCli('mopo-report', [dir]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Read one run in 1 configuration; 15 charts.');
    expect(readFileSync(path.join(dir, 'results.md'), 'utf8')).toContain('| hopper-medium-v2 | exp=hopper-medium | 1 (1 unfinished) | 20.0 | 15.0 | 1500.0 | 2000 |');
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('unfinished (no summary.json)');
  });
});

describe('mopo-report keeps run text as text', () => {
  it('escapes overrides in the tables and in the chart data', async () => {
    const dir = tempDir('mopo-report-');
    const override = "exp_name='</script><b>x</b>'";
    writeFixtureRun(path.join(dir, '0'), { overrides: [override], seed: 0, scores: [1] });
    writeFixtureRun(path.join(dir, '1'), { overrides: ['exp_name=plain'], seed: 0, scores: [2] });
    expect((await runInProcess([dir])).status).toBe(0);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('exp_name=&#39;&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;&#39;');
    expect(html).toContain('\\u003c/script>\\u003cb>x\\u003c/b>');
  });
});

describe('mopo-report refuses what it cannot report', () => {
  const expectError = async (args: string[], message: string) => {
    const result = await runInProcess(args);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`mopo-report: ${message}`);
  };

  it('exits 1 with a one-line message from the installed command', () => {
    const missing = path.join(tempDir('mopo-report-'), 'nope');
    const result = runCli('mopo-report', [missing]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`mopo-report: ${missing} does not exist.\n`);
  });

  it('names a path that does not exist, a file, and a directory that is neither run nor sweep', async () => {
    const dir = tempDir('mopo-report-');
    await expectError([path.join(dir, 'nope')], `${path.join(dir, 'nope')} does not exist.`);
    writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    await expectError([path.join(dir, 'notes.txt')], `${path.join(dir, 'notes.txt')} is a file; give a run directory (with metrics.jsonl) or a sweep directory (with multirun.yaml).`);
    mkdirSync(path.join(dir, 'empty'));
    await expectError([path.join(dir, 'empty')], `${path.join(dir, 'empty')} is neither a run directory (no metrics.jsonl, no .hydra/) nor a sweep directory (no multirun.yaml, no job directories).`);
  });

  it('names a run that has no metrics yet, and a broken metrics line', async () => {
    const dir = tempDir('mopo-report-');
    mkdirSync(path.join(dir, '.hydra'));
    await expectError([dir], `${dir}: no metrics.jsonl; the run has not finished its first epoch, or this is not a mopo run directory.`);
    writeFixtureRun(dir, { overrides: [], seed: 0, scores: [1, 2, 3] });
    const lines = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').split('\n');
    lines[1] = '{"epoch": 2, "step":';
    writeFileSync(path.join(dir, 'metrics.jsonl'), lines.join('\n'));
    await expectError([dir], `${path.join(dir, 'metrics.jsonl')} line 2 is not a JSON object of metrics.`);
  });

  it('reads a run whose last line is still being written', async () => {
    const dir = tempDir('mopo-report-');
    writeFixtureRun(dir, { overrides: [], seed: 0, scores: [1, 2], unfinished: true });
    appendFileSync(path.join(dir, 'metrics.jsonl'), '{"epoch": 3, "st');
    expect((await runInProcess([dir])).status).toBe(0);
    expect(readFileSync(path.join(dir, 'results.md'), 'utf8')).toContain('| 1 (1 unfinished) | 2.0 | 1.5 |');
  });

  it('says when every job of a sweep lacks metrics', async () => {
    const dir = tempDir('mopo-report-');
    writeFileSync(path.join(dir, 'multirun.yaml'), 'hydra: {}\n');
    mkdirSync(path.join(dir, '0', '.hydra'), { recursive: true });
    await expectError([dir], `${dir}: no job of the sweep has metrics yet (${path.join(dir, '0')}: no metrics.jsonl; the run has not finished its first epoch, or this is not a mopo run directory.)`);
  });

  it('never replaces a results file it did not write', async () => {
    const dir = tempDir('mopo-report-');
    writeFixtureRun(dir, { overrides: [], seed: 0, scores: [1] });
    writeFileSync(path.join(dir, 'results.md'), '# my own notes\n');
    await expectError([dir], `${path.join(dir, 'results.md')} exists and was not written by mopo-report; it is left as it is. Write the report elsewhere with --out <dir>/report.html.`);
    expect(readFileSync(path.join(dir, 'results.md'), 'utf8')).toBe('# my own notes\n');
  });

  it('asks for exactly one directory and knows its options', async () => {
    expect((await runInProcess([])).stderr).toContain('mopo-report: Give one run or sweep directory.');
    expect((await runInProcess(['a', 'b'])).stderr).toContain('mopo-report: Give only one run or sweep directory.');
    expect((await runInProcess(['--bogus', 'a'])).stderr).toContain("mopo-report: Unknown option '--bogus'.");
    const help = await runInProcess(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: mopo-report <run or sweep dir> [--out <file.html>]');
  });
});
