/**
 * What gym's classic-control tasks share: gym's `self.state`, a few float64 numbers
 * moved on by a closed-form step under one of n discrete actions, and no simulator to
 * load or free. A task class supplies its rules (start distribution, step, observation,
 * end rule, reward); this class supplies what every env here promises: seeding, the
 * time limit, action checks, state access and snapshots.
 *
 * Seeding works as in the MuJoCo envs: `reset(seed)` reseeds our generator
 * (xoshiro128**) and the start state is drawn from gym's distribution. gym draws from
 * numpy's PCG64, which we do not reproduce, so a seed gives another start state than
 * gym's for the same seed; from a given state and actions the trajectory is gym's.
 */
import { EnvError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { checkAction, type DiscreteSpace } from './action-space.js';
import { checkEnvOptions, checkedSeed, checkVector } from './env-checks.js';
import type { EnvSpec } from './env-spec.js';
import type { Env, EnvOptions, EnvSnapshot, PhysicsState, StepResult } from './types.js';

export interface ClassicControlSpec extends EnvSpec {
  actionSpace: DiscreteSpace;
  /** Where gym's state vector keeps positions and velocities: they become `qpos` and `qvel`. */
  stateLayout: { positions: readonly number[]; velocities: readonly number[] };
}

export abstract class ClassicControlEnv implements Env {
  readonly id: string;
  readonly observationSize: number;
  readonly actionSpace: DiscreteSpace;
  /** A discrete action is stored as its index: one number. */
  readonly actionSize = 1;
  readonly maxEpisodeSteps: number;

  /** gym's `self.state`, in gym's order, float64. */
  protected readonly state: Float64Array;
  private rng: Rng;
  private elapsedSteps = 0;
  private episodeRunning = false;
  private closed = false;

  protected constructor(
    private readonly spec: ClassicControlSpec,
    options: EnvOptions,
  ) {
    const checked = checkEnvOptions(spec, options);
    this.id = spec.id;
    this.observationSize = spec.observationSize;
    this.actionSpace = spec.actionSpace;
    this.maxEpisodeSteps = checked.maxEpisodeSteps;
    this.rng = new Rng(checked.seed);
    this.state = new Float64Array(spec.stateLayout.positions.length + spec.stateLayout.velocities.length);
  }

  /** gym's `reset`: draws the start state from `rng` into `state`. */
  protected abstract drawStartState(rng: Rng, state: Float64Array): void;
  /** gym's `step` without its bookkeeping: moves `state` on under action `index`. */
  protected abstract advance(state: Float64Array, index: number): void;
  /** gym's observation of `state`, rounded to float32 as gym returns it. */
  protected abstract observe(state: Float64Array, out: Float32Array): void;
  protected abstract isTerminated(state: Float64Array): boolean;
  protected abstract reward(terminated: boolean): number;

  reset(seed?: number): Float32Array {
    this.assertOpen('reset');
    if (seed !== undefined) this.rng = new Rng(checkedSeed(seed));
    this.drawStartState(this.rng, this.state);
    this.elapsedSteps = 0;
    this.episodeRunning = true;
    return this.observation();
  }

  step(action: ArrayLike<number>): StepResult {
    this.assertOpen('step');
    if (!this.episodeRunning) {
      throw new EnvError(`${this.id}: step() needs a running episode; call reset() first (also after an episode ends)`);
    }
    checkAction(this.actionSpace, action, this.id);
    this.advance(this.state, action[0]!);
    this.elapsedSteps++;
    const terminated = this.isTerminated(this.state);
    const truncated = this.elapsedSteps >= this.maxEpisodeSteps;
    if (terminated || truncated) this.episodeRunning = false;
    return { observation: this.observation(), reward: this.reward(terminated), terminated, truncated };
  }

  physicsState(): PhysicsState {
    this.assertOpen('physicsState');
    const { positions, velocities } = this.spec.stateLayout;
    return {
      qpos: Float64Array.from(positions, (i) => this.state[i]!),
      qvel: Float64Array.from(velocities, (i) => this.state[i]!),
    };
  }

  setPhysicsState(state: PhysicsState): Float32Array {
    this.assertOpen('setPhysicsState');
    const { positions, velocities } = this.spec.stateLayout;
    checkVector(`${this.id}: qpos`, state?.qpos, positions.length);
    checkVector(`${this.id}: qvel`, state.qvel, velocities.length);
    positions.forEach((at, i) => (this.state[at] = state.qpos[i]!));
    velocities.forEach((at, i) => (this.state[at] = state.qvel[i]!));
    return this.observation();
  }

  snapshot(): EnvSnapshot {
    this.assertOpen('snapshot');
    return {
      physics: Array.from(this.state),
      rng: this.rng.getState(),
      elapsedSteps: this.elapsedSteps,
      episodeRunning: this.episodeRunning,
    };
  }

  restore(snapshot: EnvSnapshot): Float32Array {
    this.assertOpen('restore');
    if (!Array.isArray(snapshot?.physics) || snapshot.physics.length !== this.state.length) {
      throw new EnvError(
        `${this.id}: a snapshot of this environment has ${this.state.length} state values, got ${snapshot?.physics?.length}; it was taken from another environment`,
      );
    }
    checkVector(`${this.id}: snapshot state`, snapshot.physics, this.state.length);
    this.state.set(snapshot.physics);
    this.rng = Rng.fromState(snapshot.rng);
    this.elapsedSteps = snapshot.elapsedSteps;
    this.episodeRunning = snapshot.episodeRunning;
    return this.observation();
  }

  close(): void {
    this.closed = true;
    this.episodeRunning = false;
  }

  private observation(): Float32Array {
    const out = new Float32Array(this.observationSize);
    this.observe(this.state, out);
    return out;
  }

  private assertOpen(method: string): void {
    if (this.closed) throw new EnvError(`${this.id}: ${method}() called after close()`);
  }
}
