/**
 * Parts of a checkpoint: each part (the learner, a replay buffer, the dynamics
 * ensemble, the loop's counters) is JSON in the manifest's `state.<part>` and arrays
 * named `<part>/<array>` in the checkpoint's flat array namespace.
 */
import { PrioritizedSampler, type PrioritySettings } from '../data/prioritized-sampler.js';
import { ReplayBuffer, type ReplayBufferState } from '../data/replay-buffer.js';
import { CheckpointError } from '../errors.js';
import type { Json, ModuleState, TensorRecord } from '../nn/state.js';
import type { Checkpoint, NamedArray } from './checkpoint.js';

/** A part of the training state: JSON, and arrays stored under `<part>/…`. */
export interface SavedPart {
  meta: Json;
  arrays?: Record<string, NamedArray>;
}

/** The part `name` of a checkpoint (array names relative to the part), or null when it has none. */
export function savedPart(checkpoint: Checkpoint, name: string): { meta: Json; arrays: Record<string, NamedArray> } | null {
  const meta = (checkpoint.manifest.state as Record<string, Json> | null)?.[name];
  if (meta === undefined) return null;
  const prefix = `${name}/`;
  const arrays: Record<string, NamedArray> = {};
  for (const [key, array] of Object.entries(checkpoint.arrays)) if (key.startsWith(prefix)) arrays[key.slice(prefix.length)] = array;
  return { meta, arrays };
}

/** A saved part as a learner's (or ensemble's) state: its arrays must be float32. */
export function moduleState(checkpoint: Checkpoint, part: { meta: Json; arrays: Record<string, NamedArray> }): ModuleState {
  const tensors: TensorRecord = {};
  for (const [name, array] of Object.entries(part.arrays)) {
    if (!(array.data instanceof Float32Array)) throw new CheckpointError(`Checkpoint ${checkpoint.dir}: '${name}' should be float32.`);
    tensors[name] = { shape: array.shape, data: array.data };
  }
  return { tensors, meta: part.meta };
}

export function modulePart(state: ModuleState): SavedPart {
  return { meta: state.meta, arrays: state.tensors };
}

const BUFFER_FIELDS = ['observations', 'actions', 'rewards', 'nextObservations', 'terminals', 'timeouts'] as const;

export function bufferPart(buffer: ReplayBuffer): SavedPart {
  const { arrays, ...meta } = buffer.getState();
  const width = { observations: meta.observationSize, actions: meta.actionSize, rewards: 1, nextObservations: meta.observationSize, terminals: 1, timeouts: 1 };
  return {
    meta: meta as unknown as Json,
    arrays: Object.fromEntries(BUFFER_FIELDS.map((f) => [f, { shape: [meta.size, width[f]], data: arrays[f] }])),
  };
}

export function bufferFromPart(checkpoint: Checkpoint, name: string, part: { meta: Json; arrays: Record<string, NamedArray> }): ReplayBuffer {
  const meta = part.meta as unknown as Omit<ReplayBufferState, 'arrays'>;
  const field = (f: (typeof BUFFER_FIELDS)[number]) => {
    const array = part.arrays[f] ?? (f === 'timeouts' ? { shape: [meta.size, 1], data: new Float32Array(meta.size) } : undefined);
    if (!array || !(array.data instanceof Float32Array)) throw new CheckpointError(`Checkpoint ${checkpoint.dir} lacks the buffer array '${name}/${f}'.`);
    return array.data;
  };
  return ReplayBuffer.fromState({
    ...meta,
    arrays: {
      size: meta.size,
      observations: field('observations'),
      actions: field('actions'),
      rewards: field('rewards'),
      nextObservations: field('nextObservations'),
      terminals: field('terminals'),
      timeouts: field('timeouts'),
    },
  });
}

/** The priorities of prioritized replay: p^α of every filled row, and the counters. */
export function prioritiesPart(sampler: PrioritizedSampler): SavedPart {
  const { priorities, ...meta } = sampler.getState();
  return { meta, arrays: { priorities: { shape: [meta.filled], data: priorities } } };
}

/** The priorities saved in a resumed run's `part`, or (no part) fresh ones: rows [0, filled) at the top priority. */
export function prioritiesFromPart(
  checkpoint: Checkpoint | null,
  part: { meta: Json; arrays: Record<string, NamedArray> } | null,
  settings: PrioritySettings,
  fresh: { capacity: number; filled: number },
): PrioritizedSampler {
  if (!checkpoint || !part) {
    const sampler = new PrioritizedSampler(fresh.capacity, settings);
    sampler.addedAll(fresh.filled);
    return sampler;
  }
  const meta = part.meta as { capacity: number; filled: number; maxPriority: number };
  const array = part.arrays.priorities;
  if (!array || !(array.data instanceof Float32Array) || array.data.length !== meta.filled) {
    throw new CheckpointError(`Checkpoint ${checkpoint.dir} lacks the priorities of its ${meta.filled} replay rows ('priorities/priorities').`);
  }
  return PrioritizedSampler.fromState({ ...meta, priorities: array.data }, settings);
}
