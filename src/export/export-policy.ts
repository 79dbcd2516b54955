/**
 * Writes the deterministic policy of a checkpoint as ONNX, TensorFlow.js or JSON. It
 * reads the checkpoint and nothing else (no config, no environment), and never
 * replaces a file that is already there.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../config/run-dir.js';
import { CheckpointError, ConfigError } from '../errors.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { exportInfo, type ExportInfo } from './export-info.js';

export const EXPORT_FORMATS = ['onnx', 'tfjs', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Where each format goes when no `out` is given: next to the checkpoint's own files. */
const DEFAULT_NAMES: Record<ExportFormat, string> = { onnx: 'policy.onnx', tfjs: 'policy-tfjs', json: 'policy.json' };

export interface ExportResult {
  format: ExportFormat;
  /** The file written (for tfjs, the directory holding model.json and weights.bin). */
  target: string;
  bytes: number;
  info: ExportInfo;
}

export function isExportFormat(name: string): name is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(name);
}

export function defaultExportTarget(checkpointDir: string, format: ExportFormat): string {
  return path.join(checkpointDir, DEFAULT_NAMES[format]);
}

/** Loads the policy of `checkpoint` (the tfjs backend must be initialised) and writes it to `target` in `format`. */
export async function exportPolicy(checkpoint: Checkpoint, format: ExportFormat, target: string, mopoVersion: string): Promise<ExportResult> {
  if (existsSync(target)) throw new ConfigError(`${target} already exists; remove it or choose another out=<path>.`);
  if (!existsSync(path.dirname(target))) throw new ConfigError(`out=${target}: the directory ${path.dirname(target)} does not exist.`);
  const { loadPolicy } = await import('../train/policy-loader.js');
  const policy = await loadPolicy(checkpoint);
  try {
    if (!policy.policyGraph) throw new CheckpointError(`Checkpoint ${checkpoint.dir} holds a '${checkpoint.manifest.algo}' policy, which mopo-export cannot describe yet.`);
    const graph = policy.policyGraph();
    const info = exportInfo(checkpoint, policy.learner, graph, mopoVersion);
    switch (format) {
      case 'onnx': {
        const { policyToOnnx } = await import('./onnx.js');
        const bytes = policyToOnnx(graph, info);
        writeFileAtomic(target, bytes);
        return { format, target, bytes: bytes.byteLength, info };
      }
      case 'json': {
        const { policyToJson } = await import('./json.js');
        const text = `${JSON.stringify(policyToJson(graph, info))}\n`;
        writeFileAtomic(target, text);
        return { format, target, bytes: Buffer.byteLength(text), info };
      }
      case 'tfjs': {
        const { policyToTfjs, TFJS_WEIGHTS_FILE } = await import('./tfjs.js');
        const files = await policyToTfjs(graph, info);
        writeDirectoryAtomic(target, { 'model.json': files.modelJson, [TFJS_WEIGHTS_FILE]: files.weights });
        return { format, target, bytes: Buffer.byteLength(files.modelJson) + files.weights.byteLength, info };
      }
    }
  } finally {
    policy.dispose();
  }
}

/** A directory with these files appears whole or not at all. */
function writeDirectoryAtomic(dir: string, files: Record<string, string | Uint8Array>): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(tmp, name), content);
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}
