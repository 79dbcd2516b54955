/**
 * The `hydra` node of a composed config: run and sweep directories, job identity and
 * the runtime facts (choices, overrides, output dir) that `${hydra:…}` reads. It is
 * merged first, so the primary config and the command line can change any of it
 * (`hydra.run.dir=…`). `--cfg job` leaves it out; `--cfg hydra` shows only it.
 */
import { packageVersion } from '../paths.js';
import type { ConfigDict } from './value.js';

export type RunMode = 'RUN' | 'MULTIRUN';

export function hydraDefaults(configName: string): ConfigDict {
  return {
    hydra: {
      run: { dir: 'outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}' },
      sweep: { dir: 'multirun/${now:%Y-%m-%d}/${now:%H-%M-%S}', subdir: '${hydra.job.num}' },
      output_subdir: '.hydra',
      job: { name: 'mopo', num: 0, config_name: configName, override_dirname: '', chdir: false },
      runtime: { version: packageVersion(), cwd: process.cwd(), output_dir: '${hydra.run.dir}', choices: {}, config_sources: [] },
      overrides: { task: [], hydra: [] },
      mode: 'RUN',
      verbose: false,
    },
  };
}

export function isHydraOverride(key: string): boolean {
  return key === 'hydra' || key.startsWith('hydra.') || key.startsWith('hydra/');
}
