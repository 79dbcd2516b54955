import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built command (`bin/<name>.js`) in `cwd`; the build comes from `npm test`'s pretest. */
export function runCli(name: 'mopo' | 'mopo-eval' | 'mopo-collect' | 'mopo-report' | 'mopo-export' | 'mopo-view', args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const result = spawnSync(process.execPath, [path.join(root, 'bin', `${name}.js`), ...args], {
    cwd: options.cwd ?? tempDir(),
    env: { ...process.env, MOPO_FULL_ERROR: '', ...options.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const made: string[] = [];

/** A fresh temporary directory, removed by `removeTempDirs()` (call it in afterAll). */
export function tempDir(prefix = 'mopo-cli-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
