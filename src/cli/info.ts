/** `mopo --info [topic]`: where configs come from and how the defaults list was built, laid out as Hydra prints them. */
import { renderDefaultsTree } from '../config/defaults-list.js';
import type { JobConfig } from '../config/job-config.js';
import type { ConfigRepository } from '../config/repository.js';
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

/** The search path alone needs no composition, so `--info searchpath` works without choosing an experiment. */
export function renderSearchPath(repo: ConfigRepository): string {
  const rows = repo.searchPath.map((s) => [s.provider, `file://${s.dir}${s.scope ? ` (${s.scope}/ only)` : ''}`]);
  return section('Config search path', table(['Provider', 'Search path'], rows));
}

/** `--info plugins`: the launchers and sweepers `hydra/launcher=…` and `hydra/sweeper=…` can choose. */
export function renderPlugins(repo: ConfigRepository): string {
  const lines = ['hydra/launcher', 'hydra/sweeper'].map((group) => `${group}: ${repo.options(group).join(', ')}`);
  return section('Launchers and sweepers', lines.join('\n'));
}

export function renderInfo(topic: InfoTopic, job: JobConfig): string {
  const parts: string[] = [];
  const want = (t: InfoTopic) => topic === 'all' || topic === t;
  if (want('searchpath')) parts.push(renderSearchPath(job.repository));
  if (want('defaults-tree')) parts.push(section('Defaults Tree', renderDefaultsTree(job.composed.tree).join('\n')));
  if (want('defaults')) {
    const rows = job.composed.defaults.map((d) => [d.configPath, d.package, d.isSelfEntry ? 'True' : 'False', d.parent ?? '']);
    parts.push(section('Defaults List', table(['Config path', 'Package', '_self_', 'Parent'], rows)));
  }
  if (want('config')) parts.push(section('Config', toYaml(job.jobConfig(false)).trimEnd()));
  return parts.join('\n');
}
