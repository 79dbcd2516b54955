import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readD4rlFile } from '../../src/data/read-d4rl-file.js';
import { withTempDir } from './h5-helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(ROOT, 'dist/scripts/collect-dataset.js');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [SCRIPT, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// The script runs from the build (`npm test` builds first).
describe.skipIf(!existsSync(SCRIPT))('scripts/collect-dataset', () => {
  it('explains bad arguments without a stack trace', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--steps', '10', '--out', 'x.hdf5'], /Missing --env/],
      [['--env', 'HalfCheetah', '--out', 'x.hdf5'], /Missing --steps/],
      [['--env', 'HalfCheetah', '--steps', 'ten', '--out', 'x.hdf5'], /--steps must be an integer from 1, got "ten"/],
      [['--env', 'HalfCheetah', '--steps', '10', '--out', 'x.hdf5', '--policy', 'sac'], /Unknown --policy "sac"/],
      [['--env', 'HalfCheeta', '--steps', '10', '--out', 'x.hdf5'], /Did you mean "HalfCheetah"/],
      [['--env', 'HalfCheetah', '--stpes', '10'], /Unknown option '--stpes'/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await run(args);
      expect(code).toBe(1);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('collects a file that records its own command', async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'hc.hdf5');
      const args = ['--env', 'HalfCheetah', '--policy', 'random', '--steps', '30', '--seed', '4', '--out', out];
      const { code, stdout } = await run(args);
      expect(code).toBe(0);
      expect(stdout).toContain(`Wrote ${out}: 30 steps`);
      const contents = await readD4rlFile(out);
      expect(contents.size).toBe(30);
      expect(contents.metadata).toMatchObject({
        command: `node dist/scripts/collect-dataset.js ${args.join(' ')}`,
        env_id: 'HalfCheetah',
        policy: 'uniform-random',
        seed: 4,
      });
    });
  });
});
