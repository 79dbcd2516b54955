/**
 * Offline training on a fixed dataset, top to bottom:
 *   1. load the dataset (a D4RL id or a local file) and check it fits the environment;
 *   2. with model rollouts (`algo.dynamics`, MOPO): fit the dynamics ensemble on the
 *      dataset (or load a fitted one from another run), and keep a model buffer;
 *   3. `num_epochs` epochs of `total_steps / num_epochs` gradient steps of the learner
 *      on batches drawn `real_ratio` from the dataset and the rest from the model
 *      buffer, which a rollout of the current policy refreshes every `rollout_freq`
 *      steps (without rollouts, every row comes from the dataset, uniformly or by
 *      priority with `per`, as n-step transitions with `n_step` > 1);
 *   4. after each epoch: evaluation when due, a metrics row, a checkpoint when due.
 * Ctrl-C finishes the current step (or dynamics epoch), saves a checkpoint and ends
 * with exit code 130; `checkpoint.resume_from` continues exactly as if never stopped.
 */
import type { DynamicsEnsemble } from '../algos/mopo/dynamics-ensemble.js';
import { loadDataset } from '../data/load-dataset.js';
import type { OfflineDataset } from '../data/offline-dataset.js';
import { annealedBeta } from '../data/prioritized-sampler.js';
import { ReplayBuffer, type TransitionBatch } from '../data/replay-buffer.js';
import { ReplaySampler } from '../data/replay-sampler.js';
import { availableEnvIds, envIdFor } from '../envs/registry.js';
import { CheckpointError, DatasetError } from '../errors.js';
import type { Json } from '../nn/state.js';
import { Rng, type RngState } from '../util/rng.js';
import { readReplay } from './algo-choice.js';
import { readCheckpoint } from './checkpoint.js';
import { TrainingFrame, type TrainContext, type TrainResult } from './frame.js';
import { OFFLINE_LOOP, oneHotActionCount, readModelRollouts, type ModelRollouts } from './loop-options.js';
import { readEnvOptions, type EnvOptions } from './options.js';
import { formatNumber } from './progress.js';
import { rollout, type RolloutStats } from './rollout.js';
import type { TrainHooks } from './session.js';
import { bufferFromPart, bufferPart, moduleState, modulePart, prioritiesFromPart, prioritiesPart, savedPart } from './state-arrays.js';

/** Learner metrics are read back on these steps of an epoch (and its last), then averaged. */
const METRICS_EVERY = 50;

/** What this loop carries between steps besides the frame's counters; saved in every checkpoint. */
interface OfflineLoop {
  phase: 'dynamics' | 'policy';
  samplingRng: RngState;
  rolloutRng: RngState;
  lastRollout: RolloutStats | null;
  dataset: DatasetFingerprint;
}

interface DatasetFingerprint {
  size: number;
  rewardSum: number;
  observationSum: number;
}

/** The model side of MOPO: the ensemble, the buffer its rollouts fill, and their settings. */
interface ModelData {
  ensemble: DynamicsEnsemble;
  buffer: ReplayBuffer;
  settings: ModelRollouts;
}

export async function trainOffline(context: TrainContext, hooks: TrainHooks = {}): Promise<TrainResult> {
  const frame = await TrainingFrame.open(context, hooks, 'offline');
  try {
    const algo = context.config.at('algo');
    const offline = OFFLINE_LOOP.read(algo);
    const rollouts = readModelRollouts(algo);
    const replay = readReplay(context.config, frame.algo);
    const envOptions = readEnvOptions(context.config);
    const { run, learner, sizes } = frame;

    // ── 1. Dataset ────────────────────────────────────────────────────────────────
    const dataset = await trainingData(frame, envOptions);
    checkDatasetEnv(dataset, frame.spec.id);
    frame.log(`Dataset: ${dataset.source.path} (${dataset.size} transitions, obs ${dataset.observationSize}, act ${dataset.actionSize})`);
    const realBuffer = ReplayBuffer.over(dataset, sizes.observationSize, sizes.actionSize);
    const prioritySettings = { alpha: replay.perAlpha, epsilon: replay.perEpsilon };
    const priorities = replay.per ? prioritiesFromPart(frame.resume, frame.saved('priorities'), prioritySettings, { capacity: dataset.size, filled: dataset.size }) : null;
    if (priorities) frame.keep('priorities', () => prioritiesPart(priorities));
    const loop = resumedLoop(frame, dataset) ?? freshLoop(run.seed, dataset, rollouts);
    const samplingRng = Rng.fromState(loop.samplingRng);
    const rolloutRng = Rng.fromState(loop.rolloutRng);
    frame.keep('loop', () => {
      loop.samplingRng = samplingRng.getState();
      loop.rolloutRng = rolloutRng.getState();
      return { meta: structuredClone(loop) as unknown as Json };
    });

    // ── 2. Model rollouts: the dynamics ensemble and its buffer ─────────────────────
    const model = rollouts ? await prepareModel(frame, rollouts, envOptions) : null;
    if (frame.resume) frame.log(`Resuming from ${frame.resume.dir} (epoch ${frame.epoch}, step ${frame.step}, phase ${loop.phase})`);
    if (model && loop.phase === 'dynamics') {
      await fitDynamics(frame, model.ensemble, dataset);
      if (frame.session.interrupt.requested && !model.ensemble.fitted) frame.stop('while fitting the dynamics ensemble');
      loop.phase = 'policy';
      frame.save();
    }
    if (frame.session.interrupt.requested) frame.stop('after fitting the dynamics ensemble');

    // ── 3–4. Policy epochs ─────────────────────────────────────────────────────────
    const stepsPerEpoch = offline.totalSteps / offline.numEpochs;
    const realRows = model ? Math.floor(offline.batchSize * model.settings.realRatio) : offline.batchSize;
    const sampler = new ReplaySampler(realBuffer, { nStep: replay.nStep, gamma: replay.gamma }, priorities, offline.batchSize);
    const batch = sampler.allocateBatch();
    frame.startProgress('policy', offline.totalSteps, offline.numEpochs);

    while (frame.step < offline.totalSteps) {
      // An empty model buffer mid-run: resumed from a checkpoint saved without it (checkpoint.model_buffer=false).
      if (model && (frame.step % model.settings.rolloutFreq === 0 || model.buffer.size === 0)) {
        const starts = realBuffer.sampleObservations(model.settings.rolloutBatchSize, rolloutRng);
        const settings = { h: model.settings.h, observationSize: sizes.observationSize, termination: frame.spec.terminationFn, rng: rolloutRng };
        loop.lastRollout = frame.timed('rollout', () => rollout(learner, model.ensemble, starts, settings, model.buffer));
      }
      if (model) {
        realBuffer.sampleInto(batch, 0, realRows, samplingRng);
        if (realRows < batch.size) (model.buffer.size > 0 ? model.buffer : realBuffer).sampleInto(batch, realRows, batch.size - realRows, samplingRng);
      } else {
        sampler.draw(batch, samplingRng, annealedBeta(replay.perBeta, frame.step / offline.totalSteps));
      }

      const stepInEpoch = frame.step % stepsPerEpoch;
      const lastOfEpoch = stepInEpoch + 1 === stepsPerEpoch;
      frame.record(learner.update(batch as TransitionBatch, { metrics: lastOfEpoch || (stepInEpoch + 1) % METRICS_EVERY === 0, tdErrors: sampler.tdErrors }));
      sampler.reprioritize();
      frame.countStep();

      if (lastOfEpoch) {
        const epoch = frame.epoch + 1;
        const final = epoch === offline.numEpochs;
        frame.endEpoch(model ? modelColumns(loop, model) : {}, { evaluate: final || (run.eval.every > 0 && epoch % run.eval.every === 0), final });
      }
      await frame.tick();
    }
    return frame.finish();
  } finally {
    frame.close();
  }
}

/** The data to learn from: `env.dataset_path`, else the D4RL id `env.id`, else the user env's getDataset(). */
async function trainingData(frame: TrainingFrame, envOptions: EnvOptions): Promise<OfflineDataset> {
  const where = envOptions.datasetPath ?? envOptions.id;
  if (where !== null) {
    return loadDataset(where, {
      expect: { ...frame.sizes, actionSpace: frame.spec.actionSpace },
      ...(envOptions.datasetDir === null ? {} : { datasetDir: envOptions.datasetDir }),
      ...(envOptions.baseUrl === null ? {} : { baseUrl: envOptions.baseUrl }),
      signal: frame.session.interrupt.signal,
    });
  }
  if (!frame.env.dataset) throw new DatasetError(`${frame.env.description} has no getDataset(): add one to the env, or give a D4RL-layout file with env.dataset_path=<file.hdf5>.`);
  return frame.env.dataset({ validationSplit: envOptions.validationSplit, seed: frame.run.seed });
}

/** The ensemble (fitted here, resumed, or loaded from another run) and the model buffer, registered for checkpoints. */
async function prepareModel(frame: TrainingFrame, rollouts: ModelRollouts, envOptions: EnvOptions): Promise<ModelData> {
  const { DynamicsEnsemble } = await import('../algos/mopo/dynamics-ensemble.js');
  const sizes = frame.sizes;
  const source = rollouts.dynamics;
  const resumed = frame.saved('dynamics');
  let ensemble: DynamicsEnsemble;
  const actionInputs = { observationSize: sizes.observationSize, actionSize: sizes.actionSize, actionCount: oneHotActionCount(rollouts, frame.spec) };
  if (source.kind === 'fit') {
    const options = { ...source.settings, ...actionInputs, holdoutRatio: envOptions.validationSplit, maxHoldout: envOptions.maxValidationSize, seed: frame.run.seed };
    ensemble = resumed ? DynamicsEnsemble.fromState(moduleState(frame.resume!, resumed), options) : new DynamicsEnsemble(options);
  } else {
    const from = resumed ? { checkpoint: frame.resume!, part: resumed } : loadFittedDynamics(source.path, frame.spec.id);
    ensemble = DynamicsEnsemble.fromState(moduleState(from.checkpoint, from.part), { ...source.penalty, ...actionInputs });
    if (!resumed) frame.log(`Dynamics: the ensemble fitted in ${from.checkpoint.dir} (elites ${ensemble.elites.join(',')})`);
  }
  frame.own(ensemble);
  ensemble.distribute(frame.session.threads);
  if (frame.session.backend.onnxInference) {
    const cpuThreads = 1 + frame.session.threads.length;
    const { route } = await ensemble.predictWithOnnxRuntime(cpuThreads);
    if (route) frame.log(`Rollout predictions: ${route}`);
    // Only MOPO_ONNXRUNTIME=cpu moves the fit's steps (ONNX Runtime's numbers, not the WASM kernels').
    if (source.kind === 'fit') {
      const training = await ensemble.trainWithOnnxRuntime(cpuThreads);
      if (training.route) frame.log(`Dynamics training steps: ${training.route}`);
    }
  }
  const savedBuffer = frame.saved('model_buffer');
  const buffer = savedBuffer
    ? bufferFromPart(frame.resume!, 'model_buffer', savedBuffer)
    : new ReplayBuffer(rollouts.rolloutBatchSize * rollouts.h * rollouts.modelRetainEpochs, sizes.observationSize, sizes.actionSize);
  frame.keep('dynamics', () => modulePart(ensemble.getState()));
  frame.keep('model_buffer', () => bufferPart(buffer));
  return { ensemble, buffer, settings: rollouts };
}

/** The fitted ensemble of a MOPO run or checkpoint, for `algo.dynamics=<path>`. */
function loadFittedDynamics(where: string, envId: string) {
  const checkpoint = readCheckpoint(where);
  const part = savedPart(checkpoint, 'dynamics');
  if (!part) throw new CheckpointError(`algo.dynamics=${where}: checkpoint ${checkpoint.dir} (${checkpoint.manifest.algo}) holds no dynamics ensemble; give a MOPO run or checkpoint.`);
  if (!(part.meta as { fitted?: boolean }).fitted) throw new CheckpointError(`algo.dynamics=${where}: the ensemble in ${checkpoint.dir} was not fitted to the end; give a later checkpoint of that run.`);
  if (checkpoint.manifest.envId !== envId) throw new CheckpointError(`algo.dynamics=${where}: its ensemble models ${checkpoint.manifest.envId}, but this run trains in ${envId}.`);
  return { checkpoint, part };
}

async function fitDynamics(frame: TrainingFrame, ensemble: DynamicsEnsemble, dataset: OfflineDataset): Promise<void> {
  const { maxEpochs, maxEpochsSinceUpdate, members, elites } = ensemble.options;
  frame.log(`Fitting the dynamics ensemble (${members} members, ${elites} elites) on ${dataset.size} transitions; it stops after ${maxEpochsSinceUpdate} epochs without improvement${maxEpochs === null ? '' : ` or at ${maxEpochs} epochs`}`);
  // Without max_epochs the number of epochs is unknown: the bar counts epochs (no total,
  // no ETA); the early stop's own counter shows how close it is. In a pipe: a line per epoch.
  const resumedAt = (frame.saved('dynamics')?.meta as { fit?: { epoch: number } | null } | undefined)?.fit?.epoch ?? 0;
  const bar = frame.session.progress.bar('dynamics', maxEpochs, { unit: 'epochs', lines: 'update', mayEndEarly: true }, resumedAt);
  const result = await ensemble.fit(dataset, {
    onEpoch(info) {
      frame.metrics.append('dynamics', {
        epoch: info.epoch,
        time_s: frame.seconds(),
        wall_time: Date.now() / 1000,
        'dynamics/train_loss': info.trainLoss,
        'dynamics/holdout_loss': info.holdoutLoss,
        'dynamics/epochs_since_update': info.epochsSinceUpdate,
      });
      bar.update(info.epoch, { 'epochs since improvement': `${info.epochsSinceUpdate}/${maxEpochsSinceUpdate}`, 'train loss': info.trainLoss, 'holdout loss': info.holdoutLoss });
    },
    shouldStop: () => frame.session.interrupt.requested,
  });
  bar.stop();
  if (result.reason !== 'stopped') {
    const best = result.holdoutLosses.filter((_, m) => result.elites.includes(m));
    frame.log(`Dynamics fitted in ${result.epochs} epochs (${result.reason}); elites ${result.elites.join(',')} with holdout MSE ${best.map((l) => formatNumber(l)).join(', ')}`);
  }
}

function modelColumns(loop: OfflineLoop, model: ModelData) {
  return {
    'rollout/reward_mean': loop.lastRollout?.rewardMean ?? null,
    'rollout/penalty_mean': loop.lastRollout?.penaltyMean ?? null,
    'rollout/length_mean': loop.lastRollout?.lengthMean ?? null,
    'rollout/model_buffer_size': model.buffer.size,
  };
}

function freshLoop(seed: number, dataset: OfflineDataset, rollouts: ModelRollouts | null): OfflineLoop {
  return {
    phase: rollouts?.dynamics.kind === 'fit' ? 'dynamics' : 'policy',
    samplingRng: new Rng(seed, 21).getState(),
    rolloutRng: new Rng(seed, 22).getState(),
    lastRollout: null,
    dataset: fingerprint(dataset),
  };
}

function resumedLoop(frame: TrainingFrame, dataset: OfflineDataset): OfflineLoop | null {
  const saved = frame.saved('loop');
  if (!saved) return null;
  const loop = structuredClone(saved.meta) as unknown as OfflineLoop;
  const now = fingerprint(dataset);
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  if (loop.dataset.size !== now.size || !close(loop.dataset.rewardSum, now.rewardSum) || !close(loop.dataset.observationSum, now.observationSum)) {
    throw new CheckpointError(
      `Checkpoint ${frame.resume!.dir} was trained on another dataset (${loop.dataset.size} transitions, reward sum ${loop.dataset.rewardSum.toFixed(3)}); ` +
        `this one has ${now.size} transitions, reward sum ${now.rewardSum.toFixed(3)}. Resume with the same env.id / env.dataset_path.`,
    );
  }
  return loop;
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
  // A file may name an env the registry does not know (a user env's id): then only the name must match.
  const canonical = recorded === undefined ? undefined : availableEnvIds().some((id) => id === envId) ? envIdFor(recorded) : recorded;
  if (recorded !== undefined && canonical !== envId) {
    throw new DatasetError(`Dataset ${dataset.source.path} was recorded in ${recorded}, but env.id selects ${envId}. Set env.id to a ${recorded} id, or use a ${envId} dataset.`);
  }
}
