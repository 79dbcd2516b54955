/**
 * HalfCheetah (gym v3 rules): run forward; reward = x velocity − 0.1·Σa². It cannot
 * fall, so episodes end only at the time limit.
 */
import { box } from './action-space.js';
import type { MujocoEnvSpec } from './env-spec.js';
import { observeWithoutX, sumOfSquares } from './locomotion.js';
import { HALF_CHEETAH_XML } from './models/half-cheetah.js';
import { halfCheetahTermination } from './termination.js';

export const halfCheetah: MujocoEnvSpec = {
  id: 'HalfCheetah',
  d4rlName: 'halfcheetah',
  modelXml: HALF_CHEETAH_XML,
  frameSkip: 5,
  observationSize: 17,
  actionSpace: box(6),
  maxEpisodeSteps: 1000,
  resetNoise: {
    qpos: { distribution: 'uniform', scale: 0.1 },
    qvel: { distribution: 'normal', scale: 0.1 },
  },
  observe: (qpos, qvel, out) => observeWithoutX(qpos, qvel, out),
  reward: (xVelocity, action) => xVelocity - 0.1 * sumOfSquares(action),
  isTerminated: () => false,
  terminationFn: halfCheetahTermination,
};
