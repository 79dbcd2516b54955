import { describe, expect, it } from 'vitest';
import { createRepository } from '../../src/config/job-config.js';
import { expandSweep, fnmatch } from '../../src/config/sweep.js';

const repo = createRepository();

describe('multirun sweeps', () => {
  it('takes the Cartesian product, the first override varying slowest', () => {
    expect(expandSweep(repo, ['algo.h=1,5', 'seed=0,1', 'exp=hopper-medium']).map((j) => [j.num, j.overrides])).toEqual([
      [0, ['algo.h=1', 'seed=0', 'exp=hopper-medium']],
      [1, ['algo.h=1', 'seed=1', 'exp=hopper-medium']],
      [2, ['algo.h=5', 'seed=0', 'exp=hopper-medium']],
      [3, ['algo.h=5', 'seed=1', 'exp=hopper-medium']],
    ]);
  });

  it('expands range(), choice() and keeps prefixes and quoting as Hydra writes them', () => {
    expect(expandSweep(repo, ['exp=quickstart', 'seed=range(2)', "+tag=choice(a,'b c')", "+note='x y',z"]).map((j) => j.overrides.slice(1))).toEqual([
      ['seed=0', '+tag=a', "+note='x y'"],
      ['seed=0', '+tag=a', '+note=z'],
      ['seed=0', '+tag=b\\ c', "+note='x y'"],
      ['seed=0', '+tag=b\\ c', '+note=z'],
      ['seed=1', '+tag=a', "+note='x y'"],
      ['seed=1', '+tag=a', '+note=z'],
      ['seed=1', '+tag=b\\ c', "+note='x y'"],
      ['seed=1', '+tag=b\\ c', '+note=z'],
    ]);
  });

  it('globs over the options of a config group, with excludes', () => {
    const jobs = expandSweep(repo, ['exp=glob(hopper-*,exclude=[*expert,*replay,*online,*bear])']);
    expect(jobs.map((j) => j.overrides[0])).toEqual(['exp=hopper-medium', 'exp=hopper-random']);
    expect(() => expandSweep(repo, ['exp=glob(nothing*)'])).toThrow(/matched no options of 'exp'/);
    expect(() => expandSweep(repo, ['exp=quickstart', 'algo.h=glob(*)'])).toThrow(/'algo.h' is not one/);
  });

  it('matches shell patterns', () => {
    expect(fnmatch('hopper-medium', 'hopper-*')).toBe(true);
    expect(fnmatch('hopper-medium', '*-m?dium')).toBe(true);
    expect(fnmatch('hopper-medium', 'walker*')).toBe(false);
    expect(fnmatch('a.b', 'a?b')).toBe(true);
    expect(fnmatch('axb', 'a.b')).toBe(false);
  });
});
