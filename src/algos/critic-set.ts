/**
 * The Q critics of a deterministic-actor learner (two for TD3, one for DDPG), each a
 * Critic (critic.ts) behind a handle so it can sit in this thread or in a compute
 * worker and compute the same numbers either way.
 *
 * Initial weights are drawn for all critics at once from one layout, the way SAC draws
 * its pair, so a seed gives the same critics wherever they are placed.
 */
import { initialParams } from '../nn/init.js';
import { ParamLayout } from '../nn/layout.js';
import { LocalHandle, RemoteHandle, waitAll, type Handle } from '../nn/threads/handle.js';
import type { WorkerThread } from '../nn/threads/worker-thread.js';
import type { Rng } from '../util/rng.js';
import { Critic, criticShape, type CriticSpec } from './critic.js';
import type { TargetNetworkState } from './target-network-state.js';

export class CriticSet {
  /** Parameters of one critic network. */
  readonly size: number;
  private handles: Handle<Critic>[];

  constructor(
    readonly spec: CriticSpec,
    count: number,
    init: Rng,
  ) {
    const layout = new ParamLayout(criticShape(spec), count);
    const params = initialParams(layout, 'torch_default', init);
    this.size = layout.perNetwork;
    this.handles = Array.from({ length: count }, (_, k) => new LocalHandle(new Critic(spec, params.slice(k * layout.perNetwork, (k + 1) * layout.perNetwork))));
  }

  /** The critics in order; issue calls on all of them before waiting on any, so workers run meanwhile. */
  get all(): readonly Handle<Critic>[] {
    return this.handles;
  }

  /** Moves critic `k` into `thread` (a compute worker), or back into this thread when `thread` is undefined. */
  place(k: number, thread: WorkerThread | undefined): void {
    const current = this.handles[k]!;
    const state = current.call('getState').wait();
    current.dispose();
    const critic: Handle<Critic> = thread
      ? RemoteHandle.create<Critic>(thread, './critic.js', import.meta.url, 'Critic', [this.spec, state.params])
      : new LocalHandle(new Critic(this.spec, state.params));
    critic.call('setState', state).wait();
    this.handles[k] = critic;
  }

  getState(): TargetNetworkState[] {
    return waitAll(this.handles.map((critic) => critic.call('getState')));
  }

  setState(states: readonly TargetNetworkState[]): void {
    waitAll(this.handles.map((critic, k) => critic.call('setState', states[k]!)));
  }

  dispose(): void {
    for (const critic of this.handles) critic.dispose();
    this.handles = [];
  }
}
