/**
 * Evaluating the policy of a checkpoint in the environment it was trained in, with the
 * config saved in the checkpoint (overrides change it for this evaluation only):
 * `mopo-eval` prints and writes the result, the library's `evaluate` returns it.
 */
import yaml from 'js-yaml';
import type { ConfigDict } from '../config/value.js';
import { ConfigView } from '../config/access.js';
import { applyValueOverrides } from '../config/compose.js';
import { isDict } from '../config/value.js';
import { envIdFor } from '../envs/registry.js';
import { CheckpointError } from '../errors.js';
import { initBackend } from '../nn/backend.js';
import { packageVersion } from '../paths.js';
import { Rng } from '../util/rng.js';
import { readCheckpoint, type Checkpoint } from './checkpoint.js';
import { envSourceFromRecord, type EnvRecord, type EnvSource } from './env-source.js';
import { EpisodeRecorder, type EpisodeRecording } from './episode-recording.js';
import { evaluatePolicy, type EvaluationResult } from './evaluate.js';
import { readGymEnvOptions, readRunOptions } from './options.js';
import { loadPolicy } from './policy-loader.js';

export interface CheckpointEvaluation {
  checkpoint: Checkpoint;
  result: EvaluationResult;
  /** The id scores are reported for (a D4RL dataset id gives a normalised score). */
  scoreId: string;
  options: { episodes: number; seed: number; deterministic: boolean };
  /** What `eval.json` holds. */
  report: Record<string, unknown>;
  /** The first `eval.record` episodes step by step, for `mopo-view`; null when none were asked for. */
  recording: EpisodeRecording | null;
}

export async function evaluateCheckpointFile(
  checkpointPath: string,
  overrides: string[],
  options: { log?: (line: string) => void; env?: EnvSource } = {},
): Promise<CheckpointEvaluation> {
  const log = options.log ?? (() => {});
  const checkpoint = readCheckpoint(checkpointPath);
  const view = new ConfigView(checkpointConfig(checkpoint, overrides));
  const run = readRunOptions(view);
  // Only the keys every env group has: an online run's `env/gym` holds no dataset keys.
  const envOptions = readGymEnvOptions(view);
  const { manifest } = checkpoint;
  // The env the checkpoint records (a user's module is checked for changes); checkpoints of mopo 0.1 name a registered env.
  const record = (manifest.env as EnvRecord | undefined) ?? { kind: 'registry', id: manifest.envId };
  const envId = envOptions.id === null ? manifest.envId : envIdFor(envOptions.id);
  if (envId !== manifest.envId) {
    throw new CheckpointError(
      `Checkpoint ${checkpoint.dir} holds a policy for ${manifest.envId} (observations ${manifest.observationSize}, actions ${manifest.actionSize}), ` +
        `but env.id=${envOptions.id} is ${envId}. Evaluate it in ${manifest.envId}, or pick a checkpoint trained on ${envId}.`,
    );
  }
  const scoreId = envOptions.id ?? envId;

  const backend = await initBackend(run.backend);
  const source = options.env ?? (await envSourceFromRecord(record, checkpoint.dir));
  const env = await source.make({ seed: run.eval.seed, ...(envOptions.maxEpisodeSteps === null ? {} : { maxEpisodeSteps: envOptions.maxEpisodeSteps }) });
  const policy = await loadPolicy(checkpoint);
  try {
    if (policy.observationSize !== env.observationSize || policy.actionSize !== env.actionSize) {
      throw new CheckpointError(
        `Checkpoint ${checkpoint.dir}: the policy takes ${policy.observationSize} observations and gives ${policy.actionSize} actions; ${env.id} has ${env.observationSize} and ${env.actionSize}.`,
      );
    }
    log(`Checkpoint: ${checkpoint.dir} (${manifest.algo}, ${manifest.envId}, epoch ${manifest.epoch}, step ${manifest.step})`);
    log(`Backend: ${backend.description}`);
    const rng = new Rng(run.eval.seed, 31);
    const recordCount = Math.min(run.eval.record, run.eval.episodes);
    const recorder = recordCount > 0 ? new EpisodeRecorder(recordCount) : undefined;
    const started = performance.now();
    const result = evaluatePolicy(env, (obs) => policy.act(obs, run.eval.deterministic, rng), { episodes: run.eval.episodes, seed: run.eval.seed, scoreId, ...(recorder ? { observer: recorder } : {}) });
    const seconds = (performance.now() - started) / 1000;
    const report = {
      checkpoint: checkpoint.dir,
      algo: manifest.algo,
      env_id: scoreId,
      gym_env: envId,
      step: manifest.step,
      epoch: manifest.epoch,
      episodes: result.episodes,
      deterministic: run.eval.deterministic,
      seed: run.eval.seed,
      return_mean: result.returnMean,
      return_std: result.returnStd,
      length_mean: result.lengthMean,
      normalized_score_mean: result.normalizedMean,
      normalized_score_std: result.normalizedStd,
      returns: result.returns,
      lengths: result.lengths,
      backend: backend.name,
      seconds,
      mopo_version: packageVersion(),
    };
    const recording = recorder?.recording({ checkpoint: checkpoint.dir, algo: manifest.algo, step: manifest.step, deterministic: run.eval.deterministic, mopo_version: packageVersion() }) ?? null;
    return { checkpoint, result, scoreId, options: { episodes: run.eval.episodes, seed: run.eval.seed, deterministic: run.eval.deterministic }, report, recording };
  } finally {
    policy.dispose();
    env.close();
  }
}

/** The config a checkpoint was trained with, with `overrides` applied. */
export function checkpointConfig(checkpoint: Checkpoint, overrides: string[]): ConfigDict {
  let saved: unknown;
  try {
    saved = yaml.load(checkpoint.config);
  } catch (error) {
    throw new CheckpointError(`Checkpoint ${checkpoint.dir}: config.yaml is not valid YAML (${(error as Error).message}).`);
  }
  if (!isDict(saved)) throw new CheckpointError(`Checkpoint ${checkpoint.dir}: config.yaml does not hold a config.`);
  const config = saved as ConfigDict;
  // Checkpoints written before eval.record existed: its shipped default, so `eval.record=N` applies to them too.
  if (isDict(config.eval) && !('record' in config.eval)) config.eval.record = 0;
  applyValueOverrides(config, overrides, 'mopo-eval');
  return config;
}
