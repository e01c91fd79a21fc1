/**
 * The chart kinds and the fields of a `charts:` entry (docs/design.md part 2), in one table for its
 * two readers: the loader (src/experiment/experiment-spec.ts), which refuses a bad chart before
 * anything runs, and the report (src/report/chart-spec.ts), which reads the charts back from
 * summary.json. Types and name tables only, in the schema floor: it imports nothing.
 */

export const CHART_KINDS = ['timeseries', 'sweep', 'cdf', 'bar', 'ladder', 'states'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];

/** timeseries: what the band around the mean spans across seeds. */
export const BAND_KINDS = ['minmax', 'ci95', 'none'] as const;
export type BandKind = (typeof BAND_KINDS)[number];

/** Keys that hold text when present. */
export const CHART_TEXT_KEYS = [
  'title',
  'metric',
  'x',
  'y',
  'series',
  'node',
  'run',
  'conn',
  'xlabel',
  'ylabel',
] as const;
/** Kinds that take `until` (a duration: draw the run's first stretch only). */
export const UNTIL_KINDS: readonly ChartKind[] = ['timeseries'];
/** Keys that hold true or false when present. */
export const CHART_FLAG_KEYS = ['logx', 'logy', 'absolute'] as const;

/** What a kind cannot be drawn without, and what the key is for (in messages). */
export const CHART_REQUIRED: Partial<Record<ChartKind, readonly { key: 'metric' | 'x' | 'y'; what: string }[]>> = {
  timeseries: [{ key: 'metric', what: 'a metric' }],
  cdf: [{ key: 'metric', what: 'a metric' }],
  sweep: [
    { key: 'x', what: 'the sweep path on x' },
    { key: 'y', what: 'a metric on y' },
  ],
  bar: [
    { key: 'x', what: 'the sweep path on x' },
    { key: 'y', what: 'a metric on y' },
  ],
};

/** Kinds whose `x` and `series` name sweep axes. */
export const SWEEP_AXIS_KINDS: readonly ChartKind[] = ['sweep', 'bar'];

/** A figure the report should draw. */
export interface ChartFields {
  kind: ChartKind;
  title?: string;
  /** timeseries, cdf: the metric name. */
  metric?: string;
  /** sweep, bar: the sweep path on x and the metric on y; series: the axis with one series per value. */
  x?: string;
  y?: string;
  series?: string;
  /** timeseries: one node instead of the sum; states: one node's sockets. */
  node?: string;
  /** ladder, states: the run id to draw. */
  run?: string;
  /** ladder, states: the sweep point whose lowest seed to draw; other kinds: only the runs at it. */
  point?: Record<string, unknown>;
  /** ladder: connection selector. */
  conn?: string;
  xlabel?: string;
  ylabel?: string;
  logx?: boolean;
  logy?: boolean;
  /** timeseries: the band across seeds. */
  band?: BandKind;
  /** timeseries: draw simulated time from 0 to this duration only ("6s"); the caption says so. */
  until?: string;
  /** ladder: absolute sequence numbers. */
  absolute?: boolean;
}
