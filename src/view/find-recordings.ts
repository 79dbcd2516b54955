/**
 * What `mopo-view <path>` replays: a recording file as given, or every recording in a
 * run directory (its checkpoints' `eval*.episodes.json.gz` from mopo-eval and its
 * `recordings/` from training), oldest file first.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { RECORDING_SUFFIX, RecordingError } from '../train/episode-recording.js';

/** Run dir → checkpoints/step-<n>/ → files: recordings lie at most this deep. */
const MAX_DEPTH = 3;

export function findRecordings(given: string): string[] {
  const target = path.resolve(given);
  if (!existsSync(target)) throw new RecordingError(`${target} does not exist; give a run directory or a *${RECORDING_SUFFIX} recording.`);
  if (!statSync(target).isDirectory()) return [target];
  const found: string[] = [];
  collect(target, 0, found);
  if (found.length === 0) {
    throw new RecordingError(`No episode recordings (*${RECORDING_SUFFIX}) in ${target}. Record some with: mopo-eval checkpoint_path=${given} eval.record=3`);
  }
  return found.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs || a.localeCompare(b));
}

function collect(dir: string, depth: number, found: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith(RECORDING_SUFFIX)) found.push(full);
    else if (entry.isDirectory() && depth + 1 < MAX_DEPTH && !entry.name.startsWith('.')) collect(full, depth + 1, found);
  }
}
