/**
 * Fitted Q Evaluation of a checkpoint's policy for `mopo-eval … ope=fqe`: loads the
 * dataset (`ope.dataset`, else the one the checkpoint was trained on), fits FQE,
 * prints the training curve, and returns the `ope` section of eval.json. It uses no
 * environment: any D4RL-layout file with the policy's observation and action sizes will do.
 */
import type { ConfigView } from '../config/access.js';
import { loadDataset } from '../data/load-dataset.js';
import { envIdFor } from '../envs/registry.js';
import { ConfigError, DatasetError } from '../errors.js';
import type { Json } from '../nn/state.js';
import type { Checkpoint } from '../train/checkpoint.js';
import { expandHome } from '../train/options.js';
import { formatNumber } from '../train/progress.js';
import { FittedQEvaluation, type EvaluatedPolicy, type FqeResult } from './fqe.js';
import type { OpeRequest } from './ope-request.js';

export interface FqeRun {
  result: FqeResult;
  json: { [key: string]: Json };
}

export async function runFqe(request: OpeRequest, checkpoint: Checkpoint, config: ConfigView, policy: EvaluatedPolicy, log: (line: string) => void): Promise<FqeRun> {
  const { settings } = request;
  const { manifest } = checkpoint;
  const env = config.at('env');
  const source = settings.dataset ?? trainingDataset(checkpoint, env);
  const dataset = await loadDataset(expandHome(source), {
    expect: { observationSize: manifest.observationSize, actionSize: manifest.actionSize },
    ...(env.has('dataset_dir') ? { datasetDir: expandHome(env.string('dataset_dir')) } : {}),
    ...(env.has('base_url') ? { baseUrl: env.string('base_url') } : {}),
  });
  const recorded = dataset.source.envId;
  if (recorded !== undefined && envIdFor(recorded) !== manifest.envId) {
    throw new DatasetError(`ope.dataset: ${dataset.source.path} was recorded in ${recorded}, but the checkpoint's policy acts in ${manifest.envId}.`);
  }

  log(`Fitted Q Evaluation on ${dataset.source.path} (${dataset.size} transitions): ${settings.steps} updates, batch ${settings.batchSize}, γ ${settings.gamma}`);
  const started = performance.now();
  const fqe = new FittedQEvaluation(settings, { observationSize: manifest.observationSize, actionSize: manifest.actionSize });
  let result: FqeResult;
  try {
    result = fqe.fit(dataset, policy, {
      onEpoch: (p) => log(`  FQE epoch ${p.epoch} step ${p.step} | loss ${formatNumber(p.loss)} | initial-state value ${formatNumber(p.initialStateValue)} | soft OPC ${formatNumber(p.softOpc)}`),
    });
  } finally {
    fqe.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  log(
    `FQE: initial-state value ${formatNumber(result.initialStateValue)} (discounted, γ ${settings.gamma}; the data's own: ${formatNumber(result.datasetDiscountedReturn)}), ` +
      `soft OPC ${formatNumber(result.softOpc)} (${result.successEpisodes} of ${result.episodes} episodes reach return ${formatNumber(result.returnThreshold)})`,
  );
  return {
    result,
    json: {
      method: 'fqe',
      dataset: dataset.source.path,
      ...(dataset.source.d4rlId === undefined ? {} : { d4rl_id: dataset.source.d4rlId }),
      transitions: dataset.size,
      episodes: result.episodes,
      initial_state_value: result.initialStateValue,
      soft_opc: result.softOpc,
      return_threshold: result.returnThreshold,
      success_episodes: result.successEpisodes,
      dataset_discounted_return: result.datasetDiscountedReturn,
      settings: {
        n_steps: settings.steps,
        n_steps_per_epoch: settings.stepsPerEpoch,
        learning_rate: settings.lr,
        batch_size: settings.batchSize,
        gamma: settings.gamma,
        n_critics: settings.criticCount,
        target_update_interval: settings.targetUpdateInterval,
        hidden_size: settings.hiddenSize,
        num_layers: settings.layers,
        seed: settings.seed,
      },
      curve: result.curve.map((p) => ({ epoch: p.epoch, step: p.step, loss: p.loss, initial_state_value: p.initialStateValue, soft_opc: p.softOpc })),
      seconds,
    },
  };
}

/** The dataset an offline run trained on: env.dataset_path, else its D4RL id. */
function trainingDataset(checkpoint: Checkpoint, env: ConfigView): string {
  if (env.has('dataset_path') && !env.isUnset('dataset_path')) return env.string('dataset_path');
  if (env.has('dataset_dir')) return env.string('id');
  throw new ConfigError(`Checkpoint ${checkpoint.dir} was trained online (${checkpoint.manifest.algo}): give the data to evaluate its policy on, ope.dataset=<HDF5 file or D4RL id>.`);
}
