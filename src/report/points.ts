/**
 * Sweep points as figure series: each distinct point (one value per sweep axis) with its runs
 * (one per seed) and a legend label in words such as "SYN flood rate 1,000/s, SYN cookies".
 */
import type { PointValues } from '../schema/results.ts';
import { paramLabel, pointText, selfNamed, valueText } from './labels.ts';
import { valueLabel } from './sweep-values.ts';

export interface RunInfo {
  id: string;
  point: PointValues;
  seed: number;
}

export interface PointInfo {
  key: string;
  point: PointValues;
  label: string;
  runIds: string[];
  seeds: number[];
}

/** A stable key for a point over the given axes. */
export function pointKey(point: PointValues, paths: readonly string[]): string {
  return JSON.stringify(paths.map((p) => (p in point ? point[p] : null)));
}

/** A point in words over the given axes: "SYN flood rate 1,000/s, SYN cookies". */
export function pointLabel(point: PointValues, paths: readonly string[]): string {
  return pointText(point, paths);
}

/**
 * Legend of series that are points: when they differ in one axis only, a heading naming it
 * ("Packet loss per link:") and each point's value ("1 %"); else each point in words.
 */
export function pointLegend(points: readonly PointInfo[]): { title?: string; labels: string[] } {
  const paths = [...new Set(points.flatMap((p) => Object.keys(p.point)))];
  const varying = paths.filter((path) => new Set(points.map((p) => valueLabel(p.point[path]))).size > 1);
  if (varying.length === 1 && !selfNamed(varying[0]!)) {
    const path = varying[0]!;
    return { title: `${paramLabel(path)}:`, labels: points.map((p) => valueText(path, p.point[path])) };
  }
  return { labels: points.map((p) => p.label) };
}

/**
 * The distinct points of the runs, in sweep order: by the position of each value in the sweep's
 * value lists when known, else by first appearance.
 */
export function listPoints(
  runs: readonly RunInfo[],
  paths: readonly string[],
  sweepValues: Record<string, readonly unknown[]> = {},
): PointInfo[] {
  const byKey = new Map<string, PointInfo>();
  const order: PointInfo[] = [];
  for (const r of runs) {
    const key = pointKey(r.point, paths);
    let p = byKey.get(key);
    if (!p) {
      const point: PointValues = {};
      for (const path of paths) if (path in r.point) point[path] = r.point[path]!;
      p = { key, point, label: paths.length > 0 ? pointLabel(point, paths) : 'all runs', runIds: [], seeds: [] };
      byKey.set(key, p);
      order.push(p);
    }
    p.runIds.push(r.id);
    p.seeds.push(r.seed);
  }
  const rank = (p: PointInfo): number[] =>
    paths.map((path) => {
      const list = sweepValues[path];
      if (!list) return 0;
      const i = list.findIndex((v) => valueLabel(v) === valueLabel(p.point[path]));
      return i < 0 ? list.length : i;
    });
  const firstSeen = new Map(order.map((p, i) => [p.key, i]));
  return order.slice().sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    return firstSeen.get(a.key)! - firstSeen.get(b.key)!;
  });
}
