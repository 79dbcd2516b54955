import { describe, expect, it } from 'vitest';
import { ConfigError, EnvError } from '../../src/errors.js';
import {
  actionRowWidth,
  actionSpaceName,
  box,
  checkAction,
  discrete,
  envSpecFor,
  makeEnv,
  requireActionSpace,
  sampleAction,
} from '../../src/envs/index.js';
import { Rng } from '../../src/util/rng.js';

describe('action spaces', () => {
  it('name themselves and give the width of a stored action row', () => {
    expect(actionSpaceName(box(6))).toBe('box(6)');
    expect(actionSpaceName(discrete(2))).toBe('discrete(2)');
    expect(actionRowWidth(box(6))).toBe(6);
    expect(actionRowWidth(discrete(3))).toBe(1);
    expect(() => box(0)).toThrow(/positive integer size, got 0/);
    expect(() => discrete(2.5)).toThrow(/positive integer n, got 2.5/);
  });

  it('envs keep `actionSize` as the stored row width', async () => {
    for (const id of ['CartPole-v1', 'Hopper']) {
      const spec = envSpecFor(id);
      expect(spec.actionSize).toBe(actionRowWidth(spec.actionSpace));
    }
    const env = await makeEnv('CartPole-v1');
    expect(env.actionSize).toBe(1);
  });

  it('samples every index of a discrete space about equally often, as integers', () => {
    const rng = new Rng(3);
    const counts = [0, 0, 0];
    const row = new Float32Array(1);
    for (let i = 0; i < 3000; i++) counts[sampleAction(discrete(3), rng, row)[0]!]!++;
    for (const count of counts) expect(count).toBeGreaterThan(900);
    expect(counts.reduce((a, b) => a + b)).toBe(3000);
  });

  it('samples a box uniformly in [−1, 1), drawing what Rng.fillUniform draws', () => {
    const drawn = sampleAction(box(4), new Rng(5));
    expect(drawn).toBeInstanceOf(Float32Array);
    expect(drawn).toEqual(new Rng(5).fillUniform(new Float32Array(4), -1, 1));
    const many = sampleAction(box(2000), new Rng(6));
    expect(Math.min(...many)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...many)).toBeLessThan(1);
    expect(Math.min(...many)).toBeLessThan(-0.99);
    expect(() => sampleAction(box(3), new Rng(0), new Float32Array(2))).toThrow(/box\(3\) action row has 3 numbers, the buffer has 2/);
  });

  it('checks actions with messages naming the env and the problem', () => {
    const fails = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(EnvError);
        return (error as Error).message;
      }
      throw new Error('expected an EnvError');
    };
    expect(() => checkAction(discrete(2), [1], 'CartPole')).not.toThrow();
    expect(() => checkAction(box(2), [5, -5], 'Rail')).not.toThrow(); // the env clips
    expect(fails(() => checkAction(discrete(2), [2], 'CartPole'))).toBe('CartPole: a discrete(2) action is an integer in 0…1, got 2');
    expect(fails(() => checkAction(discrete(2), [0, 1], 'CartPole'))).toBe('CartPole: a discrete(2) action is one index, got 2 entries');
    expect(fails(() => checkAction(discrete(2), 1 as unknown as number[], 'CartPole'))).toBe(
      'CartPole: an action must be an array holding one index in 0…1, got number',
    );
    expect(fails(() => checkAction(box(2), [0, NaN], 'Rail'))).toBe('Rail: action[1] must be a finite number, got NaN');
    expect(fails(() => checkAction(box(2), [0], 'Rail'))).toBe('Rail: an action has 2 entries, got 1');
  });

  it('refuse a learner of the other kind, naming learner and env', () => {
    expect(() => requireActionSpace('ddqn', 'discrete', envSpecFor('CartPole-v1'))).not.toThrow();
    expect(() => requireActionSpace('sac', 'box', envSpecFor('HalfCheetah'))).not.toThrow();
    expect(() => requireActionSpace('sac', 'box', envSpecFor('CartPole-v1'))).toThrow(
      new ConfigError(
        'algo=sac needs continuous (box) actions, but env CartPole has discrete(2) actions; choose a learner for discrete actions or another env.',
      ),
    );
    expect(() => requireActionSpace('ddqn', 'discrete', envSpecFor('HalfCheetah'))).toThrow(
      /^algo=ddqn needs discrete actions, but env HalfCheetah has box\(6\) actions; choose a learner for continuous actions or another env\.$/,
    );
  });
});
