import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../src/errors.js';
import { loadDataset } from '../../src/data/load-dataset.js';
import { writeD4rlFile } from '../../src/data/writer.js';
import type { D4rlFileContents } from '../../src/data/d4rl-file.js';
import { withTempDir } from './h5-helpers.js';

function contentsWithSizes(observationSize: number, actionSize: number, size = 5): D4rlFileContents {
  return {
    size,
    observationSize,
    actionSize,
    observations: new Float32Array(size * observationSize).fill(0.5),
    actions: new Float32Array(size * actionSize).fill(-0.5),
    rewards: new Float32Array(size).fill(1),
    nextObservations: new Float32Array(size * observationSize).fill(0.25),
    terminals: new Uint8Array(size),
    timeouts: new Uint8Array(size),
    metadata: {},
  };
}

/** Serves one file from memory on 127.0.0.1:0 while `run` goes. */
async function serving<T>(body: Buffer, run: (baseUrl: string, requests: IncomingMessage[]) => Promise<T>): Promise<T> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('loadDataset with a D4RL id', () => {
  it('downloads once into the cache, then loads from it', async () => {
    await withTempDir(async (dir) => {
      const source = join(dir, 'source.hdf5');
      await writeD4rlFile(source, contentsWithSizes(11, 3));
      const cache = join(dir, 'cache');
      await serving(await readFile(source), async (baseUrl, requests) => {
        const dataset = await loadDataset('hopper-random-v2', { datasetDir: cache, baseUrl, progress: false });
        expect(dataset.size).toBe(5);
        expect(dataset.source).toMatchObject({
          path: join(cache, 'hopper_random-v2.hdf5'),
          d4rlId: 'hopper-random-v2',
          envId: 'Hopper',
        });
        await loadDataset('hopper-random-v2', { datasetDir: cache, baseUrl, progress: false });
        expect(requests.map((r) => r.url)).toEqual(['/hopper_random-v2.hdf5']);
      });
    });
  });

  it("checks the file against the registry's sizes for that id", async () => {
    await withTempDir(async (dir) => {
      const source = join(dir, 'source.hdf5');
      await writeD4rlFile(source, contentsWithSizes(17, 6));
      await serving(await readFile(source), async (baseUrl) => {
        const error = await loadDataset('hopper-medium-v2', { datasetDir: dir, baseUrl, progress: false }).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(DatasetError);
        expect((error as Error).message).toMatch(/hopper_medium-v2\.hdf5: key "observations" has 17 values per row/);
      });
    });
  });
});
