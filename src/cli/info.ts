/** `mopo --info [topic]`: where configs come from and how the defaults list was built. */
import type { ConfigRepository } from '../config/repository.js';
import type { JobConfig } from '../config/job-config.js';
import { toYaml } from '../config/run-dir.js';
import type { InfoTopic } from './flags.js';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = '-'.repeat(line(header).length);
  return [line(header), rule, ...rows.map(line), rule].join('\n');
}

function section(title: string, body: string): string {
  return `${title}\n${'*'.repeat(title.length)}\n${body}\n`;
}

export function renderInfo(topic: InfoTopic, repo: ConfigRepository, job: JobConfig): string {
  const parts: string[] = [];
  const want = (t: InfoTopic) => topic === 'all' || topic === t;
  if (want('searchpath')) {
    parts.push(section('Config search path', table(['Provider', 'Search path'], repo.searchPath.map((s) => [s.provider, `file://${s.dir}`]))));
  }
  if (want('defaults')) {
    const rows = job.composed.defaults.map((d) => [d.configPath, d.package, String(d.isSelfEntry), d.parent ?? '<root>']);
    parts.push(section('Defaults List', table(['Config path', 'Package', '_self_', 'Parent'], rows)));
  }
  if (want('defaults-tree')) {
    const parentOf = new Map(job.composed.defaults.map((d) => [d.configPath, d.parent]));
    const depthOf = (configPath: string): number => {
      const parent = parentOf.get(configPath);
      return parent === null || parent === undefined ? 0 : 1 + depthOf(parent);
    };
    const lines = job.composed.defaults.map((d) => `${'  '.repeat(depthOf(d.configPath))}${d.configPath}${d.package ? ` (@${d.package})` : ''}`);
    parts.push(section('Defaults Tree', lines.join('\n')));
  }
  if (want('config')) {
    parts.push(section('Config', toYaml(job.jobConfig(false)).trimEnd()));
  }
  return parts.join('\n');
}
