/**
 * Runs a behaviour policy in an environment and records every step the way D4RL
 * writes its files: `terminals` only where the task ended the episode, `timeouts` on
 * the last step of an episode the time limit cut, and the simulator state before each
 * action in `infos/qpos` / `infos/qvel`. The environment is reset after either.
 */
import { DatasetError, InterruptedError } from '../errors.js';
import { actionRowWidth, actionSpaceName, isIndex, type ActionSpace } from '../envs/action-space.js';
import type { Env } from '../envs/types.js';
import { Rng } from '../util/rng.js';
import type { BehaviourPolicy } from './behaviour-policy.js';
import type { D4rlFileContents } from './d4rl-file.js';

export interface CollectOptions {
  steps: number;
  seed: number;
  /** Extra `metadata/*` entries (the command line, the mopo version, …). */
  metadata?: Record<string, string | number | boolean>;
  /** Told about each finished episode, e.g. to print progress. */
  onEpisode?: (episode: { index: number; return: number; length: number; terminated: boolean }) => void;
  /** Checked every YIELD_EVERY steps, after the event loop had a turn (Ctrl-C): true abandons the collection. */
  shouldStop?: () => boolean;
}

/** Steps between two turns of the event loop, so signals are handled during long collections. */
const YIELD_EVERY = 1000;

export interface CollectedDataset {
  contents: D4rlFileContents;
  /** Returns of the episodes that ended (by termination or time limit) within the budget. */
  episodeReturns: number[];
  episodeLengths: number[];
  /** Steps of the episode the step budget cut off (0 if the last episode ended exactly). */
  unfinishedEpisodeSteps: number;
}

export async function collectDataset(env: Env, policy: BehaviourPolicy, options: CollectOptions): Promise<CollectedDataset> {
  const { steps, seed } = options;
  if (!Number.isInteger(steps) || steps <= 0) throw new DatasetError(`collectDataset needs steps ≥ 1, got ${steps}`);
  const { observationSize, actionSize, actionSpace } = env;
  const rng = new Rng(seed, 1);

  let observation = env.reset(seed);
  const firstState = env.physicsState();
  const qposSize = firstState.qpos.length;
  const qvelSize = firstState.qvel.length;
  const contents: D4rlFileContents = {
    size: steps,
    observationSize,
    actionSize,
    actionSpace,
    observations: new Float32Array(steps * observationSize),
    actions: new Float32Array(steps * actionSize),
    rewards: new Float32Array(steps),
    nextObservations: new Float32Array(steps * observationSize),
    terminals: new Uint8Array(steps),
    timeouts: new Uint8Array(steps),
    qpos: new Float64Array(steps * qposSize),
    qvel: new Float64Array(steps * qvelSize),
    metadata: {
      algorithm: policy.name,
      policy: policy.name,
      env_id: env.id,
      action_space: actionSpaceName(actionSpace),
      seed,
      steps,
      max_episode_steps: env.maxEpisodeSteps,
      ...options.metadata,
    },
  };
  let logProbs: Float64Array | undefined;
  const result: CollectedDataset = { contents, episodeReturns: [], episodeLengths: [], unfinishedEpisodeSteps: 0 };

  let episodeReturn = 0;
  let episodeLength = 0;
  for (let row = 0; row < steps; row++) {
    if (row % YIELD_EVERY === YIELD_EVERY - 1) {
      await new Promise((resolve) => setImmediate(resolve));
      if (options.shouldStop?.()) throw new InterruptedError(`Collection stopped after ${row} of ${steps} steps; nothing was written.`);
    }
    const { qpos, qvel } = env.physicsState();
    contents.qpos!.set(qpos, row * qposSize);
    contents.qvel!.set(qvel, row * qvelSize);
    contents.observations.set(observation, row * observationSize);

    const drawn = policy.act(observation, rng);
    const action = actionTaken(drawn.action, actionSpace, policy.name);
    contents.actions.set(action, row * actionSize);
    if (row === 0 && drawn.logProb !== undefined) logProbs = new Float64Array(steps);
    if ((drawn.logProb !== undefined) !== (logProbs !== undefined)) {
      throw new DatasetError(`Policy ${policy.name} reported log π(a|s) on some steps but not on others (step ${row}).`);
    }
    if (logProbs) logProbs[row] = drawn.logProb!;

    const step = env.step(action);
    episodeReturn += step.reward;
    episodeLength++;
    contents.rewards[row] = step.reward;
    contents.nextObservations!.set(step.observation, row * observationSize);
    const timedOut = step.truncated || episodeLength >= env.maxEpisodeSteps;
    contents.terminals[row] = step.terminated ? 1 : 0;
    contents.timeouts[row] = timedOut ? 1 : 0;

    if (step.terminated || timedOut) {
      options.onEpisode?.({
        index: result.episodeReturns.length,
        return: episodeReturn,
        length: episodeLength,
        terminated: step.terminated,
      });
      result.episodeReturns.push(episodeReturn);
      result.episodeLengths.push(episodeLength);
      episodeReturn = 0;
      episodeLength = 0;
      if (row < steps - 1) observation = env.reset();
    } else {
      observation = step.observation;
    }
  }
  // The step budget cut the last episode short: to a reader it is a truncated episode.
  if (episodeLength > 0) {
    contents.timeouts[steps - 1] = 1;
    result.unfinishedEpisodeSteps = episodeLength;
  }
  if (logProbs) contents.actionLogProbs = logProbs;
  return result;
}

/**
 * The action row the env receives: a box action clipped to [-1, 1] as the env clips it,
 * so the file records what the simulator saw; a discrete action as the index drawn.
 */
function actionTaken(action: Float32Array, space: ActionSpace, policyName: string): Float32Array {
  const width = actionRowWidth(space);
  if (action.length !== width) {
    throw new DatasetError(`Policy ${policyName} returned ${action.length} action values; the env takes ${width}.`);
  }
  if (space.kind === 'discrete') {
    if (!isIndex(action[0], space.n)) {
      throw new DatasetError(`Policy ${policyName} returned action ${action[0]}; the env's actions are ${actionSpaceName(space)}, indices 0…${space.n - 1}.`);
    }
    return Float32Array.from(action);
  }
  const clipped = new Float32Array(width);
  for (let i = 0; i < width; i++) clipped[i] = Math.min(1, Math.max(-1, action[i]!));
  return clipped;
}
