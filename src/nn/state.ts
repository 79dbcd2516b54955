/**
 * The plain-data form of a learner's state: what a checkpoint stores. Tensors travel
 * as Float32Arrays with their shapes, everything else as JSON, and nothing here
 * touches files (the checkpoint module writes and reads them).
 */
import { CheckpointError } from '../errors.js';

export interface StateTensor {
  shape: number[];
  data: Float32Array;
}

export type TensorRecord = Record<string, StateTensor>;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface ModuleState<Meta extends Json = Json> {
  tensors: TensorRecord;
  meta: Meta;
}

/** The tensor `name`, checked against the expected shape; a mismatch means the checkpoint is from another setup. */
export function requireTensor(tensors: TensorRecord, name: string, shape: readonly number[]): Float32Array {
  const entry = tensors[name];
  if (!entry) throw new CheckpointError(`The checkpoint has no tensor "${name}".`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (entry.data.length !== size || entry.shape.join('x') !== shape.join('x')) {
    throw new CheckpointError(
      `Checkpoint tensor "${name}" has shape [${entry.shape.join(', ')}] but this setup needs [${shape.join(', ')}] ` +
        '(was it saved with other network sizes or another environment?).',
    );
  }
  return entry.data;
}

export function vectorState(data: Float32Array): StateTensor {
  return { shape: [data.length], data };
}
