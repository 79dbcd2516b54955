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

/** `output` [members · rows, 2D] and `target` [members · rows, D], member-major. */
export function gaussianHeadLoss(output: tf.Tensor, target: tf.Tensor, members: number, bounds: LogvarBounds): HeadLoss {
  const [mean, raw] = splitHead(output);
  const D = target.shape[1]!;
  const rows = target.shape[0]! / members;
  const perElement = 1 / (rows * D);
  const { logvar, upperClamped } = softClampLogvar(raw, bounds);
  const inverseVariance = tf.exp(tf.neg(logvar));
  const error = tf.sub(mean, target);
  const weighted = tf.mul(tf.square(error), inverseVariance);
  const perMember = tf.mean(tf.reshape(tf.add(weighted, logvar), [members, rows * D]), 1);

  const dMean = tf.mul(tf.mul(error, inverseVariance), 2 * perElement);
  const dLogvar = tf.mul(tf.sub(1, weighted), perElement);
  const throughLower = tf.mul(dLogvar, tf.sigmoid(tf.sub(upperClamped, bounds.min)));
  const dRaw = tf.mul(throughLower, tf.sigmoid(tf.sub(bounds.max, raw)));
  const dMaxRows = tf.sub(throughLower, dRaw);
  const dMinRows = tf.sub(dLogvar, throughLower);
  const dBounds = tf.sum(tf.reshape(tf.concat([dMaxRows, dMinRows], 1), [members, rows, 2 * D]), 1);
  return { perMember, dOutput: tf.concat([dMean, dRaw], 1), dBounds };
}
