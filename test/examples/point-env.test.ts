import { appendFileSync, copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate, train } from '../../src/api.js';
import { InterruptedError } from '../../src/errors.js';
import { listCheckpoints } from '../../src/train/checkpoint.js';
import { InterruptWatch } from '../../src/train/interrupt.js';
import { trainOnline } from '../../src/train/online.js';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';
import { comparable, readMetrics, removeRunDirs, trainJob } from '../helpers/train-job.js';

const root = path.resolve(import.meta.dirname, '../..');
const example = path.join(root, 'examples/point-env/point-env.mjs');
afterAll(() => {
  removeTempDirs();
  removeRunDirs();
});

/** MOPO on the point env in seconds: small nets, a short fit, a few hundred steps. */
const TINY = [
  'exp=custom-mopo',
  '+env.wrapper.episodes=8',
  'algo.total_steps=200',
  'algo.num_epochs=2',
  'algo.rollout_freq=50',
  'algo.rollout_batch_size=100',
  'algo.h=2',
  'algo.actor.hidden_size=32',
  'algo.critic.hidden_size=32',
  'algo.ensembles.num_ensembles=3',
  'algo.ensembles.num_elites=2',
  'algo.ensembles.hidden_size=16',
  'algo.ensembles.num_layers=2',
  'algo.ensembles.optimizer.weight_decays=[2.5e-5,5e-5,1e-4]',
  'algo.ensembles.max_epochs=2',
  'eval.episodes=2',
  'metric.progress=lines',
  'threads=0',
];

describe('a custom environment from the command line, in a directory outside the repository', () => {
  const cwd = tempDir('mopo-point-');
  copyFileSync(example, path.join(cwd, 'point-env.mjs'));
  const trained = runCli('mopo', [...TINY, 'env.wrapper._target_=./point-env.mjs:PointEnv', 'hydra.run.dir=run'], { cwd });

  it('trains MOPO on the env\'s own data (getDataset) and checkpoints it', () => {
    expect(trained.stderr).toBe('');
    expect(trained.status).toBe(0);
    expect(trained.stdout).toContain('Environment: PointMass (point-env.mjs:PointEnv');
    expect(trained.stdout).toMatch(/Dataset: point-env\.mjs:PointEnv \(\d+ transitions, obs 4, act 2\)/);
    const manifest = JSON.parse(readFileSync(path.join(listCheckpoints(path.join(cwd, 'run/checkpoints')).at(-1)!, 'manifest.json'), 'utf8'));
    expect(manifest.env).toMatchObject({ kind: 'custom', file: path.join(cwd, 'point-env.mjs'), exportName: 'PointEnv' });
  });

  it('mopo-eval rebuilds the env from the checkpoint, and refuses once the module has changed or is gone', () => {
    const evaluated = runCli('mopo-eval', ['checkpoint_path=run', 'eval.episodes=3'], { cwd });
    expect(evaluated.stderr).toBe('');
    expect(evaluated.stdout).toMatch(/3 deterministic episodes/);
    appendFileSync(path.join(cwd, 'point-env.mjs'), '\n// edited\n');
    const changed = runCli('mopo-eval', ['checkpoint_path=run'], { cwd });
    expect(changed.status).toBe(1);
    expect(changed.stderr).toMatch(/was trained in an env from .*point-env\.mjs, which has changed since \(its SHA-256 differs\)/);
    rmSync(path.join(cwd, 'point-env.mjs'));
    const gone = runCli('mopo-eval', ['checkpoint_path=run'], { cwd });
    expect(gone.stderr).toMatch(/point-env\.mjs, which no longer exists/);
  });

  it('names the module and what is missing when the env does not fit', () => {
    writeFileSync(path.join(cwd, 'broken.js'), 'export class NoReset { observationSize = 2; actionSize = 1; maxEpisodeSteps = 5; step() {} }\nexport class Wide { constructor() { this.inner = new NoReset(); } }\n');
    const noReset = runCli('mopo', [...TINY, 'env.wrapper._target_=./broken.js:NoReset'], { cwd });
    expect(noReset.stderr.trim()).toBe('mopo: broken.js:NoReset makes an environment without reset(): it needs reset(seed) and step(action).');
    const noExport = runCli('mopo', [...TINY, 'env.wrapper._target_=./broken.js:Missing'], { cwd });
    expect(noExport.stderr.trim()).toBe("mopo: ./broken.js exports no 'Missing'. It exports: NoReset, Wide.");
    expect(existsSync(path.join(cwd, 'outputs'))).toBe(false);
  });
});

describe('a custom environment from code', () => {
  it('trains with an env factory, returns the run and a policy that acts, and evaluates with the same env', async () => {
    const { PointEnv } = (await import(example)) as { PointEnv: new (options?: object) => { reset(seed?: number): Float32Array } };
    const cwd = tempDir('mopo-point-code-');
    const events: string[] = [];
    const run = await train({
      overrides: [...TINY, `hydra.run.dir=${path.join(cwd, 'run')}`],
      env: (options: object) => new PointEnv({ ...options, episodes: 8 }),
      onProgress: (event) => events.push(event.type),
    });
    expect(run.epochs).toBe(2);
    expect(run.metrics.map((row) => row.epoch)).toEqual([1, 2]);
    expect(events).toContain('epoch');
    expect(run.scores!.last.returnMean).toBeLessThan(0);
    const action = run.policy.act(new PointEnv().reset(3));
    expect(action).toHaveLength(2);
    expect([...action].every((a) => a >= -1 && a <= 1)).toBe(true);
    run.policy.dispose();
    const again = await evaluate({ checkpoint: run.checkpoint, overrides: ['eval.episodes=2'], env: (options: object) => new PointEnv(options) });
    expect(again.result.episodes).toBe(2);
  });
});

describe('online training in a custom environment', () => {
  const online = ['exp=custom-online', `env.wrapper._target_=${example}:PointEnv`, 'algo.total_steps=300', 'algo.start_steps=50', 'algo.update_every=25', 'algo.num_updates=2', 'algo.test_every=100', 'algo.per_rank_batch_size=16', 'algo.actor.hidden_size=16', 'algo.critic.hidden_size=16', 'eval.episodes=1', 'checkpoint.every=1', 'metric.progress=lines', 'threads=0'];

  it('resumes mid-episode exactly, through the env\'s snapshot() and restore()', async () => {
    const whole = trainJob(online);
    await trainOnline(whole);
    const interrupted = trainJob(online);
    const watch = new InterruptWatch(() => {});
    await expect(trainOnline(interrupted, { interrupt: watch, afterStep: (step, w) => step === 130 && w.request() })).rejects.toThrow(InterruptedError);
    const resumed = trainJob([...online, `checkpoint.resume_from=${interrupted.runDir}`]);
    await trainOnline(resumed);
    expect(comparable(readMetrics(resumed.runDir))).toEqual(comparable(readMetrics(whole.runDir)));
  });
});

describe('a MuJoCo model of the user\'s (env.model_xml) with rules from their module', () => {
  it('plays their model on mopo\'s MuJoCo runtime: pushing right moves the cart right', async () => {
    const { envSourceFromConfig } = await import('../../src/train/env-source.js');
    const { ConfigView } = await import('../../src/config/access.js');
    const fixtures = path.join(root, 'test/examples/fixtures');
    const source = await envSourceFromConfig(new ConfigView({ env: { wrapper: { _target_: `${fixtures}/slider-rules.js:slider` }, model_xml: `${fixtures}/slider.xml` } }));
    expect(source.spec).toMatchObject({ id: 'Slider', observationSize: 2, actionSize: 1, maxEpisodeSteps: 20, usesMujoco: true });
    const env = await source.make({ seed: 0 });
    const start = env.reset(0)[0]!;
    let last = env.step([1]);
    for (let t = 1; t < 19; t++) last = env.step([1]);
    expect(last.observation[0]!).toBeGreaterThan(start + 0.05);
    expect(last.reward).toBeGreaterThan(0);
    expect(env.step([1]).truncated).toBe(true);
    env.close();
  });
});
