/**
 * Start-up cost of the commands users type most: `mopo --cfg job …` and `mopo --help`.
 * Each is run as a fresh process several times; the figure is the median CPU time
 * (user + system) of the whole process, Node's own start-up included. Target: < 300 ms.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/paths.js';
import type { BenchSection } from './sections.js';

const RUNS = 11;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(args: string[]): { cpuMs: number; wallMs: number } {
  const root = packageRoot();
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'mopo-startup-'));
  const cpu: number[] = [];
  const wall: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const result = spawnSync(process.execPath, ['--import', path.join(root, 'scripts/bench/cpu-probe.mjs'), path.join(root, 'bin/mopo.js'), ...args], { cwd, encoding: 'utf8' });
      wall.push(performance.now() - started);
      const match = /MOPO_CPU_MS=([\d.]+)/.exec(result.stderr);
      if (result.status !== 0 || !match) throw new Error(`mopo ${args.join(' ')} failed: ${result.stderr}`);
      cpu.push(Number(match[1]));
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return { cpuMs: median(cpu), wallMs: median(wall) };
}

export const startupSection: BenchSection = {
  name: 'startup',
  async run() {
    const cfg = measure(['--cfg', 'job', 'exp=halfcheetah-medium', 'algo.h=3']);
    const help = measure(['--help']);
    const baseline = spawnSync(process.execPath, ['--import', path.join(packageRoot(), 'scripts/bench/cpu-probe.mjs'), '-e', '0'], { encoding: 'utf8' });
    return {
      startup_cfg_job_cpu_ms: cfg.cpuMs,
      startup_cfg_job_wall_ms: Math.round(cfg.wallMs),
      startup_help_cpu_ms: help.cpuMs,
      startup_help_wall_ms: Math.round(help.wallMs),
      startup_bare_node_cpu_ms: Number(/MOPO_CPU_MS=([\d.]+)/.exec(baseline.stderr)?.[1] ?? NaN),
    };
  },
};
