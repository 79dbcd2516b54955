import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Env, EnvSnapshot, PhysicsState, StepResult } from '../../src/envs/types.js';
import { box, makeEnv } from '../../src/envs/index.js';
import type { BehaviourPolicy } from '../../src/data/behaviour-policy.js';
import { uniformRandomPolicy } from '../../src/data/behaviour-policy.js';
import { collectDataset } from '../../src/data/collect.js';
import { loadDataset } from '../../src/data/load-dataset.js';
import { readD4rlFile } from '../../src/data/read-d4rl-file.js';
import { writeD4rlFile } from '../../src/data/writer.js';
import { withTempDir } from './h5-helpers.js';

/**
 * A 1-D walk: the observation is [position, episode step]; the reward is the action;
 * the episode terminates when the position passes 2, and is truncated after 4 steps.
 */
class FakeEnv implements Env {
  readonly id = 'Fake';
  readonly observationSize = 2;
  readonly actionSpace = box(1);
  readonly actionSize = 1;
  readonly maxEpisodeSteps = 4;
  resets: Array<number | undefined> = [];
  private position = 0;
  private t = 0;

  reset(seed?: number): Float32Array {
    this.resets.push(seed);
    this.position = 0;
    this.t = 0;
    return this.observation();
  }

  step(action: ArrayLike<number>): StepResult {
    const a = Math.min(1, Math.max(-1, action[0]!));
    this.position += a;
    this.t++;
    return {
      observation: this.observation(),
      reward: a,
      terminated: this.position > 2,
      truncated: this.t >= this.maxEpisodeSteps,
    };
  }

  physicsState(): PhysicsState {
    return { qpos: Float64Array.of(this.position, -this.position), qvel: Float64Array.of(this.t) };
  }

  setPhysicsState(state: PhysicsState): Float32Array {
    this.position = state.qpos[0]!;
    this.t = state.qvel[0]!;
    return this.observation();
  }

  snapshot(): EnvSnapshot {
    return { physics: [this.position, this.t], rng: [1, 0, 0, 0, null], elapsedSteps: this.t, episodeRunning: true };
  }

  restore(snapshot: EnvSnapshot): Float32Array {
    [this.position, this.t] = snapshot.physics as [number, number];
    return this.observation();
  }

  close(): void {}

  private observation(): Float32Array {
    return Float32Array.of(this.position, this.t);
  }
}

/** Plays a fixed action sequence, cycling; pushes 1 beyond the action bounds to test clipping. */
function scriptedPolicy(actions: number[]): BehaviourPolicy {
  let i = 0;
  return {
    name: 'scripted',
    act: () => ({ action: Float32Array.of(actions[i++ % actions.length]!) }),
  };
}

describe('collectDataset', () => {
  it('marks terminals only on true termination and timeouts on the last step of truncated episodes', async () => {
    // Episode 1: +1.5 (clipped to 1) three times → position 3 > 2 terminates at step 3.
    // Episode 2 onwards: zeros until the 4-step time limit.
    const policy = scriptedPolicy([1.5, 1.5, 1.5, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const env = new FakeEnv();
    const { contents, episodeReturns, episodeLengths, unfinishedEpisodeSteps } = await collectDataset(env, policy, {
      steps: 12,
      seed: 3,
    });
    // Rows: episode 1 = 0..2 (terminal), episode 2 = 3..6 (time limit), episode 3 = 7..10 (time limit),
    // episode 4 = row 11, cut by the step budget and so marked as a timeout.
    expect([...contents.terminals]).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(episodeLengths).toEqual([3, 4, 4]);
    expect(episodeReturns).toEqual([3, 0, 0]);
    expect(unfinishedEpisodeSteps).toBe(1);
    expect([...contents.timeouts]).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1]);
    expect(env.resets).toEqual([3, undefined, undefined, undefined]);
  });

  it('records s, a, r, s′ and the simulator state before each action', async () => {
    const env = new FakeEnv();
    const { contents } = await collectDataset(env, scriptedPolicy([0.5, -2]), { steps: 5, seed: 0 });
    expect([...contents.actions]).toEqual([0.5, -1, 0.5, -1, 0.5]);
    expect([...contents.rewards]).toEqual([0.5, -1, 0.5, -1, 0.5]);
    expect([...contents.observations]).toEqual([0, 0, 0.5, 1, -0.5, 2, 0, 3, 0, 0]);
    expect([...contents.nextObservations!]).toEqual([0.5, 1, -0.5, 2, 0, 3, -1, 4, 0.5, 1]);
    expect([...contents.qpos!]).toEqual([0, -0, 0.5, -0.5, -0.5, 0.5, 0, -0, 0, -0]);
    expect([...contents.qvel!]).toEqual([0, 1, 2, 3, 0]);
    expect(contents.actionLogProbs).toBeUndefined();
    expect(contents.metadata).toMatchObject({
      policy: 'scripted',
      env_id: 'Fake',
      seed: 0,
      steps: 5,
      max_episode_steps: 4,
    });
  });

  it('is reproducible from the seed and records the random policy’s log-density', async () => {
    const a = await collectDataset(new FakeEnv(), uniformRandomPolicy(box(1)), { steps: 30, seed: 11 });
    const b = await collectDataset(new FakeEnv(), uniformRandomPolicy(box(1)), { steps: 30, seed: 11 });
    const c = await collectDataset(new FakeEnv(), uniformRandomPolicy(box(1)), { steps: 30, seed: 12 });
    expect(a.contents.actions).toEqual(b.contents.actions);
    expect(a.contents.actions).not.toEqual(c.contents.actions);
    expect([...a.contents.actions].every((x) => x >= -1 && x < 1)).toBe(true);
    expect([...a.contents.actionLogProbs!].every((x) => x === -Math.LN2)).toBe(true);
  });

  it('rejects a policy that reports log π(a|s) on some steps only', async () => {
    let step = 0;
    const policy: BehaviourPolicy = { name: 'patchy', act: () => ({ action: new Float32Array(1), ...(step++ < 2 ? { logProb: -1 } : {}) }) };
    await expect(collectDataset(new FakeEnv(), policy, { steps: 5, seed: 0 })).rejects.toThrow(/patchy reported log π\(a\|s\) on some steps but not on others \(step 2\)/);
  });

  it('rejects a policy that returns the wrong number of action values', async () => {
    const policy: BehaviourPolicy = { name: 'wide', act: () => ({ action: new Float32Array(3) }) };
    await expect(collectDataset(new FakeEnv(), policy, { steps: 2, seed: 0 })).rejects.toThrow(
      /returned 3 action values; the env takes 1/,
    );
    await expect(collectDataset(new FakeEnv(), policy, { steps: 0, seed: 0 })).rejects.toThrow(/steps ≥ 1/);
  });

  it('writes a file the loader reads back, with the Q-learning view matching the rows', async () => {
    await withTempDir(async (dir) => {
      const { contents } = await collectDataset(new FakeEnv(), uniformRandomPolicy(box(1)), { steps: 23, seed: 5 });
      const path = join(dir, 'fake.hdf5');
      await writeD4rlFile(path, contents);
      const dataset = await loadDataset(path, { expect: { observationSize: 2, actionSize: 1 } });
      expect(dataset.size).toBe(23);
      expect(dataset.observations).toEqual(contents.observations);
      expect(dataset.nextObservations).toEqual(contents.nextObservations);
      expect([...dataset.terminals]).toEqual([...contents.terminals]);
      expect(dataset.source.envId).toBe('Fake');
      const raw = await readD4rlFile(path, { includeInfos: true });
      expect(raw.qpos).toEqual(contents.qpos);
      expect(raw.actionLogProbs).toEqual(contents.actionLogProbs);
    });
  });
});

describe('collectDataset in HalfCheetah', () => {
  it('records episodes as D4RL does: no terminals, a timeout every maxEpisodeSteps, qpos of size 9', async () => {
    const env = await makeEnv('HalfCheetah', { maxEpisodeSteps: 50 });
    try {
      const { contents, episodeLengths } = await collectDataset(env, uniformRandomPolicy(env.actionSpace), {
        steps: 120,
        seed: 0,
      });
      expect(episodeLengths).toEqual([50, 50]);
      expect(contents.terminals.every((t) => t === 0)).toBe(true);
      const timeoutRows = [...contents.timeouts.keys()].filter((i) => contents.timeouts[i] === 1);
      expect(timeoutRows).toEqual([49, 99, 119]);
      expect(contents.qpos!.length).toBe(120 * 9);
      expect(contents.qvel!.length).toBe(120 * 9);
      // Within an episode, s′ of one row is s of the next.
      const obs = env.observationSize;
      for (const row of [0, 10, 48, 50, 98]) {
        expect(contents.nextObservations!.subarray(row * obs, (row + 1) * obs)).toEqual(
          contents.observations.subarray((row + 1) * obs, (row + 2) * obs),
        );
      }
      // HalfCheetah's observation is qpos[1:] followed by qvel.
      expect([...contents.observations.subarray(0, 8)]).toEqual([...contents.qpos!.subarray(1, 9)].map(Math.fround));
    } finally {
      env.close();
    }
  });
});
