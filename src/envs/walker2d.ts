/**
 * Walker2d (gym v3 rules): walk forward without falling; reward = x velocity + 1
 * (alive) − 0.001·Σa². The episode ends when the torso height leaves (0.8, 2.0) or
 * its angle leaves (−1, 1).
 */
import { box } from './action-space.js';
import type { MujocoEnvSpec } from './env-spec.js';
import { observeWithoutX, sumOfSquares } from './locomotion.js';
import { WALKER2D_XML } from './models/walker2d.js';
import { walker2dTermination } from './termination.js';

export const walker2d: MujocoEnvSpec = {
  id: 'Walker2d',
  d4rlName: 'walker2d',
  modelXml: WALKER2D_XML,
  frameSkip: 4,
  observationSize: 17,
  actionSpace: box(6),
  maxEpisodeSteps: 1000,
  resetNoise: {
    qpos: { distribution: 'uniform', scale: 0.005 },
    qvel: { distribution: 'uniform', scale: 0.005 },
  },
  observe: (qpos, qvel, out) => observeWithoutX(qpos, qvel, out, 10),
  reward: (xVelocity, action) => xVelocity + 1 - 1e-3 * sumOfSquares(action),
  isTerminated(qpos) {
    const height = qpos[1]!;
    const angle = qpos[2]!;
    return !(height > 0.8 && height < 2.0 && angle > -1 && angle < 1);
  },
  terminationFn: walker2dTermination,
};
