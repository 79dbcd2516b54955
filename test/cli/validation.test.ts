import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';

afterAll(removeTempDirs);

const mopo = (args: string[], cwd = tempDir()) => ({ cwd, ...runCli('mopo', args, { cwd }) });

describe('values are checked before anything is created', () => {
  it('log_std_min ≥ log_std_max is the same config error for online SAC as for MOPO (it was a crash online)', () => {
    for (const exp of ['exp=hopper-online', 'exp=hopper-medium']) {
      const result = mopo([exp, 'algo.actor.log_std_min=3', 'algo.actor.log_std_max=2']);
      expect(result.status, exp).toBe(1);
      expect(result.stderr.trim()).toBe("mopo: Invalid value for 'algo.actor.log_std_min': 3 must be below algo.actor.log_std_max (2).");
      expect(existsSync(path.join(result.cwd, 'outputs')), `${exp} created its output directory`).toBe(false);
    }
  });

  it('refuses n-step returns and prioritized replay with model rollouts or with BEAR, and tau with polyak, before creating anything', () => {
    const rollouts = mopo(['exp=quickstart', 'algo.per=true']);
    expect(rollouts.status).toBe(1);
    expect(rollouts.stderr.trim()).toBe(
      'mopo: algo.per=true: not with model rollouts (algo.dynamics): the model buffer holds no episodes in order, and its rows are replaced every rollout. Use them on the dataset alone (algo.dynamics=null) or online.',
    );
    expect(existsSync(path.join(rollouts.cwd, 'outputs'))).toBe(false);
    const rate = mopo(['exp=hopper-online', 'algo=td3', 'algo.polyak=0.99', 'algo.tau=0.02']);
    expect(rate.status).toBe(1);
    expect(rate.stderr.trim()).toBe("mopo: Invalid value for 'algo.polyak': 0.99 and algo.tau = 0.02 both set the target update rate (polyak = 1 − tau); give one of them.");
    // BEAR does not take them: a key added by hand is refused, not ignored
    const bear = mopo(['exp=halfcheetah-medium-bear', '+algo.per=true']);
    expect(bear.status).toBe(1);
    expect(bear.stderr.trim()).toBe('mopo: algo.n_step=1, algo.per=true: the bear learner does not take n-step returns or prioritized replay; leave algo.n_step=1 and algo.per=false.');
  });

  it('algo.learner=td3 under algo=mopo names the learner that wants the missing key, before creating anything', () => {
    const result = mopo(['exp=quickstart', 'algo.learner=td3', 'hydra.run.dir=run']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("algo.learner=td3: algo=mopo has no 'algo.policy_delay', which the td3 learner needs (its keys and defaults are in configs/algo/td3.yaml).");
    expect(existsSync(path.join(result.cwd, 'run'))).toBe(false);
  });

  it('accepts algo.ensembles.penalty=ensemble_std, which the ensemble implements', () => {
    const result = mopo(['--cfg', 'job', 'exp=quickstart', 'algo.ensembles.penalty=ensemble_std']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('penalty: ensemble_std');
  });

  it('--cfg job prints the config and reports a wrong value with exit code 1', () => {
    const result = mopo(['--cfg', 'job', 'exp=quickstart', 'algo.num_epochs=7']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('num_epochs: 7');
    expect(result.stderr).toContain("Invalid value for 'algo.num_epochs': 7 epochs do not divide algo.total_steps = 3000 into whole epochs.");
  });

  it('a sweep checks every job before launching any', () => {
    const result = mopo(['-m', 'exp=quickstart', 'algo.h=1,0', 'algo.total_steps=20', 'algo.num_epochs=1']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('1 of 2 jobs have config errors; no job was launched.');
    expect(result.stderr).toContain("#1 (exp=quickstart algo.h=0 algo.total_steps=20 algo.num_epochs=1): Invalid value for 'algo.h': 0 (must be >= 1).");
    expect(existsSync(path.join(result.cwd, 'multirun')) ? readdirSync(path.join(result.cwd, 'multirun')) : []).toEqual([]);
  });

  it('a continuous learner on a discrete-action env is refused, naming both', () => {
    const result = mopo(['exp=hopper-online', 'env.id=CartPole-v1']);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('mopo: algo=sac_online needs continuous (box) actions, but env CartPole has discrete(2) actions; choose a learner for discrete actions or another env.');
    expect(existsSync(path.join(result.cwd, 'outputs'))).toBe(false);
  });

  it('algo=sac alone is settings, not a trainer', () => {
    const result = mopo(['exp=quickstart', 'algo=sac']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('algo=sac cannot be trained on its own');
  });
});
