/**
 * Series that would hide each other: a series whose every value equals an earlier one's is drawn
 * exactly on top of it, so its legend entry says so ("cookies (same as none)") instead of leaving
 * the reader to wonder where it went.
 */

/** Values equal to 1e-9 relative (identical runs of a deterministic model print identical means). */
function same(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  return a.every((v, i) => Math.abs(v - b[i]!) <= 1e-9 * Math.max(1, Math.abs(v), Math.abs(b[i]!)));
}

/** For each series, the index of the first earlier series with the same values, or null. */
export function identicalTo(series: readonly (readonly number[])[]): (number | null)[] {
  return series.map((s, i) => {
    for (let j = 0; j < i; j++) if (same(s, series[j]!)) return j;
    return null;
  });
}

/** Legend labels with "(same as X)" on every series that repeats an earlier one. */
export function withSameAsNotes(labels: readonly string[], series: readonly (readonly number[])[]): string[] {
  const twin = identicalTo(series);
  return labels.map((l, i) => (twin[i] === null ? l : `${l} (same as ${labels[twin[i]!]})`));
}
