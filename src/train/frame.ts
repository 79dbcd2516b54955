/**
 * What every training loop does the same way, whatever feeds it (an environment, a
 * dataset, model rollouts): the session (backend, workers, progress, log, Ctrl-C and
 * the stop signals), the learner built fresh or from the checkpoint being resumed (the
 * run directory's own latest, so a requeued job continues in place; else
 * `checkpoint.resume_from`), metrics averaged over an epoch and written at its end
 * with the evaluation, checkpoints holding every part a loop registers, and the final
 * summary with the scores under each protocol.
 *
 * A loop keeps only its own steps: it registers what it must save (`keep`), counts
 * its steps (`step`), hands over each update's measurements (`record`), closes epochs
 * (`endEpoch`), and calls `tick` after every step, where a Ctrl-C becomes a checkpoint.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConfigView } from '../config/access.js';
import { toYaml } from '../config/run-dir.js';
import type { Learner, LearnerMetrics, LearnerSizes } from '../algos/learner.js';
import type { LoopKind } from '../algos/learner-table.js';
import { requireActionSpace } from '../envs/action-space.js';
import type { RegisteredEnvSpec } from '../envs/registry.js';
import type { Env } from '../envs/types.js';
import { CheckpointError } from '../errors.js';
import type { Json } from '../nn/state.js';
import { Rng } from '../util/rng.js';
import { readAlgoChoice, type AlgoChoice } from './algo-choice.js';
import { bestCheckpoint, checkpointName, listCheckpoints, readCheckpoint, type Checkpoint, type NamedArray } from './checkpoint.js';
import { EpisodeRecorder, RECORDING_SUFFIX, writeRecording } from './episode-recording.js';
import { evaluatePolicy, type EvaluationResult } from './evaluate.js';
import { fileSinks, MetricsLog, type MetricRow } from './metrics.js';
import { readGymEnvOptions, readRunOptions, type RunOptions } from './options.js';
import { formatDuration, formatNumber, type BarInfo, type ProgressBar } from './progress.js';
import { protocolsJson, scoreProtocols, type EvaluationRecord, type ScoreProtocols } from './score-protocols.js';
import { moduleState, modulePart, savedPart, type SavedPart } from './state-arrays.js';
import { describeRecord, envSourceFromConfig, sameEnv, type EnvRecord, type EnvSource } from './env-source.js';
import { CheckpointSaver, interruptedAt, openSession, yieldToEventLoop, type Session, type TrainHooks } from './session.js';

export interface TrainContext {
  config: ConfigView;
  runDir: string;
  /** The environment, when given in code (the library's train({ env })); else the config's `env`. */
  env?: EnvSource;
}

export interface TrainResult {
  steps: number;
  epochs: number;
  finalEvaluation: EvaluationResult | null;
  scores: ScoreProtocols | null;
  checkpoint: string;
}

/** The frame's own state, saved in every checkpoint. */
interface FrameState {
  step: number;
  epoch: number;
  /** Training seconds before this process: a resumed run's clock continues. */
  seconds: number;
  /** Sums and counts of the finite learner measurements since the epoch began. */
  sums: Record<string, number>;
  counts: Record<string, number>;
  evaluations: EvaluationRecord[];
  [key: string]: Json;
}

/** How often, at most, the loop lets signal handlers and the progress display run. */
const YIELD_MS = 100;

export class TrainingFrame {
  private readonly parts = new Map<string, () => SavedPart>();
  private readonly disposables: { dispose(): void }[] = [];
  private readonly openedAt = performance.now();
  private readonly saver: CheckpointSaver;
  private bar: ProgressBar | null = null;
  private totalSteps = Infinity;
  private totalEpochs: number | null = null;
  private lastRead: LearnerMetrics = {};
  private lastEvaluation: EvaluationResult | null = null;
  private lastYield = performance.now();
  private epochStartedAt = performance.now();
  private epochStartStep: number;
  /** Wall seconds of this epoch spent in each part the loop times (`timed`). */
  private epochParts: Record<string, number> = {};
  /** Where this process's main phase began, for the ETA in epoch lines. */
  private progressStartedAt = performance.now();
  private progressStartStep = 0;

  private constructor(
    readonly context: TrainContext,
    readonly run: RunOptions,
    readonly algo: AlgoChoice,
    readonly env: EnvSource,
    readonly maxEpisodeSteps: number,
    readonly session: Session,
    readonly resume: Checkpoint | null,
    readonly learner: Learner,
    readonly metrics: MetricsLog,
    private readonly evalEnv: Env,
    private readonly hooks: TrainHooks,
    private readonly state: FrameState,
  ) {
    this.saver = new CheckpointSaver(context.runDir, { last: run.checkpoint.keepLast, best: run.checkpoint.keepBest }, context.config.root, session.log);
    this.epochStartStep = state.step;
    this.keep('learner', () => modulePart(learner.getState()));
    this.disposables.push(learner, { dispose: () => evalEnv.close() }, { dispose: () => metrics.close() });
  }

  static async open(context: TrainContext, hooks: TrainHooks, loop: LoopKind): Promise<TrainingFrame> {
    const { config, runDir } = context;
    const run = readRunOptions(config);
    const algo = readAlgoChoice(config);
    if (algo.loop !== loop) throw new Error(`The ${loop} loop was handed algo.loop=${algo.loop}`);
    const envOptions = readGymEnvOptions(config);
    const env = context.env ?? (await envSourceFromConfig(config));
    const spec = env.spec;
    requireActionSpace(algo.name, algo.learner.actionKinds, spec);
    const maxEpisodeSteps = envOptions.maxEpisodeSteps ?? spec.maxEpisodeSteps;
    const ownCheckpoint = latestCheckpoint(runDir);
    const resumeFrom = ownCheckpoint ?? run.checkpoint.resumeFrom;
    const resume = resumeFrom ? readCheckpoint(resumeFrom) : null;
    if (resume) checkResumable(resume, algo.name, env, envOptions.id ?? spec.id);

    const session = await openSession(runDir, run, hooks.interrupt, hooks.progress);
    const opened: { dispose(): void }[] = [];
    try {
      const sizes: LearnerSizes = { observationSize: spec.observationSize, actionSize: spec.actionSize, actionSpace: spec.actionSpace };
      const saved = resume ? savedPart(resume, 'learner') : null;
      const learner = saved
        ? await algo.learner.fromState(moduleState(resume!, saved), algo.settings)
        : await algo.learner.create({ ...algo.settings, ...sizes, seed: run.seed });
      opened.push(learner);
      learner.distribute(session.threads);
      // Only MOPO_ONNXRUNTIME=cpu moves the updates' gradients (ONNX Runtime's numbers, not the WASM kernels').
      if (session.backend.onnxInference && learner.trainWithOnnxRuntime && process.env.MOPO_ONNXRUNTIME === 'cpu') {
        const training = await learner.trainWithOnnxRuntime(1 + session.threads.length);
        session.log(training.route ? `Learner updates' gradients: ${training.route}` : `Learner updates stay on ${session.backend.description}: ${training.reason}`);
      }
      const evalEnv = await env.make({ seed: run.eval.seed, maxEpisodeSteps });
      opened.push({ dispose: () => evalEnv.close() });
      // Resumed in place, the run keeps its earlier TensorBoard file (config text and rows up
      // to the checkpoint) and adds one from the first step the checkpoint does not hold.
      const sinks = ownCheckpoint ? fileSinks(runDir, undefined, { startStep: resume!.manifest.step + 1 }) : fileSinks(runDir, toYaml(config.root));
      const metrics = new MetricsLog(sinks, resume ? MetricsLog.fromFiles(resume.files) : {});
      const state = (resume ? savedPart(resume, 'frame')?.meta : null) as FrameState | null;
      const omitted = resume ? describeOmitted(resume) : null;
      if (omitted) session.log(omitted);
      if (ownCheckpoint) session.log(`This run directory holds checkpoints: continuing from the latest, ${ownCheckpoint}`);
      session.log(`Environment: ${env.description} (obs ${sizes.observationSize}, act ${sizes.actionSize}, ${maxEpisodeSteps} steps per episode); learner: ${algo.learner.name} (algo=${algo.name})`);
      return new TrainingFrame(context, run, algo, env, maxEpisodeSteps, session, resume, learner, metrics, evalEnv, hooks, state ?? freshState());
    } catch (error) {
      for (const d of opened.reverse()) d.dispose();
      session.close();
      throw error;
    }
  }

  get step(): number {
    return this.state.step;
  }

  get epoch(): number {
    return this.state.epoch;
  }

  get spec(): RegisteredEnvSpec {
    return this.env.spec;
  }

  get sizes(): LearnerSizes {
    return { observationSize: this.spec.observationSize, actionSize: this.spec.actionSize, actionSpace: this.spec.actionSpace };
  }

  log(line: string): void {
    this.session.log(line);
  }

  /** Disposed (or closed) in reverse order when the frame closes. */
  own<T extends { dispose(): void } | { close(): void }>(resource: T): T {
    this.disposables.push('dispose' in resource ? resource : { dispose: () => resource.close() });
    return resource;
  }

  /** Registers a part every checkpoint saves; `save` runs at each checkpoint. */
  keep(name: string, save: () => SavedPart): void {
    this.parts.set(name, save);
  }

  /** The part `name` of the checkpoint being resumed, or null on a fresh run (or when that checkpoint left it out). */
  saved(name: string): { meta: Json; arrays: Record<string, NamedArray> } | null {
    const part = this.resume ? savedPart(this.resume, name) : null;
    return part && !isOmitted(part.meta) ? part : null;
  }

  /** Counts one step of the loop (an environment step online, a gradient step offline). */
  countStep(): void {
    this.state.step += 1;
  }

  /** Adds one update's measurements to the epoch's averages (null: the update was not read back). */
  record(measured: LearnerMetrics | null): void {
    if (!measured) return;
    for (const [key, value] of Object.entries(measured)) {
      if (!Number.isFinite(value)) continue;
      this.state.sums[key] = (this.state.sums[key] ?? 0) + value;
      this.state.counts[key] = (this.state.counts[key] ?? 0) + 1;
    }
    this.lastRead = measured;
  }

  /** Starts the progress display of the loop's main phase. */
  startProgress(label: string, totalSteps: number, totalEpochs: number | null): void {
    this.totalSteps = totalSteps;
    this.totalEpochs = totalEpochs;
    this.bar = this.session.progress.bar(label, totalSteps, { unit: 'steps', speed: true }, this.state.step);
    this.bar.update(this.state.step, this.barInfo());
    this.progressStartedAt = performance.now();
    this.progressStartStep = this.state.step;
    this.updateSchedules();
    this.epochStartedAt = performance.now();
    this.epochStartStep = this.state.step;
    this.epochParts = {};
  }

  /**
   * Runs `work` and adds its wall time to this epoch's `perf/<part>_s` column: where an
   * epoch's time goes (model rollouts, updates, evaluation), next to perf/steps_per_s.
   */
  timed<T>(part: string, work: () => T): T {
    const started = performance.now();
    try {
      return work();
    } finally {
      this.epochParts[part] = (this.epochParts[part] ?? 0) + (performance.now() - started) / 1000;
    }
  }

  /**
   * Ends an epoch: evaluates the policy when asked, writes the metrics row (the loop's
   * `values`, the learner's averages, the evaluation, timing), logs it, and saves a
   * checkpoint when one is due.
   */
  endEpoch(values: MetricRow, options: { evaluate: boolean; final: boolean }): EvaluationResult | null {
    this.state.epoch += 1;
    const evaluation = options.evaluate ? this.timed('eval', () => this.evaluate()) : null;
    const seconds = (performance.now() - this.epochStartedAt) / 1000;
    const parts = Object.fromEntries(Object.entries(this.epochParts).map(([part, partSeconds]) => [`perf/${part}_s`, partSeconds]));
    const row: MetricRow = {
      epoch: this.state.epoch,
      step: this.state.step,
      time_s: this.seconds(),
      wall_time: Date.now() / 1000,
      ...values,
      ...this.learnerAverages(),
      ...(evaluation ? evaluationColumns(evaluation) : {}),
      'perf/steps_per_s': (this.state.step - this.epochStartStep) / seconds,
      'perf/epoch_s': seconds,
      ...parts,
    };
    this.metrics.append('metrics', row);
    this.hooks.onEpoch?.(row);
    if (this.state.epoch % this.run.metric.logEvery === 0 || options.final) this.log(`${describeEpoch(row, this.totalEpochs, this.totalSteps)} | ${this.timeLeft()}`);
    this.state.sums = {};
    this.state.counts = {};
    this.updateSchedules();
    if (this.run.checkpoint.every > 0 && this.state.epoch % this.run.checkpoint.every === 0) this.save();
    this.epochStartedAt = performance.now();
    this.epochStartStep = this.state.step;
    this.epochParts = {};
    return evaluation;
  }

  /**
   * After every step: the test hook, and now and then the progress display and the
   * event loop (signals). A Ctrl-C before the loop is `done` saves a checkpoint and
   * ends the run with an InterruptedError.
   */
  async tick(done = false): Promise<void> {
    this.hooks.afterStep?.(this.state.step, this.session.interrupt);
    const now = performance.now();
    if (now - this.lastYield >= YIELD_MS) {
      this.lastYield = now;
      this.bar?.update(this.state.step, this.barInfo());
      await yieldToEventLoop();
    }
    if (this.session.interrupt.requested && !done && this.state.step < this.totalSteps) this.stop(`at step ${this.state.step}`);
  }

  /** Saves a checkpoint and ends the run as interrupted `where`, with the exit code of the signal that stopped it. */
  stop(where: string): never {
    this.session.progress.stop();
    throw interruptedAt(where, this.save(), this.session.interrupt.exitCode);
  }

  /** Writes a checkpoint of every registered part; returns its directory. */
  save(): string {
    const meta: Record<string, Json> = { frame: structuredClone(this.state) };
    const arrays: Record<string, NamedArray> = {};
    for (const [name, save] of this.parts) {
      if (OPTIONAL_PARTS[name] && !this.run.checkpoint[OPTIONAL_PARTS[name].option]) {
        meta[name] = { omitted: OPTIONAL_PARTS[name].key };
        continue;
      }
      const part = save();
      meta[name] = part.meta;
      for (const [key, array] of Object.entries(part.arrays ?? {})) arrays[`${name}/${key}`] = array;
    }
    return this.saver.save(
      {
        algo: this.algo.name,
        learner: this.algo.learner.name,
        envId: this.spec.id,
        env: this.env.record as unknown as Json,
        observationSize: this.spec.observationSize,
        actionSize: this.spec.actionSize,
        step: this.state.step,
        epoch: this.state.epoch,
        seed: this.run.seed,
        backend: this.session.backend.name,
        state: meta,
        evaluation: this.evaluationAtThisStep(),
      },
      arrays,
      this.metrics.toFiles(),
    );
  }

  /** The end of training: a last checkpoint, the scores under each protocol in `summary.json` and the log. */
  finish(): TrainResult {
    this.bar?.update(this.state.step, this.barInfo());
    this.bar?.stop();
    this.session.progress.stop();
    const checkpoint = this.save();
    const scores = this.state.evaluations.length > 0 ? scoreProtocols(this.state.evaluations) : null;
    const summary = {
      algo: this.algo.name,
      learner: this.algo.learner.name,
      env_id: this.spec.id,
      seed: this.run.seed,
      steps: this.state.step,
      epochs: this.state.epoch,
      wall_time_s: this.seconds(),
      checkpoint,
      ...(this.run.checkpoint.keepBest ? { best_checkpoint: bestCheckpoint(this.saver.dir) } : {}),
      scores: scores ? protocolsJson(scores) : null,
    };
    writeFileSync(path.join(this.context.runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    if (this.lastEvaluation) this.log(describeFinal(this.state, this.lastEvaluation, scores));
    return { steps: this.state.step, epochs: this.state.epoch, finalEvaluation: this.lastEvaluation, scores, checkpoint };
  }

  /** Disposes what the frame and the loop own, then the session (the learners may live partly in its workers). */
  close(): void {
    for (const d of this.disposables.reverse()) d.dispose();
    this.session.close();
  }

  /** Training seconds so far, across resumes. */
  seconds(): number {
    return this.state.seconds + (performance.now() - this.openedAt) / 1000;
  }

  /** The evaluation of the epoch that ended at this step, if it had one. */
  private evaluationAtThisStep(): { returnMean: number; normalizedScore: number | null } | null {
    const last = this.state.evaluations.at(-1);
    return last && last.step === this.state.step ? { returnMean: last.returnMean, normalizedScore: last.normalizedScore } : null;
  }

  /** Learning-rate schedules move once per epoch (as PyTorch's schedulers stepped per epoch). */
  private updateSchedules(): void {
    const progress = this.totalEpochs !== null ? this.state.epoch / this.totalEpochs : this.state.step / this.totalSteps;
    this.learner.setTrainingProgress?.(progress);
  }

  private evaluate(): EvaluationResult {
    const rng = new Rng(this.run.eval.seed, 31);
    const recordCount = Math.min(this.run.eval.record, this.run.eval.episodes);
    const recorder = recordCount > 0 ? new EpisodeRecorder(recordCount) : undefined;
    const evaluation = evaluatePolicy(this.evalEnv, (observation) => this.learner.act(observation, this.run.eval.deterministic, rng), {
      episodes: this.run.eval.episodes,
      seed: this.run.eval.seed,
      scoreId: readGymEnvOptions(this.context.config).id ?? this.spec.id,
      ...(recorder ? { observer: recorder } : {}),
    });
    // eval.record=N keeps the first N episodes of every evaluation for mopo-view <run dir>.
    const recording = recorder?.recording({ algo: this.algo.name, step: this.state.step, epoch: this.state.epoch + 1, deterministic: this.run.eval.deterministic });
    if (recording) writeRecording(path.join(this.context.runDir, 'recordings', `${checkpointName(this.state.step)}${RECORDING_SUFFIX}`), recording);
    this.state.evaluations.push({
      epoch: this.state.epoch,
      step: this.state.step,
      returnMean: evaluation.returnMean,
      returnStd: evaluation.returnStd,
      normalizedScore: evaluation.normalizedMean,
    });
    this.lastEvaluation = evaluation;
    return evaluation;
  }

  private learnerAverages(): MetricRow {
    const row: MetricRow = {};
    for (const [key, sum] of Object.entries(this.state.sums)) row[`learner/${snakeCase(key)}`] = sum / this.state.counts[key]!;
    return row;
  }

  /** The values on the bar after its count, times and speed; absent ones (no evaluation yet) are left out. */
  private barInfo(): BarInfo {
    return {
      epoch: this.totalEpochs === null ? null : `${Math.min(this.state.epoch + 1, this.totalEpochs)}/${this.totalEpochs}`,
      critic: this.lastRead.criticLoss,
      'eval return': this.lastEvaluation?.returnMean,
    };
  }

  /** `0:42 elapsed, ETA 1:10` for the epoch lines, at the average speed of this process's main phase. */
  private timeLeft(): string {
    const seconds = (performance.now() - this.progressStartedAt) / 1000;
    const done = this.state.step - this.progressStartStep;
    const left = Number.isFinite(this.totalSteps) && done > 0 && this.state.step < this.totalSteps ? ((this.totalSteps - this.state.step) * seconds) / done : null;
    return `${formatDuration(this.seconds())} elapsed${left === null ? '' : `, ETA ${formatDuration(left)}`}`;
  }
}

/** Parts a checkpoint may leave out to stay small, and the option that says so. */
const OPTIONAL_PARTS: Record<string, { option: 'modelBuffer'; key: string }> = {
  model_buffer: { option: 'modelBuffer', key: 'checkpoint.model_buffer=false' },
};

function isOmitted(meta: Json): boolean {
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta) && 'omitted' in meta;
}

/** What a resumed run cannot restore exactly because its checkpoint left it out. */
function describeOmitted(checkpoint: Checkpoint): string | null {
  const state = (checkpoint.manifest.state ?? {}) as Record<string, Json>;
  const omitted = Object.entries(state).filter(([, meta]) => isOmitted(meta));
  if (omitted.length === 0) return null;
  const names = omitted.map(([name, meta]) => `${name} (${(meta as { omitted: string }).omitted})`).join(', ');
  return `Checkpoint ${checkpoint.dir} was saved without its ${names}: the run refills it and continues, but not bit-identically with a run that was never stopped.`;
}

/**
 * The newest complete checkpoint in the run directory, if any: a job requeued by SLURM,
 * or a sweep run again, continues where it stopped (before `checkpoint.resume_from`,
 * which only says where a fresh run starts).
 */
function latestCheckpoint(runDir: string): string | null {
  return listCheckpoints(path.join(runDir, 'checkpoints')).at(-1) ?? null;
}

function freshState(): FrameState {
  return { step: 0, epoch: 0, seconds: 0, sums: {}, counts: {}, evaluations: [] };
}

function checkResumable(checkpoint: Checkpoint, algo: string, env: EnvSource, requestedEnv: string): void {
  const { manifest } = checkpoint;
  if (manifest.algo !== algo) throw new CheckpointError(`Checkpoint ${checkpoint.dir} was written by ${manifest.algo}; it cannot be resumed with algo=${algo}.`);
  if (manifest.envId !== env.spec.id) throw new CheckpointError(`Checkpoint ${checkpoint.dir} was trained on ${manifest.envId}, but env.id=${requestedEnv} is ${env.spec.id}.`);
  const recorded = manifest.env as EnvRecord | undefined;
  if (recorded && !sameEnv(recorded, env.record)) throw new CheckpointError(`Checkpoint ${checkpoint.dir} was trained in ${describeRecord(recorded)}; this run's env is ${describeRecord(env.record)}.`);
  if (!(manifest.state as { frame?: unknown } | null)?.frame) {
    throw new CheckpointError(`Checkpoint ${checkpoint.dir} was written by mopo ${manifest.mopoVersion}, whose runs this version cannot resume (its policy still loads for mopo-eval and mopo-collect).`);
  }
}

function evaluationColumns(evaluation: EvaluationResult): MetricRow {
  return {
    'eval/return_mean': evaluation.returnMean,
    'eval/return_std': evaluation.returnStd,
    'eval/length_mean': evaluation.lengthMean,
    'eval/normalized_score': evaluation.normalizedMean,
  };
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The columns a person reads first, in this order, with their short labels. */
const EPOCH_LINE: readonly [column: string, label: string][] = [
  ['train/episodes', 'episodes'],
  ['train/return_mean', 'train return'],
  ['learner/critic_loss', 'critic'],
  ['learner/actor_loss', 'actor'],
  ['learner/alpha', 'α'],
  ['learner/epsilon', 'ε'],
  ['learner/q_mean', 'Q'],
  ['rollout/reward_mean', 'rollout r'],
  ['rollout/penalty_mean', 'u'],
];

function describeEpoch(row: MetricRow, totalEpochs: number | null, totalSteps: number): string {
  const n = (key: string) => (typeof row[key] === 'number' ? formatNumber(row[key] as number) : '–');
  const parts = [`epoch ${row.epoch}${totalEpochs !== null ? `/${totalEpochs}` : ''} step ${row.step}${Number.isFinite(totalSteps) ? `/${totalSteps}` : ''}`];
  for (const [column, label] of EPOCH_LINE) if (column in row) parts.push(`${label} ${n(column)}`);
  // Only D4RL's tasks have a normalised score (the classic-control envs report null).
  if ('eval/return_mean' in row) parts.push(`eval return ${n('eval/return_mean')}${typeof row['eval/normalized_score'] === 'number' ? ` (score ${n('eval/normalized_score')})` : ''}`);
  parts.push(`${n('perf/steps_per_s')} steps/s`);
  return parts.join(' | ');
}

function describeFinal(state: FrameState, evaluation: EvaluationResult, scores: ScoreProtocols | null): string {
  const score = evaluation.normalizedMean === null ? '' : `, normalised score ${formatNumber(evaluation.normalizedMean)}`;
  const lines = [
    `Done: ${state.step} steps, ${state.epoch} epoch${state.epoch === 1 ? '' : 's'}. Final evaluation over ${evaluation.episodes} episode${evaluation.episodes === 1 ? '' : 's'}: return ${formatNumber(evaluation.returnMean)} ± ${formatNumber(evaluation.returnStd)}${score}`,
  ];
  if (scores) lines.push(...describeProtocols(scores));
  return lines.join('\n');
}

function describeProtocols(scores: ScoreProtocols): string[] {
  const show = (label: string, p: { returnMean: number; normalizedScore: number | null; evaluations: number }) =>
    `  ${label}: return ${formatNumber(p.returnMean)}${p.normalizedScore === null ? '' : `, score ${formatNumber(p.normalizedScore)}`} (${p.evaluations} evaluation${p.evaluations === 1 ? '' : 's'})`;
  return [
    'Scores by protocol (summary.json):',
    show('last', scores.last),
    show(`mean of last ${scores.meanLast10.evaluations} (OfflineRL-Kit)`, scores.meanLast10),
    show('best (optimistic: picks a checkpoint by its test score)', scores.best),
  ];
}
