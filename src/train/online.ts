/**
 * Online off-policy training (any learner the table lets learn online) in an
 * environment, top to bottom:
 *   - uniformly random actions for `start_steps`, then the learner's exploration policy;
 *   - every environment step goes into the replay buffer (`buffer_size` rows; a time
 *     limit is not a terminal, so such rows keep bootstrapping);
 *   - every `update_every` steps after `start_steps`: `num_updates` gradient steps on
 *     batches of `per_rank_batch_size` drawn from the buffer (uniformly, or by priority
 *     with `per`, whose priorities each update's TD errors renew; as n-step transitions
 *     with `n_step` > 1);
 *   - every `test_every` steps ("an epoch"): evaluation episodes in a separate copy of
 *     the environment, a metrics row, and a checkpoint when due.
 * The frame (frame.ts) does the rest as for every loop: a checkpoint holds the learner,
 * the replay buffer, the training environment's exact state mid-episode and every
 * random generator, so a resumed run continues exactly.
 */
import { annealedBeta } from '../data/prioritized-sampler.js';
import { ReplayBuffer } from '../data/replay-buffer.js';
import { ReplaySampler } from '../data/replay-sampler.js';
import { sampleAction } from '../envs/action-space.js';
import { EnvError } from '../errors.js';
import type { EnvSnapshot } from '../envs/types.js';
import type { Json } from '../nn/state.js';
import { Rng, type RngState } from '../util/rng.js';
import { mean } from '../util/stats.js';
import { readReplay } from './algo-choice.js';
import { TrainingFrame, type TrainContext, type TrainResult } from './frame.js';
import { ONLINE_LOOP } from './loop-options.js';
import { formatNumber } from './progress.js';
import type { TrainHooks } from './session.js';
import { bufferFromPart, bufferPart, prioritiesFromPart, prioritiesPart } from './state-arrays.js';

export interface OnlineResult extends TrainResult {
  reachedTarget: boolean;
}

/** What this loop carries between steps besides the frame's counters; saved in every checkpoint. */
interface OnlineLoop {
  updates: number;
  episodes: number;
  episodeReturn: number;
  episodeLength: number;
  actionRng: RngState;
  samplingRng: RngState;
  /** Episodes finished since the last metrics row. */
  finishedReturns: number[];
  finishedLengths: number[];
  env: EnvSnapshot | null;
}

export async function trainOnline(context: TrainContext, hooks: TrainHooks = {}): Promise<OnlineResult> {
  const frame = await TrainingFrame.open(context, hooks, 'online');
  try {
    const online = ONLINE_LOOP.read(context.config.at('algo'));
    if (frame.env.singleInstance) throw new EnvError('Online training needs an env class or factory, not one env object: it plays a second instance for evaluation.');
    const replaySettings = readReplay(context.config, frame.algo);
    const { run, learner, sizes } = frame;
    const env = frame.own(await frame.env.make({ seed: run.seed, maxEpisodeSteps: frame.maxEpisodeSteps }));

    const savedReplay = frame.saved('replay');
    const replay = savedReplay ? bufferFromPart(frame.resume!, 'replay', savedReplay) : new ReplayBuffer(online.bufferSize, sizes.observationSize, sizes.actionSize);
    const loop: OnlineLoop = (frame.saved('loop')?.meta as OnlineLoop | undefined) ?? freshLoop(run.seed);
    let observation = loop.env ? env.restore(loop.env) : env.reset(run.seed);
    if (frame.resume) frame.log(`Resuming from ${frame.resume.dir} (step ${frame.step}, epoch ${frame.epoch})`);
    if (frame.resume && loop.env?.episodeRunning === false && !frame.env.exactSnapshots) {
      frame.log(`${frame.env.description} has no snapshot()/restore(): the resumed run starts a new episode, so it does not continue exactly as an uninterrupted one.`);
    }

    const actionRng = Rng.fromState(loop.actionRng);
    const samplingRng = Rng.fromState(loop.samplingRng);
    frame.keep('replay', () => bufferPart(replay));
    const prioritySettings = { alpha: replaySettings.perAlpha, epsilon: replaySettings.perEpsilon };
    const priorities = replaySettings.per ? prioritiesFromPart(frame.resume, frame.saved('priorities'), prioritySettings, { capacity: replay.capacity, filled: replay.size }) : null;
    if (priorities) frame.keep('priorities', () => prioritiesPart(priorities));
    frame.keep('loop', () => {
      loop.actionRng = actionRng.getState();
      loop.samplingRng = samplingRng.getState();
      loop.env = env.snapshot();
      return { meta: structuredClone(loop) as unknown as Json };
    });

    const sampler = new ReplaySampler(replay, { nStep: replaySettings.nStep, gamma: replaySettings.gamma }, priorities, online.batchSize);
    const batch = sampler.allocateBatch();
    frame.startProgress(context.config.string('algo.name'), online.totalSteps, null);
    let reachedTarget = false;

    while (frame.step < online.totalSteps && !reachedTarget) {
      const action = frame.step < online.startSteps ? sampleAction(frame.spec.actionSpace, actionRng) : learner.act(observation, false, actionRng);
      const result = env.step(action);
      const row = replay.add(observation, action, result.reward, result.observation, result.terminated, result.truncated && !result.terminated);
      priorities?.added(row);
      frame.countStep();
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

      if (frame.step >= online.startSteps && frame.step % online.updateEvery === 0) {
        frame.timed('update', () => {
          for (let k = 0; k < online.numUpdates; k++) {
            sampler.draw(batch, samplingRng, annealedBeta(replaySettings.perBeta, frame.step / online.totalSteps));
            frame.record(learner.update(batch, { metrics: k === online.numUpdates - 1, tdErrors: sampler.tdErrors }));
            sampler.reprioritize();
            loop.updates += 1;
          }
        });
      }

      if (frame.step % online.testEvery === 0 || frame.step === online.totalSteps) {
        const evaluation = frame.endEpoch(
          {
            'train/episodes': loop.episodes,
            'train/updates': loop.updates,
            'train/return_mean': loop.finishedReturns.length > 0 ? mean(loop.finishedReturns) : null,
            'train/length_mean': loop.finishedLengths.length > 0 ? mean(loop.finishedLengths) : null,
            'replay/size': replay.size,
          },
          { evaluate: true, final: frame.step === online.totalSteps },
        )!;
        loop.finishedReturns = [];
        loop.finishedLengths = [];
        if (online.targetReturn !== null && evaluation.returnMean >= online.targetReturn) {
          reachedTarget = true;
          frame.log(`Evaluation return ${formatNumber(evaluation.returnMean)} reached algo.target_return=${online.targetReturn}: stopping.`);
        }
      }
      await frame.tick(reachedTarget);
    }
    return { ...frame.finish(), reachedTarget };
  } finally {
    frame.close();
  }
}

function freshLoop(seed: number): OnlineLoop {
  return {
    updates: 0,
    episodes: 0,
    episodeReturn: 0,
    episodeLength: 0,
    actionRng: new Rng(seed, 41).getState(),
    samplingRng: new Rng(seed, 42).getState(),
    finishedReturns: [],
    finishedLengths: [],
    env: null,
  };
}
