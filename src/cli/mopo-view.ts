/**
 * `mopo-view <run dir or recording> [--out page.html] [--port N]`: replays recorded
 * evaluation episodes in 3-D, served on 127.0.0.1 or written as one self-contained page.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../config/run-dir.js';
import { ConfigError } from '../errors.js';
import { packageVersion } from '../paths.js';
import { parseFlags } from './flags.js';
import { reportError } from './report-error.js';

const USAGE = `Usage: mopo-view <run dir or recording> [--out page.html] [--port N]

Replays recorded evaluation episodes in 3-D, from the MuJoCo model's own geometry, with
play/pause, speed, episode choice and the reward curve under the scene. Record episodes
first with eval.record, e.g. mopo-eval checkpoint_path=<run> eval.record=3.

  mopo-view outputs/2026-01-01/12-00-00               # every recording in the run; serves on 127.0.0.1
  mopo-view <checkpoint>/eval.episodes.json.gz --port 8080
  mopo-view <run> --out cheetah.html                  # one page that works offline

--out   write the page to this file (never replaces one) instead of serving it
--port  serve on this port (default: any free one, printed)`;

const EXTRA_FLAGS = [
  { name: 'out', aliases: ['o'], type: 'string' as const },
  { name: 'port', aliases: [], type: 'string' as const },
];

export async function main(argv: string[]): Promise<number> {
  try {
    const flags = parseFlags(argv, EXTRA_FLAGS);
    if (flags.help) {
      console.log(USAGE);
      return 0;
    }
    if (flags.version) {
      console.log(`mopo-view ${packageVersion()}`);
      return 0;
    }
    if (flags.overrides.length !== 1) throw new ConfigError(`mopo-view takes one run directory or recording, got ${flags.overrides.length}.\n\n${USAGE}`);
    const out = optionalString(flags.extra.out, 'out');
    const port = readPort(flags.extra.port);
    const html = await buildPage(flags.overrides[0]!);
    if (out !== null) {
      const target = path.resolve(out);
      if (existsSync(target)) throw new ConfigError(`${target} already exists; remove it or choose another --out.`);
      writeFileAtomic(target, html.page);
      console.log(`Wrote ${target}: ${html.summary} (${(Buffer.byteLength(html.page) / 1024 / 1024).toFixed(1)} MB)`);
      return 0;
    }
    return await serveUntilInterrupted(html.page, html.summary, port);
  } catch (error) {
    return reportError('mopo-view', error);
  }
}

async function buildPage(given: string): Promise<{ page: string; summary: string }> {
  const [{ findRecordings }, { readRecording }, { buildReplay }, { renderPage }] = await Promise.all([
    import('../view/find-recordings.js'),
    import('../train/episode-recording.js'),
    import('../view/replay-data.js'),
    import('../view/page.js'),
  ]);
  const files = findRecordings(given);
  const base = path.resolve(given);
  const recordings = files.map((file) => ({ label: file === base ? path.basename(file) : path.relative(base, file), recording: readRecording(file) }));
  const envs = [...new Set(recordings.map((r) => r.recording.env_id))];
  if (envs.length > 1) throw new ConfigError(`${given} holds recordings of ${envs.join(' and ')}; a page shows one environment: give one recording file.`);
  const replay = await buildReplay(recordings);
  const episodes = replay.episodes.length;
  return { page: renderPage(replay), summary: `${episodes} episode${episodes === 1 ? '' : 's'} of ${replay.envId} from ${files.length} recording${files.length === 1 ? '' : 's'}` };
}

async function serveUntilInterrupted(page: string, summary: string, port: number): Promise<number> {
  const { servePage } = await import('../view/serve.js');
  let served;
  try {
    served = await servePage(page, port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigError(`Port ${port} is in use; choose another --port (or leave it out for a free one).`);
    throw error;
  }
  console.log(`Replaying ${summary} at ${served.url} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  served.server.close();
  served.server.closeAllConnections();
  return 0;
}

function optionalString(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value === '') throw new ConfigError(`--${name} needs a value.`);
  return value;
}

function readPort(value: unknown): number {
  const text = optionalString(value, 'port');
  if (text === null) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port ${text} is not a port number (0–65535).`);
  return port;
}
