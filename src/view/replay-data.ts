/**
 * What the replay page draws, computed here with MuJoCo so the browser needs no
 * physics: the model's own visible geoms (type, size, colour, place on its body) and,
 * for every recorded frame, every body's world pose from forward kinematics on the
 * recorded qpos.
 *
 * Poses are float32 [frames × bodies × 7] (x, y, z, qw, qx, qy, qz) in base64: for a
 * 1 000-step HalfCheetah episode (7 bodies) 196 kB, 262 kB as base64.
 */
import type { MjData, MjModel } from '@mujoco/mujoco';
import type { MujocoEnvSpec } from '../envs/env-spec.js';
import { ENVS, envIdFor } from '../envs/registry.js';
import { loadMujoco, type Mujoco } from '../envs/mujoco-runtime.js';
import { RecordingError, type EpisodeRecording } from '../train/episode-recording.js';
import type { GeomShape, ReplayData, ReplayEpisode, ReplayGeom } from './replay-types.js';

export interface LabelledRecording {
  /** Shown in the episode list, e.g. the file name. */
  label: string;
  recording: EpisodeRecording;
}

/** MuJoCo's mjtGeom numbering: 1 (height field) and 7 (mesh) do not occur in our models. */
const SHAPES: Record<number, GeomShape> = { 0: 'plane', 2: 'sphere', 3: 'capsule', 4: 'ellipsoid', 5: 'cylinder', 6: 'box' };
/** MuJoCo's own viewer shows geom groups 0–2; our models keep the mass-only cylinders in group 3. */
const VISIBLE_GROUPS = 3;
const DEFAULT_RGBA = [0.5, 0.5, 0.5, 1];

/** The recordings must all be of one environment: one page draws one model. */
export async function buildReplay(recordings: LabelledRecording[]): Promise<ReplayData> {
  const envIds = [...new Set(recordings.map((r) => r.recording.env_id))];
  if (envIds.length !== 1) throw new RangeError(`buildReplay: one environment per page, got ${envIds.join(', ') || 'none'}`);
  const spec = mujocoSpecFor(envIds[0]!);
  const mj = await loadMujoco();
  const model = mj.MjModel.from_xml_string(spec.modelXml);
  const data = new mj.MjData(model);
  try {
    const episodes: ReplayEpisode[] = [];
    for (const { label, recording } of recordings) {
      if (recording.nq !== model.nq) throw new RecordingError(`${label}: the recording has nq ${recording.nq}, but ${spec.id}'s model has ${model.nq}; it was recorded with another model.`);
      recording.episodes.forEach((episode, i) => {
        episodes.push({
          label: recording.episodes.length > 1 ? `${label} #${i + 1}` : label,
          seed: episode.seed,
          length: episode.length,
          return: episode.return,
          terminated: episode.terminated,
          rewards: episode.rewards,
          poses: Buffer.from(bodyPoses(mj, model, data, episode.qpos).buffer).toString('base64'),
        });
      });
    }
    return { envId: spec.id, dt: model.opt.timestep * spec.frameSkip, bodies: bodyNames(mj, model), geoms: visibleGeoms(mj, model), episodes };
  } finally {
    data.delete();
    model.delete();
  }
}

/** The replay draws a MuJoCo model: the classic-control tasks have none. */
function mujocoSpecFor(envId: string): MujocoEnvSpec {
  const id = envIdFor(envId);
  const mujocoSpecs = ENVS.filter((row): row is MujocoEnvSpec => typeof row !== 'function');
  const spec = mujocoSpecs.find((row) => row.id === id);
  if (!spec) throw new RecordingError(`${id} has no MuJoCo model to draw; mopo-view replays the MuJoCo tasks (${mujocoSpecs.map((s) => s.id).join(', ')}).`);
  return spec;
}

/** Bodies 1 … nbody − 1 (body 0 is the world). */
function bodyNames(mj: Mujoco, model: MjModel): string[] {
  return Array.from({ length: model.nbody - 1 }, (_, i) => mj.mj_id2name(model, mj.mjtObj.mjOBJ_BODY.value, i + 1) || `body ${i + 1}`);
}

function visibleGeoms(mj: Mujoco, model: MjModel): ReplayGeom[] {
  const geoms: ReplayGeom[] = [];
  const [type, group, body, size, pos, quat, rgba] = [model.geom_type, model.geom_group, model.geom_bodyid, model.geom_size, model.geom_pos, model.geom_quat, model.geom_rgba] as ArrayLike<number>[];
  for (let g = 0; g < model.ngeom; g++) {
    const shape = SHAPES[type![g]!];
    if (shape === undefined || group![g]! >= VISIBLE_GROUPS) continue;
    const colour = [0, 1, 2, 3].map((k) => rgba![4 * g + k]!);
    geoms.push({
      name: mj.mj_id2name(model, mj.mjtObj.mjOBJ_GEOM.value, g) || `geom ${g}`,
      body: body![g]! - 1,
      shape,
      size: [size![3 * g]!, size![3 * g + 1]!, size![3 * g + 2]!],
      pos: [pos![3 * g]!, pos![3 * g + 1]!, pos![3 * g + 2]!],
      quat: [quat![4 * g]!, quat![4 * g + 1]!, quat![4 * g + 2]!, quat![4 * g + 3]!],
      rgba: colour.every((c, k) => c === DEFAULT_RGBA[k]) ? null : (colour as ReplayGeom['rgba']),
    });
  }
  return geoms;
}

/** Forward kinematics on each recorded qpos: the world pose of every body but the world. */
function bodyPoses(mj: Mujoco, model: MjModel, data: MjData, qposFrames: number[]): Float32Array {
  const nq = model.nq;
  const bodies = model.nbody - 1;
  const frames = qposFrames.length / nq;
  const out = new Float32Array(frames * bodies * 7);
  for (let f = 0; f < frames; f++) {
    // Views into WASM memory are re-read each frame: they go stale if the memory grows.
    (data.qpos as Float64Array).set(qposFrames.slice(f * nq, (f + 1) * nq));
    mj.mj_kinematics(model, data);
    const xpos = data.xpos as Float64Array;
    const xquat = data.xquat as Float64Array;
    for (let b = 0; b < bodies; b++) {
      const o = (f * bodies + b) * 7;
      for (let k = 0; k < 3; k++) out[o + k] = xpos[3 * (b + 1) + k]!;
      for (let k = 0; k < 4; k++) out[o + 3 + k] = xquat[4 * (b + 1) + k]!;
    }
  }
  return out;
}
