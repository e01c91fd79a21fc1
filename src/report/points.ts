/**
 * Sweep points as figure series: each distinct point (one value per sweep axis) with its runs
 * (one per seed) and a legend label such as "rate=1000/s, synCookies=true".
 */
import type { PointValues } from '../metrics/results.ts';
import { shortParamNames } from './labels.ts';
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

/** "rate=1000/s, synCookies=true" over the given axes (short names unless ambiguous). */
export function pointLabel(point: PointValues, paths: readonly string[], allPaths: readonly string[] = paths): string {
  const short = shortParamNames(allPaths);
  return paths.map((p) => `${short.get(p) ?? p}=${valueLabel(point[p])}`).join(', ');
}

/**
 * The distinct points of the runs, in sweep order: by the position of each value in the sweep's
 * value lists when known, else by first appearance.
 */
export function listPoints(runs: readonly RunInfo[], paths: readonly string[], sweepValues: Record<string, readonly unknown[]> = {}): PointInfo[] {
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
