/**
 * The batch script of a sweep's job array: `#SBATCH` lines from the launcher's settings,
 * then array task N runs the sweep's job #N in its own directory, in the process that
 * SLURM signals (`exec`), so a preemption, a requeue or the time-limit warning reaches
 * the job itself. Every run of a task appends to the same `.out`/`.err` files.
 */
import { MopoError } from '../../errors.js';
import type { SlurmOptions } from './options.js';

export interface ArrayTask {
  num: number;
  runDir: string;
  task: string[];
}

export interface ArrayScript {
  sweepDir: string;
  logDir: string;
  tasks: ArrayTask[];
  node: string;
  jobProcess: string;
}

export function arrayScript(script: ArrayScript, options: SlurmOptions): string {
  for (const place of [script.logDir, ...script.tasks.map((t) => t.runDir)]) {
    if (/[\s'"\\]/.test(place)) throw new MopoError(`hydra/launcher=slurm: '${place}' holds a space, quote or backslash, which #SBATCH lines cannot carry; choose a hydra.sweep.dir without them.`);
  }
  const sbatch: [string, string | number | boolean][] = [
    ['job-name', options.name],
    ['array', `${arraySpec(script.tasks.map((t) => t.num))}%${options.arrayParallelism}`],
    ['output', `${script.logDir}/%A_%a.out`],
    ['error', `${script.logDir}/%A_%a.err`],
    ['open-mode', 'append'],
    ['requeue', true],
    ['signal', `B:USR1@${options.signalDelayS}`],
    ['time', options.time],
    ['nodes', 1],
    ['ntasks', 1],
  ];
  if (options.cpusPerTask !== null) sbatch.push(['cpus-per-task', options.cpusPerTask]);
  if (options.memGb !== null) sbatch.push(['mem', `${Math.ceil(options.memGb * 1024)}M`]);
  if (options.gpusPerNode !== null) sbatch.push(['gpus-per-node', options.gpusPerNode]);
  if (options.partition !== null) sbatch.push(['partition', options.partition]);
  if (options.qos !== null) sbatch.push(['qos', options.qos]);
  if (options.account !== null) sbatch.push(['account', options.account]);
  sbatch.push(...Object.entries(options.additionalParameters));

  return [
    '#!/bin/bash',
    `# A mopo sweep as a SLURM job array (${script.sweepDir}): array task N runs job #N.`,
    ...sbatch.map(([key, value]) => (value === true ? `#SBATCH --${key}` : `#SBATCH --${key}=${value}`)),
    'set -e',
    ...options.setup,
    'case "$SLURM_ARRAY_TASK_ID" in',
    ...script.tasks.map((t) => `  ${t.num}) JOB_DIR=${shellQuote(t.runDir)} ;;  # ${t.task.join(' ').replace(/\n/g, ' ')}`),
    '  *) echo "mopo: this array has no task $SLURM_ARRAY_TASK_ID" >&2; exit 2 ;;',
    'esac',
    `exec ${shellQuote(script.node)} ${shellQuote(script.jobProcess)} "$JOB_DIR"`,
    '',
  ].join('\n');
}

/** Job numbers as sbatch's --array takes them: `0-3,5,7-9`. */
export function arraySpec(nums: number[]): string {
  const sorted = [...new Set(nums)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The numbers an `ArrayTaskId` of scontrol names: `3`, `1-3%2`, `1,4`, `0-8:2`. */
export function expandArrayTasks(text: string): number[] {
  const nums: number[] = [];
  for (const part of text.replace(/%\d+$/, '').split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part);
    if (!m) continue;
    const [from, to, step] = [Number(m[1]), m[2] === undefined ? Number(m[1]) : Number(m[2]), m[3] === undefined ? 1 : Number(m[3])];
    for (let n = from; n <= to; n += step) nums.push(n);
  }
  return nums;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
