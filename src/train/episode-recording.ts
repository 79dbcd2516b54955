/**
 * Evaluation episodes kept for replay (`eval.record=N`): per step the simulator's qpos
 * and qvel, the action and the reward, from which `mopo-view` rebuilds every body's
 * pose with MuJoCo.
 *
 * A recording is one gzip'd JSON file, `<name>.episodes.json.gz`:
 *   { format: "mopo-episodes", version: 1, env_id, nq, nv, action_size, source,
 *     episodes: [{ seed, length, return, terminated,
 *                  qpos: [(length + 1) × nq], qvel: [(length + 1) × nv],   // after reset, then after each step
 *                  actions: [length × action_size], rewards: [length] }] }
 * with the arrays flat, row after row, and every value printed as the shortest decimal
 * that reads back as the same float32. Why this form: any gunzip and JSON reader opens
 * it (Python: json.load(gzip.open(f))), and gzip brings float32 decimals close to
 * the 4 bytes a raw float32 takes (two 1 000-step HalfCheetah episodes: 201 kB, 200 kB as raw float32).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../config/run-dir.js';
import type { Env, StepResult } from '../envs/types.js';
import { MopoError } from '../errors.js';
import { shortestFloat32 } from '../util/float32-text.js';
import type { EpisodeObserver } from './evaluate.js';

export const RECORDING_FORMAT = 'mopo-episodes';
export const RECORDING_SUFFIX = '.episodes.json.gz';

export interface RecordedEpisode {
  seed: number;
  length: number;
  return: number;
  /** Ended by the task's own rule (a fall), not by the time limit. */
  terminated: boolean;
  qpos: number[];
  qvel: number[];
  actions: number[];
  rewards: number[];
}

export interface EpisodeRecording {
  format: typeof RECORDING_FORMAT;
  version: 1;
  /** Gym id of the environment, e.g. `HalfCheetah`. */
  env_id: string;
  nq: number;
  nv: number;
  action_size: number;
  /** Where the episodes come from: checkpoint, algo, step, … */
  source: Record<string, string | number | boolean>;
  episodes: RecordedEpisode[];
}

/** A recording that is missing, unreadable or not one of ours. */
export class RecordingError extends MopoError {}

/** Records the first `count` episodes of an evaluation; pass it as `evaluatePolicy`'s observer. */
export class EpisodeRecorder implements EpisodeObserver {
  readonly episodes: RecordedEpisode[] = [];
  private current: RecordedEpisode | null = null;
  private sizes: { nq: number; nv: number; actionSize: number } | null = null;
  private envId = '';

  constructor(private readonly count: number) {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`EpisodeRecorder: count must be a whole number ≥ 0, got ${count}`);
  }

  episodeStart(episode: number, seed: number, env: Env): void {
    this.current = null;
    if (episode >= this.count) return;
    const { qpos, qvel } = env.physicsState();
    this.sizes ??= { nq: qpos.length, nv: qvel.length, actionSize: env.actionSize };
    this.envId = env.id;
    this.current = { seed, length: 0, return: 0, terminated: false, qpos: [], qvel: [], actions: [], rewards: [] };
    this.episodes.push(this.current);
    appendFloats(this.current.qpos, qpos);
    appendFloats(this.current.qvel, qvel);
  }

  afterStep(action: ArrayLike<number>, step: StepResult, env: Env): void {
    const episode = this.current;
    if (episode === null) return;
    const { qpos, qvel } = env.physicsState();
    appendFloats(episode.qpos, qpos);
    appendFloats(episode.qvel, qvel);
    appendFloats(episode.actions, action);
    episode.rewards.push(shortestFloat32(step.reward));
    episode.length += 1;
    episode.return += step.reward;
    episode.terminated = step.terminated;
  }

  /** The recording of the episodes so far, or null when none was recorded. */
  recording(source: EpisodeRecording['source']): EpisodeRecording | null {
    if (this.sizes === null || this.episodes.length === 0) return null;
    return { format: RECORDING_FORMAT, version: 1, env_id: this.envId, nq: this.sizes.nq, nv: this.sizes.nv, action_size: this.sizes.actionSize, source, episodes: this.episodes };
  }
}

function appendFloats(target: number[], values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) target.push(shortestFloat32(values[i]!));
}

/** Writes `recording` at `file` (its folder is made if missing), whole or not at all. */
export function writeRecording(file: string, recording: EpisodeRecording): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, gzipSync(JSON.stringify(recording)));
}

/** `<dir>/<stem>.episodes.json.gz`, or `<stem>_1…` when that file exists: a recording is never replaced. */
export function freshRecordingPath(dir: string, stem: string): string {
  for (let n = 0; ; n++) {
    const file = path.join(dir, `${n === 0 ? stem : `${stem}_${n}`}${RECORDING_SUFFIX}`);
    if (!existsSync(file)) return file;
  }
}

export function readRecording(file: string): EpisodeRecording {
  let text: string;
  try {
    text = gunzipSync(readFileSync(file)).toString('utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `is not a gzip file (${(error as Error).message})`;
    throw new RecordingError(`Recording ${file} ${reason}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RecordingError(`Recording ${file} is not valid JSON (${(error as Error).message}).`);
  }
  const recording = value as Partial<EpisodeRecording> | null;
  if (recording?.format !== RECORDING_FORMAT || recording.version !== 1) {
    throw new RecordingError(`${file} is not a mopo episode recording (format ${RECORDING_FORMAT}, version 1).`);
  }
  const { nq, nv, action_size: A, episodes } = recording as EpisodeRecording;
  if (!Array.isArray(episodes)) throw new RecordingError(`Recording ${file} has no episodes list.`);
  episodes.forEach((e, i) => {
    const frames = e.length + 1;
    if (e.qpos?.length !== frames * nq || e.qvel?.length !== frames * nv || e.actions?.length !== e.length * A || e.rewards?.length !== e.length) {
      throw new RecordingError(`Recording ${file}: episode ${i} has arrays that do not fit its ${e.length} steps (nq ${nq}, nv ${nv}, actions ${A}); the file is damaged.`);
    }
  });
  return recording as EpisodeRecording;
}
