/**
 * What every exported file says about where its policy came from: the checkpoint,
 * learner, environment and step, and the head in words, so a file found later on a
 * robot still tells what it is.
 */
import type { PolicyGraph, PolicyHead } from '../algos/policy-graph.js';
import type { CheckpointInfo } from '../train/checkpoint.js';

export interface ExportInfo {
  /** One line for people, e.g. `td3 policy for HalfCheetah at step 3000: a = tanh(f(o))`. */
  description: string;
  mopoVersion: string;
  /** String pairs every format carries (ONNX metadata_props, the TF.js model's user metadata, the JSON file). */
  metadata: Record<string, string>;
}

const HEAD_FORMULAS: Record<PolicyHead, string> = {
  tanh: 'a = tanh(actor(o))',
  tanh_gaussian_mean: 'a = tanh(mean of the Gaussian policy)',
};

export function exportInfo(checkpoint: { dir: string; manifest: CheckpointInfo }, learner: string, graph: PolicyGraph, mopoVersion: string): ExportInfo {
  const { algo, envId, step, epoch } = checkpoint.manifest;
  const normalised = graph.normaliser ? ', o normalised as (o - mean) / std' : '';
  return {
    description: `${algo} policy for ${envId} at step ${step}: ${HEAD_FORMULAS[graph.head]}${normalised}`,
    mopoVersion,
    metadata: {
      algo,
      learner,
      env_id: envId,
      step: String(step),
      epoch: String(epoch),
      checkpoint: checkpoint.dir,
      head: graph.head,
      observation_size: String(graph.observationSize),
      action_size: String(graph.actionSize),
      mopo_version: mopoVersion,
    },
  };
}
