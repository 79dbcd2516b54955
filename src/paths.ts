/**
 * Where the installed package lives, so built-in configs and shipped data are found
 * both from the build (dist/src/…) and from the sources under test (src/…).
 */
import { existsSync, readFileSync } from 'node:fs';
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
