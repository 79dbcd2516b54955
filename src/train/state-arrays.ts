/**
 * Learner states (tensors + JSON meta) and replay buffers in and out of a checkpoint's
 * flat array namespace: `sac/actor/params`, `model_buffer/rewards`, …
 */
import { ReplayBuffer, type ReplayBufferState } from '../data/replay-buffer.js';
import type { ModuleState, TensorRecord } from '../nn/state.js';
import { CheckpointError } from '../errors.js';
import type { Checkpoint, NamedArray } from './checkpoint.js';

export function prefixTensors(prefix: string, tensors: TensorRecord): Record<string, NamedArray> {
  return Object.fromEntries(Object.entries(tensors).map(([name, t]) => [`${prefix}/${name}`, { shape: t.shape, data: t.data }]));
}

export function moduleStateFrom(checkpoint: Checkpoint, prefix: string, meta: unknown): ModuleState {
  const tensors: TensorRecord = {};
  const start = `${prefix}/`;
  for (const [name, array] of Object.entries(checkpoint.arrays)) {
    if (!name.startsWith(start)) continue;
    if (!(array.data instanceof Float32Array)) throw new CheckpointError(`Checkpoint ${checkpoint.dir}: '${name}' should be float32.`);
    tensors[name.slice(start.length)] = { shape: array.shape, data: array.data };
  }
  return { tensors, meta: meta as ModuleState['meta'] };
}

const BUFFER_FIELDS = ['observations', 'actions', 'rewards', 'nextObservations', 'terminals', 'timeouts'] as const;

export function bufferArrays(prefix: string, buffer: ReplayBuffer): { arrays: Record<string, NamedArray>; meta: Omit<ReplayBufferState, 'arrays'> } {
  const { arrays, ...meta } = buffer.getState();
  const width = { observations: meta.observationSize, actions: meta.actionSize, rewards: 1, nextObservations: meta.observationSize, terminals: 1, timeouts: 1 };
  return {
    arrays: Object.fromEntries(BUFFER_FIELDS.map((f) => [`${prefix}/${f}`, { shape: [meta.size, width[f]], data: arrays[f] }])),
    meta,
  };
}

export function bufferFrom(checkpoint: Checkpoint, prefix: string, meta: Omit<ReplayBufferState, 'arrays'>): ReplayBuffer {
  const field = (f: (typeof BUFFER_FIELDS)[number]) => {
    const array = checkpoint.arrays[`${prefix}/${f}`] ?? (f === 'timeouts' ? { shape: [meta.size, 1], data: new Float32Array(meta.size) } : undefined);
    if (!array || !(array.data instanceof Float32Array)) throw new CheckpointError(`Checkpoint ${checkpoint.dir} lacks the replay array '${prefix}/${f}'.`);
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
