/**
 * A user's own environment, made by their module (`env.wrapper._target_`), checked and
 * wrapped so that the rest of mopo sees the same `Env` as for the built-in tasks.
 *
 * What the module's object must have (names as in gym, types as in our `Env`):
 *   observationSize, actionSpace ({ kind: 'box', size } | { kind: 'discrete', n }) or
 *   actionSize (box), maxEpisodeSteps, reset(seed?), step(action) → { observation,
 *   reward, terminated, truncated }.
 * What it may have: id, close(), getDataset({ validationSplit, seed }) (its logged data,
 * for offline training), terminationFn(nextObservations, observationSize) (batched, for
 * model rollouts; without it a rollout never ends early), snapshot()/restore() (JSON; an
 * online run then resumes mid-episode exactly), physicsState()/setPhysicsState().
 *
 * A MuJoCo model of the user's comes as a spec object instead of an env (see
 * `isMujocoSpec`): mopo plays it on its own MuJoCo runtime.
 */
import { EnvError } from '../errors.js';
import type { Json } from '../nn/state.js';
import { Rng } from '../util/rng.js';
import { actionRowWidth, actionSpaceName, box, checkAction, type ActionSpace } from './action-space.js';
import type { MujocoEnvSpec } from './env-spec.js';
import { outputFor } from './termination.js';
import type { Env, EnvSnapshot, PhysicsState, StepResult, TerminationFn } from './types.js';

/** The object a user's module makes, as far as mopo uses it. */
export interface UserEnv {
  id?: string;
  observationSize: number;
  actionSpace?: ActionSpace;
  actionSize?: number;
  maxEpisodeSteps: number;
  reset(seed?: number): ArrayLike<number>;
  step(action: Float32Array): { observation: ArrayLike<number>; reward: number; terminated: boolean; truncated?: boolean };
  close?(): void;
  getDataset?(options: { validationSplit: number; seed: number }): unknown;
  terminationFn?: (nextObservations: Float32Array, observationSize: number) => ArrayLike<number>;
  snapshot?(): Json;
  restore?(snapshot: Json): ArrayLike<number>;
  physicsState?(): { qpos: ArrayLike<number>; qvel: ArrayLike<number> };
  setPhysicsState?(state: PhysicsState): ArrayLike<number>;
}

/** A user's MuJoCo task: our `MujocoEnvSpec` rules; the model XML may come from `env.model_xml`. */
export function isMujocoSpec(made: unknown): made is Omit<MujocoEnvSpec, 'modelXml' | 'd4rlName'> & { modelXml?: string } {
  const spec = made as Record<string, unknown> | null;
  return !!spec && typeof spec === 'object' && typeof spec.observe === 'function' && typeof spec.reward === 'function' && typeof spec.isTerminated === 'function';
}

/** Checks what `owner` (the module, for messages) made; returns it wrapped as an `Env`. */
export function wrapUserEnv(made: unknown, owner: string, options: { maxEpisodeSteps?: number } = {}): CustomEnv {
  if (!made || typeof made !== 'object') throw new EnvError(`${owner} made ${made === null ? 'null' : typeof made}, not an environment object.`);
  const env = made as Partial<UserEnv>;
  for (const method of ['reset', 'step'] as const) {
    if (typeof env[method] !== 'function') throw new EnvError(`${owner} makes an environment without ${method}(): it needs reset(seed) and step(action).`);
  }
  if (!Number.isInteger(env.observationSize) || env.observationSize! < 1) {
    throw new EnvError(`${owner}: observationSize must be a positive integer, got ${JSON.stringify(env.observationSize)}.`);
  }
  const actionSpace = env.actionSpace ?? (env.actionSize !== undefined ? box(env.actionSize) : undefined);
  if (!actionSpace || (actionSpace.kind !== 'box' && actionSpace.kind !== 'discrete')) {
    throw new EnvError(`${owner}: give actionSpace ({ kind: 'box', size } or { kind: 'discrete', n }) or actionSize.`);
  }
  if (!Number.isInteger(env.maxEpisodeSteps) || env.maxEpisodeSteps! < 1) {
    throw new EnvError(`${owner}: maxEpisodeSteps (the episode time limit) must be a positive integer, got ${JSON.stringify(env.maxEpisodeSteps)}.`);
  }
  if (env.terminationFn !== undefined && typeof env.terminationFn !== 'function') throw new EnvError(`${owner}: terminationFn must be a function (next observations → 0/1 per row).`);
  return new CustomEnv(env as UserEnv, owner, actionSpace, options.maxEpisodeSteps ?? env.maxEpisodeSteps!);
}

export class CustomEnv implements Env {
  readonly id: string;
  readonly observationSize: number;
  readonly actionSize: number;
  private elapsedSteps = 0;
  private episodeRunning = false;
  private readonly noSnapshots = new Rng(0).getState();

  constructor(
    readonly user: UserEnv,
    readonly owner: string,
    readonly actionSpace: ActionSpace,
    readonly maxEpisodeSteps: number,
  ) {
    this.id = typeof user.id === 'string' && user.id !== '' ? user.id : 'custom';
    this.observationSize = user.observationSize;
    this.actionSize = actionRowWidth(actionSpace);
  }

  /** The env's own batched end rule for rollouts, or one that never ends a row. */
  get terminationFn(): TerminationFn {
    const own = this.user.terminationFn?.bind(this.user);
    const owner = this.owner;
    return (nextObservations, observationSize, out) => {
      const rows = nextObservations.length / observationSize;
      const result = outputFor(out, rows);
      if (!own) return result.fill(0);
      const flags = own(nextObservations, observationSize);
      if (!flags || flags.length !== rows) throw new EnvError(`${owner}: terminationFn returned ${flags?.length ?? 'nothing'} flags for ${rows} rows.`);
      for (let r = 0; r < rows; r++) result[r] = flags[r] ? 1 : 0;
      return result;
    };
  }

  get hasTerminationFn(): boolean {
    return typeof this.user.terminationFn === 'function';
  }

  reset(seed?: number): Float32Array {
    this.elapsedSteps = 0;
    this.episodeRunning = true;
    return this.observation(this.user.reset(seed), 'reset()');
  }

  step(action: ArrayLike<number>): StepResult {
    if (!this.episodeRunning) throw new EnvError(`${this.id}: step() before reset(), or after the episode ended.`);
    checkAction(this.actionSpace, action, this.id);
    const row = Float32Array.from(action);
    if (this.actionSpace.kind === 'box') for (let i = 0; i < row.length; i++) row[i] = Math.min(1, Math.max(-1, row[i]!));
    const result = this.user.step(row);
    if (!result || typeof result.reward !== 'number') throw new EnvError(`${this.owner}: step() must return { observation, reward, terminated, truncated }.`);
    this.elapsedSteps += 1;
    const terminated = result.terminated === true;
    const truncated = !terminated && (result.truncated === true || this.elapsedSteps >= this.maxEpisodeSteps);
    if (terminated || truncated) this.episodeRunning = false;
    return { observation: this.observation(result.observation, 'step()'), reward: result.reward, terminated, truncated };
  }

  physicsState(): PhysicsState {
    const state = this.user.physicsState?.();
    return state ? { qpos: Float64Array.from(state.qpos), qvel: Float64Array.from(state.qvel) } : { qpos: new Float64Array(0), qvel: new Float64Array(0) };
  }

  setPhysicsState(state: PhysicsState): Float32Array {
    if (!this.user.setPhysicsState) throw new EnvError(`${this.owner} has no setPhysicsState(state).`);
    return this.observation(this.user.setPhysicsState(state), 'setPhysicsState()');
  }

  /** With the user's snapshot(), the exact state; without, only the step count (a resumed run starts a new episode). */
  snapshot(): EnvSnapshot {
    return {
      physics: [],
      rng: this.noSnapshots,
      elapsedSteps: this.elapsedSteps,
      episodeRunning: this.episodeRunning && !!this.user.snapshot,
      ...(this.user.snapshot ? { custom: this.user.snapshot() } : {}),
    };
  }

  restore(snapshot: EnvSnapshot): Float32Array {
    if (snapshot.custom === undefined || !this.user.restore) return this.reset();
    this.elapsedSteps = snapshot.elapsedSteps;
    this.episodeRunning = snapshot.episodeRunning;
    return this.observation(this.user.restore(snapshot.custom), 'restore()');
  }

  get canSnapshot(): boolean {
    return typeof this.user.snapshot === 'function' && typeof this.user.restore === 'function';
  }

  close(): void {
    this.user.close?.();
  }

  private observation(values: ArrayLike<number> | undefined, from: string): Float32Array {
    if (!values || values.length !== this.observationSize) {
      throw new EnvError(`${this.owner}: ${from} returned an observation of ${values?.length ?? 'no'} numbers; the env says observationSize ${this.observationSize}.`);
    }
    return Float32Array.from(values);
  }
}

export function describeUserEnv(env: CustomEnv): string {
  return `${env.id} from ${env.owner} (obs ${env.observationSize}, ${actionSpaceName(env.actionSpace)})`;
}
