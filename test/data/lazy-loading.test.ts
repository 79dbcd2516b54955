import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DATA_DIR = fileURLToPath(new URL('../../src/data/', import.meta.url));

describe('src/data imports', () => {
  it('never imports h5wasm or cli-progress statically (the CLI must start fast)', () => {
    for (const name of readdirSync(DATA_DIR).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(DATA_DIR + name, 'utf8');
      const staticImports = [...source.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
      expect(staticImports, name).not.toContain('h5wasm/node');
      expect(staticImports, name).not.toContain('h5wasm');
      expect(staticImports, name).not.toContain('cli-progress');
    }
  });
});
