import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigView } from '../../src/config/access.js';
import { composeTree, removeConfigTrees } from '../helpers/config-tree.js';

afterAll(removeConfigTrees);

const base = {
  'config.yaml': [
    'defaults:',
    '  - _self_',
    'algo:',
    '  h: 5',
    '  lrs: [1, 2, 3]',
    '  opt: {lr: 0.1, betas: [0.9, 0.999]}',
    '  name: mopo',
    'seed: 1',
    '',
  ].join('\n'),
};

describe('value overrides', () => {
  it('sets existing keys with typed values, and merges dicts while lists replace', () => {
    const { config } = composeTree(base, ['algo.h=3', 'algo.lrs=[7]', 'algo.opt={lr:0.5}', "algo.name='3'"]);
    expect(config.algo).toEqual({ h: 3, lrs: [7], opt: { lr: 0.5, betas: [0.9, 0.999] }, name: '3' });
  });

  it('rejects a misspelled key, suggesting the right one and the + form', () => {
    expect(() => composeTree(base, ['algo.hh=3'])).toThrow(/Could not override 'algo.hh'. Did you mean 'algo.h'\?\nTo append to your config use \+algo.hh=3\nKey 'hh' is not in struct 'algo'/);
    expect(() => composeTree(base, ['sead=2'])).toThrow(/Did you mean 'seed'/);
  });

  it('adds with +, refuses to add over an existing key, and ++ adds or sets', () => {
    expect(composeTree(base, ['+algo.extra.deep=1']).config.algo).toMatchObject({ extra: { deep: 1 } });
    expect(() => composeTree(base, ['+algo.h=1'])).toThrow("Could not append to config. An item is already at 'algo.h'.\nEither remove + prefix: 'algo.h=1'\nOr add a second + to add or override 'algo.h': '++algo.h=1'");
    expect(composeTree(base, ['++algo.h=9', '++algo.new=x']).config.algo).toMatchObject({ h: 9, new: 'x' });
  });

  it('deletes with ~, optionally only when the value matches', () => {
    expect(composeTree(base, ['~algo.opt']).config.algo).not.toHaveProperty('opt');
    expect(composeTree(base, ['~algo.h=5']).config.algo).not.toHaveProperty('h');
    expect(() => composeTree(base, ['~algo.h=4'])).toThrow("Could not delete from config. The value of 'algo.h' is 5 and not 4.");
    expect(() => composeTree(base, ['~algo.nope'])).toThrow(/Could not delete from config. 'algo.nope' does not exist./);
  });

  it('appends to lists with append()', () => {
    expect(composeTree(base, ['algo.lrs=append(4,5)']).config.algo).toMatchObject({ lrs: [1, 2, 3, 4, 5] });
    expect(() => composeTree(base, ['algo.h=append(1)'])).toThrow(/not a list/);
  });

  it('sets the empty string with key=', () => {
    expect(composeTree(base, ['algo.name=']).config.algo).toMatchObject({ name: '' });
  });

  it('refuses sweeps outside multirun with the three ways out', () => {
    expect(() => composeTree(base, ['seed=1,2'])).toThrow(/Ambiguous value for argument 'seed=1,2'\n1. To use it as a list, use key=\[value1,value2\]\n2. To use it as string, quote the value: key=\\'value1,value2\\'\n3. To sweep over it, add --multirun/);
  });
});

describe('interpolation', () => {
  const savedEnv = { ...process.env };
  afterEach(() => {
    process.env = { ...savedEnv };
  });

  const tree = (yaml: string) => ({ 'config.yaml': yaml });

  it('keeps the type of a whole-value reference and concatenates text', () => {
    const { config } = composeTree(tree('a: {n: 3, l: [1, 2], d: {k: v}}\nn: ${a.n}\nl: ${a.l}\nd: ${a.d}\ns: x-${a.n}-${a.d.k}\n'));
    expect(config).toMatchObject({ n: 3, l: [1, 2], d: { k: 'v' }, s: 'x-3-v' });
  });

  it('resolves relative references from the node holding the value', () => {
    const { config } = composeTree(tree('algo:\n  lr: 0.1\n  actor:\n    lr: ${..lr}\n    own: 2\n    twice: ${.own}\n'));
    expect(config.algo).toMatchObject({ actor: { lr: 0.1, own: 2, twice: 2 } });
  });

  it('reads environment variables with and without defaults, naming the variable and the key when unset', () => {
    process.env.MOPO_TEST_DIR = '/data';
    delete process.env.MOPO_TEST_UNSET;
    const { config } = composeTree(tree('a: ${oc.env:MOPO_TEST_DIR}/x\nb: ${oc.env:MOPO_TEST_UNSET,fallback}\nc: ${oc.env:MOPO_TEST_UNSET,null}\n'));
    expect(config).toEqual({ a: '/data/x', b: 'fallback', c: null });
    expect(() => composeTree(tree('a: ${oc.env:MOPO_TEST_UNSET}\n'))).toThrow("Environment variable 'MOPO_TEST_UNSET' not found (in 'a')");
  });

  it('formats ${now:…} from one start time for the whole run', () => {
    const { config } = composeTree(tree('day: ${now:%Y-%m-%d}\ntime: ${now:%H-%M-%S}\n'));
    expect(config).toEqual({ day: '2024-01-02', time: '03-04-05' });
  });

  it('exposes runtime values through ${hydra:…}', () => {
    const files = { 'config.yaml': 'defaults:\n  - algo: a1\nchoice: ${hydra:runtime.choices.algo}\nout: ${hydra:runtime.output_dir}\n', 'algo/a1.yaml': 'x: 1\n' };
    const { job } = composeTree(files);
    job.setOutputDir('/runs/7');
    expect(job.jobConfig(true)).toMatchObject({ choice: 'a1', out: '/runs/7' });
  });

  it('supports oc.select with a default, oc.decode, and escaped \\${…}', () => {
    const { config } = composeTree(tree("a: 1\nb: ${oc.select:a,5}\nc: ${oc.select:zz,5}\nd: ${oc.decode:'[1,2]'}\ne: \\${not.this}\n"));
    expect(config).toEqual({ a: 1, b: 1, c: 5, d: [1, 2], e: '${not.this}' });
  });

  it('names the key for a dangling reference, with a suggestion', () => {
    expect(() => composeTree(tree('algo:\n  h: 5\nx: ${algo.hh}\n'))).toThrow("Interpolation key 'algo.hh' not found (in 'x': ${algo.hh}). Did you mean 'algo.h'?");
  });

  it('names the keys of a cycle', () => {
    expect(() => composeTree(tree('a: ${b}\nb: ${c}\nc: ${a}\n'))).toThrow(/Interpolation cycle detected at 'a': a -> b -> c -> a/);
  });

  it('fails on ??? when read, naming the full key; an interpolation to it fails too', () => {
    const { config } = composeTree(tree('algo:\n  h: ???\n  g: 1\n'));
    expect(config.algo).toEqual({ h: '???', g: 1 });
    const view = new ConfigView(config);
    expect(view.int('algo.g')).toBe(1);
    expect(() => view.int('algo.h')).toThrow('Missing mandatory value: algo.h. Set it on the command line: algo.h=<value>');
    expect(() => view.at('algo').int('h')).toThrow('Missing mandatory value: algo.h.');
    expect(() => composeTree(tree('algo:\n  h: ???\nx: ${algo.h}\n'))).toThrow(/Missing mandatory value: algo.h \(referenced by 'x'/);
  });

  it('rejects an unknown resolver by name', () => {
    expect(() => composeTree(tree('a: ${oc.enf:HOME}\n'))).toThrow(/Unsupported interpolation type oc.enf \(in 'a'.*Did you mean 'oc.env'/);
  });
});

describe('typed reading (ConfigView)', () => {
  const view = new ConfigView({ algo: { h: 5, lr: 0.1, name: 'mopo', flag: true, wd: [1, 2], penalty: 'std_norm', none: null } });

  it('reads typed values and checks ranges, naming the full key', () => {
    expect(view.int('algo.h', { min: 1 })).toBe(5);
    expect(view.number('algo.lr', { above: 0 })).toBe(0.1);
    expect(view.numberList('algo.wd', { length: 2 })).toEqual([1, 2]);
    expect(view.optional('algo.none', (k) => view.int(k))).toBeNull();
    expect(() => view.int('algo.lr')).toThrow("Invalid value for 'algo.lr': expected an integer, got 0.1.");
    expect(() => view.at('algo').int('h', { max: 3 })).toThrow("Invalid value for 'algo.h': 5 (must be <= 3).");
    expect(() => view.string('algo.h')).toThrow("Invalid value for 'algo.h': expected a string, got 5.");
    expect(() => view.oneOf('algo.name', ['sac', 'mopo2'])).toThrow(/Invalid value for 'algo.name': "mopo".*Choose one of: sac, mopo2/);
    expect(() => view.int('algo.hh')).toThrow("Missing key 'algo.hh' in the config. Did you mean 'algo.h'?");
  });
});
