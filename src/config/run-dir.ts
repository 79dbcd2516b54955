/**
 * Run directories. Each run claims its directory by atomically creating a marker in
 * it (the `.hydra` folder; a sweep's `multirun.yaml`). When another run already owns
 * the directory (two runs started in the same second, or a second run pointed at the
 * same `hydra.run.dir`), this run takes `<dir>_1`, `<dir>_2`, …: results already
 * written are never mixed with or overwritten by a new run.
 */
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { MopoError } from '../errors.js';
import type { ConfigDict, ConfigValue } from './value.js';
import { OMEGACONF_SCHEMA } from './yaml-schema.js';

type Claim = (dir: string) => boolean;

/** Claims `.hydra` inside the run dir. */
export const claimRunDir: Claim = (dir) => createExclusively(() => mkdirSync(path.join(dir, '.hydra')));

/** Claims a sweep directory through its `multirun.yaml`. */
export const claimSweepDir: Claim = (dir) => createExclusively(() => closeSync(openSync(path.join(dir, 'multirun.yaml'), 'wx')));

function createExclusively(create: () => void): boolean {
  try {
    create();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

export function claimDirectory(requested: string, claim: Claim): string {
  const base = path.resolve(requested);
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const dir = attempt === 0 ? base : `${base}_${attempt}`;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new MopoError(`Cannot create output directory '${dir}': ${(error as Error).message}`);
    }
    if (claim(dir)) return dir;
  }
  throw new MopoError(`Cannot find a free output directory next to '${base}'`);
}

export function toYaml(value: ConfigValue): string {
  return yaml.dump(value, { lineWidth: -1, noRefs: true, sortKeys: false, schema: OMEGACONF_SCHEMA });
}

/** Writes via a temporary file and a rename, so a reader never sees half a file. */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

export interface RunRecord {
  /** The job config as composed, interpolations kept (Hydra's .hydra/config.yaml). */
  jobConfig: ConfigDict;
  /** The job config with every interpolation resolved. */
  resolvedJobConfig: ConfigDict;
  hydraNode: ConfigDict;
  taskOverrides: string[];
}

export function writeRunRecord(runDir: string, outputSubdir: string, record: RunRecord): void {
  const hydraDir = path.join(runDir, outputSubdir);
  mkdirSync(hydraDir, { recursive: true });
  writeFileAtomic(path.join(hydraDir, 'config.yaml'), toYaml(record.jobConfig));
  writeFileAtomic(path.join(hydraDir, 'hydra.yaml'), toYaml({ hydra: record.hydraNode }));
  writeFileAtomic(path.join(hydraDir, 'overrides.yaml'), toYaml(record.taskOverrides));
  writeFileAtomic(path.join(runDir, 'resolved_config.yaml'), toYaml(record.resolvedJobConfig));
}
