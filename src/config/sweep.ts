/**
 * Multirun expansion (Hydra's basic sweeper): every override that sweeps (`a=1,2`,
 * `choice(…)`, `range(…)`, `glob(…)` over a group's options) contributes its values,
 * and the jobs are the Cartesian product, the first override varying slowest. A job
 * is just a list of plain overrides, so `--jobs-json` can hand it to a CI matrix
 * and `mopo <overrides>` there runs exactly that job.
 */
import { ConfigError } from '../errors.js';
import { parseOverride, type Override } from './override-parser.js';
import type { ConfigRepository } from './repository.js';

export interface SweepJob {
  num: number;
  overrides: string[];
}

export function expandSweep(repo: ConfigRepository, overrides: string[]): SweepJob[] {
  const axes = overrides.map((text) => alternatives(repo, parseOverride(text)));
  let combos: string[][] = [[]];
  for (const axis of axes) combos = combos.flatMap((prefix) => axis.map((choice) => [...prefix, choice]));
  return combos.map((combo, num) => ({ num, overrides: combo }));
}

function alternatives(repo: ConfigRepository, o: Override): string[] {
  const value = o.value;
  if (value === null || (value.kind !== 'sweep' && value.kind !== 'glob')) return [o.text];
  const head = o.text.slice(0, o.text.indexOf('=') + 1);
  if (value.kind === 'sweep') {
    if (value.elements.length === 0) throw new ConfigError(`Sweep '${o.text}' has no values.`);
    return value.elements.map((e) => head + e.text);
  }
  if (!repo.isGroup(o.key)) {
    throw new ConfigError(`glob() selects options of a config group, and '${o.key}' is not one (in '${o.text}'). Groups: ${repo.groups().join(', ')}`);
  }
  const available = repo.options(o.key);
  const included = available.filter((name) => value.include.some((p) => fnmatch(name, p)) && !value.exclude.some((p) => fnmatch(name, p)));
  if (included.length === 0) {
    throw new ConfigError(`'${o.text}' matched no options of '${o.key}'. Available options:\n${available.map((a) => `\t${a}`).join('\n')}`);
  }
  return included.map((name) => head + name);
}

/** Shell-style pattern: `*`, `?`, `[abc]`. */
export function fnmatch(name: string, pattern: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') regex += '.*';
    else if (c === '?') regex += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) regex += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        regex += `[${body}]`;
        i = end;
      }
    } else regex += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${regex}$`).test(name);
}
