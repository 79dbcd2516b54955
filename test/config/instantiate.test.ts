import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { instantiate } from '../../src/config/instantiate.js';
import { ConfigError } from '../../src/errors.js';
import { composeTree } from '../helpers/config-tree.js';

// Hydra's documented instantiate behaviour (hydra.cc/docs/advanced/instantiate_objects),
// with JavaScript modules as targets.
const dir = mkdtempSync(path.join(os.tmpdir(), 'mopo-instantiate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  path.join(dir, 'shapes.js'),
  `export class Point { constructor(x, y, options = {}) { this.x = x; this.y = y; this.options = options; } }
   export function line(options) { return { kind: 'line', ...options }; }
   export async function later(options) { return { kind: 'later', ...options }; }
   export const origin = { x: 0, y: 0 };
   export default function square(options) { return { kind: 'square', side: options.side }; }`,
);
mkdirSync(path.join(dir, 'node_modules', 'my-shapes'), { recursive: true });
writeFileSync(path.join(dir, 'node_modules', 'my-shapes', 'package.json'), JSON.stringify({ name: 'my-shapes', main: 'index.js', type: 'module' }));
writeFileSync(path.join(dir, 'node_modules', 'my-shapes', 'index.js'), `export class Circle { constructor(options) { this.radius = options.radius; } }`);

describe('instantiate (_target_)', () => {
  it('calls a class with new: positional _args_ first, the other keys as one options object last', async () => {
    const made = (await instantiate({ _target_: './shapes.js:Point', _args_: [1, 2], colour: 'red' }, dir)) as { x: number; y: number; options: object };
    expect(made.constructor.name).toBe('Point');
    expect([made.x, made.y, made.options]).toEqual([1, 2, { colour: 'red' }]);
  });

  it('calls a function with the keyword arguments, awaits a Promise, and takes a default export', async () => {
    expect(await instantiate({ _target_: './shapes.js:line', length: 3 }, dir)).toEqual({ kind: 'line', length: 3 });
    expect(await instantiate({ _target_: './shapes.js:later', n: 1 }, dir)).toEqual({ kind: 'later', n: 1 });
    expect(await instantiate({ _target_: './shapes.js', side: 2 }, dir)).toEqual({ kind: 'square', side: 2 });
  });

  it('instantiates nested _target_ nodes first, in keys and in _args_ (Hydra\'s recursive default)', async () => {
    const made = (await instantiate({ _target_: './shapes.js:line', start: { _target_: './shapes.js:Point', _args_: [0, 1] }, points: [{ _target_: './shapes.js:Point', _args_: [5, 5] }] }, dir)) as {
      start: { x: number; y: number };
      points: { x: number }[];
    };
    expect([made.start.x, made.start.y, made.points[0]!.x]).toEqual([0, 1, 5]);
    const flat = (await instantiate({ _target_: './shapes.js:line', _recursive_: false, start: { _target_: './shapes.js:Point' } }, dir)) as { start: unknown };
    expect(flat.start).toEqual({ _target_: './shapes.js:Point' });
  });

  it('returns a function with _partial_: true, which later calls add their arguments', async () => {
    const partial = (await instantiate({ _target_: './shapes.js:Point', _partial_: true, _args_: [7] }, dir)) as (y: number) => { x: number; y: number };
    expect(typeof partial).toBe('function');
    expect(partial(8)).toMatchObject({ x: 7, y: 8 });
  });

  it('uses an exported object as it is when there is nothing to pass', async () => {
    expect(await instantiate({ _target_: './shapes.js:origin' }, dir)).toEqual({ x: 0, y: 0 });
  });

  it('finds a package by name, with #export', async () => {
    expect(await instantiate({ _target_: 'my-shapes:Circle', radius: 4 }, dir)).toMatchObject({ radius: 4 });
  });

  it('receives values with their interpolations resolved, as Hydra resolves before instantiating', async () => {
    const config = composeTree({ 'config.yaml': `size: 3\nshape:\n  _target_: ./shapes.js:line\n  length: \${size}\n  label: len-\${size}\n` }).config;
    expect(await instantiate(config.shape as never, dir)).toEqual({ kind: 'line', length: 3, label: 'len-3' });
  });

  it('names the module and what is missing', async () => {
    await expect(instantiate({ _target_: './nowhere.js:X' }, dir)).rejects.toThrow(`_target_ './nowhere.js:X': module ${path.join(dir, 'nowhere.js')} does not exist.`);
    await expect(instantiate({ _target_: './shapes.js:Triangle' }, dir)).rejects.toThrow("./shapes.js exports no 'Triangle'. It exports: Point, default, later, line, origin.");
    await expect(instantiate({ _target_: 'no-such-package:X' }, dir)).rejects.toThrow(`_target_ 'no-such-package:X': cannot find the package 'no-such-package' from ${dir}`);
    await expect(instantiate({ _target_: './shapes.js:origin', x: 1 }, dir)).rejects.toThrow('./shapes.js:origin is not a class or function, so it cannot take arguments (x).');
    await expect(instantiate({ _target_: './shapes.js:Point', _args_: 5 }, dir)).rejects.toBeInstanceOf(ConfigError);
  });
});
