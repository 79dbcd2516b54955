/**
 * "Did you mean …" for misspelled keys and options: Hydra does not offer it, and a
 * typo in a long sweep is the most common way to lose an afternoon.
 */

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The closest candidates to `word`, best first: only those at the smallest distance
 * found, and only if that is a plausible typo. For dotted keys the allowance comes
 * from the last segment (`algo.hh` may be `algo.h`, not `algo.lr`).
 */
export function suggestions(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = word.toLowerCase();
  const lastSegment = lower.split(/[./]/).pop() ?? lower;
  const budget = Math.min(3, Math.max(1, Math.floor(lastSegment.length / 3)));
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of new Set(candidates)) {
    if (candidate === word) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= budget) scored.push({ candidate, distance });
  }
  if (scored.length === 0) return [];
  const best = Math.min(...scored.map((s) => s.distance));
  return scored
    .filter((s) => s.distance === best)
    .map((s) => s.candidate)
    .sort()
    .slice(0, limit);
}

/** " Did you mean 'x'?" or " Did you mean one of 'x', 'y'?" or "" when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const close = suggestions(word, candidates);
  if (close.length === 0) return '';
  if (close.length === 1) return ` Did you mean '${close[0]}'?`;
  return ` Did you mean one of ${close.map((c) => `'${c}'`).join(', ')}?`;
}

/**
 * The single closest candidate, if it is within max(2, a third of the input's length)
 * edits: for ids like `hoper-medium-v2`, where one good guess beats a list.
 */
export function closestName(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(needle.length / 3)) ? best : undefined;
}
