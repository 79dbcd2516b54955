/**
 * The launchers, one row each, keyed by their option of the `hydra/launcher` config
 * group (configs/hydra/launcher/<name>.yaml). A new launcher is its file and one row.
 */
import { ConfigView } from '../config/access.js';
import type { LauncherChoice } from '../config/job-config.js';
import { ConfigError } from '../errors.js';
import type { JobOutcome } from '../cli/launch.js';
import { didYouMean } from '../util/suggest.js';
import { basicLauncher } from './basic.js';
import type { LaunchContext, Launcher } from './launcher.js';
import { parallelLauncher } from './parallel.js';
import { slurmLauncher } from './slurm/launcher.js';
import type { SweepJob } from './sweep-dir.js';

/** Where each launcher runs the jobs, for the launch line. */
const LAUNCHERS = {
  basic: row(basicLauncher, () => 'locally, one after another'),
  parallel: row(parallelLauncher, (o) => `locally, ${o.nJobs} at a time`),
  slurm: row(slurmLauncher, () => 'on SLURM, as one job array'),
} satisfies Record<string, (settings: ConfigView) => ChosenLauncher>;

export interface ChosenLauncher {
  name: string;
  /** e.g. `locally, 2 at a time` */
  where: string;
  launch(jobs: SweepJob[], context: LaunchContext): Promise<JobOutcome[]>;
}

/** The launcher `hydra/launcher` chose, with its settings read and checked. */
export function chooseLauncher(choice: LauncherChoice): ChosenLauncher {
  const names = Object.keys(LAUNCHERS);
  if (choice.name === null || !(choice.name in LAUNCHERS)) {
    const given = choice.name ?? `(none: ${choice.target ?? 'hydra/launcher was removed'})`;
    throw new ConfigError(`hydra/launcher=${given} is not a launcher mopo has.${choice.name ? didYouMean(choice.name, names) : ''} Launchers: ${names.join(', ')}`);
  }
  return LAUNCHERS[choice.name as keyof typeof LAUNCHERS](new ConfigView(choice.options, 'hydra.launcher'));
}

function row<Options>(launcher: Launcher<Options>, where: (options: Options) => string): (settings: ConfigView) => ChosenLauncher {
  return (settings) => {
    const options = launcher.readOptions(settings);
    return { name: launcher.name, where: where(options), launch: (jobs, context) => launcher.launch(jobs, options, context) };
  };
}
