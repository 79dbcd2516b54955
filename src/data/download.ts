/**
 * Downloads a URL so that a file at the destination is always complete: bytes go to
 * `<destination>.part`, renamed into place only once every byte the server announced
 * has arrived. An interrupted download keeps its `.part`, and the next attempt asks
 * for the rest with a Range request (starting over when the server ignores ranges).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { basename, dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DatasetError, InterruptedError } from '../errors.js';
import { startDownloadProgressBar, type DownloadProgressBar } from './download-progress.js';

export interface DownloadOptions {
  /** Draw a progress bar on stderr. Default: only when stderr is a terminal. */
  progress?: boolean;
  /** Called as bytes arrive, with the bytes on disk so far (resumed bytes included). */
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
  /** Inspects the finished `.part` before it is renamed; a throw discards it. */
  verify?: (partPath: string) => Promise<void> | void;
  maxRedirects?: number;
  /** Give up when the connection is silent this long. */
  idleTimeoutMs?: number;
  /** Aborting stops the transfer with an `InterruptedError`; the `.part` is kept for resuming. */
  signal?: AbortSignal;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  /** Bytes that were already in the `.part` file and were not fetched again. */
  resumedFromBytes: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export async function downloadFile(
  url: string,
  destination: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const partPath = `${destination}.part`;
  try {
    await mkdir(dirname(destination), { recursive: true });
  } catch (error) {
    throw new DatasetError(`Cannot create the folder for ${destination}: ${describe(error)}`, { cause: error });
  }
  const partBytes = await sizeOrZero(partPath);
  const response = await request(url, partBytes > 0 ? { range: `bytes=${partBytes}-` } : {}, options);
  const plan = planTransfer(response, partBytes);

  if (plan.kind === 'part-already-complete') {
    response.resume();
    return finish(url, partPath, destination, partBytes, partBytes, options);
  }
  if (plan.kind === 'restart') {
    response.resume();
    await rm(partPath, { force: true });
    return downloadFile(url, destination, options);
  }
  if (plan.kind === 'failed') {
    response.resume();
    throw new DatasetError(
      `Download of ${url} failed: HTTP ${response.statusCode} ${response.statusMessage ?? ''}`.trimEnd(),
    );
  }

  const { offset, totalBytes } = plan;
  const bar = await maybeStartBar(options, basename(destination), totalBytes, offset);
  let received = offset;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      bar?.update(received);
      options.onProgress?.(received, totalBytes);
      done(null, chunk);
    },
  });
  try {
    await pipeline(response, counter, createWriteStream(partPath, { flags: offset > 0 ? 'a' : 'w' }));
  } catch (error) {
    if (options.signal?.aborted) throw interrupted(url, partPath);
    throw new DatasetError(
      `Download of ${url} was interrupted after ${received} of ${totalBytes ?? 'unknown'} bytes ` +
        `(${describe(error)}). The partial file ${partPath} is kept; run again to resume.`,
      { cause: error },
    );
  } finally {
    bar?.stop();
  }
  return finish(url, partPath, destination, totalBytes, offset, options);
}

type TransferPlan =
  | { kind: 'write'; offset: number; totalBytes: number | undefined }
  | { kind: 'part-already-complete' }
  | { kind: 'restart' }
  | { kind: 'failed' };

function planTransfer(response: IncomingMessage, partBytes: number): TransferPlan {
  const status = response.statusCode ?? 0;
  const contentLength = headerNumber(response.headers['content-length']);
  if (status === 200) return { kind: 'write', offset: 0, totalBytes: contentLength };
  if (status === 206) {
    const range = parseContentRange(response.headers['content-range']);
    if (range?.start !== partBytes) return partBytes > 0 ? { kind: 'restart' } : { kind: 'failed' };
    const totalBytes = range.total ?? (contentLength === undefined ? undefined : partBytes + contentLength);
    return { kind: 'write', offset: partBytes, totalBytes };
  }
  if (status === 416 && partBytes > 0) {
    // The server has nothing past our last byte: either the part is whole, or it is stale.
    const range = parseContentRange(response.headers['content-range']);
    return range?.total === partBytes ? { kind: 'part-already-complete' } : { kind: 'restart' };
  }
  return { kind: 'failed' };
}

async function finish(
  url: string,
  partPath: string,
  destination: string,
  totalBytes: number | undefined,
  resumedFromBytes: number,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const bytes = await sizeOrZero(partPath);
  if (totalBytes !== undefined && bytes !== totalBytes) {
    if (bytes > totalBytes) await rm(partPath, { force: true });
    throw new DatasetError(
      `Download of ${url} is incomplete: ${bytes} of ${totalBytes} bytes arrived. ` +
        (bytes > totalBytes ? 'The oversized partial file was removed.' : `Run again to resume ${partPath}.`),
    );
  }
  try {
    await options.verify?.(partPath);
  } catch (error) {
    await rm(partPath, { force: true });
    throw error;
  }
  await rename(partPath, destination);
  return { path: destination, bytes, resumedFromBytes };
}

async function request(
  url: string,
  headers: Record<string, string>,
  options: DownloadOptions,
  redirectsLeft = options.maxRedirects ?? 10,
): Promise<IncomingMessage> {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined) throw new DatasetError(`Cannot download "${url}": not a valid URL (check D4RL_BASE_URL).`);
  // Loaded here rather than at the top: node:https alone adds ~20 ms to every CLI start.
  const client =
    parsed.protocol === 'https:'
      ? (await import('node:https')).default
      : parsed.protocol === 'http:'
        ? (await import('node:http')).default
        : undefined;
  if (client === undefined) {
    throw new DatasetError(`Cannot download ${url}: only http and https URLs are supported.`);
  }
  return new Promise((resolve, reject) => {
    const requestOptions = { headers, ...(options.signal ? { signal: options.signal } : {}) };
    const req = client.get(parsed, requestOptions, (response) => {
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || location === undefined) {
        resolve(response);
        return;
      }
      response.resume();
      if (redirectsLeft <= 0) {
        reject(new DatasetError(`Download of ${url} failed: too many redirects.`));
        return;
      }
      request(new URL(location, parsed).toString(), headers, options, redirectsLeft - 1).then(resolve, reject);
    });
    const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    req.setTimeout(idleTimeoutMs, () => {
      req.destroy(new Error(`no data for ${Math.round(idleTimeoutMs / 1000)} s`));
    });
    req.on('error', (error) => {
      if (options.signal?.aborted) {
        reject(interrupted(url));
        return;
      }
      reject(new DatasetError(`Could not download ${url}: ${describe(error)}`, { cause: error }));
    });
  });
}

function interrupted(url: string, partPath?: string): InterruptedError {
  const kept = partPath === undefined ? '' : `; ${partPath} is kept and resumes on the next attempt`;
  return new InterruptedError(`Download of ${url} interrupted${kept}.`);
}

async function maybeStartBar(
  options: DownloadOptions,
  label: string,
  totalBytes: number | undefined,
  offset: number,
): Promise<DownloadProgressBar | undefined> {
  const wanted = options.progress ?? process.stderr.isTTY === true;
  if (!wanted || totalBytes === undefined) return undefined;
  return startDownloadProgressBar(label, totalBytes, offset);
}

function parseContentRange(header: string | undefined): { start?: number; total?: number } | undefined {
  const match = header?.match(/^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/);
  if (!match) return undefined;
  return {
    start: match[1] === undefined ? undefined : Number(match[1]),
    total: match[2] === '*' ? undefined : Number(match[2]),
  };
}

function headerNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

async function sizeOrZero(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
