/**
 * The text of the results files (docs/design.md part 2) from runs held in memory: summary.json,
 * runs.csv and the rows of timeseries.csv and samples.csv. Pure functions with no file system, so
 * the results writer (results-writer.ts, which streams rows to disk) and the browser playground
 * (web/, which holds a batch in memory) give byte-identical files for the same runs.
 */
import type { AggregateRow, MetricValues, PointValues, RunResult, Summary } from '../schema/results.ts';
import { aggregateRuns } from './aggregate.ts';
import { csvCell, csvLine, stableJson } from './csv.ts';
import type { Sample, TimeseriesColumns } from './run-output.ts';

/** The metric that holds wall-clock time: in timing.json only, never in summary.json or runs.csv. */
export const WALL_METRIC = 'sim.wall_s';

/** One finished run in plan order, as the summary needs it. */
export interface FinishedRun {
  id: string;
  pointIndex: number;
  point: PointValues;
  seed: number;
  metrics: MetricValues;
}

export const TIMESERIES_HEADER = csvLine(['run', 't_s', 'node', 'metric', 'value']);
export const SAMPLES_HEADER = csvLine(['run', 'metric', 'value']);

/** A run's metrics in name order (never wall time: see timing.json). */
export function sortedMetrics(metrics: MetricValues): MetricValues {
  const out: MetricValues = {};
  for (const k of Object.keys(metrics).sort()) if (k !== WALL_METRIC) out[k] = metrics[k]!;
  return out;
}

/** summary.json and runs.csv for runs given in plan order. */
export function summaryFiles(
  experiment: string,
  spec: unknown,
  finished: readonly FinishedRun[],
): { summaryJson: string; runsCsv: string } {
  const pointNames: string[] = [];
  const pointSeen = new Set<string>();
  const metricNames = new Set<string>();
  const runs: RunResult[] = [];
  for (const f of finished) {
    for (const k of Object.keys(f.point)) if (!pointSeen.has(k)) pointSeen.add(k), pointNames.push(k);
    for (const k of Object.keys(f.metrics)) metricNames.add(k);
    runs.push({ id: f.id, point: f.point, seed: f.seed, metrics: sortedMetrics(f.metrics) });
  }
  const metricColumns = [...metricNames].filter((m) => m !== WALL_METRIC).sort();
  let runsCsv = csvLine(['run', ...pointNames, 'seed', ...metricColumns]);
  for (const r of runs)
    runsCsv += csvLine([r.id, ...pointNames.map((p) => r.point[p]), r.seed, ...metricColumns.map((m) => r.metrics[m])]);
  const aggregate: AggregateRow[] = aggregateRuns(
    runs.map((r, i) => ({ pointIndex: finished[i]!.pointIndex, point: r.point, metrics: r.metrics })),
  );
  const summary: Summary = { experiment, spec, runs, aggregate };
  return { summaryJson: stableJson(summary), runsCsv };
}

/**
 * The CSV text of string cells, each worked out once: node and metric names repeat on every row.
 * Cells of other types (numbers) are formatted each time.
 */
function cellCache(): (v: unknown) => string {
  const seen = new Map<string, string>();
  return (v) => {
    if (typeof v !== 'string') return csvCell(v);
    let cell = seen.get(v);
    if (cell === undefined) seen.set(v, (cell = csvCell(v)));
    return cell;
  };
}

/** timeseries.csv rows of one run, handed out in pieces of about 64 KiB (each row as csvLine writes it). */
export function* timeseriesRows(runId: string, ts: TimeseriesColumns): Generator<string> {
  const n = ts.t_s.length;
  if (ts.node.length !== n || ts.metric.length !== n || ts.value.length !== n) {
    throw new Error(`run ${runId}: timeseries columns have different lengths`);
  }
  const cell = cellCache();
  const run = csvCell(runId);
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `${run},${csvCell(ts.t_s[i])},${cell(ts.node[i])},${cell(ts.metric[i])},${csvCell(ts.value[i])}\n`;
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** samples.csv rows of one run (each as csvLine writes it). */
export function samplesRows(runId: string, samples: readonly Sample[]): string {
  const cell = cellCache();
  const run = csvCell(runId);
  let out = '';
  for (const s of samples) out += `${run},${cell(s.metric)},${csvCell(s.value)}\n`;
  return out;
}
