/**
 * Where D4RL files are cached and fetched from. The cache layout is D4RL's own
 * (`$D4RL_DATASET_DIR` or `~/.d4rl/datasets`, one file per dataset under its original
 * name), so files already downloaded by the Python d4rl package are reused as they are.
 */
import { open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DatasetError } from '../errors.js';
import { D4RL_DEFAULT_BASE_URL, d4rlDataset, d4rlDatasetUrl } from './d4rl-registry.js';
import { downloadFile, type DownloadOptions } from './download.js';
import { pathExists } from '../util/fs.js';

export interface D4rlFetchOptions extends Omit<DownloadOptions, 'verify'> {
  /** Cache folder. Default: `$D4RL_DATASET_DIR`, else `~/.d4rl/datasets`. */
  datasetDir?: string;
  /** Server folder holding the `.hdf5` files. Default: `$D4RL_BASE_URL`, else D4RL's own server. */
  baseUrl?: string;
}

export function defaultDatasetDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['D4RL_DATASET_DIR'] || join(homedir(), '.d4rl', 'datasets');
}

export function defaultBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env['D4RL_BASE_URL'] || D4RL_DEFAULT_BASE_URL;
}

/** The path a D4RL id is cached at, whether or not it has been downloaded yet. */
export function d4rlCachePath(id: string, datasetDir: string = defaultDatasetDir()): string {
  return join(datasetDir, d4rlDataset(id).fileName);
}

/** Path of the cached file for a D4RL id, downloading it first if it is not there. */
export async function fetchD4rlDataset(id: string, options: D4rlFetchOptions = {}): Promise<string> {
  const { datasetDir, baseUrl, ...downloadOptions } = options;
  const path = d4rlCachePath(id, datasetDir ?? defaultDatasetDir());
  if (await pathExists(path)) return path;
  const url = d4rlDatasetUrl(id, baseUrl ?? defaultBaseUrl());
  await downloadFile(url, path, {
    ...downloadOptions,
    verify: (partPath) => assertHdf5Signature(partPath, url),
  });
  return path;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A mirror that answers with an HTML error page and status 200 would otherwise leave
 * a "complete" file in the cache. The signature sits at byte 0 of D4RL's files (HDF5
 * also allows 512, 1024, … after a user block, which D4RL never writes).
 */
async function assertHdf5Signature(path: string, url: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(HDF5_SIGNATURE.length);
    await file.read(head, 0, head.length, 0);
    if (!head.equals(HDF5_SIGNATURE)) {
      throw new DatasetError(`Download of ${url} did not produce an HDF5 file (wrong signature); discarded it.`);
    }
  } finally {
    await file.close();
  }
}
