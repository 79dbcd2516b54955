/**
 * The work a `mopo` job does once its config and run directory are ready: the loop
 * `algo.loop` names trains the learner `algo.learner` names. The loops (and with them
 * TensorFlow.js, MuJoCo and h5wasm) load on demand, never at start-up.
 */
import type { ConfigView } from '../config/access.js';
import { checkTrainingConfig, readAlgoChoice } from '../train/algo-choice.js';
import { loadLoop } from '../train/loops.js';
import type { Task } from './launch.js';

export async function loadTrainTask(): Promise<Task> {
  return async ({ config, runDir }) => {
    const train = await loadLoop(readAlgoChoice(config).loop);
    await train({ config, runDir });
  };
}

/**
 * Every value the job will read, checked with the rules the job uses, without loading
 * anything heavy: a wrong value is reported before a run directory exists or a sweep
 * launches its first job.
 */
export async function checkTrainJob(config: ConfigView): Promise<void> {
  const choice = checkTrainingConfig(config);
  // A user env is made once here, so a module that does not fit is reported before anything is created.
  if (config.has('env.wrapper') && !config.isUnset('env.wrapper')) {
    const [{ envSourceFromConfig }, { requireActionSpace }] = await Promise.all([import('../train/env-source.js'), import('../envs/action-space.js')]);
    requireActionSpace(choice.name, choice.learner.actionKinds, (await envSourceFromConfig(config)).spec);
  }
}
