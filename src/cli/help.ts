/** `mopo --help`: flags, config groups with their options, then the config itself (Hydra's layout). */
import type { ConfigRepository } from '../config/repository.js';
import { JobConfig } from '../config/job-config.js';
import { toYaml } from '../config/run-dir.js';

function groupLines(repo: ConfigRepository, groups: string[]): string[] {
  const width = Math.max(0, ...groups.map((g) => g.length));
  return groups.map((g) => `${`${g}:`.padEnd(width + 2)}${repo.options(g).join(', ')}`);
}

/** `--hydra-help`: Hydra's own config groups (launcher, sweeper) and the flags that concern them. */
export function renderHydraHelp(repo: ConfigRepository): string {
  const groups = repo.groups('hydra').filter((g) => repo.options(g).length > 0);
  return [
    "Hydra's own configuration in mopo: the hydra node (mopo --cfg hydra).",
    '',
    '== Hydra config groups ==',
    ...groupLines(repo, groups),
    '',
    'Choose one with group=option (hydra/launcher=basic); set its keys with hydra.launcher.KEY=VALUE.',
    'Declare sweeps in a config with hydra.sweeper.params (key: sweep); the command line wins for the same key.',
    'Extra config directories: hydra.searchpath=[file://DIR] (or hydra.searchpath in the primary config), or -cd DIR.',
  ].join('\n');
}

export function renderHelp(repo: ConfigRepository, configName: string, overrides: string[]): string {
  // Hydra's --help lists the application's groups; Hydra's own (hydra/…) are in --hydra-help.
  const groups = repo.groups().filter((g) => repo.options(g).length > 0 && g !== 'hydra' && !g.startsWith('hydra/'));
  const job = JobConfig.compose(repo, { configName, overrides, skipMissing: true });
  const missing = job.composed.missingGroups;
  return [
    'mopo: offline reinforcement learning (MOPO on D4RL) with Hydra-style configuration.',
    '',
    'Usage: mopo [flags] [overrides]',
    '  mopo exp=halfcheetah-medium                 train MOPO on D4RL halfcheetah-medium-v2',
    '  mopo exp=hopper-medium algo.h=3 seed=1      override any value with key=value',
    '  mopo -m exp=hopper-medium seed=0,1,2        sweep: one job per value (Cartesian product)',
    '  mopo-eval checkpoint_path=<dir>             evaluate a saved policy',
    '',
    '== Flags ==',
    '  --help, -h                 this help',
    '  --cfg, -c job|hydra|all    print the config instead of running',
    '  --resolve                  with --cfg: resolve ${…} interpolations',
    '  --package, -p PKG          with --cfg: print only this package (e.g. algo)',
    '  --info, -i [TOPIC]         config, defaults, defaults-tree, plugins, searchpath or all',
    '  --multirun, -m             run a sweep over comma-separated values, range(), choice(), glob()',
    '  --fail-fast                with -m: stop at the first failed job',
    '  --no-wait                  with -m and hydra/launcher=slurm: return once the jobs are submitted',
    '  --jobs-json                with -m: print the jobs as a JSON array and run nothing (CI matrices)',
    '  --config-name, -cn NAME    primary config (default: config)',
    '  --config-path, -cp DIR     directory of the primary config (default: the built-in configs)',
    '  --config-dir, -cd DIR      an extra directory of configs (e.g. your own exp/*.yaml)',
    '  --hydra-help               Hydra\'s own config groups (hydra/launcher, hydra/sweeper)',
    '  --shell-completion, -sc    install=bash|zsh|fish: print a completion script (eval "$(mopo -sc install=bash)")',
    '  --version                  print the version',
    '',
    'Overrides: key=value sets, +key=value adds, ++key=value adds or sets, ~key deletes,',
    "group=option selects a config file; quote values with spaces or commas: key='a,b'.",
    'Set MOPO_FULL_ERROR=1 for stack traces.',
    '',
    '== Configuration groups ==',
    'Compose your configuration from those groups (group=option)',
    '',
    ...groupLines(repo, groups),
    '',
    '== Config ==',
    'Override anything in the config (foo.bar=value)',
    ...(missing.length > 0 ? [`(not yet chosen: ${missing.map((m) => `${m}=<option>`).join(' ')})`] : []),
    '',
    toYaml(job.jobConfig(false)).trimEnd(),
  ].join('\n');
}
