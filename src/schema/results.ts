/**
 * The shapes of a results folder (docs/design.md part 2): what the batch runner writes
 * (src/experiment results-files.ts) and what src/report reads back (read-results.ts). Plain JSON
 * data only; types only, in the schema floor: it imports nothing.
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

/** Statistics of one metric over several values (src/metrics statistics.ts `summarize`). */
export interface MetricStats {
  mean: number;
  /** t(0.975, n-1) · s / √n; 0 when n < 2 (no spread can be estimated from one value). */
  ci95: number;
  min: number;
  max: number;
  n: number;
}

/** One sweep point's metrics across its seeds. */
export interface AggregateRow {
  point: PointValues;
  /** Per metric: mean, 95 % confidence half-width (Student t), min, max, n over seeds. */
  metrics: Record<string, MetricStats>;
}

export interface Summary {
  experiment: string;
  /** The experiment spec as loaded (after --set overrides), with its sweep and charts. */
  spec: unknown;
  runs: RunResult[];
  aggregate: AggregateRow[];
}

/** One row of samples.csv: `run,metric,value`, a per-connection (or per-request) observation behind the CDFs. */
export interface SampleRow {
  run: string;
  metric: string;
  value: number;
}

/** One row of timeseries.csv: `run,t_s,node,metric,value`. */
export interface TimeseriesRow {
  run: string;
  t_s: number;
  node: string;
  metric: string;
  value: number;
}
