/**
 * What `npm pack` puts in the package a user installs (checked with npm's own packer).
 * Installing that tarball and running `mopo --help` from it takes a minute with the
 * dependency downloads, so that is a step of the release check, not a test here.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../helpers/cli.js';

afterAll(removeTempDirs);

const root = path.resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('the package', () => {
  it('ships the build, configs, data, README and LICENSE, and nothing of the build tooling or benchmarks', () => {
    // --ignore-scripts: the build is there already (npm test's pretest); prepack would rebuild it.
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    expect(packed.status, packed.stderr).toBe(0);
    const files: string[] = JSON.parse(packed.stdout)[0].files.map((f: { path: string }) => f.path);
    for (const needed of ['LICENSE', 'README.md', 'package.json', 'bin/mopo.js', 'dist/src/cli/mopo.js', 'dist/src/index.d.ts', 'dist/view/replay-viewer.js', 'configs/config.yaml', 'data/halfcheetah-random-small.hdf5']) {
      expect(files, needed).toContain(needed);
    }
    expect(files.filter((f) => /tsbuildinfo|\.map$|^dist\/scripts|^scripts\/|^src\/|^test\//.test(f))).toEqual([]);
    expect(readFileSync(path.join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the mopo authors\n/);
    expect(manifest.license).toBe('MIT');
  });

  it('builds when packed, so installing it runs no script', () => {
    expect(manifest.scripts.prepack).toBe('npm run build');
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts, hook).not.toHaveProperty(hook);
  });

  it('is ESM, and the shipped dataset is reachable by name', async () => {
    expect(manifest.type).toBe('module');
    expect(manifest.exports['./data/*']).toBe('./data/*');
    const { shippedDataset, loadDataset } = await import('../../src/index.js');
    expect(shippedDataset()).toBe(path.join(root, 'data', 'halfcheetah-random-small.hdf5'));
    expect((await loadDataset(shippedDataset('halfcheetah-random-small.hdf5'))).size).toBe(12_000);
    expect(() => shippedDataset('hopper.hdf5')).toThrow("mopo ships no dataset 'hopper.hdf5'; it ships cartpole-ddqn-medium.hdf5, halfcheetah-random-small.hdf5.");
  });

  it('says so when a copy is not built (a clone before `npm run build`, an install from a git URL)', () => {
    const copy = tempDir();
    cpSync(path.join(root, 'bin'), path.join(copy, 'bin'), { recursive: true });
    for (const command of ['mopo', 'mopo-eval', 'mopo-collect']) {
      const result = spawnSync(process.execPath, [path.join(copy, 'bin', `${command}.js`), '--help'], { encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(
        `${command}: this copy of mopo is not built (dist/ is missing). In a clone, run \`npm run build\` (or \`npm test\`); to install from a repository, clone it and install the tarball that \`npm pack\` makes (README, "Install").`,
      );
    }
  });
});
