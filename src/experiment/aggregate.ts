/**
 * Per-sweep-point statistics over seeds, for summary.json's `aggregate`: each metric's
 * `summarize` (src/metrics/statistics.ts) over the seeds of a point.
 */
import { summarize } from '../metrics/statistics.ts';
import type { AggregateRow, MetricValues, PointValues } from '../schema/results.ts';

export interface AggregateInput {
  pointIndex: number;
  point: PointValues;
  metrics: MetricValues;
}

/**
 * One row per sweep point, in order of first appearance; metrics in sorted name order. Only
 * numeric values count (null and text values such as `time_wait.peak_node` are left out); a
 * metric with no numeric value at a point is omitted from that row.
 */
export function aggregateRuns(
  runs: readonly AggregateInput[],
  exclude: ReadonlySet<string> = new Set(),
): AggregateRow[] {
  const groups = new Map<number, { point: PointValues; runs: AggregateInput[] }>();
  for (const r of runs) {
    let g = groups.get(r.pointIndex);
    if (!g) groups.set(r.pointIndex, (g = { point: r.point, runs: [] }));
    g.runs.push(r);
  }
  const rows: AggregateRow[] = [];
  for (const g of groups.values()) {
    const names = new Set<string>();
    for (const r of g.runs) for (const k of Object.keys(r.metrics)) if (!exclude.has(k)) names.add(k);
    const metrics: AggregateRow['metrics'] = {};
    for (const name of [...names].sort()) {
      const values: number[] = [];
      for (const r of g.runs) {
        const v = r.metrics[name];
        if (typeof v === 'number') values.push(v);
      }
      const s = summarize(values);
      if (s) metrics[name] = s;
    }
    rows.push({ point: g.point, metrics });
  }
  return rows;
}
