/**
 * The work a `mopo` job does once its config and run directory are ready. The
 * trainers (and with them TensorFlow.js, MuJoCo and h5wasm) load here, on demand,
 * never at start-up.
 */
import { ConfigError } from '../errors.js';
import type { Task } from './launch.js';

const TRAINERS = ['mopo', 'sac_online', 'td3', 'ddpg'] as const;

export async function loadTrainTask(): Promise<Task> {
  return async ({ config, runDir }) => {
    const algo = config.string('algo.name');
    switch (algo) {
      case 'mopo': {
        const { trainMopo } = await import('../train/mopo.js');
        await trainMopo({ config, runDir });
        return;
      }
      case 'sac_online':
      case 'td3':
      case 'ddpg': {
        const { trainOnline } = await import('../train/online.js');
        await trainOnline({ config, runDir });
        return;
      }
      default:
        throw new ConfigError(
          `algo=${algo} cannot be trained on its own: its settings are SAC's, used inside MOPO. Trainers: ${TRAINERS.join(', ')} (e.g. algo=mopo).`,
        );
    }
  };
}
