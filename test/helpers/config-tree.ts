import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JobConfig, createRepository } from '../../src/config/job-config.js';

const made: string[] = [];

/** Writes `{ 'algo/sac.yaml': '…' }` into a fresh temporary config directory. */
export function configTree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mopo-configs-'));
  made.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

export function removeConfigTrees(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Composes and resolves the job config of a fixture tree. */
export function composeTree(files: Record<string, string>, overrides: string[] = [], configName = 'config') {
  const repo = createRepository({ configPath: configTree(files) });
  const job = JobConfig.compose(repo, { configName, overrides, startTime: new Date(2024, 0, 2, 3, 4, 5) });
  return { job, repo, config: job.jobConfig(true), raw: job.jobConfig(false) };
}
