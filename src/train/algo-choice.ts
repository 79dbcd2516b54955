/**
 * What `algo` asks for: a learner (a row of the learner table) trained by a loop
 * (`online` in an environment, `offline` on a dataset, with model rollouts when
 * `algo.dynamics` is set), each with its options read and checked. Light to import:
 * the command line uses it to check a job before creating anything.
 */
import type { ConfigView } from '../config/access.js';
import { learnerRow, type LearnerRow, type LoopKind } from '../algos/learner-table.js';
import { requireActionSpace } from '../envs/action-space.js';
import { envSpecFor } from '../envs/registry.js';
import { ConfigError } from '../errors.js';
import { checkEnvTarget } from './env-source.js';
import { OFFLINE_LOOP, ONLINE_LOOP, readModelRollouts } from './loop-options.js';
import { readEnvOptions, readGymEnvOptions, readRunOptions } from './options.js';

export interface AlgoChoice {
  /** `algo.name`, as recorded in checkpoints (`mopo`, `sac_online`, `td3`, …). */
  name: string;
  learner: LearnerRow;
  /** The learner's settings, read with its schema. */
  settings: Record<string, unknown>;
  loop: LoopKind;
}

const LOOPS: readonly LoopKind[] = ['online', 'offline'];

export function readAlgoChoice(config: ConfigView): AlgoChoice {
  const algo = config.at('algo');
  const name = algo.string('name');
  if (!algo.has('learner') || !algo.has('loop')) {
    throw new ConfigError(`algo=${name} cannot be trained on its own: it names no learner and loop (algo.learner, algo.loop). Trainable algos set both, e.g. algo=mopo or algo=sac_online.`);
  }
  const learner = learnerRow(algo.string('learner'));
  const loop = algo.oneOf('loop', LOOPS);
  if (!learner.loops.includes(loop)) {
    throw new ConfigError(`algo.loop=${loop}: the ${learner.name} learner cannot learn ${loop === 'online' ? 'online' : 'from a dataset'}; it learns ${learner.loops.join(' or ')}.`);
  }
  return { name, learner, settings: learner.settings.read(algo) as Record<string, unknown>, loop };
}

/**
 * Reads every value a training job will read, with the same rules, so that a wrong
 * value is reported before the run directory exists (and before a sweep launches
 * anything). Files (datasets, checkpoints) are checked when the job opens them.
 */
export function checkTrainingConfig(config: ConfigView, options: { envInCode?: boolean } = {}): AlgoChoice {
  readRunOptions(config);
  const choice = readAlgoChoice(config);
  // A user env's spec is known once its module runs (the frame checks it then); here, that its module exists.
  const userEnv = config.has('env.wrapper') && !config.isUnset('env.wrapper');
  if (options.envInCode) {
    // The env comes from the caller's code: the config's env section names none.
  } else if (userEnv) checkEnvTarget(config);
  else requireActionSpace(choice.name, choice.learner.actionKind, envSpecFor(config.string('env.id')));
  const algo = config.at('algo');
  if (choice.loop === 'online') {
    ONLINE_LOOP.read(algo);
    if (!options.envInCode) readGymEnvOptions(config);
    return choice;
  }
  OFFLINE_LOOP.read(algo);
  if (!options.envInCode) readEnvOptions(config);
  if (readModelRollouts(algo) && !choice.learner.stochastic) {
    throw new ConfigError(`algo.dynamics: model rollouts need a policy that samples its actions with a known density; the ${choice.learner.name} learner does not (use sac).`);
  }
  return choice;
}
