/**
 * Hydra 1.3 conformance, one describe block per pattern of issue 18. Each expectation
 * is what Hydra 1.3.2 itself does (checked against it with its own grammar and
 * OmegaConf 2.2); where mopo deliberately differs, the last block says so and checks
 * that the message tells the user.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRepository, JobConfig } from '../../src/config/job-config.js';
import { checkInterpolationSyntax } from '../../src/config/interpolation.js';
import { rangeValues } from '../../src/config/override-functions.js';
import { parseOverride } from '../../src/config/override-parser.js';
import { PyFloat, elementText } from '../../src/config/override-values.js';
import { pythonFloat } from '../../src/config/python-text.js';
import { loadYaml } from '../../src/config/repository.js';
import { expandSweep } from '../../src/config/sweep.js';
import type { ConfigDict } from '../../src/config/value.js';
import { builtinConfigDir } from '../../src/paths.js';
import { composeTree, configTree, removeConfigTrees } from '../helpers/config-tree.js';

afterAll(removeConfigTrees);

const value = (text: string) => {
  const v = parseOverride(text).value;
  if (v?.kind !== 'element') throw new Error(`not a value: ${text}`);
  return v.value;
};
/** How the sweeper writes an element back into a job's override. */
const written = (text: string) => {
  const v = parseOverride(text).value;
  if (v?.kind !== 'element') throw new Error(`not a value: ${text}`);
  return elementText(v.element);
};
const sweep = (text: string): string[] => {
  const v = parseOverride(text).value;
  if (v?.kind === 'choice') return v.list.map((e) => elementText(e));
  if (v?.kind === 'range') return rangeValues(v).map((n) => (n instanceof PyFloat ? pythonFloat(n.value) : String(n)));
  throw new Error(`not a sweep: ${text}`);
};
const DB = { 'db/mysql.yaml': 'driver: mysql\nport: 3306\n', 'db/postgres.yaml': 'driver: postgres\nport: 5432\n' };
const jobs = (files: Record<string, string>, overrides: string[]) =>
  expandSweep(createRepository({ configPath: configTree(files) }), overrides).map((j) => j.overrides);

describe('our own configs are valid Hydra configs', () => {
  const yamlFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : e.name.endsWith('.yaml') ? [path.join(dir, e.name)] : []));

  it('every shipped file passes OmegaConf’s interpolation grammar (no unquoted ~ in a resolver argument)', () => {
    const files = yamlFiles(builtinConfigDir());
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) checkInterpolationSyntax(loadYaml(readFileSync(file, 'utf8'), file) as ConfigDict, (key) => `'${key}' of ${file}`);
  });

  it('rejects the pattern that made them invalid, naming the file’s key, and accepts it quoted', () => {
    expect(() => composeTree({ 'config.yaml': 'dir: ${oc.env:D4RL_DATASET_DIR,~/.d4rl/datasets}\n' })).toThrow(/Invalid interpolation in 'dir' of '.*config.yaml': token recognition error at: '~'/);
    delete process.env.MOPO_TEST_UNSET_DIR;
    expect(composeTree({ 'config.yaml': "dir: ${oc.env:MOPO_TEST_UNSET_DIR,'~/.d4rl/datasets'}\n" }).config.dir).toBe('~/.d4rl/datasets');
  });

  it('every experiment composes, and Hydra’s own groups are in the defaults list', () => {
    const repo = createRepository();
    for (const exp of repo.options('exp')) {
      const job = JobConfig.compose(repo, { overrides: [`exp=${exp}`] });
      expect(job.composed.choices).toMatchObject({ exp, 'hydra/launcher': 'basic', 'hydra/sweeper': 'basic' });
    }
  });
});

describe('override grammar: what Hydra rejects', () => {
  it.each([
    ['x=a~b', "'~' must be quoted"],
    ['x=a=b', "unexpected '='"],
    ['x=a#b', "'#' must be quoted"],
    ['x=a!', "'!' must be quoted"],
    ['x=a&b', "'&' must be quoted"],
    ['x=a`b`', "'`' must be quoted"],
    ['x=naïve', "'ï' must be quoted"],
    [' x=1', 'a space cannot appear in a key'],
    ['x =1', 'a space cannot appear in a key'],
    ['1x=1', "'1' cannot appear in a key"],
    ['x=1=2', "unexpected '='"],
    ['x=[1,]', "unexpected ']'"],
    ['x=,', "unexpected ','"],
    ['x=1,', 'unexpected end of override'],
    ["x={'a':1}", 'quoted keys are not allowed'],
    ['x={a:1,}', "unexpected '}'"],
  ])('%s', (text, reason) => {
    expect(() => parseOverride(text)).toThrow(reason);
  });

  it('points at the character it cannot take', () => {
    expect(() => parseOverride('x=a~b')).toThrow("Error parsing override 'x=a~b': '~' must be quoted in a value (e.g. key='…~…'); unquoted values may hold letters, digits, whitespace and _ - / \\ + . $ % * @ ? | :\n    x=a~b\n       ^");
  });

  it('accepts what Hydra accepts around those characters', () => {
    expect(value("x='a~b'")).toBe('a~b');
    expect(value('x=a\\=b')).toBe('a=b');
    expect(value('x= 1 ')).toBe(1);
    expect(value('x=a b')).toBe('a b');
    expect(value('x=a:b')).toBe('a:b');
    expect(value('x.1=2')).toBe(2);
    expect(parseOverride('1.a=2').key).toBe('1.a');
  });
});

describe('escapes and text', () => {
  it('keeps escaped whitespace at the ends of an unquoted value, drops unescaped whitespace', () => {
    expect(value('x=\\ a\\ ')).toBe(' a ');
    expect(value('x=a\\ ')).toBe('a ');
    expect(value('x=[ a , b ]')).toEqual(['a', 'b']);
  });

  it('un-escapes a backslash in a quoted string only before a quote', () => {
    expect(value("x='a\\b'")).toBe('a\\b');
    expect(value("x='a\\\\b'")).toBe('a\\\\b');
    expect(value("x='a\\'b'")).toBe("a'b");
    expect(value("x='a\\\\'")).toBe('a\\');
    expect(value('x=a\\\\b')).toBe('a\\b');
  });

  it("writes str() of numbers in Python's form", () => {
    expect(value('x=str(inf)')).toBe('inf');
    expect(value('x=str(nan)')).toBe('nan');
    expect(value('x=str(1.0)')).toBe('1.0');
    expect(value('x=str(1e-5)')).toBe('1e-05');
    expect(value('x=str(1e16)')).toBe('1e+16');
    expect(value('x=str(true)')).toBe('true');
  });

  it("casts as Python's int() and float() do", () => {
    expect(() => parseOverride("x=int('')")).toThrow("invalid literal for int() with base 10: ''");
    expect(() => parseOverride("x=int('10.0')")).toThrow('invalid literal for int()');
    expect(() => parseOverride("x=float('true')")).toThrow("could not convert string to float: 'true'");
    expect(() => parseOverride('x=str(null)')).toThrow('cannot cast null');
    expect(value('x=float(nan)')).toBeNaN();
    expect(value('x=int(-10.9)')).toBe(-10);
    expect(value("x=int('1_000')")).toBe(1000);
    expect(value('x=bool(null)')).toBe(false);
    expect(value("x=int({a:'1'})")).toEqual({ a: 1 });
    expect(sweep('x=float(1,2)')).toEqual(['1.0', '2.0']);
  });

  it('joins booleans, null, lists and dicts into a string in OmegaConf’s text forms', () => {
    const { config } = composeTree({ 'config.yaml': 'a: true\nn: null\nl: [1, a]\nd: {k: v}\nf: 1.0e-5\ns: x-${a}-${n}-${l}-${d}-${f}\n' });
    expect(config.s).toBe("x-True-None-[1, 'a']-{'k': 'v'}-1e-05");
  });

  it('reads YAML as OmegaConf does (YAML 1.1 booleans and integers)', () => {
    const { config } = composeTree({ 'config.yaml': 'a: yes\nb: off\nc: 0x1F\nd: 017\ne: 1_000\nf: 1:30\ng: 1e3\nh: 2001-12-14\n' });
    expect(config).toEqual({ a: true, b: false, c: 31, d: 15, e: 1000, f: 90, g: 1000, h: '2001-12-14' });
  });
});

describe('+, ~ and = semantics', () => {
  const base = { 'config.yaml': 'a:\n  b: 1\n  c: [1, 2]\n  d: {x: 1}\n  n: null\n  m: ???\nseed: 1\n' };

  it('+key=value adds over null and ???, merges dicts and replaces lists, and refuses a set value', () => {
    expect(composeTree(base, ['+a.n=5', '+a.m=6']).config.a).toMatchObject({ n: 5, m: 6 });
    expect(composeTree(base, ['+a.d={y: 2}', '+a.c=[3]']).config.a).toMatchObject({ d: { x: 1, y: 2 }, c: [3] });
    expect(() => composeTree(base, ['+a.b=2'])).toThrow("Could not append to config. An item is already at 'a.b'.");
  });

  it('key={…} merges into an existing dict but cannot add a key (use +)', () => {
    expect(composeTree(base, ['a.d={x: 2}']).config.a).toMatchObject({ d: { x: 2 } });
    expect(() => composeTree(base, ['a.d={y: 2}'])).toThrow("Could not override 'a.d'.\nTo append to your config use +a.d={y: 2}\nKey 'y' is not in struct");
  });

  it('~key deletes set values only; null and ??? count as absent', () => {
    expect(composeTree(base, ['~a.b=1']).config.a).not.toHaveProperty('b');
    expect(() => composeTree(base, ['~a.n'])).toThrow("Could not delete from config. 'a.n' does not exist.");
    expect(() => composeTree(base, ['~a.m'])).toThrow("Could not delete from config. 'a.m' does not exist.");
  });

  it('~group removes a group even when an experiment overrides it later', () => {
    const files = { ...DB, 'config.yaml': 'defaults:\n  - db: mysql\n  - exp: e\n', 'exp/e.yaml': '# @package _global_\ndefaults:\n  - override /db: postgres\nx: 1\n' };
    expect(composeTree(files, ['~db']).config).toEqual({ x: 1 });
  });

  it('~exp on the shipped configs composes, and the experiment name reads null', () => {
    const job = JobConfig.compose(createRepository(), { overrides: ['~exp', 'env.id=hopper-medium-v2'] });
    expect(job.jobConfig(true).exp_name).toBeNull();
  });

  it('+group=option for a group already in the list fails (Multiple values), and group=null is refused', () => {
    const files = { ...DB, 'config.yaml': 'defaults:\n  - db: mysql\n' };
    expect(() => composeTree(files, ['+db=postgres'])).toThrow("Multiple values for db. To override a value use 'override db: postgres'");
    expect(() => composeTree(files, ['+db=mysql'])).toThrow('db appears more than once in the final defaults list');
    expect(() => composeTree(files, ['db=null'])).toThrow(/Config group override must be a string or a list of strings, got null.*~db/);
  });

  it('group=option.yaml names the same file; a dict given to a group merges as a value', () => {
    const files = { ...DB, 'config.yaml': 'defaults:\n  - db: mysql\n' };
    expect(composeTree(files, ['db=postgres.yaml']).config.db).toEqual({ driver: 'postgres', port: 5432 });
    expect(composeTree(files, ['db={port: 1}']).config.db).toEqual({ driver: 'mysql', port: 1 });
    expect(composeTree(files, ['db={}']).config.db).toEqual({ driver: 'mysql', port: 3306 });
  });

  it('a key with / that is no group is a plain key', () => {
    expect(composeTree({ 'config.yaml': 'x: 1\n' }, ['+a/b=1']).config).toEqual({ x: 1, 'a/b': 1 });
  });
});

describe('defaults lists and packages', () => {
  it('a group or _self_ twice in one list is an error', () => {
    // The list is expanded last to first, so the choice seen first is the later one.
    expect(() => composeTree({ ...DB, 'config.yaml': 'defaults:\n  - db: mysql\n  - db: postgres\n' })).toThrow("Multiple values for db. To override a value use 'override db: postgres'");
    expect(() => composeTree({ 'config.yaml': 'defaults:\n  - _self_\n  - _self_\n' })).toThrow('Duplicate _self_ defined in config');
  });

  it('# @package headers are absolute, _here_ there is literal, and the header ends at the first other line', () => {
    const config = (header: string) => composeTree({ 'config.yaml': 'defaults:\n  - sub: x\n', 'sub/x.yaml': `${header}a: 1\n` }).config;
    expect(config('# @package foo\n')).toEqual({ foo: { a: 1 } });
    expect(config('# @package _here_\n')).toEqual({ _here_: { a: 1 } });
    expect(config('# a comment\n# @package foo\n')).toEqual({ sub: { a: 1 } });
    const nested = { 'config.yaml': 'defaults:\n  - sub: x\n', 'sub/x.yaml': 'defaults:\n  - nested: y\n', 'sub/nested/y.yaml': '# @package foo\na: 1\n' };
    expect(composeTree(nested).config).toEqual({ foo: { a: 1 }, sub: {} });
  });

  it('@_name_ is literal in 1.3', () => {
    expect(composeTree({ 'config.yaml': 'defaults:\n  - sub@_name_: x\n', 'sub/x.yaml': 'a: 1\n' }).config).toEqual({ _name_: { a: 1 } });
  });

  it('a nested group placed at a package is overridden by its absolute package name', () => {
    const files = { 'config.yaml': 'defaults:\n  - sub: x\n', 'sub/x.yaml': 'defaults:\n  - nested@pk: y\n  - _self_\nb: 2\n', 'sub/nested/y.yaml': 'a: 1\n', 'sub/nested/z.yaml': 'a: 2\n' };
    expect(composeTree(files, ['sub/nested@sub.pk=z']).config).toEqual({ sub: { pk: { a: 2 }, b: 2 } });
    expect(() => composeTree(files, ['sub/nested@pk=z'])).toThrow("Could not override 'sub/nested@pk'.\nDid you mean to override sub/nested@sub.pk?");
  });

  it('a primary config inside a group lands at the group’s package', () => {
    expect(composeTree({ 'group1/x.yaml': 'a: 1\n' }, [], 'group1/x').config).toEqual({ group1: { a: 1 } });
  });

  it('override /db in an experiment without @package _global_ names db at the experiment’s package', () => {
    const files = { ...DB, 'config.yaml': 'defaults:\n  - db: mysql\n  - exp: e\n', 'exp/e.yaml': 'defaults:\n  - override /db: postgres\nx: 1\n' };
    expect(() => composeTree(files)).toThrow("In 'exp/e': Could not override 'db@exp.db'.\nDid you mean to override db?");
  });

  it('an optional entry skips an option chosen on the command line that has no file', () => {
    expect(composeTree({ ...DB, 'config.yaml': 'defaults:\n  - optional db: mysql\nx: 1\n' }, ['db=oracle']).config).toEqual({ x: 1 });
  });

  it('interpolations in the defaults list read the choices made', () => {
    const files = { ...DB, 'config.yaml': 'defaults:\n  - db: mysql\n  - other: ${db}_x\n', 'other/mysql_x.yaml': 'o: 1\n', 'other/postgres_x.yaml': 'o: 2\n' };
    expect(composeTree(files).config.other).toEqual({ o: 1 });
    expect(composeTree(files, ['db=postgres']).config.other).toEqual({ o: 2 });
  });

  it('a config file holding a list merges at its package', () => {
    expect(composeTree({ 'config.yaml': 'defaults:\n  - lst@k.j: a\n', 'lst/a.yaml': '- 1\n- 2\n' }).config).toEqual({ k: { j: [1, 2] } });
  });
});

describe('sweeps', () => {
  const files = { ...DB, 'config.yaml': 'defaults:\n  - _self_\n  - db: mysql\na: 1\nb: x\n' };

  it('the same key twice keeps the last values at the first position', () => {
    expect(jobs(files, ['a=1,2', 'b=x', 'a=5'])).toEqual([['a=5', 'b=x']]);
  });

  it('sort() of a list or of one value is a value; sort(sweep=…) sorts the sweep', () => {
    expect(jobs(files, ['a=sort([3,1,2])'])).toEqual([['a=[1,2,3]']]);
    expect(jobs(files, ['a=sort(3)'])).toEqual([['a=3']]);
    expect(jobs(files, ['a=sort(sweep=choice(3,1))'])).toEqual([['a=1'], ['a=3']]);
  });

  it('writes each job’s values as Hydra does', () => {
    expect(jobs(files, ['a=1_000', 'b=true'])).toEqual([['a=1000', 'b=True']]);
    expect(jobs(files, ['a=range(0,1,0.25)'])).toEqual(['0.0', '0.25', '0.5', '0.75'].map((v) => [`a=${v}`]));
    expect(sweep('a=range(0,1,0.1)').slice(2, 8)).toEqual(['0.2', '0.3', '0.4', '0.5', '0.6', '0.7000000000000001']);
    expect(jobs(files, ['~a'])).toEqual([['~a=null']]);
  });

  it('never sweeps Hydra’s own config', () => {
    expect(() => jobs(files, ['hydra.run.dir=x,y'])).toThrow("Sweeping over Hydra's configuration is not supported : 'hydra.run.dir=x,y'");
  });
});

describe('flags and resolution', () => {
  it('an interpolation to ??? shows ??? under --resolve (OmegaConf.resolve); a run fails naming both keys', () => {
    const job = JobConfig.compose(createRepository({ configPath: configTree({ 'config.yaml': 'x: ${y}\ny: ???\nz: foo-${y}\nw: 1\n' }) }));
    expect(job.jobConfig('display')).toEqual({ x: '???', y: '???', z: '???', w: 1 });
    expect(() => job.jobConfig(true)).toThrow("Missing mandatory value: y (referenced by 'x': ${y})");
  });

  it('relative interpolations in override values resolve from the key set; override_dirname keeps their text', () => {
    const job = JobConfig.compose(createRepository(), { overrides: ['exp=quickstart', '+x=${.seed}', 'algo.actor.hidden_size=${..critic.hidden_size}'] });
    expect(job.jobConfig(true)).toMatchObject({ x: 42, algo: { actor: { hidden_size: 256 } } });
    expect(job.hydra('job.override_dirname')).toBe('+x=${.seed},algo.actor.hidden_size=${..critic.hidden_size},exp=quickstart');
    expect(job.hydraNode(true).overrides).toMatchObject({ task: ['exp=quickstart', '+x=${.seed}', 'algo.actor.hidden_size=${..critic.hidden_size}'] });
  });

  it('--config-dir and --config-path must be directories that exist', () => {
    expect(() => createRepository({ configDir: '/nonexistent/mopo-configs' })).toThrow("Additional config directory '/nonexistent/mopo-configs' not found");
    expect(() => createRepository({ configPath: '/nonexistent/mopo-configs' })).toThrow('Primary config directory not found');
  });
});

describe("Hydra's own groups: hydra/launcher, hydra/sweeper and hydra.searchpath", () => {
  const launcher = { 'config.yaml': 'x: 1\n', 'hydra/launcher/mine.yaml': '_target_: my.Launcher\nn_jobs: 2\n' };

  it('hydra/launcher=<option> selects a file under hydra/launcher/ at hydra.launcher; the code reads it through JobConfig', () => {
    const { job } = composeTree(launcher, ['hydra/launcher=mine', 'hydra.launcher.n_jobs=4']);
    expect(job.launcher()).toEqual({ name: 'mine', target: 'my.Launcher', options: { n_jobs: 4 } });
    expect(job.composed.hydraOverrides).toEqual(['hydra/launcher=mine', 'hydra.launcher.n_jobs=4']);
    expect(composeTree(launcher).job.launcher()).toEqual({ name: 'basic', target: 'hydra._internal.core_plugins.basic_launcher.BasicLauncher', options: {} });
  });

  it('a config selects the launcher with override hydra/launcher, and a misspelled one lists the options', () => {
    const files = { ...launcher, 'config.yaml': 'defaults:\n  - override hydra/launcher: mine\n  - _self_\nx: 1\n' };
    expect(composeTree(files).job.launcher().name).toBe('mine');
    expect(() => composeTree(launcher, ['hydra/launcher=mien'])).toThrow(/Could not find 'hydra\/launcher\/mien'.*Did you mean 'mine'\?\n\nAvailable options in 'hydra\/launcher':\n\tbasic\n\tmine/s);
  });

  it('hydra.sweeper.params feeds the sweep; the command line wins for the same key, at the params’ place', () => {
    const files = { ...DB, 'config.yaml': 'defaults:\n  - _self_\n  - db: mysql\na: 1\nb: x\nhydra:\n  sweeper:\n    params:\n      a: 1,2\n      db: glob(*)\n' };
    expect(jobs(files, [])).toEqual([
      ['a=1', 'db=mysql'],
      ['a=1', 'db=postgres'],
      ['a=2', 'db=mysql'],
      ['a=2', 'db=postgres'],
    ]);
    expect(jobs(files, ['a=5', 'b=y,z'])).toEqual([
      ['a=5', 'db=mysql', 'b=y'],
      ['a=5', 'db=mysql', 'b=z'],
      ['a=5', 'db=postgres', 'b=y'],
      ['a=5', 'db=postgres', 'b=z'],
    ]);
  });

  it('hydra.searchpath in the primary config or on the command line adds directories after the others', () => {
    const extra = configTree({ 'extra/x.yaml': 'e: 1\n' });
    const fromConfig = composeTree({ 'config.yaml': `hydra:\n  searchpath:\n    - file://${extra}\ndefaults:\n  - extra: x\n` });
    expect(fromConfig.config.extra).toEqual({ e: 1 });
    expect(fromConfig.job.repository.searchPath.map((s) => s.provider)).toEqual(['hydra', 'main', 'hydra.searchpath in main']);
    const fromCommandLine = composeTree({ 'config.yaml': 'defaults:\n  - extra: x\n' }, [`hydra.searchpath=[file://${extra}]`]);
    expect(fromCommandLine.config.extra).toEqual({ e: 1 });
    expect(() => composeTree({ 'config.yaml': 'defaults:\n  - sub: s\n', 'sub/s.yaml': '# @package _global_\nhydra:\n  searchpath: [x]\n' })).toThrow(
      "In 'sub/s': Overriding hydra.searchpath is only supported from the primary config",
    );
  });
});

describe('deliberate differences say so', () => {
  it('append() extends a list (Hydra has no such function)', () => {
    expect(composeTree({ 'config.yaml': 'l: [1]\n' }, ['l=append(2,3)']).config.l).toEqual([1, 2, 3]);
  });

  it('++group=option adds or sets a group (Hydra refuses it)', () => {
    expect(composeTree({ ...DB, 'config.yaml': 'x: 1\n' }, ['++db=postgres']).config.db).toEqual({ driver: 'postgres', port: 5432 });
  });

  it('a sweep that selects nothing stops, where Hydra would run zero jobs', () => {
    expect(() => jobs({ ...DB, 'config.yaml': 'a: 1\n' }, ['a=range(0)'])).toThrow(/sweeps over no values: Hydra would run no job for it; mopo stops instead \(a deliberate difference\)/);
  });

  it('an integer beyond JavaScript’s exact range is refused with the reason', () => {
    expect(() => parseOverride('x=12345678901234567890')).toThrow(/too large for mopo: JavaScript numbers .* deliberate difference from Hydra/);
  });

  it('a Hydra group mopo does not offer is named as such', () => {
    expect(() => composeTree({ 'config.yaml': 'x: 1\n' }, ['hydra/job_logging=disabled'])).toThrow(/mopo does not offer Hydra's 'hydra\/job_logging' config group .* deliberate difference from Hydra/);
  });

  it('pkg:// search path entries are refused with the reason', () => {
    expect(() => composeTree({ 'config.yaml': 'x: 1\n' }, ['hydra.searchpath=[pkg://my.module]'])).toThrow(/Python packages \(pkg:\/\/\) do not exist in mopo. This is a deliberate difference from Hydra/);
  });
});

describe('values written back', () => {
  it('float text is Python’s repr', () => {
    expect(written('x=1e-5')).toBe('1e-05');
    expect(written('x=1.0')).toBe('1.0');
    expect(written('x=1e16')).toBe('1e+16');
    expect(written("x='it''s'".replace("''", "\\'"))).toBe("'it\\'s'");
  });
});
