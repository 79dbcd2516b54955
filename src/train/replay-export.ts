/**
 * An online run's replay buffer as a D4RL-layout file (D4RL's "medium-replay" recipe:
 * everything the learner saw up to that checkpoint). Rows come oldest first; the
 * simulator states (infos/qpos, infos/qvel) are not kept in a replay buffer, so such
 * files have none.
 */
import type { D4rlFileContents } from '../data/d4rl-file.js';
import type { ReplayBufferState } from '../data/replay-buffer.js';
import { writeD4rlFile } from '../data/writer.js';
import { envSpecFor } from '../envs/registry.js';
import { CheckpointError } from '../errors.js';
import type { Checkpoint } from './checkpoint.js';
import { formatNumber } from './progress.js';
import { bufferFromPart, savedPart } from './state-arrays.js';

export async function writeReplay(
  checkpoint: Checkpoint,
  out: string,
  options: { compression: number; metadata: Record<string, string | number | boolean> },
): Promise<{ rows: number; episodes: number; returnText: string }> {
  const part = savedPart(checkpoint, 'replay');
  if (!part || !part.arrays.observations) {
    throw new CheckpointError(`Checkpoint ${checkpoint.dir} (${checkpoint.manifest.algo}) has no replay buffer: collect.replay needs a checkpoint of an online run (e.g. algo=sac_online, td3 or ddpg).`);
  }
  const meta = part.meta as unknown as Omit<ReplayBufferState, 'arrays'>;
  const rows = bufferFromPart(checkpoint, 'replay', part).contents();
  if (rows.size === 0) throw new CheckpointError(`Checkpoint ${checkpoint.dir} has an empty replay buffer.`);
  const contents: D4rlFileContents = {
    size: rows.size,
    observationSize: checkpoint.manifest.observationSize,
    actionSize: checkpoint.manifest.actionSize,
    actionSpace: envSpecFor(checkpoint.manifest.envId).actionSpace,
    observations: rows.observations,
    actions: rows.actions,
    rewards: rows.rewards,
    nextObservations: rows.nextObservations,
    terminals: Uint8Array.from(rows.terminals),
    timeouts: Uint8Array.from(rows.timeouts),
    metadata: {
      algorithm: checkpoint.manifest.algo,
      policy: `${checkpoint.manifest.algo} replay buffer up to step ${checkpoint.manifest.step}`,
      env_id: checkpoint.manifest.envId,
      source: 'replay',
      replay_wrapped: meta.size === meta.capacity && checkpoint.manifest.step > meta.capacity,
      ...options.metadata,
    },
  };
  await writeD4rlFile(out, contents, { compression: options.compression });

  const returns: number[] = [];
  let total = 0;
  for (let i = 0; i < rows.size; i++) {
    total += rows.rewards[i]!;
    if (rows.terminals[i] === 1 || rows.timeouts[i] === 1) {
      returns.push(total);
      total = 0;
    }
  }
  const mean = returns.reduce((a, b) => a + b, 0) / Math.max(1, returns.length);
  return { rows: rows.size, episodes: returns.length, returnText: returns.length > 0 ? `mean ${formatNumber(mean)}` : 'no episode finished' };
}
