import { describe, expect, it } from 'vitest';
import { JobConfig, createRepository } from '../../src/config/job-config.js';
import type { ConfigDict } from '../../src/config/value.js';

const repo = createRepository();
const compose = (...overrides: string[]) => JobConfig.compose(repo, { overrides }).jobConfig(true);

// Per-task (h, λ) as written in the exp files: OfflineRL-Kit's v2 tuning, official MOPO for random.
const expected: Record<string, [number, number]> = {
  'halfcheetah-random': [5, 0.5],
  'halfcheetah-medium': [5, 0.5],
  'halfcheetah-medium-replay': [5, 0.5],
  'halfcheetah-medium-expert': [5, 2.5],
  'hopper-random': [5, 1.0],
  'hopper-medium': [5, 5.0],
  'hopper-medium-replay': [5, 2.5],
  'hopper-medium-expert': [5, 5.0],
  'walker2d-random': [1, 1.0],
  'walker2d-medium': [5, 0.5],
  'walker2d-medium-replay': [1, 2.5],
  'walker2d-medium-expert': [1, 2.5],
};

describe('built-in configs', () => {
  it('offers every D4RL task × dataset as an experiment', () => {
    expect(repo.options('exp')).toEqual(expect.arrayContaining(Object.keys(expected)));
  });

  it.each(Object.entries(expected))('exp=%s selects its dataset, h and λ on top of MOPO', (exp, [h, penalty]) => {
    const config = compose(`exp=${exp}`);
    const algo = config.algo as ConfigDict;
    expect((config.env as ConfigDict).id).toBe(`${exp}-v2`);
    expect(algo).toMatchObject({ name: 'mopo', h, ensembles: { penalty_coef: penalty, num_ensembles: 7, num_elites: 5 } });
    expect(config.exp_name).toBe(exp);
  });

  it('composes MOPO on top of SAC: SAC keys are inherited under algo, MOPO keys added', () => {
    const algo = compose('exp=quickstart', 'algo.h=3', 'algo.total_steps=1000000', 'algo.num_epochs=1000', 'algo.rollout_batch_size=50000').algo as ConfigDict;
    expect(algo).toMatchObject({
      h: 3,
      gamma: 0.99,
      tau: 0.005,
      per_rank_batch_size: 256,
      real_ratio: 0.05,
      rollout_batch_size: 50000,
      total_steps: 1000000,
      num_epochs: 1000,
      actor: { hidden_size: 256, optimizer: { lr: 3e-4 } },
      critic: { hidden_size: 256 },
      ensembles: { max_epochs_since_update: 5, optimizer: { lr: 1e-3, weight_decays: [2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4] } },
    });
  });

  it('trains the MOPO experiments with OfflineRL-Kit\'s setup by default', () => {
    const config = compose('exp=hopper-medium');
    expect(config.algo).toMatchObject({
      h: 5,
      total_steps: 3_000_000,
      num_epochs: 3000,
      actor: { log_std_min: -5, optimizer: { lr: 1e-4, schedule: 'cosine' } },
      critic: { optimizer: { lr: 3e-4, schedule: 'constant' } },
      alpha: { max: 1, target_entropy: null, optimizer: { lr: 1e-4 } },
      ensembles: { penalty_coef: 5 },
    });
    expect(config.eval).toMatchObject({ every: 1, episodes: 10 });
  });

  it.each([
    ['hopper-medium', 5, 5.0, 1000],
    ['halfcheetah-medium', 1, 1.0, 3000],
    ['walker2d-medium-expert', 1, 2.0, 3000],
  ])('preset=official gives %s the MOPO code\'s setup: h %d, λ %d, %d epochs', (exp, h, penalty, epochs) => {
    const config = compose(`exp=${exp}`, 'preset=official');
    expect(config.algo).toMatchObject({
      h,
      num_epochs: epochs,
      total_steps: epochs * 1000,
      actor: { log_std_min: -20, optimizer: { lr: 3e-4, schedule: 'constant' } },
      critic: { optimizer: { lr: 3e-4 } },
      alpha: { max: null, target_entropy: -3, optimizer: { lr: 3e-4 } },
      ensembles: { penalty_coef: penalty },
    });
    expect(compose(`exp=${exp}`, 'preset=official', 'algo.h=2').algo).toMatchObject({ h: 2 });
  });

  it('requires an experiment', () => {
    expect(() => compose()).toThrow(/You must specify 'exp', e.g, exp=<OPTION>\nAvailable options:\n(\t\S+\n)*\thalfcheetah-medium\n/);
  });
});
