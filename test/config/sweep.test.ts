import { describe, expect, it } from 'vitest';
import { createRepository } from '../../src/config/job-config.js';
import { expandSweep, fnmatch } from '../../src/config/sweep.js';

const repo = createRepository();

describe('multirun sweeps', () => {
  it('takes the Cartesian product, the first override varying slowest', () => {
    expect(expandSweep(repo, ['algo.h=1,5', 'seed=0,1', 'exp=hopper-medium'])).toEqual([
      { num: 0, overrides: ['algo.h=1', 'seed=0', 'exp=hopper-medium'] },
      { num: 1, overrides: ['algo.h=1', 'seed=1', 'exp=hopper-medium'] },
      { num: 2, overrides: ['algo.h=5', 'seed=0', 'exp=hopper-medium'] },
      { num: 3, overrides: ['algo.h=5', 'seed=1', 'exp=hopper-medium'] },
    ]);
  });

  it('expands range(), choice() and keeps prefixes and quoting', () => {
    expect(expandSweep(repo, ['seed=range(2)', "+tag=choice(a,'b c')"]).map((j) => j.overrides)).toEqual([
      ['seed=0', '+tag=a'],
      ['seed=0', "+tag='b c'"],
      ['seed=1', '+tag=a'],
      ['seed=1', "+tag='b c'"],
    ]);
  });

  it('globs over the options of a config group, with excludes', () => {
    const jobs = expandSweep(repo, ['exp=glob(hopper-*,exclude=[*expert,*replay,*online])']);
    expect(jobs.map((j) => j.overrides[0])).toEqual(['exp=hopper-medium', 'exp=hopper-random']);
    expect(() => expandSweep(repo, ['exp=glob(nothing*)'])).toThrow(/matched no options of 'exp'/);
    expect(() => expandSweep(repo, ['algo.h=glob(*)'])).toThrow(/'algo.h' is not one/);
  });

  it('matches shell patterns', () => {
    expect(fnmatch('hopper-medium', 'hopper-*')).toBe(true);
    expect(fnmatch('hopper-medium', '*-m?dium')).toBe(true);
    expect(fnmatch('hopper-medium', 'walker*')).toBe(false);
    expect(fnmatch('a.b', 'a?b')).toBe(true);
    expect(fnmatch('axb', 'a.b')).toBe(false);
  });
});
