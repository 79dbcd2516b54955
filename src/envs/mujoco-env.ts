/**
 * One environment instance: an `EnvSpec`'s rules played on a MuJoCo model. It owns
 * a WASM model and data pair, so `close()` must be called to free them.
 */
import type { MjData, MjModel } from '@mujoco/mujoco';
import { EnvError } from '../errors.js';
import { Rng } from '../util/rng.js';
import type { EnvSpec, ResetNoise } from './env-spec.js';
import { loadMujoco, type Mujoco } from './mujoco-runtime.js';
import type { Env, EnvSnapshot, PhysicsState, StepResult } from './types.js';

export interface MujocoEnvOptions {
  /** Seed of the reset-noise generator until `reset(seed)` gives another. Default 0. */
  seed?: number;
  /** Overrides the spec's time limit (e.g. short episodes in tests). */
  maxEpisodeSteps?: number;
}

/** Live Float64Array views into WASM memory; they go stale (length 0) when memory grows. */
interface PhysicsViews {
  qpos: Float64Array;
  qvel: Float64Array;
  ctrl: Float64Array;
}

export class MujocoEnv implements Env {
  readonly id: string;
  readonly observationSize: number;
  readonly actionSize: number;
  readonly maxEpisodeSteps: number;
  /** Seconds of simulated time per env step. */
  readonly dt: number;

  private readonly initialQpos: Float64Array;
  private readonly initialQvel: Float64Array;
  private readonly clippedAction: Float64Array;
  private views: PhysicsViews;
  private rng: Rng;
  private elapsedSteps = 0;
  private episodeRunning = false;
  private closed = false;

  static async create(spec: EnvSpec, options: MujocoEnvOptions = {}): Promise<MujocoEnv> {
    checkedSeed(options.seed ?? 0);
    const limit = options.maxEpisodeSteps;
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
      throw new EnvError(`${spec.id}: maxEpisodeSteps must be a positive integer, got ${String(limit)}`);
    }
    const mj = await loadMujoco();
    let model: MjModel;
    try {
      model = mj.MjModel.from_xml_string(spec.modelXml);
    } catch (error) {
      throw new EnvError(`${spec.id}: MuJoCo rejected the model XML: ${describeError(mj, error)}`, { cause: error });
    }
    if (model.nu !== spec.actionSize) {
      const actuators = model.nu;
      model.delete();
      throw new EnvError(`${spec.id}: the model has ${actuators} actuators but the spec declares ${spec.actionSize} actions`);
    }
    let data: MjData;
    try {
      data = new mj.MjData(model);
    } catch (error) {
      model.delete();
      throw new EnvError(`${spec.id}: MuJoCo could not allocate the simulation data: ${describeError(mj, error)}`, {
        cause: error,
      });
    }
    return new MujocoEnv(mj, model, data, spec, options);
  }

  private constructor(
    private readonly mj: Mujoco,
    private readonly model: MjModel,
    private readonly data: MjData,
    private readonly spec: EnvSpec,
    options: MujocoEnvOptions,
  ) {
    this.id = spec.id;
    this.observationSize = spec.observationSize;
    this.actionSize = spec.actionSize;
    this.maxEpisodeSteps = options.maxEpisodeSteps ?? spec.maxEpisodeSteps;
    this.dt = model.opt.timestep * spec.frameSkip;
    this.rng = new Rng(options.seed ?? 0);
    this.views = this.readViews();
    this.initialQpos = Float64Array.from(model.qpos0 as Float64Array);
    this.initialQvel = new Float64Array(model.nv);
    this.clippedAction = new Float64Array(spec.actionSize);
  }

  reset(seed?: number): Float32Array {
    this.assertOpen('reset');
    if (seed !== undefined) this.rng = new Rng(checkedSeed(seed));
    this.mj.mj_resetData(this.model, this.data);
    const { qpos, qvel } = this.physics();
    // gym draws all position noise first, then all velocity noise.
    for (let i = 0; i < qpos.length; i++) qpos[i] = this.initialQpos[i]! + this.noise(this.spec.resetNoise.qpos);
    for (let i = 0; i < qvel.length; i++) qvel[i] = this.initialQvel[i]! + this.noise(this.spec.resetNoise.qvel);
    this.mj.mj_forward(this.model, this.data);
    this.elapsedSteps = 0;
    this.episodeRunning = true;
    return this.observation();
  }

  step(action: ArrayLike<number>): StepResult {
    this.assertOpen('step');
    if (!this.episodeRunning) {
      throw new EnvError(`${this.id}: step() needs a running episode; call reset() first (also after an episode ends)`);
    }
    this.applyAction(action);
    const xBefore = this.physics().qpos[0]!;
    for (let i = 0; i < this.spec.frameSkip; i++) this.mj.mj_step(this.model, this.data);
    const { qpos, qvel } = this.physics();
    const xVelocity = (qpos[0]! - xBefore) / this.dt;

    this.elapsedSteps++;
    const terminated = this.spec.isTerminated(qpos, qvel);
    const truncated = this.elapsedSteps >= this.maxEpisodeSteps;
    if (terminated || truncated) this.episodeRunning = false;
    return {
      observation: this.observation(),
      reward: this.spec.reward(xVelocity, this.clippedAction),
      terminated,
      truncated,
    };
  }

  physicsState(): PhysicsState {
    this.assertOpen('physicsState');
    const { qpos, qvel } = this.physics();
    return { qpos: Float64Array.from(qpos), qvel: Float64Array.from(qvel) };
  }

  snapshot(): EnvSnapshot {
    this.assertOpen('snapshot');
    const what = this.mj.mjtState.mjSTATE_INTEGRATION.value;
    const buffer = new this.mj.DoubleBuffer(this.mj.mj_stateSize(this.model, what));
    try {
      this.mj.mj_getState(this.model, this.data, buffer, what);
      return { physics: Array.from(buffer.GetView() as Float64Array), rng: this.rng.getState(), elapsedSteps: this.elapsedSteps, episodeRunning: this.episodeRunning };
    } finally {
      buffer.delete();
    }
  }

  restore(snapshot: EnvSnapshot): Float32Array {
    this.assertOpen('restore');
    const what = this.mj.mjtState.mjSTATE_INTEGRATION.value;
    const size = this.mj.mj_stateSize(this.model, what);
    if (!Array.isArray(snapshot.physics) || snapshot.physics.length !== size) {
      throw new EnvError(`${this.id}: a snapshot of this environment has ${size} physics values, got ${snapshot.physics?.length}; it was taken from another environment`);
    }
    // No mj_forward here: it would overwrite the restored solver warm start, and the
    // next mj_step recomputes everything it needs from the restored state.
    this.mj.mj_setState(this.model, this.data, snapshot.physics, what);
    this.rng = Rng.fromState(snapshot.rng);
    this.elapsedSteps = snapshot.elapsedSteps;
    this.episodeRunning = snapshot.episodeRunning;
    return this.observation();
  }

  /**
   * Puts the simulator in a given state (gym's `set_state`) and returns its observation.
   * The episode's step count is untouched.
   */
  setPhysicsState(state: PhysicsState): Float32Array {
    this.assertOpen('setPhysicsState');
    const { qpos, qvel } = this.physics();
    checkVector(`${this.id}: qpos`, state.qpos, qpos.length);
    checkVector(`${this.id}: qvel`, state.qvel, qvel.length);
    qpos.set(state.qpos);
    qvel.set(state.qvel);
    this.mj.mj_forward(this.model, this.data);
    return this.observation();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.episodeRunning = false;
    this.data.delete();
    this.model.delete();
  }

  private applyAction(action: ArrayLike<number>): void {
    if (action === null || typeof action !== 'object' || typeof action.length !== 'number') {
      throw new EnvError(`${this.id}: an action must be an array of ${this.actionSize} numbers, got ${typeof action}`);
    }
    if (action.length !== this.actionSize) {
      throw new EnvError(`${this.id}: an action has ${this.actionSize} entries, got ${action.length}`);
    }
    const ctrl = this.physics().ctrl;
    for (let i = 0; i < this.actionSize; i++) {
      const value = action[i]!;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new EnvError(`${this.id}: action[${i}] must be a finite number, got ${String(value)}`);
      }
      const clipped = Math.min(1, Math.max(-1, value));
      this.clippedAction[i] = clipped;
      ctrl[i] = clipped;
    }
  }

  private observation(): Float32Array {
    const { qpos, qvel } = this.physics();
    const out = new Float32Array(this.observationSize);
    this.spec.observe(qpos, qvel, out);
    return out;
  }

  private noise({ distribution, scale }: ResetNoise): number {
    return distribution === 'uniform' ? this.rng.uniformIn(-scale, scale) : scale * this.rng.normal();
  }

  /** The cached views, re-read if WASM memory grew since (each embind read costs ~1 µs). */
  private physics(): PhysicsViews {
    if (this.views.qpos.length === 0) this.views = this.readViews();
    return this.views;
  }

  private readViews(): PhysicsViews {
    return {
      qpos: this.data.qpos as Float64Array,
      qvel: this.data.qvel as Float64Array,
      ctrl: this.data.ctrl as Float64Array,
    };
  }

  private assertOpen(method: string): void {
    if (this.closed) throw new EnvError(`${this.id}: ${method}() called after close()`);
  }
}

function checkedSeed(seed: number): number {
  if (!Number.isInteger(seed)) throw new EnvError(`An env seed must be an integer, got ${String(seed)}`);
  return seed;
}

function checkVector(name: string, values: ArrayLike<number>, expectedLength: number): void {
  if (values?.length !== expectedLength) {
    throw new EnvError(`${name} must have ${expectedLength} entries, got ${values?.length ?? typeof values}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new EnvError(`${name}[${i}] must be finite, got ${String(values[i])}`);
  }
}

function describeError(mj: Mujoco, error: unknown): string {
  // Embind throws C++ exceptions as raw pointers; ask the module for their message.
  if (typeof error === 'number') {
    const getMessage = (mj as unknown as { getExceptionMessage?: (e: number) => unknown }).getExceptionMessage;
    if (getMessage) return String(getMessage(error)).trim();
  }
  return (error instanceof Error ? error.message : String(error)).trim();
}
