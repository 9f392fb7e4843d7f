/**
 * The known name nearest to a mistyped one ("redirect_uri" → "redirect_uris", "prot" → "port"),
 * or undefined when none is close enough to be a likely typo (edit distance ≤ a third of its length,
 * at least 2).
 */
export function closest(given: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(given.length / 3)) + 1;
  for (const name of known) {
    const d = distance(given.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** "unknown key "prot" (did you mean port?)" — the hint part, or '' when nothing is close. */
export function didYouMean(given: string, known: Iterable<string>): string {
  const near = closest(given, known);
  return near === undefined ? '' : ` (did you mean ${near}?)`;
}
