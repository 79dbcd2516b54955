import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { LEARNERS, learnerRow } from '../../src/algos/learner-table.js';
import { ENSEMBLE_SETTINGS } from '../../src/algos/mopo/ensemble-options.js';
import { ConfigView } from '../../src/config/access.js';
import { allocateBatch } from '../../src/data/replay-buffer.js';
import { discrete, type ActionKind } from '../../src/envs/action-space.js';
import { initBackend } from '../../src/nn/backend.js';
import { Rng } from '../../src/util/rng.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const root = path.resolve(import.meta.dirname, '../..');
const sizes = { observationSize: 5, actionSize: 2 };
/** A discrete learner's env: one index a row, 3 choices. */
const discreteSizes = { observationSize: 5, actionSize: 1, actionSpace: discrete(3) };
const sizesFor = (kind: ActionKind) => (kind === 'box' ? sizes : discreteSizes);

function randomBatch(rows: number, seed: number, kind: ActionKind = 'box') {
  const rng = new Rng(seed);
  const { observationSize, actionSize } = sizesFor(kind);
  const batch = allocateBatch(rows, observationSize, actionSize);
  rng.fillNormal(batch.observations);
  if (kind === 'box') rng.fillUniform(batch.actions, -1, 1);
  else for (let i = 0; i < rows; i++) batch.actions[i] = rng.int(3);
  rng.fillNormal(batch.rewards);
  rng.fillNormal(batch.nextObservations);
  return batch;
}

// A row for each action space it acts in (MPO: both).
const rowsByKind = LEARNERS.flatMap((row) => row.actionKinds.map((kind) => [`${row.name} (${kind})`, row, kind] as const));

describe.each(rowsByKind)('learner row %s', (_name, row, kind) => {
  it('round-trips create → update → getState → fromState → act', async () => {
    const learner = await row.create({ ...row.settings.defaults(), ...sizesFor(kind), seed: 3 });
    const measured = [0, 1, 2].map((k) => learner.update(randomBatch(32, k, kind), { metrics: true }));
    expect(Object.keys(measured[2]!).length).toBeGreaterThan(0);
    const restored = await row.fromState(learner.getState());
    const observations = new Rng(7).fillNormal(new Float32Array(4 * sizes.observationSize));
    expect(restored.act(observations, true)).toEqual(learner.act(observations, true));
    expect(restored.act(observations, false, new Rng(1))).toEqual(learner.act(observations, false, new Rng(1)));
    // Both continue identically: the next update measures the same.
    const next = randomBatch(32, 9, kind);
    expect(restored.update(next, { metrics: true })).toEqual(learner.update(next, { metrics: true }));
    learner.dispose();
    restored.dispose();
  });

  it('its schema defaults are what its base config file states', () => {
    const file = yaml.load(readFileSync(path.join(root, 'configs/algo', `${row.name}.yaml`), 'utf8')) as Record<string, unknown>;
    expect(row.settings.read(new ConfigView(file as never, 'algo'))).toEqual(row.settings.defaults());
  });
});

describe('learner options: one schema for the config and for code', () => {
  it('reports a relation on the config key from a config and on the option name from code', () => {
    const sac = learnerRow('sac');
    const config = yaml.load(readFileSync(path.join(root, 'configs/algo/sac.yaml'), 'utf8')) as Record<string, any>;
    config.actor.log_std_min = 3;
    expect(() => sac.settings.read(new ConfigView(config, 'algo'))).toThrow("Invalid value for 'algo.actor.log_std_min': 3 must be below algo.actor.log_std_max (2).");
    expect(() => sac.settings.resolve({ logStdMin: 3 })).toThrow('SacOptions.logStdMin: 3 must be below SacOptions.logStdMax (2).');
    expect(() => sac.settings.resolve({ actorLayers: 0 })).toThrow('SacOptions.actorLayers must be >= 1, got 0.');
  });

  it('accepts every penalty the ensemble implements, and its defaults are configs/algo/mopo.yaml', () => {
    const mopo = yaml.load(readFileSync(path.join(root, 'configs/algo/mopo.yaml'), 'utf8')) as Record<string, any>;
    const ensembles = new ConfigView(mopo.ensembles, 'algo.ensembles');
    expect(ENSEMBLE_SETTINGS.read(ensembles)).toEqual(ENSEMBLE_SETTINGS.defaults());
    for (const penalty of ['std_norm', 'disagreement', 'ensemble_std']) {
      expect(ENSEMBLE_SETTINGS.read(new ConfigView({ ...mopo.ensembles, penalty }, 'algo.ensembles')).penalty).toBe(penalty);
    }
  });

  it('names the learners it has when asked for another', () => {
    expect(() => learnerRow('sca')).toThrow("Unknown learner 'sca'. Did you mean 'sac'? Learners: sac, td3, ddpg, bear, mpo, ddqn, discrete_sac.");
  });
});

describe('SAC learning-rate schedules and the α cap', () => {
  it('anneals a cosine learning rate from its base to 0, as PyTorch\'s CosineAnnealingLR stepped per epoch', async () => {
    const { scheduledLr } = await import('../../src/nn/lr-schedule.js');
    // T_max = 4 epochs: lr after e epochs = base · (1 + cos(π e / 4)) / 2.
    const lrs = [0, 1, 2, 3, 4].map((e) => scheduledLr(1e-4, 'cosine', e / 4));
    [1e-4, 8.5355339e-5, 5e-5, 1.4644661e-5, 0].forEach((expected, e) => expect(lrs[e]).toBeCloseTo(expected, 12));
    expect(scheduledLr(3e-4, 'constant', 0.7)).toBe(3e-4);
  });

  it('uses at most alpha.max in its losses while log α keeps learning', async () => {
    const sac = learnerRow('sac');
    const capped = await sac.create({ ...sizes, seed: 1, initialAlpha: 5, alphaMax: 1 });
    const measured = capped.update(randomBatch(32, 4), { metrics: true })!;
    expect(measured.alpha).toBe(1);
    capped.dispose();
    const free = await sac.create({ ...sizes, seed: 1, initialAlpha: 5 });
    expect(free.update(randomBatch(32, 4), { metrics: true })!.alpha).toBeCloseTo(5, 5);
    free.dispose();
  });
});
