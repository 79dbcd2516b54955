/**
 * `mopo-export checkpoint_path=<dir> format=onnx|tfjs|json [out=<path>]`: writes the
 * deterministic policy of a checkpoint in a format other programs read.
 */
import path from 'node:path';
import { parseOverride } from '../config/override-parser.js';
import { ConfigError } from '../errors.js';
import { EXPORT_FORMATS, isExportFormat, type ExportFormat } from '../export/export-policy.js';
import { packageVersion } from '../paths.js';
import { runCommand } from './command.js';

const USAGE = `Usage: mopo-export checkpoint_path=<dir> format=onnx|tfjs|json [out=<path>]

Writes the deterministic policy of a checkpoint (a checkpoint directory, or a run
directory for its newest checkpoint): observation in, action in [-1, 1] out.

  mopo-export checkpoint_path=outputs/2026-01-01/12-00-00 format=onnx   # <checkpoint>/policy.onnx
  mopo-export checkpoint_path=<dir> format=tfjs                         # <checkpoint>/policy-tfjs/model.json + weights.bin
  mopo-export checkpoint_path=<dir> format=json out=cheetah.json        # weights with names and shapes

onnx: an ONNX model (opset 13), input 'observation' [batch, obs], output 'action' [batch, act].
tfjs: a TensorFlow.js layers model for tf.loadLayersModel('<url>/model.json').
json: the weights named as the state_dict of PyTorch's nn.Sequential(Linear, ReLU, …).
An existing file is never replaced.`;

const KEYS = ['checkpoint_path', 'format', 'out'] as const;

export function main(argv: string[]): Promise<number> {
  return runCommand('mopo-export', USAGE, argv, async (flags) => {
    const { checkpointPath, format, out } = readArguments(flags.overrides);
    const [{ readCheckpoint }, { initBackend }, { exportPolicy, defaultExportTarget }] = await Promise.all([
      import('../train/checkpoint.js'),
      import('../nn/backend.js'),
      import('../export/export-policy.js'),
    ]);
    const checkpoint = readCheckpoint(checkpointPath);
    // Loading a policy only copies weights into tensors: the plain JavaScript backend does it without start-up cost.
    await initBackend('cpu');
    const target = path.resolve(out ?? defaultExportTarget(checkpoint.dir, format));
    const result = await exportPolicy(checkpoint, format, target, packageVersion());
    console.log(`Checkpoint: ${checkpoint.dir}`);
    console.log(`Policy: ${result.info.description}`);
    console.log(`Wrote ${result.target} (${format}, ${formatBytes(result.bytes)})`);
  });
}

function readArguments(args: string[]): { checkpointPath: string; format: ExportFormat; out: string | null } {
  const values: Partial<Record<(typeof KEYS)[number], string>> = {};
  for (const arg of args) {
    const o = parseOverride(arg);
    if (!(KEYS as readonly string[]).includes(o.key)) {
      throw new ConfigError(`mopo-export takes ${KEYS.map((k) => `${k}=`).join(', ')}; '${arg}' is none of them.\n\n${USAGE}`);
    }
    const value = o.value?.kind === 'element' ? o.value.value : null;
    if (typeof value !== 'string' || value === '') throw new ConfigError(`${o.key} needs a value, e.g. ${o.key}=${o.key === 'format' ? 'onnx' : 'outputs/2026-01-01/12-00-00'}`);
    values[o.key as (typeof KEYS)[number]] = value;
  }
  if (values.checkpoint_path === undefined) throw new ConfigError(`Missing checkpoint_path.\n\n${USAGE}`);
  if (values.format === undefined) throw new ConfigError(`Missing format=${EXPORT_FORMATS.join('|')}.`);
  if (!isExportFormat(values.format)) throw new ConfigError(`format=${values.format} is not one of ${EXPORT_FORMATS.join(', ')}.`);
  return { checkpointPath: values.checkpoint_path, format: values.format, out: values.out ?? null };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} kB`;
}
