/**
 * Where the installed package lives, so built-in configs and shipped data are found
 * both from the build (dist/src/…) and from the sources under test (src/…).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | null = null;

export function packageRoot(): string {
  if (cachedRoot !== null) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'configs'))) break;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('mopo: cannot find the package root (package.json next to configs/)');
    dir = parent;
  }
  cachedRoot = dir;
  return dir;
}

export function builtinConfigDir(): string {
  return path.join(packageRoot(), 'configs');
}

let cachedVersion: string | null = null;

export function packageVersion(): string {
  cachedVersion ??= (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cachedVersion;
}

/** The datasets that ship in the package's `data/` folder. */
export function shippedDatasets(): string[] {
  return readdirSync(path.join(packageRoot(), 'data')).filter((name) => name.endsWith('.hdf5'));
}

/**
 * The path of a dataset that ships with mopo, for code that loads it by name:
 * `loadDataset(shippedDataset('halfcheetah-random-small.hdf5'))`. (From outside,
 * `import.meta.resolve('mopo/data/halfcheetah-random-small.hdf5')` finds it too.)
 */
export function shippedDataset(name = 'halfcheetah-random-small.hdf5'): string {
  const file = path.join(packageRoot(), 'data', name);
  if (!existsSync(file)) throw new Error(`mopo ships no dataset '${name}'; it ships ${shippedDatasets().join(', ')}.`);
  return file;
}
