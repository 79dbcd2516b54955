/**
 * Multirun expansion, as Hydra's BasicSweeper does it:
 *
 * - The sweeps are `hydra.sweeper.params` from the config (`seed: 0,1,2`) followed by
 *   the command line's task overrides. Overrides are keyed by prefix and key
 *   (`+x`, `x`, `db@pkg`); a later one for the same key replaces the earlier one's
 *   values at the earlier one's place, so the command line wins over params.
 * - Every sweep (`a=1,2`, choice(), range(), glob() over a group's options, and
 *   sort/shuffle of them) contributes its values; the jobs are the Cartesian
 *   product, the first key varying slowest.
 * - Each job is a list of plain overrides, written as Hydra writes them (`a=1_000`
 *   becomes `a=1000`, a quoted value keeps its quotes), after Hydra's own overrides
 *   (`hydra.run.dir=…`), so `mopo <overrides>` runs exactly that job: `--jobs-json`
 *   hands them to a CI matrix.
 *
 * mopo stops a sweep that selects nothing (an empty range(), a glob() that matches no
 * option) instead of running zero jobs; the error says so.
 */
import { ConfigError } from '../errors.js';
import { rangeValues, shuffled } from './override-functions.js';
import { isSweepOverride, keyElement, overrideValueText, parseOverride, type Override } from './override-parser.js';
import { PyFloat, elementText, numberOf } from './override-values.js';
import { isHydraOverride } from './hydra-node.js';
import { JobConfig } from './job-config.js';
import { pythonFloat } from './python-text.js';
import type { ConfigRepository } from './repository.js';

export interface SweepJob {
  num: number;
  /** Everything to compose this job: Hydra's own overrides, then the job's task overrides. */
  overrides: string[];
  /** The job's task overrides alone (what Hydra lists as `#num : …`). */
  task: string[];
}

export interface ExpandOptions {
  configName?: string;
  startTime?: Date;
}

export function expandSweep(repo: ConfigRepository, overrides: string[], options: ExpandOptions = {}): SweepJob[] {
  // The sweep's own config (sweeps left out, missing groups allowed) gives the
  // params and the search path that glob() lists options from.
  const master = JobConfig.compose(repo, { configName: options.configName ?? 'config', overrides, mode: 'MULTIRUN', skipMissing: true, startTime: options.startTime });
  const hydraOverrides = master.composed.hydraOverrides;
  const params = Object.entries(master.sweeperParams()).map(([key, sweep]) => `${key}=${sweep}`);
  const arguments_ = [...params, ...master.composed.taskOverrides];

  const axes = new Map<string, string[]>();
  for (const text of arguments_) {
    const o = parseOverride(text);
    if (isHydraOverride(o.key) && isSweepOverride(o)) throw new ConfigError(`Sweeping over Hydra's configuration is not supported : '${o.text}'`);
    axes.set(keyElement(o), alternatives(master.repository, o));
  }
  let combos: string[][] = [[]];
  for (const axis of axes.values()) combos = combos.flatMap((prefix) => axis.map((choice) => [...prefix, choice]));
  return combos.map((task, num) => ({ num, overrides: [...hydraOverrides, ...task], task }));
}

/** The override texts one key contributes to the jobs. */
function alternatives(repo: ConfigRepository, o: Override): string[] {
  const key = keyElement(o);
  const value = o.value;
  if (value === null || value.kind === 'element') return [`${key}=${overrideValueText(o)}`];
  if (value.kind === 'append') return [o.text];
  let values: string[];
  switch (value.kind) {
    case 'choice':
      values = (value.shuffle ? shuffled(value.list) : value.list).map((e) => elementText(e));
      break;
    case 'range': {
      let numbers = rangeValues(value);
      if (value.shuffle) numbers = shuffled(numbers);
      values = numbers.map((n) => (n instanceof PyFloat ? pythonFloat(n.value) : String(numberOf(n))));
      break;
    }
    case 'glob': {
      if (!repo.isGroup(o.key)) {
        throw new ConfigError(`glob() selects options of a config group, and '${o.key}' is not one (in '${o.text}'). Groups: ${repo.groups().join(', ')}`);
      }
      const available = repo.options(o.key);
      values = available.filter((name) => value.include.some((p) => fnmatch(name, p)) && !value.exclude.some((p) => fnmatch(name, p)));
      if (values.length === 0) {
        throw new ConfigError(
          `'${o.text}' matched no options of '${o.key}': Hydra would run no job for it; mopo stops instead (a deliberate difference). Available options:\n${available.map((a) => `\t${a}`).join('\n')}`,
        );
      }
      break;
    }
    default:
      throw new ConfigError(`BasicSweeper does not support sweep type : INTERVAL_SWEEP ('${o.text}'): interval() is for optimizing sweepers; use range() or choice().`);
  }
  if (values.length === 0) {
    throw new ConfigError(`'${o.text}' sweeps over no values: Hydra would run no job for it; mopo stops instead (a deliberate difference), since an empty sweep is almost always a mistake.`);
  }
  return values.map((v) => `${key}=${v}`);
}

/** Python's fnmatch: `*`, `?`, `[abc]`, `[!abc]`. */
export function fnmatch(name: string, pattern: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') regex += '.*';
    else if (c === '?') regex += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) regex += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        regex += `[${body}]`;
        i = end;
      }
    } else regex += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${regex}$`, 's').test(name);
}
