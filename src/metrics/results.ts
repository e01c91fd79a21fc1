/**
 * The shapes of a results folder (docs/design.md part 2): what the batch runner writes and what
 * src/report reads back. Plain JSON data only.
 */

/** Flattened metric name → value, e.g. "handshake_ms.p50": 20.4. Missing values are null. */
export type MetricValues = Record<string, number | string | null>;

/** Sweep coordinates of a run: parameter path → value, e.g. {"apps.flood.rate": "1000/s"}. */
export type PointValues = Record<string, string | number | boolean>;

export interface RunResult {
  /** Stable id "p<point index>-s<seed>", used in timeseries.csv's `run` column and file names. */
  id: string;
  point: PointValues;
  seed: number;
  metrics: MetricValues;
}

/** One sweep point's metrics across its seeds. */
export interface AggregateRow {
  point: PointValues;
  /** Per metric: mean, 95 % confidence half-width (Student t), min, max, n over seeds. */
  metrics: Record<string, { mean: number; ci95: number; min: number; max: number; n: number }>;
}

export interface Summary {
  experiment: string;
  /** The experiment spec as loaded (after --set overrides), with its sweep and charts. */
  spec: unknown;
  runs: RunResult[];
  aggregate: AggregateRow[];
}

/** One row of timeseries.csv: `run,t_s,node,metric,value`. */
export interface TimeseriesRow {
  run: string;
  t_s: number;
  node: string;
  metric: string;
  value: number;
}
