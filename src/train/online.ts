/**
 * Online off-policy training (SAC, TD3, DDPG) in a MuJoCo environment, top to bottom:
 *   - uniformly random actions for `start_steps`, then the learner's exploration policy;
 *   - every environment step goes into the replay buffer (`buffer_size` rows; a time
 *     limit is not a terminal, so such rows keep bootstrapping);
 *   - every `update_every` steps after `start_steps`: `num_updates` gradient steps on
 *     batches of `per_rank_batch_size` drawn from the buffer;
 *   - every `test_every` steps ("an epoch"): deterministic evaluation episodes in a
 *     separate copy of the environment, a metrics row, and a checkpoint when due.
 * The same progress display, metrics files, checkpoints, Ctrl-C and resume behaviour
 * as MOPO: a checkpoint holds the learner, the replay buffer, the training
 * environment's exact state mid-episode and every random generator.
 */
import type { ConfigView } from '../config/access.js';
import { ReplayBuffer, allocateBatch, type ReplayBufferState } from '../data/replay-buffer.js';
import { envIdFor, makeEnv } from '../envs/registry.js';
import type { EnvSnapshot } from '../envs/types.js';
import { CheckpointError } from '../errors.js';
import { Rng, type RngState } from '../util/rng.js';
import { readCheckpoint, type Checkpoint } from './checkpoint.js';
import { evaluatePolicy, type EvaluationResult } from './evaluate.js';
import { createLearner, learnerFromState, requireOnlineAlgo, type OffPolicyLearner } from './learners.js';
import { EVAL_METRIC_COLUMNS, LEARNER_METRIC_COLUMNS, MetricsLog, type MetricRow } from './metrics.js';
import { readGymEnvOptions, readOnlineConfig, readRunOptions, type OnlineConfig } from './options.js';
import { formatNumber } from './progress.js';
import { CheckpointSaver, describeFinal, interruptedAt, openSession, yieldToEventLoop, type TrainHooks, type TrainResult } from './session.js';
import { bufferArrays, bufferFrom, moduleStateFrom, prefixTensors } from './state-arrays.js';

export const ONLINE_METRIC_COLUMNS = [
  'epoch',
  'step',
  'updates',
  'episodes',
  'train_return_mean',
  'train_length_mean',
  ...LEARNER_METRIC_COLUMNS,
  ...EVAL_METRIC_COLUMNS,
  'buffer_size',
  'steps_per_s',
  'time_s',
];

/** Environment steps between two turns of the event loop (signals, progress bars). */
const YIELD_EVERY = 50;

export interface OnlineResult extends TrainResult {
  reachedTarget: boolean;
}

interface OnlineLoop {
  step: number;
  epoch: number;
  updates: number;
  episodes: number;
  episodeReturn: number;
  episodeLength: number;
  actionRng: RngState;
  samplingRng: RngState;
  /** Episodes finished since the last metrics row. */
  finishedReturns: number[];
  finishedLengths: number[];
  sums: Record<string, number>;
  metricReads: number;
  env: EnvSnapshot | null;
}

export async function trainOnline(context: { config: ConfigView; runDir: string }, hooks: TrainHooks = {}): Promise<OnlineResult> {
  const { config } = context;
  const algo = requireOnlineAlgo(config.string('algo.name'));
  const run = readRunOptions(config);
  const online = readOnlineConfig(config);
  const envOptions = readGymEnvOptions(config);
  const envId = envIdFor(envOptions.id);
  const resume = run.checkpoint.resumeFrom ? readCheckpoint(run.checkpoint.resumeFrom) : null;
  if (resume) checkResumable(resume, algo, envId);

  const session = await openSession(context.runDir, run, hooks.interrupt);
  const { log, interrupt } = session;
  const disposables: { dispose(): void }[] = [];
  try {
    const env = await makeEnv(envId, { seed: run.seed, maxEpisodeSteps: envOptions.maxEpisodeSteps });
    disposables.push({ dispose: () => env.close() });
    const evalEnv = await makeEnv(envId, { seed: run.eval.seed, maxEpisodeSteps: envOptions.maxEpisodeSteps });
    disposables.push({ dispose: () => evalEnv.close() });
    const sizes = { observationSize: env.observationSize, actionSize: env.actionSize };
    log(`Environment: ${envId} (obs ${sizes.observationSize}, act ${sizes.actionSize}, ${envOptions.maxEpisodeSteps} steps per episode); learner: ${algo}`);

    const state = resume?.manifest.state as { loop: OnlineLoop; learner: unknown; replay: Omit<ReplayBufferState, 'arrays'> } | undefined;
    const learner: OffPolicyLearner = resume ? learnerFromState(algo, moduleStateFrom(resume, 'learner', state!.learner)) : createLearner(algo, config, sizes, run.seed);
    disposables.push(learner);
    learner.distribute(session.threads);
    const replay = resume ? bufferFrom(resume, 'replay', state!.replay) : new ReplayBuffer(online.bufferSize, sizes.observationSize, sizes.actionSize);
    const loop: OnlineLoop = resume ? structuredClone(state!.loop) : freshLoop(run.seed);
    const metrics = new MetricsLog(context.runDir, ONLINE_METRIC_COLUMNS, resume ? MetricsLog.parseJsonl(resume.files['metrics.jsonl'] ?? '') : []);
    const saver = new CheckpointSaver(context.runDir, run.checkpoint.keepLast, config.root, log);
    let observation = loop.env ? env.restore(loop.env) : env.reset(run.seed);
    if (resume) log(`Resuming from ${resume.dir} (step ${loop.step}, epoch ${loop.epoch})`);

    const actionRng = Rng.fromState(loop.actionRng);
    const samplingRng = Rng.fromState(loop.samplingRng);
    const syncRngs = () => {
      loop.actionRng = actionRng.getState();
      loop.samplingRng = samplingRng.getState();
    };
    const save = () => {
      syncRngs();
      loop.env = env.snapshot();
      const learnerState = learner.getState();
      const buffer = bufferArrays('replay', replay);
      return saver.save(
        {
          algo,
          envId,
          ...sizes,
          step: loop.step,
          epoch: loop.epoch,
          seed: run.seed,
          backend: session.backend.name,
          state: { loop: structuredClone(loop), learner: learnerState.meta, replay: buffer.meta },
        },
        { ...prefixTensors('learner', learnerState.tensors), ...buffer.arrays },
        metrics,
      );
    };

    const batch = allocateBatch(online.batchSize, sizes.observationSize, sizes.actionSize);
    const bar = session.progress.bar(algo, online.totalSteps);
    bar.update(loop.step, {});
    let lastEvaluation: EvaluationResult | null = null;
    let reachedTarget = false;
    let lastRead: Record<string, number> = {};
    let periodStarted = performance.now();
    let periodStartStep = loop.step;

    while (loop.step < online.totalSteps && !reachedTarget) {
      const action =
        loop.step < online.startSteps ? actionRng.fillUniform(new Float32Array(sizes.actionSize), -1, 1) : learner.act(observation, false, actionRng);
      const result = env.step(action);
      replay.add(observation, action, result.reward, result.observation, result.terminated, result.truncated && !result.terminated);
      loop.step += 1;
      loop.episodeReturn += result.reward;
      loop.episodeLength += 1;
      observation = result.observation;
      if (result.terminated || result.truncated) {
        loop.finishedReturns.push(loop.episodeReturn);
        loop.finishedLengths.push(loop.episodeLength);
        loop.episodes += 1;
        loop.episodeReturn = 0;
        loop.episodeLength = 0;
        observation = env.reset();
      }

      if (loop.step >= online.startSteps && loop.step % online.updateEvery === 0) {
        for (let k = 0; k < online.numUpdates; k++) {
          replay.sampleInto(batch, 0, batch.size, samplingRng);
          const read = learner.update(batch, { metrics: k === online.numUpdates - 1 });
          loop.updates += 1;
          if (read) {
            for (const [key, value] of Object.entries(read)) if (Number.isFinite(value)) loop.sums[key] = (loop.sums[key] ?? 0) + value;
            loop.metricReads += 1;
            lastRead = read;
          }
        }
      }

      if (loop.step % online.testEvery === 0 || loop.step === online.totalSteps) {
        loop.epoch += 1;
        const evalRng = new Rng(run.eval.seed, 31);
        const evaluation = evaluatePolicy(evalEnv, (obs) => learner.act(obs, run.eval.deterministic, evalRng), {
          episodes: run.eval.episodes,
          seed: run.eval.seed,
          scoreId: envOptions.id,
        });
        lastEvaluation = evaluation;
        const seconds = (performance.now() - periodStarted) / 1000;
        const row = periodRow(loop, replay, evaluation, (loop.step - periodStartStep) / seconds, seconds);
        metrics.append(row);
        if (loop.epoch % run.metric.logEvery === 0) log(describePeriod(row, online));
        loop.finishedReturns = [];
        loop.finishedLengths = [];
        loop.sums = {};
        loop.metricReads = 0;
        if (online.targetReturn !== null && evaluation.returnMean >= online.targetReturn) {
          reachedTarget = true;
          log(`Evaluation return ${formatNumber(evaluation.returnMean)} reached algo.target_return=${online.targetReturn}: stopping.`);
        }
        if (run.checkpoint.every > 0 && loop.epoch % run.checkpoint.every === 0) save();
        periodStarted = performance.now();
        periodStartStep = loop.step;
      }

      hooks.afterStep?.(loop.step, interrupt);
      if (loop.step % YIELD_EVERY === 0) {
        bar.update(loop.step, {
          epoch: loop.epoch,
          critic: lastRead.criticLoss ?? NaN,
          return: lastEvaluation?.returnMean ?? NaN,
          'steps/s': (loop.step - periodStartStep) / Math.max(1e-3, (performance.now() - periodStarted) / 1000),
        });
        await yieldToEventLoop();
      }
      if (interrupt.requested && loop.step < online.totalSteps && !reachedTarget) {
        throw interruptedAt(`at step ${loop.step}`, save());
      }
    }
    bar.stop();
    const checkpoint = save();
    if (lastEvaluation) log(describeFinal(`${loop.step} steps, ${loop.updates} updates`, lastEvaluation));
    return { steps: loop.step, epochs: loop.epoch, finalEvaluation: lastEvaluation, checkpoint, reachedTarget };
  } finally {
    for (const d of disposables.reverse()) d.dispose();
    session.close();
  }
}

function freshLoop(seed: number): OnlineLoop {
  return {
    step: 0,
    epoch: 0,
    updates: 0,
    episodes: 0,
    episodeReturn: 0,
    episodeLength: 0,
    actionRng: new Rng(seed, 41).getState(),
    samplingRng: new Rng(seed, 42).getState(),
    finishedReturns: [],
    finishedLengths: [],
    sums: {},
    metricReads: 0,
    env: null,
  };
}

function checkResumable(checkpoint: Checkpoint, algo: string, envId: string): void {
  const { manifest } = checkpoint;
  if (manifest.algo !== algo) throw new CheckpointError(`Checkpoint ${checkpoint.dir} was written by ${manifest.algo}; it cannot be resumed with algo=${algo}.`);
  if (manifest.envId !== envId) throw new CheckpointError(`Checkpoint ${checkpoint.dir} was trained on ${manifest.envId}, but env.id selects ${envId}.`);
}

function periodRow(loop: OnlineLoop, replay: ReplayBuffer, evaluation: EvaluationResult, stepsPerSecond: number, seconds: number): MetricRow {
  const avg = (key: string) => (loop.metricReads > 0 && key in loop.sums ? loop.sums[key]! / loop.metricReads : null);
  const mean = (values: number[]) => (values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null);
  return {
    epoch: loop.epoch,
    step: loop.step,
    updates: loop.updates,
    episodes: loop.episodes,
    train_return_mean: mean(loop.finishedReturns),
    train_length_mean: mean(loop.finishedLengths),
    critic_loss: avg('criticLoss'),
    actor_loss: avg('actorLoss'),
    alpha_loss: avg('alphaLoss'),
    alpha: avg('alpha'),
    q_mean: avg('qMean'),
    entropy: avg('entropy'),
    eval_return_mean: evaluation.returnMean,
    eval_return_std: evaluation.returnStd,
    eval_normalized_score: evaluation.normalizedMean,
    buffer_size: replay.size,
    steps_per_s: stepsPerSecond,
    time_s: seconds,
  };
}

function describePeriod(row: MetricRow, online: OnlineConfig): string {
  const n = (key: string) => (typeof row[key] === 'number' ? formatNumber(row[key] as number) : '–');
  const score = row.eval_normalized_score === null ? '' : ` (score ${n('eval_normalized_score')})`;
  return `step ${row.step}/${online.totalSteps} | episodes ${row.episodes} | train return ${n('train_return_mean')} | eval return ${n('eval_return_mean')}${score} | critic ${n('critic_loss')} | actor ${n('actor_loss')} | ${n('steps_per_s')} steps/s`;
}
