/**
 * The uncertainty u(s,a) that MOPO subtracts (times λ) from model rewards, from all
 * members' predictions of one batch of rows ([members, rows, D], D = obs + reward).
 *   std_norm      max over members of ‖σᵢ‖₂ over all D outputs (the paper's choice)
 *   disagreement  max over members of ‖μᵢ − mean μ‖₂ over the observation outputs
 *   ensemble_std  √(mean over observation outputs of the members' variance of μ)
 * The last two follow OfflineRL-Kit's pairwise-diff and ensemble_std (observation dims only).
 */
import type { PenaltyKind } from './ensemble-options.js';

export interface PredictionBlock {
  means: Float32Array;
  logvars: Float32Array;
  members: number;
  rows: number;
  /** Outputs per row: observation dims followed by the reward. */
  width: number;
}

export function uncertainty(kind: PenaltyKind, block: PredictionBlock, out = new Float32Array(block.rows)): Float32Array {
  switch (kind) {
    case 'std_norm':
      return maxStdNorm(block, out);
    case 'disagreement':
      return maxDisagreement(block, out);
    case 'ensemble_std':
      return ensembleStd(block, out);
  }
}

function maxStdNorm({ logvars, members, rows, width }: PredictionBlock, out: Float32Array): Float32Array {
  for (let r = 0; r < rows; r++) {
    let worst = 0;
    for (let m = 0; m < members; m++) {
      const base = (m * rows + r) * width;
      let variance = 0;
      for (let d = 0; d < width; d++) variance += Math.exp(logvars[base + d]!);
      worst = Math.max(worst, variance);
    }
    out[r] = Math.sqrt(worst);
  }
  return out;
}

function maxDisagreement(block: PredictionBlock, out: Float32Array): Float32Array {
  const { means, members, rows, width } = block;
  const obs = width - 1;
  const centre = new Float64Array(obs);
  for (let r = 0; r < rows; r++) {
    memberMean(block, r, centre);
    let worst = 0;
    for (let m = 0; m < members; m++) {
      const base = (m * rows + r) * width;
      let squared = 0;
      for (let d = 0; d < obs; d++) squared += (means[base + d]! - centre[d]!) ** 2;
      worst = Math.max(worst, squared);
    }
    out[r] = Math.sqrt(worst);
  }
  return out;
}

function ensembleStd(block: PredictionBlock, out: Float32Array): Float32Array {
  const { means, members, rows, width } = block;
  const obs = width - 1;
  const centre = new Float64Array(obs);
  for (let r = 0; r < rows; r++) {
    memberMean(block, r, centre);
    let variance = 0;
    for (let m = 0; m < members; m++) {
      const base = (m * rows + r) * width;
      for (let d = 0; d < obs; d++) variance += (means[base + d]! - centre[d]!) ** 2;
    }
    out[r] = Math.sqrt(variance / (members * obs));
  }
  return out;
}

/** Mean over members of the observation outputs of row r. */
function memberMean({ means, members, rows, width }: PredictionBlock, r: number, centre: Float64Array): void {
  centre.fill(0);
  for (let m = 0; m < members; m++) {
    const base = (m * rows + r) * width;
    for (let d = 0; d < centre.length; d++) centre[d]! += means[base + d]!;
  }
  for (let d = 0; d < centre.length; d++) centre[d]! /= members;
}
