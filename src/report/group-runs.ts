/**
 * Runs that differ only by seed are one configuration: their overrides minus `seed=…`
 * are the group's key. A group is labelled by the overrides that set it apart from the
 * other groups; the overrides all groups share are shown once for the whole report.
 * Like Hydra's `override_dirname.exclude_keys`, more keys can be left out of the key
 * (`mopo-report --ignore`): runs that differ only in those are seeds of one configuration.
 * `checkpoint.resume_from` always is: a resumed run trains what it would have trained.
 */
import type { Run } from './run.js';

export interface RunGroup {
  /** The job overrides without the seed, as given on the command line. */
  overrides: string[];
  /** The overrides that differ between groups, or all of them when there is one group. */
  label: string;
  runs: Run[];
}

export interface Grouping {
  groups: RunGroup[];
  /** Overrides every group has (without the seed). */
  common: string[];
}

const SEED_OVERRIDE = /^\+{0,2}seed=/;
const ALWAYS_IGNORED = ['checkpoint.resume_from'];

export function withoutSeed(overrides: string[]): string[] {
  return overrides.filter((o) => !SEED_OVERRIDE.test(o));
}

/** The key an override sets: `algo.h` for `algo.h=5`, `+algo.x=1` and `~algo.h`. */
export function overrideKey(override: string): string {
  return override.replace(/^(\+\+|\+|~)/, '').split('=')[0]!;
}

export function groupRuns(runs: Run[], ignoredKeys: string[] = []): Grouping {
  const ignored = new Set([...ALWAYS_IGNORED, ...ignoredKeys]);
  const byKey = new Map<string, { overrides: string[]; runs: Run[] }>();
  for (const run of runs) {
    const overrides = withoutSeed(run.overrides).filter((o) => !ignored.has(overrideKey(o)));
    const key = JSON.stringify(overrides);
    const group = byKey.get(key) ?? { overrides, runs: [] };
    group.runs.push(run);
    byKey.set(key, group);
  }
  const found = [...byKey.values()];
  const common = found.length === 0 ? [] : found[0]!.overrides.filter((o) => found.every((g) => g.overrides.includes(o)));
  const groups = found.map(({ overrides, runs: members }) => {
    const distinct = found.length > 1 ? overrides.filter((o) => !common.includes(o)) : overrides;
    return { overrides, runs: members, label: distinct.length > 0 ? distinct.join(' ') : '(no overrides)' };
  });
  return { groups, common };
}
