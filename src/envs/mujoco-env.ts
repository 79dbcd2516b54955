/**
 * One environment instance: a `MujocoEnvSpec`'s rules played on a MuJoCo model. It
 * owns a WASM model and data pair, so `close()` must be called to free them.
 */
import type { MjData, MjModel } from '@mujoco/mujoco';
import { EnvError } from '../errors.js';
import { Rng } from '../util/rng.js';
import { checkAction, type BoxSpace } from './action-space.js';
import { checkEnvOptions, checkedSeed, checkVector } from './env-checks.js';
import type { MujocoEnvSpec, ResetNoise } from './env-spec.js';
import { loadMujoco, type Mujoco } from './mujoco-runtime.js';
import type { Env, EnvOptions, EnvSnapshot, PhysicsState, StepResult } from './types.js';

export type MujocoEnvOptions = EnvOptions;

/** Live Float64Array views into WASM memory; they go stale (length 0) when memory grows. */
interface PhysicsViews {
  qpos: Float64Array;
  qvel: Float64Array;
  ctrl: Float64Array;
}

export class MujocoEnv implements Env {
  readonly id: string;
  readonly observationSize: number;
  readonly actionSpace: BoxSpace;
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

  static async create(spec: MujocoEnvSpec, options: MujocoEnvOptions = {}): Promise<MujocoEnv> {
    const checked = checkEnvOptions(spec, options);
    const mj = await loadMujoco();
    let model: MjModel;
    try {
      model = mj.MjModel.from_xml_string(spec.modelXml);
    } catch (error) {
      throw new EnvError(`${spec.id}: MuJoCo rejected the model XML: ${describeError(mj, error)}`, { cause: error });
    }
    if (model.nu !== spec.actionSpace.size) {
      const actuators = model.nu;
      model.delete();
      throw new EnvError(`${spec.id}: the model has ${actuators} actuators but the spec declares ${spec.actionSpace.size} actions`);
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
    return new MujocoEnv(mj, model, data, spec, checked);
  }

  private constructor(
    private readonly mj: Mujoco,
    private readonly model: MjModel,
    private readonly data: MjData,
    private readonly spec: MujocoEnvSpec,
    options: { seed: number; maxEpisodeSteps: number },
  ) {
    this.id = spec.id;
    this.observationSize = spec.observationSize;
    this.actionSpace = spec.actionSpace;
    this.actionSize = spec.actionSpace.size;
    this.maxEpisodeSteps = options.maxEpisodeSteps;
    this.dt = model.opt.timestep * spec.frameSkip;
    this.rng = new Rng(options.seed);
    this.views = this.readViews();
    this.initialQpos = Float64Array.from(model.qpos0 as Float64Array);
    this.initialQvel = new Float64Array(model.nv);
    this.clippedAction = new Float64Array(this.actionSize);
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
    checkAction(this.actionSpace, action, this.id);
    const ctrl = this.physics().ctrl;
    for (let i = 0; i < this.actionSize; i++) {
      const clipped = Math.min(1, Math.max(-1, action[i]!));
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

function describeError(mj: Mujoco, error: unknown): string {
  // Embind throws C++ exceptions as raw pointers; ask the module for their message.
  if (typeof error === 'number') {
    const getMessage = (mj as unknown as { getExceptionMessage?: (e: number) => unknown }).getExceptionMessage;
    if (getMessage) return String(getMessage(error)).trim();
  }
  return (error instanceof Error ? error.message : String(error)).trim();
}
