/**
 * The score of a run depends on which evaluations one reports. The references differ:
 * OfflineRL-Kit evaluates every epoch and reports the mean of the last 10
 * evaluations; others report the last one; some report the best one, which picks a
 * checkpoint by its test score and is therefore optimistic. Every run records all its
 * evaluations and states each of these, labelled, so a number in a table says what it is.
 */
import type { Json } from '../nn/state.js';

export interface EvaluationRecord {
  epoch: number;
  step: number;
  returnMean: number;
  returnStd: number;
  /** D4RL's 0–100 scale, when the environment has reference scores. */
  normalizedScore: number | null;
  [key: string]: Json;
}

export interface ProtocolScore {
  returnMean: number;
  normalizedScore: number | null;
  /** How many evaluations the figure averages. */
  evaluations: number;
  /** The step of the (last) evaluation it uses. */
  step: number;
}

export interface ScoreProtocols {
  last: ProtocolScore;
  meanLast10: ProtocolScore;
  best: ProtocolScore;
}

/** OfflineRL-Kit's window. */
export const LAST_EVALUATIONS = 10;

export function scoreProtocols(evaluations: readonly EvaluationRecord[]): ScoreProtocols {
  if (evaluations.length === 0) throw new RangeError('scoreProtocols needs at least one evaluation');
  const last = evaluations[evaluations.length - 1]!;
  const window = evaluations.slice(-LAST_EVALUATIONS);
  const key = (e: EvaluationRecord) => e.normalizedScore ?? e.returnMean;
  const best = evaluations.reduce((a, b) => (key(b) > key(a) ? b : a));
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    last: single(last),
    meanLast10: {
      returnMean: mean(window.map((e) => e.returnMean)),
      normalizedScore: last.normalizedScore === null ? null : mean(window.map((e) => e.normalizedScore!)),
      evaluations: window.length,
      step: last.step,
    },
    best: single(best),
  };
}

/** The protocols as `summary.json` writes them (snake_case, each with what it means). */
export function protocolsJson(scores: ScoreProtocols): Json {
  const entry = (p: ProtocolScore, protocol: string, extra: Record<string, Json> = {}) => ({
    return_mean: p.returnMean,
    normalized_score: p.normalizedScore,
    evaluations: p.evaluations,
    step: p.step,
    protocol,
    ...extra,
  });
  return {
    last: entry(scores.last, 'the last evaluation'),
    mean_last_10: entry(scores.meanLast10, `mean of the last ${LAST_EVALUATIONS} evaluations (OfflineRL-Kit's protocol)`),
    best: entry(scores.best, 'the best evaluation of the run (optimistic: it selects by test score)', { optimistic: true }),
  };
}

function single(e: EvaluationRecord): ProtocolScore {
  return { returnMean: e.returnMean, normalizedScore: e.normalizedScore, evaluations: 1, step: e.step };
}
