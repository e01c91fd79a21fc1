/**
 * The data behind sweep and bar figures: for a metric y and a sweep axis x, one series per value
 * of the series axis (and of any other sweep axis), each with mean and 95 % CI per x value, taken
 * from summary.json's aggregate rows (or, when those lack the metric, computed from the runs).
 */
import { summarize } from '../metrics/statistics.ts';
import type { AggregateRow, PointValues, RunResult } from '../schema/results.ts';
import { skipped } from './figure.ts';
import type { Skipped } from './figure.ts';
import { capitalFirst, paramLabel, pointText, valueText } from './labels.ts';
import { pointKey } from './points.ts';
import { valueLabel } from './sweep-values.ts';

export interface SweepCell {
  /** Index into `xValues`. */
  xi: number;
  mean: number;
  ci95: number;
  n: number;
}

export interface SweepSeries {
  label: string;
  cells: SweepCell[];
}

export interface SweepData {
  /** Distinct x values in sweep order, as written. */
  xValues: unknown[];
  series: SweepSeries[];
  /** Written before the legend entries, e.g. "SYN cookies:". */
  legendTitle?: string;
  /** Largest number of seeds behind one cell. */
  maxN: number;
}

export interface SweepDataInput {
  x: string;
  y: string;
  series?: string;
  aggregate: readonly AggregateRow[];
  runs?: readonly RunResult[];
  sweepPaths: readonly string[];
  sweepValues: Record<string, readonly unknown[]>;
}

/** What a figure over a sweep axis (sweep, bar) takes beside its data. */
export interface SweepFigureOptions {
  title?: string;
  xlabel?: string;
  ylabel?: string;
  logy?: boolean;
  width?: number;
  height?: number;
}

/** The page's note for a sweep or bar figure with nothing to draw. */
export function noSweepData(input: SweepDataInput): Skipped {
  return skipped(`no values of "${input.y}" over sweep axis "${input.x}" in summary.json`);
}

/** True when some point has a confidence interval to draw (two or more seeds that differ). */
export function hasCi(data: SweepData): boolean {
  return data.series.some((s) => s.cells.some((c) => c.ci95 > 0));
}

/** "1 seed", "3 seeds". */
export function seedCount(n: number): string {
  return `${n} seed${n === 1 ? '' : 's'}`;
}

function rankIn(list: readonly unknown[] | undefined, v: unknown): number {
  if (!list) return Number.MAX_SAFE_INTEGER;
  const i = list.findIndex((w) => valueLabel(w) === valueLabel(v));
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

interface Row {
  point: PointValues;
  mean: number;
  ci95: number;
  n: number;
}

/** Per point mean/ci of y: aggregate rows first, else computed from the runs of each point. */
function rowsFor(input: SweepDataInput): Row[] {
  const rows: Row[] = [];
  for (const a of input.aggregate) {
    const m = a.metrics[input.y];
    if (m && Number.isFinite(m.mean))
      rows.push({ point: a.point, mean: m.mean, ci95: Number.isFinite(m.ci95) ? m.ci95 : 0, n: m.n });
  }
  if (rows.length > 0 || !input.runs) return rows;
  const groups = new Map<string, { point: PointValues; values: number[] }>();
  for (const r of input.runs) {
    const v = r.metrics[input.y];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    const key = pointKey(r.point, input.sweepPaths);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { point: r.point, values: [] }));
    g.values.push(v);
  }
  for (const g of groups.values()) {
    const s = summarize(g.values)!;
    rows.push({ point: g.point, mean: s.mean, ci95: s.ci95, n: s.n });
  }
  return rows;
}

/** Groups the per-point values into series over x; null when y or x is nowhere to be found. */
export function sweepData(input: SweepDataInput): SweepData | null {
  const rows = rowsFor(input).filter((r) => input.x in r.point);
  if (rows.length === 0) return null;
  const sv = input.sweepValues;
  const xValues: unknown[] = [];
  for (const r of rows)
    if (!xValues.some((v) => valueLabel(v) === valueLabel(r.point[input.x]))) xValues.push(r.point[input.x]);
  xValues.sort((a, b) => rankIn(sv[input.x], a) - rankIn(sv[input.x], b));

  // Series: the series axis first, then every other sweep axis that is not x.
  const seriesPaths = [
    ...(input.series ? [input.series] : []),
    ...input.sweepPaths.filter((p) => p !== input.x && p !== input.series),
  ].filter((p) => rows.some((r) => p in r.point));
  const byKey = new Map<string, { point: PointValues; rows: Row[] }>();
  for (const r of rows) {
    const key = pointKey(r.point, seriesPaths);
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { point: r.point, rows: [] }));
    s.rows.push(r);
  }
  const keys = [...byKey.keys()];
  const rank = (k: string): number[] => seriesPaths.map((p) => rankIn(sv[p], byKey.get(k)!.point[p]));
  keys.sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    return keys.indexOf(a) - keys.indexOf(b);
  });
  const oneAxis = seriesPaths.length === 1;
  let maxN = 0;
  const series: SweepSeries[] = keys.map((k) => {
    const g = byKey.get(k)!;
    const label =
      seriesPaths.length === 0
        ? 'mean'
        : oneAxis
          ? capitalFirst(valueText(seriesPaths[0]!, g.point[seriesPaths[0]!]))
          : pointText(g.point, seriesPaths);
    const cells: SweepCell[] = g.rows.map((r) => {
      maxN = Math.max(maxN, r.n);
      return {
        xi: xValues.findIndex((v) => valueLabel(v) === valueLabel(r.point[input.x])),
        mean: r.mean,
        ci95: r.ci95,
        n: r.n,
      };
    });
    cells.sort((a, b) => a.xi - b.xi);
    return { label, cells };
  });
  return { xValues, series, legendTitle: oneAxis ? `${paramLabel(seriesPaths[0]!)}:` : undefined, maxN };
}
