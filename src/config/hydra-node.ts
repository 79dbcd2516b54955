/**
 * The `hydra` node of a composed config: run and sweep directories, job identity and
 * the runtime facts (choices, overrides, output dir) that `${hydra:…}` reads. As in
 * Hydra it is the config `hydra/config`, first in the defaults list at package
 * `hydra`; its own defaults choose `hydra/launcher` and `hydra/sweeper` from
 * configs/hydra/, so `hydra/launcher=<option>` on the command line or
 * `override hydra/launcher: <option>` in a config selects a launcher. The primary
 * config and the command line can change any of it (`hydra.run.dir=…`).
 * `--cfg job` leaves it out; `--cfg hydra` shows only it.
 */
import { packageVersion } from '../paths.js';
import type { BuiltinConfigs } from './defaults-list.js';
import type { ConfigDict, ConfigValue } from './value.js';

export type RunMode = 'RUN' | 'MULTIRUN';

export function hydraConfigContent(): ConfigDict {
  return {
    mode: null,
    searchpath: [],
    run: { dir: 'outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}' },
    sweep: { dir: 'multirun/${now:%Y-%m-%d}/${now:%H-%M-%S}', subdir: '${hydra.job.num}' },
    output_subdir: '.hydra',
    overrides: { hydra: [], task: [] },
    job: {
      name: 'mopo',
      chdir: false,
      override_dirname: '',
      id: '???',
      num: '???',
      config_name: '???',
      env_set: {},
      env_copy: [],
      config: { override_dirname: { kv_sep: '=', item_sep: ',', exclude_keys: [] } },
    },
    runtime: { version: packageVersion(), cwd: '???', config_sources: '???', output_dir: '???', choices: {} },
    verbose: false,
  };
}

/** `hydra/config`, which is code in Hydra too (a structured config), not a file. */
export function hydraBuiltins(): BuiltinConfigs {
  return new Map([
    [
      'hydra/config',
      {
        configPath: 'hydra/config',
        file: '<built into mopo: hydra/config>',
        packageHeader: null,
        defaults: [{ launcher: 'basic' }, { sweeper: 'basic' }] as ConfigValue[],
        content: hydraConfigContent(),
      },
    ],
  ]);
}

// Hydra's own groups that mopo does not offer, and why (the error says so when an override names one).
const UNOFFERED_HYDRA_GROUPS: Record<string, string> = {
  'hydra/output': 'set hydra.run.dir and hydra.sweep.dir instead',
  'hydra/help': "mopo's --help is fixed",
  'hydra/hydra_help': "mopo's --help is fixed",
  'hydra/hydra_logging': "mopo's logging is fixed (the terminal and each run's train.log)",
  'hydra/job_logging': "mopo's logging is fixed (the terminal and each run's train.log)",
  'hydra/env': 'mopo sets no environment per job',
  'hydra/callbacks': 'mopo runs no Python callbacks',
};

/** The sentence that says a Hydra group is missing on purpose ('' for any other group). */
export function unofferedHydraGroup(group: string): string {
  const reason = UNOFFERED_HYDRA_GROUPS[group];
  return reason === undefined ? '' : `\nmopo does not offer Hydra's '${group}' config group (${reason}); this is a deliberate difference from Hydra.`;
}

/** Hydra's test: an override of Hydra's own config (`hydra.run.dir=…`, `hydra/launcher=…`). */
export function isHydraOverride(key: string): boolean {
  return key.startsWith('hydra.') || key.startsWith('hydra/');
}
