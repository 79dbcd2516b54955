/**
 * A small reading surface over h5wasm. h5wasm (a WASM build of the HDF5 library) is
 * loaded on first use only: it costs ~0.4 s, and `mopo --help` must not pay for it.
 */
import { access, constants } from 'node:fs/promises';
import type { Dataset, File } from 'h5wasm/node';
import { DatasetError } from '../errors.js';

type H5wasm = (typeof import('h5wasm/node'))['default'];
type H5Module = Awaited<H5wasm['ready']>;

let loading: Promise<H5wasm> | undefined;
let loadedModule: H5Module | undefined;

export function loadH5wasm(): Promise<H5wasm> {
  loading ??= (async () => {
    const { default: h5wasm } = await import('h5wasm/node');
    loadedModule = await h5wasm.ready;
    // Otherwise HDF5 prints its whole error stack to stderr; this puts it in the thrown error.
    loadedModule.activate_throwing_error_handler();
    return h5wasm;
  })();
  return loading;
}

export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

export interface NumericDataset {
  shape: number[];
  values: NumericArray;
}

export type ScalarValue = string | number | boolean;

export class Hdf5Reader {
  private constructor(
    readonly path: string,
    private readonly file: File,
    private readonly h5wasm: H5wasm,
  ) {}

  static async open(path: string): Promise<Hdf5Reader> {
    try {
      await access(path, constants.R_OK);
    } catch (error) {
      throw new DatasetError(`Dataset file ${path} does not exist or cannot be read.`, { cause: error });
    }
    const h5wasm = await loadH5wasm();
    try {
      return new Hdf5Reader(path, new h5wasm.File(path, 'r'), h5wasm);
    } catch (error) {
      throw new DatasetError(`Dataset file ${path} is not a readable HDF5 file (${hdf5Reason(error)}).`, {
        cause: error,
      });
    }
  }

  has(key: string): boolean {
    try {
      return this.file.get(key) !== null;
    } catch {
      return false;
    }
  }

  /** An integer, float or h5py-bool dataset; 64-bit integers come back as Float64Array. */
  readNumeric(key: string): NumericDataset {
    const dataset = this.dataset(key);
    const { type, enum_type: enumType } = dataset.metadata;
    const classes = loadedModule!.H5T_class_t;
    const numeric =
      type === classes.H5T_INTEGER.value ||
      type === classes.H5T_FLOAT.value ||
      (type === classes.H5T_ENUM.value && enumType?.type === classes.H5T_INTEGER.value);
    if (!numeric) throw this.keyError(key, `is not numeric (HDF5 type ${String(dataset.dtype)})`);
    let value: unknown;
    try {
      value = dataset.value;
    } catch (error) {
      throw this.keyError(key, `cannot be read; the file may be truncated or corrupt (${hdf5Reason(error)})`, error);
    }
    return { shape: dataset.shape ?? [], values: toNumericArray(value, key, this) };
  }

  /** Scalar datasets and attributes of a group, e.g. D4RL's `metadata/algorithm`. */
  readScalars(group: string): Record<string, ScalarValue> {
    const scalars: Record<string, ScalarValue> = {};
    const entity = this.has(group) ? this.file.get(group) : null;
    if (!(entity instanceof this.h5wasm.Group)) return scalars;
    for (const [name, attribute] of Object.entries(entity.attrs)) {
      const value = toScalar(attribute.value);
      if (value !== undefined) scalars[name] = value;
    }
    for (const name of entity.keys()) {
      const child = entity.get(name);
      if (!(child instanceof this.h5wasm.Dataset) || (child.shape?.length ?? 0) !== 0) continue;
      const value = toScalar(child.value);
      if (value !== undefined) scalars[name] = value;
    }
    return scalars;
  }

  keyError(key: string, problem: string, cause?: unknown): DatasetError {
    return new DatasetError(`Dataset file ${this.path}: key "${key}" ${problem}.`, { cause });
  }

  close(): void {
    this.file.close();
  }

  private dataset(key: string): Dataset {
    const entity = this.has(key) ? this.file.get(key) : null;
    if (entity === null) throw this.keyError(key, 'is missing');
    if (!(entity instanceof this.h5wasm.Dataset)) throw this.keyError(key, 'is a group, not a dataset');
    return entity;
  }
}

function toNumericArray(value: unknown, key: string, reader: Hdf5Reader): NumericArray {
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
    return Float64Array.from(value, (v) => Number(v));
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof Uint8ClampedArray)) {
    return value as NumericArray;
  }
  if (typeof value === 'number') return Float64Array.of(value);
  if (typeof value === 'bigint') return Float64Array.of(Number(value));
  throw reader.keyError(key, 'did not read as a numeric array');
}

function toScalar(value: unknown): ScalarValue | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** The innermost line of an HDF5 error stack ("file signature not found", "truncated file: …"). */
function hdf5Reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const frames = [...text.matchAll(/#\d+: .*? in \w+\(\): (.+)/g)];
  return frames.at(-1)?.[1]?.trim() ?? text.split('\n')[0]!.trim();
}
