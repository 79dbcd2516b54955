// Episode recordings (eval.record): what evaluation keeps, that it is the episode that
// was played (replaying the recorded actions from a recorded state lands on the next
// recorded state), the file read back by plain gunzip + JSON, and mopo-eval's option.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/envs/types.js';
import { makeEnv } from '../../src/envs/registry.js';
import { EpisodeRecorder, freshRecordingPath, readRecording, RecordingError, writeRecording, type EpisodeRecording } from '../../src/train/episode-recording.js';
import { evaluatePolicy, type EvaluationResult } from '../../src/train/evaluate.js';
import { removeTempDirs, runCli, tempDir } from '../helpers/cli.js';
import { TINY_RUNS } from '../export/tiny-checkpoints.js';
import { swingingLegs } from './swinging-legs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'mopo-recording-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  removeTempDirs();
});

describe('an evaluation with an EpisodeRecorder', () => {
  let env: Env;
  let result: EvaluationResult;
  let recording: EpisodeRecording;

  beforeAll(async () => {
    env = await makeEnv('HalfCheetah', { maxEpisodeSteps: 40 });
    const recorder = new EpisodeRecorder(2);
    result = evaluatePolicy(env, swingingLegs(), { episodes: 3, seed: 7, observer: recorder });
    recording = recorder.recording({ checkpoint: 'none', step: 0 })!;
  });
  afterAll(() => env.close());

  it('keeps the first N episodes: qpos and qvel after the reset and each step, actions, rewards', () => {
    expect(recording).toMatchObject({ format: 'mopo-episodes', version: 1, env_id: 'HalfCheetah', nq: 9, nv: 9, action_size: 6 });
    expect(recording.episodes.map((e) => [e.seed, e.length, e.terminated])).toEqual([
      [7, 40, false],
      [8, 40, false],
    ]);
    const [first] = recording.episodes;
    expect(first!.qpos).toHaveLength(41 * 9);
    expect(first!.qvel).toHaveLength(41 * 9);
    expect(first!.actions).toHaveLength(40 * 6);
    expect(first!.rewards).toHaveLength(40);
    recording.episodes.forEach((e, i) => {
      expect(e.return).toBe(result.returns[i]);
      expect(e.rewards.reduce((a, b) => a + b, 0)).toBeCloseTo(result.returns[i]!, 4);
    });
  });

  it('records the episode that was played: each recorded state and action lead to the next recorded state', () => {
    const episode = recording.episodes[1]!;
    env.reset(episode.seed);
    const start = env.physicsState();
    expect(episode.qpos.slice(0, 9).map(Math.fround)).toEqual(Array.from(start.qpos, Math.fround));
    for (const step of [0, 17, 39]) {
      env.setPhysicsState({ qpos: Float64Array.from(episode.qpos.slice(step * 9, (step + 1) * 9)), qvel: Float64Array.from(episode.qvel.slice(step * 9, (step + 1) * 9)) });
      const { reward } = env.step(episode.actions.slice(step * 6, (step + 1) * 6));
      const next = env.physicsState();
      // The recording keeps float32: the state it restarts from is rounded, so agreement is to that precision.
      next.qpos.forEach((q, i) => expect(q).toBeCloseTo(episode.qpos[(step + 1) * 9 + i]!, 4));
      expect(reward).toBeCloseTo(episode.rewards[step]!, 3);
    }
    // The legs move: a viewer has something to show.
    expect(Math.max(...episode.qpos.filter((_, i) => i % 9 === 3)) - Math.min(...episode.qpos.filter((_, i) => i % 9 === 3))).toBeGreaterThan(0.2);
  });

  it('writes one gzip’d JSON file that any gunzip and JSON reader opens, and reads it back', () => {
    const file = freshRecordingPath(path.join(dir, 'recordings'), 'step-40');
    expect(path.basename(file)).toBe('step-40.episodes.json.gz');
    writeRecording(file, recording);
    const plain = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
    expect(plain.episodes[0].qpos).toEqual(recording.episodes[0]!.qpos);
    expect(readRecording(file)).toEqual(JSON.parse(JSON.stringify(recording)));
    expect(path.basename(freshRecordingPath(path.join(dir, 'recordings'), 'step-40'))).toBe('step-40_1.episodes.json.gz');
  });

  it('refuses damaged or foreign files with a RecordingError naming them', () => {
    const damaged = path.join(dir, 'damaged.episodes.json.gz');
    writeFileSync(damaged, readFileSync(freshRecordingPath(path.join(dir, 'recordings'), 'step-40').replace('_1', '')).subarray(0, 100));
    expect(() => readRecording(damaged)).toThrow(RecordingError);
    expect(() => readRecording(damaged)).toThrow(/damaged\.episodes\.json\.gz is not a gzip file/);
    const foreign = path.join(dir, 'foreign.episodes.json.gz');
    writeRecording(foreign, { ...recording, format: 'something-else' } as never);
    expect(() => readRecording(foreign)).toThrow(/is not a mopo episode recording/);
    const cut = path.join(dir, 'cut.episodes.json.gz');
    writeRecording(cut, { ...recording, episodes: [{ ...recording.episodes[0]!, rewards: [1] }] });
    expect(() => readRecording(cut)).toThrow(/episode 0 has arrays that do not fit its 40 steps/);
    expect(() => readRecording(path.join(dir, 'absent.episodes.json.gz'))).toThrow(/absent\.episodes\.json\.gz does not exist/);
  });
});

describe('mopo-eval eval.record=N', () => {
  const cwd = tempDir();
  const train = runCli('mopo', [...TINY_RUNS.ddpg!, 'hydra.run.dir=run'], { cwd });
  const checkpoint = () => path.join(cwd, 'run/checkpoints', readdirSync(path.join(cwd, 'run/checkpoints'))[0]!);

  it('records that many episodes beside eval.json, a new file each time', () => {
    expect(train.status).toBe(0);
    const result = runCli('mopo-eval', ['checkpoint_path=run', 'eval.episodes=3', 'eval.record=2', 'eval.seed=3'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const file = path.join(checkpoint(), 'eval.episodes.json.gz');
    expect(result.stdout).toContain(`Recorded 2 episodes in ${file} (replay: mopo-view ${file})`);
    const recording = readRecording(file);
    expect(recording.episodes.map((e) => [e.seed, e.length])).toEqual([
      [3, 50],
      [4, 50],
    ]);
    expect(recording.source).toMatchObject({ algo: 'ddpg', step: 300, deterministic: true });
    const report = JSON.parse(readFileSync(path.join(checkpoint(), 'eval.json'), 'utf8'));
    expect(recording.episodes.map((e) => e.return)).toEqual(report.returns.slice(0, 2));
    const again = runCli('mopo-eval', ['checkpoint_path=run', 'eval.episodes=1', 'eval.record=5'], { cwd });
    expect(again.stdout).toContain(`Recorded 1 episode in ${path.join(checkpoint(), 'eval_1.episodes.json.gz')}`);
    expect(readRecording(file).episodes).toHaveLength(2);
  });

  it('records nothing by default, and applies to checkpoints saved before eval.record existed', () => {
    const configFile = path.join(checkpoint(), 'config.yaml');
    const config = readFileSync(configFile, 'utf8');
    expect(config).toMatch(/^ {2}record: 0$/m);
    writeFileSync(configFile, config.replace(/^ {2}record: 0\n/m, ''));
    const plain = runCli('mopo-eval', ['checkpoint_path=run', 'eval.episodes=1', 'eval_out=plain.json'], { cwd });
    expect(plain.status).toBe(0);
    expect(plain.stdout).not.toContain('Recorded');
    const recorded = runCli('mopo-eval', ['checkpoint_path=run', 'eval.episodes=1', 'eval.record=1', 'eval_out=old.json'], { cwd });
    expect(recorded.stderr).toBe('');
    expect(recorded.stdout).toContain(`Recorded 1 episode in ${path.join(cwd, 'eval.episodes.json.gz')}`);
  });

  it('refuses a negative count in one line', () => {
    const result = runCli('mopo-eval', ['checkpoint_path=run', 'eval.record=-1'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe("mopo-eval: Invalid value for 'eval.record': -1 (must be >= 0).");
  });
});
