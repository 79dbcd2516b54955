import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const HEAVY = ['@tensorflow/', '@mujoco/', 'h5wasm', 'protobufjs'];

/**
 * Every module reachable from `entry` through static imports (dynamic `import()` is
 * where heavy code belongs). `import type` is erased by TypeScript, so it loads nothing.
 */
function staticImportGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^\s*(?:import|export)\s(?!type\s)[^'"()]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = match[1]!;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
    for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) packages.add(match[1]!);
  };
  visit(entry);
  return { files, packages };
}

describe('start-up stays light', () => {
  it('the mopo command does not load TensorFlow.js, MuJoCo or HDF5 before a job runs', () => {
    const { files, packages } = staticImportGraph(path.join(root, 'src/cli/mopo.ts'));
    expect(files.size).toBeGreaterThan(10);
    expect([...packages].filter((p) => HEAVY.some((h) => p.startsWith(h)))).toEqual([]);
  });
});
