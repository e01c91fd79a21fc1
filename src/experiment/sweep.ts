/**
 * Sweep expansion: the cross product of all axes, in file order with the first axis varying
 * slowest (as nested loops read top to bottom), times the replicate seeds seed … seed+seeds-1.
 * Each (point, seed) becomes one deep-frozen RunSpec with id `p<pointIndex>-s<seed>`, the id
 * used in results (timeseries.csv `run` column, file names), so the order must never change.
 */
import type { PointValues } from '../schema/results.ts';
import type { ExperimentSpec, RunSpec } from './spec-types.ts';

/** Every combination of axis values; one empty point when there is no sweep. */
export function sweepPoints(sweep: Readonly<Record<string, readonly unknown[]>>): PointValues[] {
  let points: PointValues[] = [{}];
  for (const [path, values] of Object.entries(sweep)) {
    const next: PointValues[] = [];
    for (const point of points) {
      for (const v of values) next.push({ ...point, [path]: v as PointValues[string] });
    }
    points = next;
  }
  return points;
}

/** How many runs a sweep makes, without building them (for limits and progress). */
export function countRuns(sweep: Readonly<Record<string, readonly unknown[]>>, seeds: number): number {
  return Object.values(sweep).reduce((n, values) => n * values.length, 1) * seeds;
}

export function runId(pointIndex: number, seed: number): string {
  return `p${pointIndex}-s${seed}`;
}

/**
 * Frozen runs for validated point specs (`pointSpecs[i]` is the experiment with `points[i]`
 * applied). Point-major: all seeds of point 0, then point 1, …
 */
/**
 * Object.freeze on every plain object and array reachable from `value` (the RunSpec contract:
 * nothing in a run spec changes once built). A plain walk: immer's `freeze(x, true)` was 157 ms of
 * a 10k-host run's main thread (a generic walk through Reflect.ownKeys per object). Objects already
 * frozen are taken as frozen throughout, as immer does; other objects (class instances) are left alone.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

export function buildRuns(points: readonly PointValues[], pointSpecs: readonly ExperimentSpec[]): RunSpec[] {
  const runs: RunSpec[] = [];
  points.forEach((point, pointIndex) => {
    const spec = deepFreeze(pointSpecs[pointIndex]!);
    for (let k = 0; k < spec.seeds; k++) {
      const seed = spec.seed + k;
      runs.push(
        deepFreeze({
          id: runId(pointIndex, seed),
          pointIndex,
          point: deepFreeze(point),
          seed,
          spec: { ...spec, seed },
        }),
      );
    }
  });
  return runs;
}
