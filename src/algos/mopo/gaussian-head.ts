/**
 * The probabilistic output of a dynamics member: a row [μ (D), raw log-variance (D)]
 * whose log-variance is soft-clamped between learned bounds (per output dim, shared
 * by all members):
 *   a = max − softplus(max − raw),   lv = min + softplus(a − min)
 * and its training loss per member, averaged over rows and dims:
 *   mean((μ − y)² · e^(−lv)) + mean(lv).
 * Gradients are written out by hand (tfjs-core registers none in Node); softplus′ is
 * the sigmoid. Rows of several members arrive stacked member-major. Call inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fastKernels, GAUSSIAN_HEAD, GAUSSIAN_PREDICT, runFused } from '../../nn/wasm/fast-kernels.js';

export interface LogvarBounds {
  /** [1, D] each. */
  max: tf.Tensor;
  min: tf.Tensor;
}

export function softClampLogvar(raw: tf.Tensor, bounds: LogvarBounds): { logvar: tf.Tensor; upperClamped: tf.Tensor } {
  const upperClamped = tf.sub(bounds.max, tf.softplus(tf.sub(bounds.max, raw)));
  return { logvar: tf.add(bounds.min, tf.softplus(tf.sub(upperClamped, bounds.min))), upperClamped };
}

export function splitHead(output: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return tf.split(output, 2, 1) as [tf.Tensor, tf.Tensor];
}

export interface HeadLoss {
  /** [members]: each member's loss (without weight decay and bound terms). */
  perMember: tf.Tensor;
  /** [members · rows, 2D]: gradient of Σ members' losses w.r.t. the stacked outputs. */
  dOutput: tf.Tensor;
  /** [members, 2D]: each member's share of the gradient w.r.t. [max (D), min (D)]. */
  dBounds: tf.Tensor;
}

/**
 * `output` [members · rows, 2D] and `target` [members · rows, D], member-major. With
 * `batchRows` (> rows) these rows are part of a larger batch: the loss and gradients
 * are this part's share of the mean over `batchRows` rows.
 */
export function gaussianHeadLoss(output: tf.Tensor, target: tf.Tensor, members: number, bounds: LogvarBounds, batchRows?: number): HeadLoss {
  const [mean, raw] = splitHead(output);
  const D = target.shape[1]!;
  const rows = target.shape[0]! / members;
  const scaleRows = batchRows ?? rows;
  const perElement = 1 / (scaleRows * D);
  const { logvar, upperClamped } = softClampLogvar(raw, bounds);
  const inverseVariance = tf.exp(tf.neg(logvar));
  const error = tf.sub(mean, target);
  const weighted = tf.mul(tf.square(error), inverseVariance);
  const perRow = tf.mean(tf.reshape(tf.add(weighted, logvar), [members, rows * D]), 1);
  const perMember = scaleRows === rows ? perRow : tf.mul(perRow, rows / scaleRows);

  const dMean = tf.mul(tf.mul(error, inverseVariance), 2 * perElement);
  const dLogvar = tf.mul(tf.sub(1, weighted), perElement);
  const throughLower = tf.mul(dLogvar, tf.sigmoid(tf.sub(upperClamped, bounds.min)));
  const dRaw = tf.mul(throughLower, tf.sigmoid(tf.sub(bounds.max, raw)));
  const dMaxRows = tf.sub(throughLower, dRaw);
  const dMinRows = tf.sub(dLogvar, throughLower);
  const dBounds = tf.sum(tf.reshape(tf.concat([dMaxRows, dMinRows], 1), [members, rows, 2 * D]), 1);
  return { perMember, dOutput: tf.concat([dMean, dRaw], 1), dBounds };
}

/**
 * The head loss of `outputs.length` members (each [rows, 2D]) against `target`
 * [members · rows, D], with the gradient of each member's output: one fused kernel on
 * the WASM backend, the tfjs ops of `gaussianHeadLoss` elsewhere. `batchRows` as there.
 */
export function memberHeadLoss(
  outputs: tf.Tensor[],
  target: tf.Tensor,
  bounds: Float32Array,
  batchRows?: number,
): { perMember: tf.Tensor; dOutputs: tf.Tensor[]; dBounds: tf.Tensor } {
  const members = outputs.length;
  const D = target.shape[1]!;
  const rows = target.shape[0]! / members;
  if (fastKernels()) {
    const inputs: Record<string, tf.Tensor> = { target, bounds: tf.tensor1d(bounds.subarray(0, 2 * D)) };
    outputs.forEach((output, m) => (inputs[`output${m}`] = output));
    const results = runFused(GAUSSIAN_HEAD, inputs, { members, rows, scaleRows: batchRows ?? rows, D });
    return { dOutputs: results.slice(0, members), perMember: results[members]!, dBounds: results[members + 1]! };
  }
  const head = gaussianHeadLoss(members === 1 ? outputs[0]! : tf.concat(outputs, 0), target, members, boundTensors(bounds, D), batchRows);
  return { perMember: head.perMember, dOutputs: members === 1 ? [head.dOutput] : tf.split(head.dOutput, members, 0), dBounds: head.dBounds };
}

/** Means and soft-clamped log-variances of every member's output [rows, 2D], as one vector [2, members, rows, D]. */
export function memberPredictions(outputs: tf.Tensor[], bounds: Float32Array): tf.Tensor {
  const D = outputs[0]!.shape[1]! / 2;
  if (fastKernels()) {
    const inputs: Record<string, tf.Tensor> = { bounds: tf.tensor1d(bounds.subarray(0, 2 * D)) };
    outputs.forEach((output, m) => (inputs[`output${m}`] = output));
    return runFused(GAUSSIAN_PREDICT, inputs, { members: outputs.length, rows: outputs[0]!.shape[0]!, D })[0]!;
  }
  const b = boundTensors(bounds, D);
  const means: tf.Tensor[] = [];
  const logvars: tf.Tensor[] = [];
  for (const output of outputs) {
    const [mean, raw] = splitHead(output);
    means.push(mean);
    logvars.push(softClampLogvar(raw, b).logvar);
  }
  return tf.concat([...means, ...logvars].map((t) => tf.reshape(t, [-1])));
}

/** [max (D), min (D)] as the [1, D] tensors of LogvarBounds. */
export function boundTensors(bounds: Float32Array, D: number): LogvarBounds {
  return { max: tf.tensor2d(bounds.subarray(0, D), [1, D]), min: tf.tensor2d(bounds.subarray(D, 2 * D), [1, D]) };
}
