/**
 * `algo=mpo` on either kind of env: one learner-table row whose policy follows the env's
 * action space — box(A): the Gaussian MPO (mpo.ts), discrete(n): the categorical MPO
 * (discrete-mpo.ts) — as pytorchrl's one MPO class switches on `discrete_version`.
 * One row rather than two keeps a single config file (configs/algo/mpo.yaml, one
 * options schema whose keys each policy reads its part of), lets an exp such as
 * cartpole-online take `algo=mpo` as hopper-online does, and lets checkpoints name the
 * learner `mpo` either way; a saved state says by its format which policy it holds.
 */
import type { ModuleState } from '../nn/state.js';
import type { LearnerSizes } from './learner.js';
import type { MpoSettings } from './mpo-options.js';

type Create = Partial<MpoSettings> & LearnerSizes & { seed: number };

export async function createMpo(options: Create) {
  const space = options.actionSpace;
  if (space?.kind === 'discrete') return new (await import('./discrete-mpo.js')).DiscreteMpo({ ...options, actionCount: space.n });
  return new (await import('./mpo.js')).Mpo(options);
}

export async function mpoFromState(state: ModuleState, settings?: Partial<MpoSettings>) {
  const { DISCRETE_MPO_STATE_FORMAT, DiscreteMpo } = await import('./discrete-mpo.js');
  if ((state.meta as { format?: unknown } | null)?.format === DISCRETE_MPO_STATE_FORMAT) return DiscreteMpo.fromState(state, settings);
  return (await import('./mpo.js')).Mpo.fromState(state, settings);
}
