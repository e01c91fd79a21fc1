/**
 * A distribution of observations (handshake times, request times): count, mean, percentiles and
 * max, as docs/design.md's `<name>.{count, mean, p50, p90, p99, max}`. Percentiles use the
 * nearest-rank method on the sorted values, so every reported value is one that was observed.
 */

export class Distribution {
  private values: number[] = [];
  private sum = 0;

  add(v: number): void {
    this.values.push(v);
    this.sum += v;
  }

  get count(): number {
    return this.values.length;
  }

  /** Writes `<prefix>.count`, `.mean`, `.p50`, `.p90`, `.p99`, `.max` (null when empty). */
  summarize(prefix: string, into: Record<string, number | null>): void {
    const n = this.values.length;
    into[`${prefix}.count`] = n;
    if (n === 0) {
      for (const k of ['mean', 'p50', 'p90', 'p99', 'max']) into[`${prefix}.${k}`] = null;
      return;
    }
    const sorted = Float64Array.from(this.values).sort();
    into[`${prefix}.mean`] = round(this.sum / n);
    into[`${prefix}.p50`] = round(nearestRank(sorted, 0.5));
    into[`${prefix}.p90`] = round(nearestRank(sorted, 0.9));
    into[`${prefix}.p99`] = round(nearestRank(sorted, 0.99));
    into[`${prefix}.max`] = round(sorted[n - 1]!);
  }

  /**
   * Up to `limit` observations for samples.csv, in arrival order: all of them when few, else an
   * evenly strided subset (deterministic, so CDFs stay reproducible without huge files).
   */
  sample(limit: number): number[] {
    const n = this.values.length;
    if (n <= limit) return this.values.map(round);
    const out: number[] = [];
    for (let i = 0; i < limit; i++) out.push(round(this.values[Math.floor((i * n) / limit)]!));
    return out;
  }
}

function nearestRank(sorted: Float64Array, q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

/** Results carry 6 significant decimals: enough for ns-derived ms values, stable across platforms. */
export function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
