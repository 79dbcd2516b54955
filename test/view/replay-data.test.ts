// The replay data comes from the MuJoCo model itself: its visible geoms, and body poses
// from forward kinematics on the recorded qpos.
import { beforeAll, describe, expect, it } from 'vitest';
import { makeEnv } from '../../src/envs/registry.js';
import { EpisodeRecorder, type EpisodeRecording } from '../../src/train/episode-recording.js';
import { evaluatePolicy } from '../../src/train/evaluate.js';
import { buildReplay } from '../../src/view/replay-data.js';
import type { ReplayData } from '../../src/view/replay-types.js';
import { swingingLegs } from './swinging-legs.js';

let recording: EpisodeRecording;
let replay: ReplayData;

beforeAll(async () => {
  const env = await makeEnv('HalfCheetah', { maxEpisodeSteps: 30 });
  const recorder = new EpisodeRecorder(2);
  evaluatePolicy(env, swingingLegs(), { episodes: 2, seed: 1, observer: recorder });
  env.close();
  recording = recorder.recording({ test: true })!;
  replay = await buildReplay([{ label: 'run/step-30.episodes.json.gz', recording }]);
});

function poses(base64: string): Float32Array {
  return new Float32Array(Buffer.from(base64, 'base64').buffer.slice(0));
}

describe('the replay data of a HalfCheetah recording', () => {
  it('holds the model’s visible geoms on their bodies: the floor and eight capsules, not the mass-only cylinders', () => {
    expect(replay.envId).toBe('HalfCheetah');
    expect(replay.dt).toBeCloseTo(0.05, 12);
    expect(replay.bodies).toEqual(['torso', 'bthigh', 'bshin', 'bfoot', 'fthigh', 'fshin', 'ffoot']);
    expect(replay.geoms.map((g) => [g.name, g.shape, g.body])).toEqual([
      ['floor', 'plane', -1],
      ['torso', 'capsule', 0],
      ['head', 'capsule', 0],
      ['bthigh', 'capsule', 1],
      ['bshin', 'capsule', 2],
      ['bfoot', 'capsule', 3],
      ['fthigh', 'capsule', 4],
      ['fshin', 'capsule', 5],
      ['ffoot', 'capsule', 6],
    ]);
    const torso = replay.geoms[1]!;
    expect(torso.size[0]).toBeCloseTo(0.046, 6);
    expect(torso.size[1]).toBeCloseTo(0.5, 6);
  });

  it('labels each episode and keeps its rewards', () => {
    expect(replay.episodes.map((e) => [e.label, e.length, e.seed])).toEqual([
      ['run/step-30.episodes.json.gz #1', 30, 1],
      ['run/step-30.episodes.json.gz #2', 30, 2],
    ]);
    expect(replay.episodes[0]!.rewards).toEqual(recording.episodes[0]!.rewards);
  });

  it('poses every body in every frame as MuJoCo places it: the torso slides by rootx/rootz and pitches by rooty', () => {
    const episode = recording.episodes[0]!;
    const frames = poses(replay.episodes[0]!.poses);
    expect(frames).toHaveLength(31 * 7 * 7);
    for (const frame of [0, 12, 30]) {
      const [x, z, pitch] = episode.qpos.slice(frame * 9, frame * 9 + 3) as [number, number, number];
      const torso = Array.from(frames.subarray(frame * 49, frame * 49 + 7));
      const expected = [x, 0, 0.7 + z, Math.cos(pitch / 2), 0, Math.sin(pitch / 2), 0];
      torso.forEach((value, k) => expect(value).toBeCloseTo(expected[k]!, 5));
    }
    // The back thigh hangs at the torso's back end (body pos −0.5 along the torso's own x).
    const [x, z, pitch] = episode.qpos.slice(12 * 9, 12 * 9 + 3) as [number, number, number];
    const bthigh = frames.subarray(12 * 49 + 7, 12 * 49 + 10);
    expect(bthigh[0]).toBeCloseTo(x - 0.5 * Math.cos(pitch), 5);
    expect(bthigh[2]).toBeCloseTo(0.7 + z + 0.5 * Math.sin(pitch), 5);
  });

  it('draws one model a page: recordings of two environments are refused, and so are tasks without a MuJoCo model', async () => {
    await expect(buildReplay([{ label: 'a', recording }, { label: 'b', recording: { ...recording, env_id: 'Hopper' } }])).rejects.toThrow(/one environment per page/);
    await expect(buildReplay([{ label: 'a', recording: { ...recording, env_id: 'CartPole' } }])).rejects.toThrow(
      'CartPole has no MuJoCo model to draw; mopo-view replays the MuJoCo tasks (HalfCheetah, Hopper, Walker2d).',
    );
  });
});
