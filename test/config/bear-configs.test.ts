import { describe, expect, it } from 'vitest';
import { BEAR_SETTINGS } from '../../src/algos/bear-options.js';
import { ConfigView } from '../../src/config/access.js';
import { JobConfig, createRepository } from '../../src/config/job-config.js';
import type { ConfigDict } from '../../src/config/value.js';
import { checkTrainingConfig } from '../../src/train/algo-choice.js';

const repo = createRepository();
const compose = (...overrides: string[]) => JobConfig.compose(repo, { overrides }).jobConfig(true);
const tasks = ['halfcheetah', 'hopper', 'walker2d'].flatMap((env) => ['random', 'medium', 'medium-replay', 'medium-expert'].map((data) => `${env}-${data}`));

describe('BEAR experiments', () => {
  it.each(tasks)('exp=%s-bear trains BEAR offline on the D4RL dataset with d3rlpy\'s reproduction settings', (task) => {
    const config = compose(`exp=${task}-bear`);
    expect((config.env as ConfigDict).id).toBe(`${task}-v2`);
    expect(config.algo).toMatchObject({ name: 'bear', learner: 'bear', loop: 'offline', dynamics: null, total_steps: 500000, num_epochs: 500, rl_start_epoch: 40, temp_learning_rate: 0 });
    const settings = BEAR_SETTINGS.read(new ConfigView(config).at('algo'));
    expect(settings.mmdKernel).toBe(task.startsWith('halfcheetah') ? 'gaussian' : 'laplacian');
    expect(settings.initialTemperature).toBe(1e-20);
    expect(checkTrainingConfig(new ConfigView(config)).learner.name).toBe('bear');
  });

  it("takes model rollouts from a MOPO run with d3rlpy MOPO's rollout settings", () => {
    const config = compose('exp=hopper-medium-bear', 'algo.dynamics=/runs/mopo');
    expect(config.algo).toMatchObject({ dynamics: '/runs/mopo', h: 5, rollout_batch_size: 400, rollout_freq: 1000, model_retain_epochs: 1, real_ratio: 0.98, ensembles: { penalty: 'std_norm', penalty_coef: 1 } });
    expect(() => checkTrainingConfig(new ConfigView(config))).not.toThrow();
  });
});
