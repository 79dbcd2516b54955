/**
 * What `algo` asks for: a learner (a row of the learner table) trained by a loop
 * (`online` in an environment, `offline` on a dataset, with model rollouts when
 * `algo.dynamics` is set), each with its options read and checked. Light to import:
 * the command line uses it to check a job before creating anything.
 */
import type { ConfigView } from '../config/access.js';
import { LEARNERS, learnerRow, type LearnerRow, type LoopKind } from '../algos/learner-table.js';
import { requireActionSpace } from '../envs/action-space.js';
import { envSpecFor } from '../envs/registry.js';
import { ConfigError } from '../errors.js';
import { checkEnvTarget } from './env-source.js';
import { OFFLINE_LOOP, oneHotActionCount, ONLINE_LOOP, readModelRollouts, REPLAY_SETTINGS, type ReplaySettings } from './loop-options.js';
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
  return { name, learner, settings: readLearnerSettings(algo, name, learner), loop };
}

/**
 * The learner's settings. `algo.learner=td3` under an algo made for another learner
 * (algo=mopo carries SAC's keys) misses the new learner's keys: say which learner wanted
 * them and where its keys are, not only which key is missing.
 */
function readLearnerSettings(algo: ConfigView, name: string, learner: LearnerRow): Record<string, unknown> {
  try {
    return learner.settings.read(algo) as Record<string, unknown>;
  } catch (error) {
    const missing = error instanceof ConfigError ? /^Missing key '([^']+)'/.exec(error.message) : null;
    if (!missing || name === learner.name) throw error;
    throw new ConfigError(
      `algo.learner=${learner.name}: algo=${name} has no '${missing[1]}', which the ${learner.name} learner needs (its keys and defaults are in configs/algo/${learner.name}.yaml). ` +
        `Choose an algo made for it (algo=td3, algo=mpo, … set algo.learner themselves), or add its keys to algo=${name} (e.g. +${missing[1]}=…).`,
    );
  }
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
  // A registry env's spec, known before anything runs (a user env's is checked by the frame).
  const env = options.envInCode || userEnv ? null : envSpecFor(config.string('env.id'));
  if (env) requireActionSpace(choice.name, choice.learner.actionKinds, env);
  const algo = config.at('algo');
  readReplay(config, choice);
  if (choice.loop === 'online') {
    ONLINE_LOOP.read(algo);
    if (!options.envInCode) readGymEnvOptions(config);
    return choice;
  }
  OFFLINE_LOOP.read(algo);
  if (!options.envInCode) readEnvOptions(config);
  const rollouts = readModelRollouts(algo);
  if (rollouts && !choice.learner.stochastic) {
    // Learners for the env's kind of actions where it is known, else for any kind this learner takes.
    const kinds = env ? [env.actionSpace.kind] : choice.learner.actionKinds;
    const alternatives = LEARNERS.filter((row) => row.stochastic && row.actionKinds.some((kind) => kinds.includes(kind))).map((row) => row.name);
    throw new ConfigError(
      `algo.dynamics: model rollouts need a policy that samples its actions with a known density; the ${choice.learner.name} learner does not (use ${alternatives.join(' or ')}).`,
    );
  }
  if (rollouts && env) oneHotActionCount(rollouts, env);
  return choice;
}

/**
 * How a job draws its batches (n-step returns, prioritized replay), checked against its
 * learner and loop; with n-step returns, the learner's discount `gamma` comes along.
 */
export function readReplay(config: ConfigView, choice: AlgoChoice): ReplaySettings & { gamma: number } {
  const algo = config.at('algo');
  const gamma = typeof choice.settings.gamma === 'number' ? choice.settings.gamma : NaN;
  if (!choice.learner.weightedReplay || Number.isNaN(gamma)) {
    // Its config may lack these keys, or inherit them (algo=mopo's from sac.yaml); a value that asks for either would be ignored.
    const { nStep, per } = REPLAY_SETTINGS.fields;
    const asked = (algo.has(nStep.key) && nStep.read(algo) !== 1) || (algo.has(per.key) && per.read(algo));
    if (asked) {
      throw new ConfigError(`algo.n_step=${algo.has(nStep.key) ? nStep.read(algo) : 1}, algo.per=${algo.has(per.key) && per.read(algo)}: the ${choice.learner.name} learner does not take n-step returns or prioritized replay; leave algo.n_step=1 and algo.per=false.`);
    }
    return { ...REPLAY_SETTINGS.defaults(), gamma };
  }
  const replay = REPLAY_SETTINGS.read(algo);
  if (replay.nStep === 1 && !replay.per) return { ...replay, gamma };
  if (choice.loop === 'offline' && readModelRollouts(algo)) {
    const asked = replay.per ? `algo.per=true` : `algo.n_step=${replay.nStep}`;
    throw new ConfigError(`${asked}: not with model rollouts (algo.dynamics): the model buffer holds no episodes in order, and its rows are replaced every rollout. Use them on the dataset alone (algo.dynamics=null) or online.`);
  }
  return { ...replay, gamma };
}
