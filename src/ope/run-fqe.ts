/**
 * Off-policy evaluation of a checkpoint for `mopo-eval … ope=fqe`: the simulator's
 * episodes when any are asked for (eval.episodes > 0), each one's discounted return
 * recorded as the truth to compare with; then Fitted Q Evaluation of the policy on a
 * dataset (`ope.dataset`, else the data the checkpoint was trained on), its curve
 * printed; and the eval.json report with the `ope` section beside the simulator's
 * figures. FQE itself uses no environment: any D4RL-layout file with the policy's
 * observation and action sizes will do.
 */
import { ConfigView } from '../config/access.js';
import { isD4rlDatasetId } from '../data/d4rl-registry.js';
import { loadDataset } from '../data/load-dataset.js';
import type { OfflineDataset } from '../data/offline-dataset.js';
import { envIdFor } from '../envs/registry.js';
import { ConfigError, DatasetError } from '../errors.js';
import { initBackend } from '../nn/backend.js';
import { packageVersion } from '../paths.js';
import { readCheckpoint, type Checkpoint } from '../train/checkpoint.js';
import { checkpointConfig, evaluateCheckpointFile, type CheckpointEvaluation } from '../train/checkpoint-evaluation.js';
import { envSourceFromRecord, type EnvRecord } from '../train/env-source.js';
import { BACKENDS, expandHome } from '../train/options.js';
import { loadPolicy } from '../train/policy-loader.js';
import { formatNumber } from '../train/progress.js';
import { FittedQEvaluation, type FqeResult } from './fqe.js';
import { recordDiscountedReturns } from './monte-carlo.js';
import type { OpeRequest } from './ope-request.js';

export interface OffPolicyEvaluation {
  checkpoint: Checkpoint;
  /** The simulator's evaluation, or null with eval.episodes=0. */
  simulator: CheckpointEvaluation | null;
  fqe: FqeResult;
  /** What eval.json holds. */
  report: Record<string, unknown>;
}

export interface OffPolicyHooks {
  log: (line: string) => void;
  /** Called once the simulator's episodes are done, before FQE starts. */
  onSimulated?: (evaluation: CheckpointEvaluation) => void;
}

export async function evaluateOffPolicy(checkpointPath: string, overrides: string[], request: OpeRequest, { log, onSimulated }: OffPolicyHooks): Promise<OffPolicyEvaluation> {
  const checkpoint = readCheckpoint(checkpointPath);
  const view = new ConfigView(checkpointConfig(checkpoint, overrides));
  const { manifest } = checkpoint;
  const record = (manifest.env as EnvRecord | undefined) ?? { kind: 'registry', id: manifest.envId };
  let simulator: CheckpointEvaluation | null = null;
  let discountedReturns: number[] | null = null;
  if (view.at('eval').int('episodes', { min: 0 }) > 0) {
    const recorder = recordDiscountedReturns(await envSourceFromRecord(record, checkpoint.dir), request.settings.gamma);
    simulator = await evaluateCheckpointFile(checkpointPath, overrides, { log, env: recorder.source });
    discountedReturns = recorder.returns;
    onSimulated?.(simulator);
  } else {
    const backend = await initBackend(view.oneOf('backend', BACKENDS));
    log(`Checkpoint: ${checkpoint.dir} (${manifest.algo}, ${manifest.envId}, epoch ${manifest.epoch}, step ${manifest.step})`);
    log(`Backend: ${backend.description}`);
  }

  const dataset = await evaluationData(request, checkpoint, view, record);
  const policy = await loadPolicy(checkpoint);
  let fqe: FqeResult;
  const started = performance.now();
  try {
    log(`Fitted Q Evaluation on ${dataset.source.path} (${dataset.size} transitions): ${request.settings.steps} updates, batch ${request.settings.batchSize}, γ ${request.settings.gamma}`);
    const estimator = new FittedQEvaluation(request.settings, { observationSize: manifest.observationSize, actionSize: manifest.actionSize });
    try {
      fqe = estimator.fit(dataset, policy, {
        onEpoch: (p) => log(`  FQE epoch ${p.epoch} step ${p.step} | loss ${formatNumber(p.loss)} | initial-state value ${formatNumber(p.initialStateValue)} | soft OPC ${formatNumber(p.softOpc)}`),
      });
    } finally {
      estimator.dispose();
    }
  } finally {
    policy.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  log(
    `FQE: initial-state value ${formatNumber(fqe.initialStateValue)} (discounted, γ ${request.settings.gamma}; the data's own: ${formatNumber(fqe.datasetDiscountedReturn)}), ` +
      `soft OPC ${formatNumber(fqe.softOpc)} (${fqe.successEpisodes} of ${fqe.episodes} episodes reach return ${formatNumber(fqe.returnThreshold)})`,
  );
  const ope: Record<string, unknown> = { ...opeSection(request, dataset, fqe), seconds };
  if (discountedReturns) {
    const truth = discountedReturns.reduce((a, b) => a + b, 0) / discountedReturns.length;
    ope.monte_carlo = { discounted_return_mean: truth, discounted_returns: discountedReturns, gamma: request.settings.gamma };
    ope.relative_error = (fqe.initialStateValue - truth) / Math.abs(truth);
    log(`Monte-Carlo discounted return of the episodes above: ${formatNumber(truth)}; FQE's relative error ${(100 * (ope.relative_error as number)).toFixed(1)}%`);
  }
  const report = simulator
    ? { ...simulator.report, ope }
    : { checkpoint: checkpoint.dir, algo: manifest.algo, gym_env: manifest.envId, step: manifest.step, epoch: manifest.epoch, ope, mopo_version: packageVersion() };
  return { checkpoint, simulator, fqe, report };
}

/** `ope.dataset`; else the data the checkpoint trained on: env.dataset_path, its D4RL id, or its user env's getDataset(). */
async function evaluationData(request: OpeRequest, checkpoint: Checkpoint, view: ConfigView, record: EnvRecord): Promise<OfflineDataset> {
  const env = view.at('env');
  const { manifest } = checkpoint;
  const options = {
    expect: { observationSize: manifest.observationSize, actionSize: manifest.actionSize },
    ...(env.has('dataset_dir') ? { datasetDir: expandHome(env.string('dataset_dir')) } : {}),
    ...(env.has('base_url') ? { baseUrl: env.string('base_url') } : {}),
  };
  const trainedOn = env.has('dataset_path') && !env.isUnset('dataset_path') ? env.string('dataset_path') : env.has('id') && !env.isUnset('id') && isD4rlDatasetId(env.string('id')) ? env.string('id') : null;
  const where = request.settings.dataset ?? trainedOn;
  let dataset: OfflineDataset;
  if (where !== null) {
    dataset = await loadDataset(expandHome(where), options);
  } else {
    const source = record.kind === 'custom' ? await envSourceFromRecord(record, checkpoint.dir) : null;
    if (!source?.dataset) throw new ConfigError(`Checkpoint ${checkpoint.dir} names no dataset (${manifest.algo} on ${manifest.envId}): give the data to evaluate its policy on, ope.dataset=<HDF5 file or D4RL id>.`);
    dataset = await source.dataset({ validationSplit: 0, seed: request.settings.seed });
  }
  const recorded = dataset.source.envId;
  if (recorded !== undefined && record.kind === 'registry' && envIdFor(recorded) !== manifest.envId) {
    throw new DatasetError(`ope.dataset: ${dataset.source.path} was recorded in ${recorded}, but the checkpoint's policy acts in ${manifest.envId}.`);
  }
  return dataset;
}

function opeSection(request: OpeRequest, dataset: OfflineDataset, result: FqeResult): Record<string, unknown> {
  const { settings } = request;
  return {
    method: request.method,
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
  };
}
