/**
 * MOPO training, top to bottom:
 *   1. read the options, load the dataset and the environment;
 *   2. fit the dynamics ensemble (or take it from the checkpoint being resumed);
 *   3. `num_epochs` epochs of `total_steps / num_epochs` SAC updates on batches drawn
 *      `real_ratio` from the dataset and the rest from the model buffer, which a model
 *      rollout refreshes every `rollout_freq` steps;
 *   4. after each epoch: evaluation when due, a metrics row, a checkpoint when due.
 * Ctrl-C finishes the current step, saves a checkpoint and ends with exit code 130;
 * `checkpoint.resume_from` continues from any checkpoint exactly as if never stopped.
 */
import type { ConfigView } from '../config/access.js';
import { DynamicsEnsemble } from '../algos/mopo/dynamics-ensemble.js';
import { Sac } from '../algos/sac.js';
import { loadDataset } from '../data/load-dataset.js';
import type { OfflineDataset } from '../data/offline-dataset.js';
import { ReplayBuffer, allocateBatch, type ReplayBufferState, type TransitionBatch } from '../data/replay-buffer.js';
import { envIdFor, envSpecFor, makeEnv } from '../envs/registry.js';
import { CheckpointError, DatasetError } from '../errors.js';
import { Rng, type RngState } from '../util/rng.js';
import { readCheckpoint, type Checkpoint, type CheckpointInfo } from './checkpoint.js';
import { evaluatePolicy, type EvaluationResult } from './evaluate.js';
import { EVAL_METRIC_COLUMNS, LEARNER_METRIC_COLUMNS, MetricsLog, type MetricRow } from './metrics.js';
import { readEnvOptions, readMopoConfig, readRunOptions, type MopoConfig, type RunOptions } from './options.js';
import { formatNumber } from './progress.js';
import { rollout, type RolloutStats } from './rollout.js';
import { CheckpointSaver, describeFinal, interruptedAt, openSession, yieldToEventLoop, type Session, type TrainHooks, type TrainResult } from './session.js';
import { bufferArrays, bufferFrom, moduleStateFrom, prefixTensors } from './state-arrays.js';

export const MOPO_METRIC_COLUMNS = [
  'phase',
  'epoch',
  'step',
  'dynamics_train_loss',
  'dynamics_holdout_loss',
  'rollout_reward_mean',
  'rollout_penalty_mean',
  'rollout_length_mean',
  'model_buffer_size',
  ...LEARNER_METRIC_COLUMNS,
  ...EVAL_METRIC_COLUMNS,
  'steps_per_s',
  'time_s',
];

/** SAC metrics are read back on these steps of an epoch (and its last), then averaged. */
const METRICS_EVERY = 50;
/** The loop lets signal handlers run this often. */
const YIELD_EVERY = 20;


/** What the loop carries between steps; saved whole in every checkpoint. */
interface LoopState {
  phase: 'dynamics' | 'policy';
  epoch: number;
  stepInEpoch: number;
  step: number;
  samplingRng: RngState;
  rolloutRng: RngState;
  lastRollout: RolloutStats | null;
  sums: Record<string, number>;
  metricReads: number;
  dynamics: { trainLoss: number | null; holdoutLoss: number | null };
  dataset: DatasetFingerprint;
}

interface DatasetFingerprint {
  size: number;
  rewardSum: number;
  observationSum: number;
}

export async function trainMopo(context: { config: ConfigView; runDir: string }, hooks: TrainHooks = {}): Promise<TrainResult> {
  const run = readRunOptions(context.config);
  const envOptions = readEnvOptions(context.config);
  const mopo = readMopoConfig(context.config);
  const resume = run.checkpoint.resumeFrom ? readCheckpoint(run.checkpoint.resumeFrom) : null;
  if (resume && resume.manifest.algo !== 'mopo') {
    throw new CheckpointError(`Checkpoint ${resume.dir} was written by ${resume.manifest.algo}, not MOPO; it cannot be resumed with algo=mopo.`);
  }

  const session = await openSession(context.runDir, run, hooks.interrupt);
  const { log, interrupt } = session;
  const disposables: { dispose(): void }[] = [];
  try {
    const envId = envIdFor(envOptions.id);
    const spec = envSpecFor(envId);
    if (resume && resume.manifest.envId !== envId) {
      throw new CheckpointError(`Checkpoint ${resume.dir} was trained on ${resume.manifest.envId}, but env.id=${envOptions.id} is ${envId}.`);
    }
    const dataset = await loadDataset(envOptions.datasetPath ?? envOptions.id, {
      expect: { observationSize: spec.observationSize, actionSize: spec.actionSize },
      datasetDir: envOptions.datasetDir,
      baseUrl: envOptions.baseUrl,
      signal: interrupt.signal,
    });
    checkDatasetEnv(dataset, envId);
    log(`Dataset: ${dataset.source.path} (${dataset.size} transitions, obs ${dataset.observationSize}, act ${dataset.actionSize})`);
    const env = await makeEnv(envId, { seed: run.eval.seed, maxEpisodeSteps: envOptions.maxEpisodeSteps });
    disposables.push({ dispose: () => env.close() });

    const sizes = { observationSize: spec.observationSize, actionSize: spec.actionSize };
    const ensemble = createEnsemble(mopo, run.seed, sizes, envOptions, resume);
    disposables.push(ensemble);
    const sac = createSac(mopo, run.seed, sizes, resume);
    disposables.push(sac);
    sac.distribute(session.threads);
    ensemble.distribute(session.threads);
    const loop = resume ? resumedLoop(resume, dataset) : freshLoop(run.seed, dataset);
    const modelBuffer = resume
      ? bufferFrom(resume, 'model_buffer', (resume.manifest.state as { modelBuffer: Omit<ReplayBufferState, 'arrays'> }).modelBuffer)
      : new ReplayBuffer(mopo.rolloutBatchSize * mopo.h * mopo.modelRetainEpochs, sizes.observationSize, sizes.actionSize);
    const realBuffer = ReplayBuffer.over(dataset, sizes.observationSize, sizes.actionSize);
    const history = resume ? MetricsLog.parseJsonl(resume.files['metrics.jsonl'] ?? '') : [];
    const metrics = new MetricsLog(context.runDir, MOPO_METRIC_COLUMNS, history);
    const saver = new CheckpointSaver(context.runDir, run.checkpoint.keepLast, context.config.root, log);
    if (resume) log(`Resuming from ${resume.dir} (epoch ${loop.epoch}, step ${loop.step}, phase ${loop.phase})`);

    const save = () => {
      const sacState = sac.getState();
      const dynamicsState = ensemble.getState();
      const buffer = bufferArrays('model_buffer', modelBuffer);
      const info: CheckpointInfo = {
        algo: 'mopo',
        envId,
        ...sizes,
        step: loop.step,
        epoch: loop.epoch,
        seed: run.seed,
        backend: session.backend.name,
        state: { loop: structuredClone(loop), sac: sacState.meta, dynamics: dynamicsState.meta, modelBuffer: buffer.meta },
      };
      return saver.save(info, { ...prefixTensors('sac', sacState.tensors), ...prefixTensors('dynamics', dynamicsState.tensors), ...buffer.arrays }, metrics);
    };
    const stopNow = (where: string): never => {
      throw interruptedAt(where, save());
    };

    // ── 2. Dynamics ensemble ──────────────────────────────────────────────────────
    if (loop.phase === 'dynamics') {
      await fitDynamics(ensemble, dataset, loop, metrics, session, mopo);
      if (interrupt.requested && !ensemble.fitted) stopNow('while fitting the dynamics ensemble');
      loop.phase = 'policy';
      save();
    }
    if (interrupt.requested) stopNow('after fitting the dynamics ensemble');

    // ── 3–4. Policy epochs ───────────────────────────────────────────────────────
    const termination = spec.terminationFn;
    const samplingRng = Rng.fromState(loop.samplingRng);
    const rolloutRng = Rng.fromState(loop.rolloutRng);
    const realRows = Math.floor(mopo.sac.batchSize * mopo.realRatio);
    const batch = allocateBatch(mopo.sac.batchSize, sizes.observationSize, sizes.actionSize);
    const totalSteps = mopo.numEpochs * mopo.stepsPerEpoch;
    const bar = session.progress.bar('policy', totalSteps);
    let lastEvaluation: EvaluationResult | null = null;
    let lastRead: Record<string, number> = {};
    let epochStarted = performance.now();
    let epochStartStep = loop.step;

    while (loop.step < totalSteps) {
      if (loop.step % mopo.rolloutFreq === 0) {
        const starts = realBuffer.sampleObservations(mopo.rolloutBatchSize, rolloutRng);
        loop.lastRollout = rollout(sac, ensemble, starts, { h: mopo.h, observationSize: sizes.observationSize, termination, rng: rolloutRng }, modelBuffer);
      }
      realBuffer.sampleInto(batch, 0, realRows, samplingRng);
      (modelBuffer.size > 0 ? modelBuffer : realBuffer).sampleInto(batch, realRows, batch.size - realRows, samplingRng);

      const lastOfEpoch = loop.stepInEpoch + 1 === mopo.stepsPerEpoch;
      const wantMetrics = lastOfEpoch || (loop.stepInEpoch + 1) % METRICS_EVERY === 0;
      const stepMetrics = sac.update(batch as TransitionBatch, { metrics: wantMetrics });
      if (stepMetrics) {
        for (const [key, value] of Object.entries(stepMetrics)) loop.sums[key] = (loop.sums[key] ?? 0) + value;
        loop.metricReads += 1;
        lastRead = stepMetrics as unknown as Record<string, number>;
      }
      loop.step += 1;
      loop.stepInEpoch += 1;

      if (lastOfEpoch) {
        loop.epoch += 1;
        const evaluate = loop.epoch === mopo.numEpochs || (run.eval.every > 0 && loop.epoch % run.eval.every === 0);
        const evaluation = evaluate ? runEvaluation(sac, env, run, envOptions.id) : null;
        if (evaluation) lastEvaluation = evaluation;
        const seconds = (performance.now() - epochStarted) / 1000;
        const row = policyRow(loop, modelBuffer, evaluation, (loop.step - epochStartStep) / seconds, seconds);
        metrics.append(row);
        if (loop.epoch % run.metric.logEvery === 0 || loop.epoch === mopo.numEpochs) log(describeEpoch(row, mopo.numEpochs));
        loop.stepInEpoch = 0;
        loop.sums = {};
        loop.metricReads = 0;
        loop.samplingRng = samplingRng.getState();
        loop.rolloutRng = rolloutRng.getState();
        if (run.checkpoint.every > 0 && loop.epoch % run.checkpoint.every === 0) save();
        epochStarted = performance.now();
        epochStartStep = loop.step;
      }

      hooks.afterStep?.(loop.step, interrupt);
      if (loop.step % YIELD_EVERY === 0) {
        bar.update(loop.step, {
          epoch: `${Math.min(loop.epoch + 1, mopo.numEpochs)}/${mopo.numEpochs}`,
          critic: lastRead.criticLoss ?? NaN,
          actor: lastRead.actorLoss ?? NaN,
          return: lastEvaluation?.returnMean ?? NaN,
          'steps/s': (loop.step - epochStartStep) / Math.max(1e-3, (performance.now() - epochStarted) / 1000),
        });
        await yieldToEventLoop();
      }
      if (interrupt.requested && loop.step < totalSteps) {
        loop.samplingRng = samplingRng.getState();
        loop.rolloutRng = rolloutRng.getState();
        stopNow(`at step ${loop.step}`);
      }
    }
    bar.stop();
    loop.samplingRng = samplingRng.getState();
    loop.rolloutRng = rolloutRng.getState();
    const checkpoint = save();
    if (lastEvaluation) log(describeFinal(`${loop.step} steps`, lastEvaluation));
    return { steps: loop.step, epochs: loop.epoch, finalEvaluation: lastEvaluation, checkpoint };
  } finally {
    for (const d of disposables.reverse()) d.dispose();
    session.close();
  }
}

function createEnsemble(
  mopo: MopoConfig,
  seed: number,
  sizes: { observationSize: number; actionSize: number },
  envOptions: { validationSplit: number; maxValidationSize: number },
  resume: Checkpoint | null,
): DynamicsEnsemble {
  const e = mopo.ensemble;
  const options = {
    ...sizes,
    members: e.members,
    elites: e.elites,
    hiddenSize: e.hiddenSize,
    layers: e.layers,
    penalty: e.penalty,
    penaltyCoef: e.penaltyCoef,
    batchSize: e.batchSize,
    maxEpochs: e.maxEpochs,
    maxEpochsSinceUpdate: e.maxEpochsSinceUpdate,
    lr: e.lr,
    weightDecays: e.weightDecays,
    holdoutRatio: envOptions.validationSplit,
    maxHoldout: envOptions.maxValidationSize,
    seed,
  };
  if (!resume) return new DynamicsEnsemble(options);
  const state = moduleStateFrom(resume, 'dynamics', (resume.manifest.state as { dynamics: unknown }).dynamics);
  return DynamicsEnsemble.fromState(state, options);
}

function createSac(mopo: MopoConfig, seed: number, sizes: { observationSize: number; actionSize: number }, resume: Checkpoint | null): Sac {
  const s = mopo.sac;
  const options = {
    ...sizes,
    gamma: s.gamma,
    tau: s.tau,
    actorHiddenSize: s.actorHiddenSize,
    actorLayers: s.actorLayers,
    actorLr: s.actorLr,
    criticHiddenSize: s.criticHiddenSize,
    criticLayers: s.criticLayers,
    criticLr: s.criticLr,
    logStdMin: s.logStdMin,
    logStdMax: s.logStdMax,
    initialAlpha: s.initialAlpha,
    learnAlpha: s.learnAlpha,
    alphaLr: s.alphaLr,
    targetEntropy: s.targetEntropy,
    seed,
  };
  if (!resume) return new Sac(options);
  return Sac.fromState(moduleStateFrom(resume, 'sac', (resume.manifest.state as { sac: unknown }).sac), options);
}

function freshLoop(seed: number, dataset: OfflineDataset): LoopState {
  return {
    phase: 'dynamics',
    epoch: 0,
    stepInEpoch: 0,
    step: 0,
    samplingRng: new Rng(seed, 21).getState(),
    rolloutRng: new Rng(seed, 22).getState(),
    lastRollout: null,
    sums: {},
    metricReads: 0,
    dynamics: { trainLoss: null, holdoutLoss: null },
    dataset: fingerprint(dataset),
  };
}

function resumedLoop(checkpoint: Checkpoint, dataset: OfflineDataset): LoopState {
  const loop = (checkpoint.manifest.state as { loop: LoopState }).loop;
  const now = fingerprint(dataset);
  if (loop.dataset.size !== now.size || Math.abs(loop.dataset.rewardSum - now.rewardSum) > 1e-6 * Math.max(1, Math.abs(now.rewardSum)) || Math.abs(loop.dataset.observationSum - now.observationSum) > 1e-6 * Math.max(1, Math.abs(now.observationSum))) {
    throw new CheckpointError(
      `Checkpoint ${checkpoint.dir} was trained on another dataset (${loop.dataset.size} transitions, reward sum ${loop.dataset.rewardSum.toFixed(3)}); ` +
        `this one has ${now.size} transitions, reward sum ${now.rewardSum.toFixed(3)}. Resume with the same env.id / env.dataset_path.`,
    );
  }
  return structuredClone(loop);
}

function fingerprint(dataset: OfflineDataset): DatasetFingerprint {
  let rewardSum = 0;
  let observationSum = 0;
  for (let i = 0; i < dataset.size; i++) rewardSum += dataset.rewards[i]!;
  for (let i = 0; i < dataset.observations.length; i++) observationSum += dataset.observations[i]!;
  return { size: dataset.size, rewardSum, observationSum };
}

function checkDatasetEnv(dataset: OfflineDataset, envId: string): void {
  const recorded = dataset.source.envId;
  if (recorded !== undefined && envIdFor(recorded) !== envId) {
    throw new DatasetError(`Dataset ${dataset.source.path} was recorded in ${recorded}, but env.id selects ${envId}. Set env.id to a ${recorded} id, or use a ${envId} dataset.`);
  }
}

async function fitDynamics(ensemble: DynamicsEnsemble, dataset: OfflineDataset, loop: LoopState, metrics: MetricsLog, session: Session, mopo: MopoConfig): Promise<void> {
  const { maxEpochs, maxEpochsSinceUpdate } = mopo.ensemble;
  const bar = session.progress.bar('dynamics', maxEpochs ?? maxEpochsSinceUpdate);
  const started = performance.now();
  session.log(`Fitting the dynamics ensemble (${mopo.ensemble.members} members, ${mopo.ensemble.elites} elites) on ${dataset.size} transitions`);
  const result = await ensemble.fit(dataset, {
    onEpoch(info) {
      loop.dynamics = { trainLoss: info.trainLoss, holdoutLoss: info.holdoutLoss };
      metrics.append({ phase: 'dynamics', epoch: info.epoch, dynamics_train_loss: info.trainLoss, dynamics_holdout_loss: info.holdoutLoss, time_s: (performance.now() - started) / 1000 });
      bar.update(info.epoch, { train: info.trainLoss, holdout: info.holdoutLoss, 'no gain': `${info.epochsSinceUpdate}/${maxEpochsSinceUpdate}` });
    },
    shouldStop: () => session.interrupt.requested,
  });
  bar.stop();
  if (result.reason !== 'stopped') {
    const best = result.holdoutLosses.filter((_, m) => result.elites.includes(m));
    session.log(`Dynamics fitted in ${result.epochs} epochs (${result.reason}); elites ${result.elites.join(',')} with holdout MSE ${best.map((l) => formatNumber(l)).join(', ')}`);
  }
}

function runEvaluation(sac: Sac, env: Parameters<typeof evaluatePolicy>[0], run: RunOptions, scoreId: string): EvaluationResult {
  const rng = new Rng(run.eval.seed, 31);
  return evaluatePolicy(env, (observation) => sac.act(observation, run.eval.deterministic, rng), {
    episodes: run.eval.episodes,
    seed: run.eval.seed,
    scoreId,
  });
}

function policyRow(loop: LoopState, modelBuffer: ReplayBuffer, evaluation: EvaluationResult | null, stepsPerSecond: number, seconds: number): MetricRow {
  const avg = (key: string) => (loop.metricReads > 0 ? (loop.sums[key] ?? 0) / loop.metricReads : null);
  return {
    phase: 'policy',
    epoch: loop.epoch,
    step: loop.step,
    dynamics_train_loss: loop.dynamics.trainLoss,
    dynamics_holdout_loss: loop.dynamics.holdoutLoss,
    rollout_reward_mean: loop.lastRollout?.rewardMean ?? null,
    rollout_penalty_mean: loop.lastRollout?.penaltyMean ?? null,
    rollout_length_mean: loop.lastRollout?.lengthMean ?? null,
    model_buffer_size: modelBuffer.size,
    critic_loss: avg('criticLoss'),
    actor_loss: avg('actorLoss'),
    alpha_loss: avg('alphaLoss'),
    alpha: avg('alpha'),
    q_mean: avg('qMean'),
    entropy: avg('entropy'),
    eval_return_mean: evaluation?.returnMean ?? null,
    eval_return_std: evaluation?.returnStd ?? null,
    eval_normalized_score: evaluation?.normalizedMean ?? null,
    steps_per_s: stepsPerSecond,
    time_s: seconds,
  };
}

function describeEpoch(row: MetricRow, epochs: number): string {
  const n = (key: string) => (typeof row[key] === 'number' ? formatNumber(row[key] as number) : '–');
  const evaluation = row.eval_return_mean === null ? '' : ` | eval return ${n('eval_return_mean')}${row.eval_normalized_score === null ? '' : ` (score ${n('eval_normalized_score')})`}`;
  return `epoch ${row.epoch}/${epochs} step ${row.step} | critic ${n('critic_loss')} | actor ${n('actor_loss')} | α ${n('alpha')} | Q ${n('q_mean')} | rollout r ${n('rollout_reward_mean')} u ${n('rollout_penalty_mean')}${evaluation} | ${n('steps_per_s')} steps/s`;
}
