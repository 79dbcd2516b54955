/**
 * The SLURM launcher's settings, `hydra.launcher.*` as Hydra's submitit launcher names
 * them (configs/hydra/launcher/slurm.yaml states the defaults), plus `time` (SLURM's own
 * text for the limit, instead of `timeout_min`), `wait` and `poll_interval_s`.
 */
import type { ConfigView } from '../../config/access.js';
import { ConfigError } from '../../errors.js';
import { isDict } from '../../config/value.js';

export interface SlurmOptions {
  name: string;
  partition: string | null;
  qos: string | null;
  account: string | null;
  /** sbatch --time: `time` when set, else `timeout_min` minutes. */
  time: string;
  cpusPerTask: number | null;
  memGb: number | null;
  gpusPerNode: number | string | null;
  arrayParallelism: number;
  /** Seconds before the time limit at which SLURM sends SIGUSR1 (the job saves and requeues itself). */
  signalDelayS: number;
  /** How often a job may requeue itself at its time limit. */
  maxNumTimeout: number;
  /** Shell lines run before each job (e.g. `module load nodejs`). */
  setup: string[];
  /** Any other sbatch option, `name: value` (a `true` value is a bare flag). */
  additionalParameters: Record<string, string | number | boolean>;
  wait: boolean;
  pollIntervalS: number;
}

export function readSlurmOptions(settings: ConfigView): SlurmOptions {
  const optionalString = (key: string) => settings.optional(key, (k) => String(settings.value(k)));
  const time = optionalString('time');
  return {
    name: settings.string('name'),
    partition: optionalString('partition'),
    qos: optionalString('qos'),
    account: optionalString('account'),
    time: time ?? String(settings.int('timeout_min', { min: 1 })),
    cpusPerTask: settings.optional('cpus_per_task', (k) => settings.int(k, { min: 1 })),
    memGb: settings.optional('mem_gb', (k) => settings.number(k, { above: 0 })),
    gpusPerNode: settings.optional('gpus_per_node', (k) => {
      const v = settings.value(k);
      return typeof v === 'number' ? settings.int(k, { min: 0 }) : settings.string(k);
    }),
    arrayParallelism: settings.int('array_parallelism', { min: 1 }),
    signalDelayS: settings.int('signal_delay_s', { min: 0 }),
    maxNumTimeout: settings.int('max_num_timeout', { min: 0 }),
    setup: readSetup(settings),
    additionalParameters: readAdditional(settings),
    wait: settings.bool('wait'),
    pollIntervalS: settings.number('poll_interval_s', { above: 0 }),
  };
}

function readSetup(settings: ConfigView): string[] {
  const value = settings.optional('setup', (k) => settings.value(k));
  if (value === null) return [];
  if (!Array.isArray(value) || value.some((line) => typeof line !== 'string')) {
    throw new ConfigError(`Invalid value for 'hydra.launcher.setup': expected a list of shell lines, got ${JSON.stringify(value)}.`);
  }
  return value as string[];
}

function readAdditional(settings: ConfigView): Record<string, string | number | boolean> {
  const value = settings.optional('additional_parameters', (k) => settings.value(k));
  if (value === null) return {};
  if (!isDict(value)) throw new ConfigError(`Invalid value for 'hydra.launcher.additional_parameters': expected a mapping of sbatch options, e.g. {constraint: a100}, got ${JSON.stringify(value)}.`);
  const options: Record<string, string | number | boolean> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new ConfigError(`Invalid value for 'hydra.launcher.additional_parameters.${key}': expected text, a number or true, got ${JSON.stringify(v)}.`);
    }
    options[key.replace(/_/g, '-')] = v;
  }
  return options;
}
