/** Hand-built HDF5 files for edge cases the writer would never produce. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadH5wasm } from '../../src/data/hdf5.js';

export interface RawEntry {
  data: Float32Array | Float64Array | Uint8Array | Int8Array | Int32Array | string;
  shape?: number[];
}

export async function writeRawHdf5(path: string, entries: Record<string, RawEntry>): Promise<string> {
  const h5wasm = await loadH5wasm();
  const file = new h5wasm.File(path, 'w');
  try {
    for (const [name, { data, shape }] of Object.entries(entries)) {
      const group = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : undefined;
      if (group !== undefined && file.get(group) === null) file.create_group(group);
      file.create_dataset({ name, data, ...(shape ? { shape } : {}) });
    }
  } finally {
    file.close();
  }
  return path;
}

/** A valid minimal D4RL layout: 6 rows, observation size 3, action size 2, with next_observations. */
export function minimalEntries(): Record<string, RawEntry> {
  const observations = Float32Array.from({ length: 18 }, (_, i) => i);
  return {
    observations: { data: observations, shape: [6, 3] },
    actions: { data: Float32Array.from({ length: 12 }, (_, i) => i / 12), shape: [6, 2] },
    rewards: { data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [6] },
    next_observations: { data: observations.map((v) => v + 100), shape: [6, 3] },
    terminals: { data: Uint8Array.of(0, 0, 0, 0, 1, 0), shape: [6] },
    timeouts: { data: Uint8Array.of(0, 0, 1, 0, 0, 0), shape: [6] },
  };
}

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mopo-data-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
