/**
 * Time series layout: a pure function from timeseries.csv rows to positions — one series per sweep
 * point (mean over its seeds at each sample time, summed over nodes unless one is asked for, and
 * the min–max or 95 % CI band across seeds), the time and value axes, and each series' line and
 * band in px. No SVG here: timeseries.ts draws what this returns.
 */
import { scaleLinear } from 'd3';
import { summarize } from '../metrics/statistics.ts';
import type { BandKind } from '../schema/charts.ts';
import { layoutFrame, linearTicks } from './frame.ts';
import type { FrameInput, LegendItem, Plot, Tick } from './frame.ts';
import { withSameAsNotes } from './identical-series.ts';
import { axisLabel, metricLabel } from './labels.ts';
import { pointLegend } from './points.ts';
import { seriesColor, seriesDash } from './theme.ts';
import type { TimeseriesChartInput } from './timeseries.ts';
import { valueAxis } from './value-axis.ts';
import type { ValueAxis } from './value-axis.ts';

export interface SeriesData {
  label: string;
  index: number;
  t: number[];
  mean: number[];
  lo: number[];
  hi: number[];
  seeds: number;
}

/** Sample times are keyed in whole microseconds, so float noise in t_s never splits a sample. */
const tKey = (t: number): number => Math.round(t * 1e6);

/** run → sample time key → value summed over nodes (or of the one node asked for). */
function perRunSums(
  input: TimeseriesChartInput,
  runPoint: ReadonlyMap<string, number>,
): Map<string, Map<number, number>> {
  const perRun = new Map<string, Map<number, number>>();
  for (const r of input.rows) {
    if (r.metric !== input.metric) continue;
    if (input.node !== undefined && r.node !== input.node) continue;
    if (!runPoint.has(r.run) || !Number.isFinite(r.value)) continue;
    if (input.until !== undefined && r.t_s > input.until) continue;
    let m = perRun.get(r.run);
    if (!m) perRun.set(r.run, (m = new Map()));
    const k = tKey(r.t_s);
    m.set(k, (m.get(k) ?? 0) + r.value);
  }
  return perRun;
}

/** One series per sweep point with samples: mean and band across its seeds at each sample time. */
export function collectSeries(input: TimeseriesChartInput): SeriesData[] {
  const runPoint = new Map<string, number>();
  input.points.forEach((p, i) => p.runIds.forEach((id) => runPoint.set(id, i)));
  const perRun = perRunSums(input, runPoint);
  const band = input.band ?? 'minmax';
  const out: SeriesData[] = [];
  input.points.forEach((p, index) => {
    const byT = new Map<number, number[]>();
    let seeds = 0;
    for (const id of p.runIds) {
      const m = perRun.get(id);
      if (!m) continue;
      seeds++;
      for (const [k, v] of m) {
        let arr = byT.get(k);
        if (!arr) byT.set(k, (arr = []));
        arr.push(v);
      }
    }
    if (byT.size === 0) return;
    const s: SeriesData = { label: p.label, index, t: [], mean: [], lo: [], hi: [], seeds };
    for (const k of [...byT.keys()].sort((a, b) => a - b)) {
      const st = summarize(byT.get(k)!)!;
      s.t.push(k / 1e6);
      s.mean.push(st.mean);
      s.lo.push(band === 'ci95' ? st.mean - st.ci95 : st.min);
      s.hi.push(band === 'ci95' ? st.mean + st.ci95 : st.max);
    }
    out.push(s);
  });
  return out;
}

/** Time range, largest value and smallest positive value drawn (the band's when shown). */
function extent(
  series: readonly SeriesData[],
  showBand: boolean,
): { tMin: number; tMax: number; yMax: number; yMinPos: number } {
  let [tMin, tMax, yMax, yMinPos] = [Infinity, -Infinity, 0, Infinity];
  for (const s of series) {
    tMin = Math.min(tMin, s.t[0]!);
    tMax = Math.max(tMax, s.t[s.t.length - 1]!);
    for (let i = 0; i < s.t.length; i++) {
      yMax = Math.max(yMax, showBand ? s.hi[i]! : s.mean[i]!);
      const lo = showBand ? s.lo[i]! : s.mean[i]!;
      if (lo > 0) yMinPos = Math.min(yMinPos, lo);
    }
  }
  return { tMin, tMax: tMax <= tMin ? tMin + 1 : tMax, yMax, yMinPos };
}

/** The last sample time of the metric across all runs drawn, before any `until` cut. */
export function lastSampleTime(input: TimeseriesChartInput): number {
  let t = 0;
  for (const r of input.rows) if (r.metric === input.metric && r.t_s > t) t = r.t_s;
  return t;
}

export interface SeriesLayout {
  /** Sweep point index (its colour and dash). */
  index: number;
  label: string;
  /** (x, y) of the mean at each sample time. */
  line: [number, number][];
  /** (x, y of the band's low end, y of its high end) at each sample time, when the band is shown. */
  band: [number, number, number][] | null;
}

export interface TimeseriesLayout {
  series: SeriesData[];
  title: string;
  subtitle: string;
  band: BandKind;
  showBand: boolean;
  /** Legend names, "same as" notes included, and the sweep points' own names. */
  labels: string[];
  pointNames: string[];
  frame: FrameInput;
  plot: Plot;
  height: number;
  yAxis: ValueAxis;
  xTicks: Tick[];
  /** The reference line's height and label, when asked for and finite. */
  reference: { y: number; label: string } | null;
  drawn: SeriesLayout[];
}

/** The value axis from 0 over the means (or bands) and the reference line; log keeps zeros apart. */
function timeseriesYAxis(
  input: TimeseriesChartInput,
  series: readonly SeriesData[],
  showBand: boolean,
  yMax: number,
  yMinPos: number,
): ValueAxis {
  const ref = input.reference && Number.isFinite(input.reference.value) ? input.reference : undefined;
  const logy = input.logy === true && yMinPos < Infinity;
  const hasZero = logy && series.some((s) => (showBand ? s.lo : s.mean).some((v) => v <= 0));
  return valueAxis(0, ref ? Math.max(yMax, ref.value * 1.04) : yMax, {
    ratio: false,
    log: logy,
    minPositive: yMinPos,
    hasZero,
  });
}

/** Title, subtitle, axis labels and legend: what sizes the frame. */
function timeseriesFrame(
  input: TimeseriesChartInput,
  series: readonly SeriesData[],
  showBand: boolean,
  yAxis: ValueAxis,
  labels: readonly string[],
  legendTitle: string | undefined,
): FrameInput {
  const band = input.band ?? 'minmax';
  const maxSeeds = Math.max(...series.map((s) => s.seeds));
  const bandText = showBand ? (band === 'ci95' ? 'band: 95 % CI' : 'band: min–max') : '';
  const legend: LegendItem[] = series.map((s, i) => ({
    label: labels[i]!,
    color: seriesColor(s.index),
    kind: showBand ? 'band' : 'line',
    dash: seriesDash(s.index),
  }));
  return {
    width: input.width ?? 640,
    height: input.height ?? 400,
    title: input.title ?? `${metricLabel(input.metric).name} over time`,
    subtitle: [
      maxSeeds > 1 ? `mean of ${maxSeeds} seeds` : `${maxSeeds} seed`,
      bandText,
      input.node ? `node ${input.node}` : 'summed over nodes',
    ]
      .filter(Boolean)
      .join(' · '),
    xLabel: input.xlabel ?? 'Simulated time (s)',
    yLabel: input.ylabel ?? axisLabel(input.metric),
    legend: series.length > 1 || series[0]!.label !== 'all runs' ? legend : [],
    legendTitle,
    yTickLabels: yAxis.tickLabels,
  };
}

/** Lays out the time series figure, or returns null when the metric has no samples to draw. */
export function layoutTimeseries(input: TimeseriesChartInput): TimeseriesLayout | null {
  const series = collectSeries(input);
  if (series.length === 0) return null;
  const band: BandKind = input.band ?? 'minmax';
  const showBand = band !== 'none' && Math.max(...series.map((s) => s.seeds)) > 1;
  const { tMin, tMax: tData, yMax, yMinPos } = extent(series, showBand);
  // With `until` the axis ends there, so a cut figure is not read as the run having ended.
  const tMax = input.until !== undefined && input.until > tMin ? input.until : tData;
  const yAxis = timeseriesYAxis(input, series, showBand, yMax, yMinPos);
  const names = pointLegend(input.points);
  // A series drawn exactly over an earlier one says so in the legend.
  const labels = withSameAsNotes(
    series.map((s) => names.labels[s.index]!),
    series.map((s) => [...s.t, ...s.mean]),
  );
  const frame = timeseriesFrame(input, series, showBand, yAxis, labels, names.title);
  const { plot, height } = layoutFrame(frame);
  const x = scaleLinear().domain([tMin, tMax]).range([plot.left, plot.right]);
  yAxis.setRange(plot.bottom, plot.top);
  const drawn = series.map(
    (s): SeriesLayout => ({
      index: s.index,
      label: s.label,
      line: s.t.map((t, i): [number, number] => [x(t), yAxis.pos(s.mean[i]!)]),
      band: showBand
        ? s.t.map((t, i): [number, number, number] => [x(t), yAxis.pos(s.lo[i]!), yAxis.pos(s.hi[i]!)])
        : null,
    }),
  );
  const ref =
    input.reference && Number.isFinite(input.reference.value)
      ? { y: yAxis.pos(input.reference.value), label: input.reference.label }
      : null;
  return {
    series,
    title: frame.title,
    subtitle: frame.subtitle!,
    band,
    showBand,
    labels,
    pointNames: names.labels,
    frame,
    plot,
    height,
    yAxis,
    xTicks: linearTicks(x, 8),
    reference: ref,
    drawn,
  };
}
