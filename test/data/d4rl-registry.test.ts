import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../src/errors.js';
import {
  D4RL_DATASET_IDS,
  d4rlDataset,
  d4rlDatasetUrl,
  findD4rlTask,
  isD4rlDatasetId,
  normalizedScore,
} from '../../src/data/d4rl-registry.js';

describe('D4RL registry', () => {
  it('lists all 15 v2 locomotion datasets', () => {
    const expected = ['halfcheetah', 'hopper', 'walker2d'].flatMap((task) =>
      ['random', 'medium', 'medium-replay', 'medium-expert', 'expert'].map((kind) => `${task}-${kind}-v2`),
    );
    expect([...D4RL_DATASET_IDS].sort()).toEqual(expected.sort());
    for (const id of expected) expect(isD4rlDatasetId(id)).toBe(true);
  });

  it('knows file names, URLs, env ids and sizes', () => {
    const info = d4rlDataset('halfcheetah-medium-replay-v2');
    expect(info).toMatchObject({ envId: 'HalfCheetah', observationSize: 17, actionSize: 6, kind: 'medium-replay' });
    expect(info.fileName).toBe('halfcheetah_medium_replay-v2.hdf5');
    expect(d4rlDatasetUrl('walker2d-medium-expert-v2')).toBe(
      'http://rail.eecs.berkeley.edu/datasets/offline_rl/gym_mujoco_v2/walker2d_medium_expert-v2.hdf5',
    );
    expect(d4rlDatasetUrl('hopper-random-v2', 'https://mirror.example/d4rl/')).toBe(
      'https://mirror.example/d4rl/hopper_random-v2.hdf5',
    );
    expect(d4rlDataset('hopper-expert-v2')).toMatchObject({ envId: 'Hopper', observationSize: 11, actionSize: 3 });
    expect(findD4rlTask('Walker2d')?.task).toBe('walker2d');
    expect(findD4rlTask('Ant')).toBeUndefined();
  });

  it('rejects an unknown id with a suggestion and the list', () => {
    const error = (() => {
      try {
        d4rlDataset('halfcheetah-meduim-v2');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(DatasetError);
    expect(error!.message).toContain('"halfcheetah-meduim-v2"');
    expect(error!.message).toContain('Did you mean "halfcheetah-medium-v2"?');
    expect(error!.message).toContain('walker2d-expert-v2');
    expect(() => d4rlDataset('hopper-medium-v0')).toThrow(/Did you mean "hopper-medium-v2"/);
    expect(() => d4rlDataset('antmaze-umaze-v0')).toThrow(DatasetError);
  });
});

describe('normalizedScore', () => {
  it('maps the random reference to 0 and the expert reference to 100', () => {
    expect(normalizedScore('halfcheetah-medium-v2', -280.178953)).toBeCloseTo(0, 10);
    expect(normalizedScore('halfcheetah-medium-v2', 12135.0)).toBeCloseTo(100, 10);
    expect(normalizedScore('hopper-random-v2', -20.272305)).toBeCloseTo(0, 10);
    expect(normalizedScore('hopper-expert-v2', 3234.3)).toBeCloseTo(100, 10);
    expect(normalizedScore('walker2d-medium-replay-v2', 1.629008)).toBeCloseTo(0, 10);
    expect(normalizedScore('walker2d-medium-replay-v2', 4592.3)).toBeCloseTo(100, 10);
  });

  it('is linear in between and accepts the task or env id', () => {
    const halfway = (-20.272305 + 3234.3) / 2;
    expect(normalizedScore('hopper-medium-v2', halfway)).toBeCloseTo(50, 10);
    expect(normalizedScore('hopper', halfway)).toBeCloseTo(50, 10);
    expect(normalizedScore('Hopper', halfway)).toBeCloseTo(50, 10);
    // OfflineRL-Kit's MOPO halfcheetah-medium-v2 score of 72.4 corresponds to a return of about 8 710.
    expect(normalizedScore('halfcheetah-medium-v2', 8709.7)).toBeCloseTo(72.4, 1);
  });

  it('rejects an unknown id', () => {
    expect(() => normalizedScore('hoper-medium-v2', 1000)).toThrow(/Did you mean "hopper-medium-v2"/);
  });
});
