import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError, InterruptedError } from '../../src/errors.js';
import { d4rlCachePath, fetchD4rlDataset } from '../../src/data/d4rl-cache.js';
import { downloadFile } from '../../src/data/download.js';

/** Bytes that start like an HDF5 file, so the D4RL layer's signature check passes. */
const BODY = Buffer.concat([
  Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251)),
]);

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
let requests: IncomingMessage[];
let dir: string;

beforeEach(async () => {
  requests = [];
  dir = await mkdtemp(join(tmpdir(), 'mopo-download-'));
  server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Serves BODY, honouring `Range: bytes=n-` when `ranges` is on. */
function serveBody({ ranges }: { ranges: boolean }): Handler {
  return (req, res) => {
    const match = req.headers.range?.match(/^bytes=(\d+)-$/);
    if (ranges && match) {
      const start = Number(match[1]);
      if (start >= BODY.length) {
        res.writeHead(416, { 'content-range': `bytes */${BODY.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'content-length': BODY.length - start,
        'content-range': `bytes ${start}-${BODY.length - 1}/${BODY.length}`,
      });
      res.end(BODY.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': BODY.length });
    res.end(BODY);
  };
}

describe('downloadFile', () => {
  it('downloads a file, reporting progress up to the full size', async () => {
    handler = serveBody({ ranges: true });
    const destination = join(dir, 'sub', 'file.hdf5');
    const progress: Array<[number, number | undefined]> = [];
    const result = await downloadFile(`${baseUrl}/file.hdf5`, destination, {
      progress: false,
      onProgress: (received, total) => progress.push([received, total]),
    });
    expect(result).toEqual({ path: destination, bytes: BODY.length, resumedFromBytes: 0 });
    expect(await readFile(destination)).toEqual(BODY);
    expect(existsSync(`${destination}.part`)).toBe(false);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual([BODY.length, BODY.length]);
    expect(progress.every(([, total]) => total === BODY.length)).toBe(true);
  });

  it('runs with the progress bar switched on (drawn only on a terminal)', async () => {
    handler = serveBody({ ranges: true });
    const destination = join(dir, 'file.hdf5');
    await downloadFile(`${baseUrl}/file.hdf5`, destination, { progress: true });
    expect(await readFile(destination)).toEqual(BODY);
  });

  it('follows redirects', async () => {
    const serve = serveBody({ ranges: false });
    handler = (req, res) => {
      if (req.url === '/old') res.writeHead(302, { location: '/new' }).end();
      else serve(req, res);
    };
    const destination = join(dir, 'file.hdf5');
    await downloadFile(`${baseUrl}/old`, destination, { progress: false });
    expect(await readFile(destination)).toEqual(BODY);
    expect(requests.map((r) => r.url)).toEqual(['/old', '/new']);
  });

  it('fails on 404 with the URL and status, leaving no file', async () => {
    handler = (_req, res) => res.writeHead(404).end('not here');
    const destination = join(dir, 'missing.hdf5');
    const error = await downloadFile(`${baseUrl}/missing.hdf5`, destination, { progress: false }).catch((e) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain(`${baseUrl}/missing.hdf5`);
    expect(error.message).toContain('HTTP 404');
    expect(existsSync(destination)).toBe(false);
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it('reports a connection dropped before any response as a DatasetError naming the URL', async () => {
    handler = (req) => req.socket.destroy();
    const url = `${baseUrl}/file.hdf5`;
    const error = await downloadFile(url, join(dir, 'f.hdf5'), { progress: false }).catch((e) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain(`Could not download ${url}`);
    expect(error.message).toMatch(/ECONNRESET|socket hang up/);
    expect(existsSync(join(dir, 'f.hdf5'))).toBe(false);
  });

  it('rejects a URL that is not http(s) or not a URL at all', async () => {
    await expect(downloadFile('ftp://example.com/f.hdf5', join(dir, 'f.hdf5'))).rejects.toThrow(/only http and https/);
    await expect(downloadFile('mirror.example/f.hdf5', join(dir, 'f.hdf5'))).rejects.toThrow(/not a valid URL/);
  });

  it('leaves no complete-looking file when the connection is cut mid-file, and a retry completes it', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, 40_000), () => res.socket?.destroy());
    };
    const destination = join(dir, 'file.hdf5');
    const error = await downloadFile(`${baseUrl}/file.hdf5`, destination, { progress: false }).catch((e) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain(`${baseUrl}/file.hdf5`);
    expect(error.message).toContain('interrupted');
    expect(existsSync(destination)).toBe(false);
    // Whatever reached the disk before the cut stays in the .part, never more than was sent.
    const partBytes = existsSync(`${destination}.part`) ? (await readFile(`${destination}.part`)).length : 0;
    expect(partBytes).toBeLessThanOrEqual(40_000);

    handler = serveBody({ ranges: true });
    await downloadFile(`${baseUrl}/file.hdf5`, destination, { progress: false });
    expect(await readFile(destination)).toEqual(BODY);
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it('stops with an InterruptedError when aborted, keeping the .part for later', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, 20_000)); // and then nothing more until aborted
    };
    const controller = new AbortController();
    const destination = join(dir, 'file.hdf5');
    const error = await downloadFile(`${baseUrl}/file.hdf5`, destination, {
      progress: false,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    }).catch((e) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(130);
    expect(error.message).toContain(`${destination}.part is kept`);
    expect(existsSync(destination)).toBe(false);
  });

  it('resumes a .part with a Range request and appends only the rest', async () => {
    const destination = join(dir, 'file.hdf5');
    await writeFile(`${destination}.part`, BODY.subarray(0, 30_000));
    handler = serveBody({ ranges: true });
    const result = await downloadFile(`${baseUrl}/file.hdf5`, destination, { progress: false });
    expect(requests.map((r) => r.headers.range)).toEqual(['bytes=30000-']);
    expect(result).toEqual({ path: destination, bytes: BODY.length, resumedFromBytes: 30_000 });
    expect(await readFile(destination)).toEqual(BODY);
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it('starts over when the server ignores the Range request', async () => {
    const destination = join(dir, 'file.hdf5');
    await writeFile(`${destination}.part`, Buffer.from('stale partial bytes'));
    handler = serveBody({ ranges: false });
    const result = await downloadFile(`${baseUrl}/file.hdf5`, destination, { progress: false });
    expect(requests[0]!.headers.range).toBe('bytes=19-');
    expect(result.resumedFromBytes).toBe(0);
    expect(await readFile(destination)).toEqual(BODY);
  });

  it('accepts a .part that already holds the whole file (416 with the same total)', async () => {
    const destination = join(dir, 'file.hdf5');
    await writeFile(`${destination}.part`, BODY);
    handler = serveBody({ ranges: true });
    await downloadFile(`${baseUrl}/file.hdf5`, destination, { progress: false });
    expect(await readFile(destination)).toEqual(BODY);
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it('rejects a body shorter than Content-Length even if the stream ends cleanly', async () => {
    handler = (_req, res) => {
      // A lying server: announces more bytes than it sends, then closes.
      res.writeHead(200, { 'content-length': BODY.length + 10 });
      res.end(BODY);
      res.socket?.end();
    };
    const destination = join(dir, 'file.hdf5');
    const error = await downloadFile(`${baseUrl}/file.hdf5`, destination, { progress: false }).catch((e) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect(existsSync(destination)).toBe(false);
  });
});

describe('fetchD4rlDataset', () => {
  it('downloads into the dataset dir under D4RL file name, then reuses the cache without any request', async () => {
    handler = serveBody({ ranges: true });
    const path = await fetchD4rlDataset('hopper-medium-replay-v2', { datasetDir: dir, baseUrl, progress: false });
    expect(path).toBe(join(dir, 'hopper_medium_replay-v2.hdf5'));
    expect(requests.map((r) => r.url)).toEqual(['/hopper_medium_replay-v2.hdf5']);
    expect(await readFile(path)).toEqual(BODY);

    const again = await fetchD4rlDataset('hopper-medium-replay-v2', { datasetDir: dir, baseUrl, progress: false });
    expect(again).toBe(path);
    expect(requests).toHaveLength(1);
  });

  it('takes the base URL and cache folder from D4RL_BASE_URL and D4RL_DATASET_DIR', async () => {
    handler = serveBody({ ranges: true });
    const saved = { base: process.env['D4RL_BASE_URL'], dir: process.env['D4RL_DATASET_DIR'] };
    process.env['D4RL_BASE_URL'] = `${baseUrl}/mirror/`;
    process.env['D4RL_DATASET_DIR'] = dir;
    try {
      const path = await fetchD4rlDataset('walker2d-expert-v2', { progress: false });
      expect(path).toBe(d4rlCachePath('walker2d-expert-v2'));
      expect(path).toBe(join(dir, 'walker2d_expert-v2.hdf5'));
      expect(requests[0]!.url).toBe('/mirror/walker2d_expert-v2.hdf5');
    } finally {
      restoreEnv('D4RL_BASE_URL', saved.base);
      restoreEnv('D4RL_DATASET_DIR', saved.dir);
    }
  });

  it('discards a download that is not an HDF5 file (e.g. an HTML error page with status 200)', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    const error = await fetchD4rlDataset('halfcheetah-random-v2', { datasetDir: dir, baseUrl, progress: false }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toContain('not produce an HDF5 file');
    expect(existsSync(join(dir, 'halfcheetah_random-v2.hdf5'))).toBe(false);
    expect(existsSync(join(dir, 'halfcheetah_random-v2.hdf5.part'))).toBe(false);
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
