/**
 * What a report reads from a results folder before drawing: the runs and their sweep points, the
 * time series and samples the figures ask for, and the trace lines of the runs they draw (with the
 * explorer's files built in the same pass). Also which run a figure means (`resolveRun`).
 */

import type { PointValues, Summary } from '../schema/results.ts';
import type { ChartEntry, ReportChart } from './chart-spec.ts';
import type { ExploreBuilder } from './explorer/explore-data.ts';
import { isObject } from './plain-data.ts';
import { valueLabel } from './sweep-values.ts';
import { listPoints } from './points.ts';
import type { PointInfo, RunInfo } from './points.ts';
import { ALL_NODES, readSamples, readTimeseries, readTrace } from './read-results.ts';
import type { TimeseriesRead, TraceRead } from './read-results.ts';
import type { ResultsSource } from './results-source.ts';
import type { SampleRow } from '../schema/results.ts';

export interface Context {
  summary: Summary | null;
  runs: RunInfo[];
  sweepPaths: string[];
  sweepValues: Record<string, unknown[]>;
  points: PointInfo[];
  timeseries: TimeseriesRead | null;
  samples: SampleRow[] | null;
  trace: TraceRead | null;
}

/** Runs known only by id (no summary.json): "p3-s2" is point 3, seed 2. */
function runsFromIds(ids: Iterable<string>): RunInfo[] {
  const out: RunInfo[] = [];
  for (const id of ids) {
    const m = /^p(\d+)-s(\d+)$/.exec(id);
    out.push({ id, point: m ? { point: Number(m[1]) } : { run: id }, seed: m ? Number(m[2]) : 0 });
  }
  return out;
}

/** True when a run's (or aggregate row's) point has every value a chart's `point:` names. */
export function isAtPoint(point: PointValues, want: Record<string, unknown>): boolean {
  return Object.entries(want).every(([p, v]) => p in point && valueLabel(point[p]) === valueLabel(v));
}

export function noRunAt(want: Record<string, unknown>): string {
  return `no run at point ${Object.entries(want)
    .map(([p, v]) => `${p}=${valueLabel(v)}`)
    .join(', ')}`;
}

/** The run a ladder or states chart draws: its `run`, the lowest seed of its `point`, or the trace's first. */
export function resolveRun(c: ReportChart, ctx: { runs: RunInfo[] }): { run: string | null; problem?: string } {
  if (c.run !== undefined) return { run: c.run };
  if (c.point) {
    const want = c.point;
    const match = ctx.runs.filter((r) => isAtPoint(r.point, want)).sort((a, b) => a.seed - b.seed);
    if (match.length === 0) return { run: null, problem: noRunAt(want) };
    return { run: match[0]!.id };
  }
  return { run: null };
}

/**
 * Reads what the figures need, and only that: a traced flood run is large, so time series are
 * summed over nodes while streaming and trace lines of runs no figure draws are skipped. With
 * `entries` null (no charts asked for) it reads everything, for the default figures. With
 * `explore`, every trace record also goes to the explorer's files in the same pass.
 */
export async function readContext(
  src: ResultsSource,
  summary: Summary | null,
  spec: Record<string, unknown>,
  entries: ChartEntry[] | null,
  notes: string[],
  explore?: ExploreBuilder,
): Promise<Context> {
  const charts = (entries ?? []).filter((e): e is Extract<ChartEntry, { ok: true }> => e.ok).map((e) => e.chart);
  const sweepValues = sweepValuesOf(spec);
  let runs: RunInfo[] = summary ? summary.runs.map((r) => ({ id: r.id, point: r.point, seed: r.seed })) : [];
  let sweepPaths = Object.keys(sweepValues);
  if (sweepPaths.length === 0) {
    for (const r of runs) for (const p of Object.keys(r.point)) if (!sweepPaths.includes(p)) sweepPaths.push(p);
  }
  const tsWants = entries === null ? null : timeseriesWants(charts);
  const timeseries = tsWants === null || tsWants.size > 0 ? await readTimeseries(src, tsWants) : null;
  const cdfMetrics =
    entries === null ? null : new Set(charts.filter((c) => c.kind === 'cdf' && c.metric).map((c) => c.metric!));
  const samples = cdfMetrics === null || cdfMetrics.size > 0 ? await readSamples(src, cdfMetrics) : null;
  if (runs.length === 0) {
    const ids = new Set<string>([
      ...(timeseries?.summed ?? []).map((r) => r.run),
      ...(timeseries?.byNode ?? []).map((r) => r.run),
      ...(samples ?? []).map((r) => r.run),
    ]);
    runs = runsFromIds([...ids].sort());
    if (runs.some((r) => 'point' in r.point)) sweepPaths = ['point'];
  }
  const trace = await readTraceForFigures(src, entries === null, charts, runs, explore);
  if (trace && trace.badLines > 0)
    notes.push(
      `trace.jsonl: ignored ${trace.badLines === 1 ? '1 line that is not a trace record' : `${trace.badLines} lines that are not trace records`}.`,
    );
  return {
    summary,
    runs,
    sweepPaths,
    sweepValues,
    points: listPoints(runs, sweepPaths, sweepValues),
    timeseries,
    samples,
    trace,
  };
}

/** A path axis lists values; a named axis maps variant names to overrides, and points hold the name. */
function sweepValuesOf(spec: Record<string, unknown>): Record<string, unknown[]> {
  const sweepValues: Record<string, unknown[]> = {};
  if (isObject(spec.sweep)) {
    for (const [p, v] of Object.entries(spec.sweep))
      sweepValues[p] = Array.isArray(v) ? v : isObject(v) ? Object.keys(v) : [v];
  }
  return sweepValues;
}

/** Per metric: its sum over nodes and/or the single nodes the time-series figures ask for. */
function timeseriesWants(charts: readonly ReportChart[]): Map<string, Set<string>> {
  const tsWants = new Map<string, Set<string>>();
  for (const c of charts) {
    if (c.kind !== 'timeseries' || !c.metric) continue;
    if (!tsWants.has(c.metric)) tsWants.set(c.metric, new Set());
    tsWants.get(c.metric)!.add(c.node ?? ALL_NODES);
  }
  return tsWants;
}

/**
 * Reads trace.jsonl once, for the ladder and state figures (only the runs they draw; every run's
 * first connection when `all`, the default figures) and for the explorer when it is built.
 */
async function readTraceForFigures(
  src: ResultsSource,
  all: boolean,
  charts: readonly ReportChart[],
  runs: RunInfo[],
  explore?: ExploreBuilder,
): Promise<TraceRead | null> {
  const traceCharts = charts.filter((c) => c.kind === 'ladder' || c.kind === 'states');
  const traceRuns = new Set<string>();
  let firstNeeded = all;
  for (const c of traceCharts) {
    const r = resolveRun(c, { runs });
    if (r.run !== null) traceRuns.add(r.run);
    else if (!r.problem) firstNeeded = true;
  }
  const figuresNeed = all || traceCharts.length > 0;
  const read =
    figuresNeed || explore
      ? await readTrace(
          src,
          figuresNeed ? traceRuns : new Set(),
          figuresNeed && firstNeeded,
          explore && ((rec, line) => explore.add(rec, line)),
        )
      : null;
  return figuresNeed ? read : null;
}
