/**
 * Hopper (gym v3 rules): hop forward without falling; reward = x velocity + 1 (alive)
 * − 0.001·Σa². The episode ends when the hopper is unhealthy: a non-finite or huge
 * (|·| ≥ 100) state, torso height z ≤ 0.7 or torso angle |θ| ≥ 0.2.
 */
import { box } from './action-space.js';
import type { MujocoEnvSpec } from './env-spec.js';
import { observeWithoutX, sumOfSquares } from './locomotion.js';
import { HOPPER_XML } from './models/hopper.js';
import { hopperTermination } from './termination.js';

export const hopper: MujocoEnvSpec = {
  id: 'Hopper',
  d4rlName: 'hopper',
  modelXml: HOPPER_XML,
  frameSkip: 4,
  observationSize: 11,
  actionSpace: box(3),
  maxEpisodeSteps: 1000,
  resetNoise: {
    qpos: { distribution: 'uniform', scale: 0.005 },
    qvel: { distribution: 'uniform', scale: 0.005 },
  },
  observe: (qpos, qvel, out) => observeWithoutX(qpos, qvel, out, 10),
  reward: (xVelocity, action) => xVelocity + 1 - 1e-3 * sumOfSquares(action),
  isTerminated(qpos, qvel) {
    const height = qpos[1]!;
    const angle = qpos[2]!;
    if (!(height > 0.7 && Math.abs(angle) < 0.2)) return true;
    // gym's "state" check covers qpos[2:] and the unclipped qvel.
    for (let i = 2; i < qpos.length; i++) if (!(Math.abs(qpos[i]!) < 100)) return true;
    for (let i = 0; i < qvel.length; i++) if (!(Math.abs(qvel[i]!) < 100)) return true;
    return false;
  },
  terminationFn: hopperTermination,
};
