/**
 * Time series figure: one metric of timeseries.csv over simulated time, one series per sweep
 * point. The line is the mean over the point's seeds at each sample time; the band is the min–max
 * range (or the 95 % confidence interval) across seeds. Values are summed over nodes unless one
 * node is asked for (e.g. TIME-WAIT sockets over all clients).
 */
import { area, line, scaleLinear } from 'd3';
import { summarize } from '../metrics/statistics.ts';
import type { BandKind } from '../schema/charts.ts';
import type { TimeseriesRow } from '../schema/results.ts';
import { figure, skipped } from './figure.ts';
import type { ChartResult } from './figure.ts';
import { drawFrame, layoutFrame, linearTicks } from './frame.ts';
import type { FrameInput, LegendItem, Plot } from './frame.ts';
import { axisLabel, metricLabel } from './labels.ts';
import { withSameAsNotes } from './identical-series.ts';
import { pointLegend } from './points.ts';
import type { PointInfo } from './points.ts';
import { el, svgDocument, text } from './svg.ts';
import { FONT, INK, seriesColor, seriesDash } from './theme.ts';
import { valueAxis } from './value-axis.ts';

export type { BandKind };

export interface TimeseriesChartInput {
  metric: string;
  rows: readonly TimeseriesRow[];
  /** The series, in legend order (from listPoints). */
  points: readonly PointInfo[];
  node?: string;
  band?: BandKind;
  title?: string;
  xlabel?: string;
  ylabel?: string;
  logy?: boolean;
  /** Draw simulated time up to this many seconds only (the chart's `until`). */
  until?: number;
  /** A horizontal reference line, e.g. the SYN queue's capacity. */
  reference?: { value: number; label: string };
  width?: number;
  height?: number;
}

interface SeriesData {
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

function collect(input: TimeseriesChartInput): SeriesData[] {
  const runPoint = new Map<string, number>();
  input.points.forEach((p, i) => p.runIds.forEach((id) => runPoint.set(id, i)));
  // run → t → value summed over nodes
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
function extent(series: readonly SeriesData[], showBand: boolean): { tMin: number; tMax: number; yMax: number; yMinPos: number } {
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
function lastSampleTime(input: TimeseriesChartInput): number {
  let t = 0;
  for (const r of input.rows) if (r.metric === input.metric && r.t_s > t) t = r.t_s;
  return t;
}

/** One series: its band (when shown) and its mean line. */
function drawSeries(s: SeriesData, x: (t: number) => number, yPos: (v: number) => number, showBand: boolean): { band: string; line: string } {
  const idx = s.t.map((_, i) => i);
  const color = seriesColor(s.index);
  let band = '';
  if (showBand) {
    const d = area<number>().x((i) => x(s.t[i]!)).y0((i) => yPos(s.lo[i]!)).y1((i) => yPos(s.hi[i]!)).digits(2)(idx);
    band = el('path', { class: 'band', d: d ?? '', fill: color, 'fill-opacity': 0.16, stroke: 'none' });
  }
  const d = line<number>().x((i) => x(s.t[i]!)).y((i) => yPos(s.mean[i]!)).digits(2)(idx);
  return { band, line: el('path', { class: 'series', 'data-series': s.label, d: d ?? '', fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-dasharray': seriesDash(s.index) || undefined, 'stroke-linejoin': 'round' }) };
}

/** A dashed reference line across the plot with its label (a queue's capacity). */
function drawReference(ref: { value: number; label: string } | undefined, plot: Plot, yPos: (v: number) => number): string[] {
  if (!ref) return [];
  const ry = yPos(ref.value);
  return [
    el('line', { x1: plot.left, x2: plot.right, y1: ry, y2: ry, stroke: INK.muted, 'stroke-width': 1.2, 'stroke-dasharray': '5 4' }),
    text(plot.right - 4, ry - 5, ref.label, { 'text-anchor': 'end', 'font-size': FONT.note, fill: INK.muted, stroke: '#ffffff', 'stroke-width': 3, 'paint-order': 'stroke' }),
  ];
}

export function timeseriesChart(input: TimeseriesChartInput): ChartResult {
  const series = collect(input);
  const tAll = lastSampleTime(input);
  if (series.length === 0) return skipped(`no "${input.metric}" samples in timeseries.csv${input.node ? ` for node ${input.node}` : ''}`);
  const band: BandKind = input.band ?? 'minmax';
  const label = metricLabel(input.metric);
  const title = input.title ?? `${label.name} over time`;
  const maxSeeds = Math.max(...series.map((s) => s.seeds));
  const showBand = band !== 'none' && maxSeeds > 1;
  const bandText = showBand ? (band === 'ci95' ? 'band: 95 % CI' : 'band: min–max') : '';
  const subtitle = [maxSeeds > 1 ? `mean of ${maxSeeds} seeds` : `${maxSeeds} seed`, bandText, input.node ? `node ${input.node}` : 'summed over nodes'].filter(Boolean).join(' · ');
  const { tMin, tMax: tData, yMax, yMinPos } = extent(series, showBand);
  // With `until` the axis ends there, so a cut figure is not read as the run having ended.
  const tMax = input.until !== undefined && input.until > tMin ? input.until : tData;
  const ref = input.reference && Number.isFinite(input.reference.value) ? input.reference : undefined;
  const logy = input.logy === true && yMinPos < Infinity;
  const hasZero = logy && series.some((s) => (showBand ? s.lo : s.mean).some((v) => v <= 0));
  const yAxis = valueAxis(0, ref ? Math.max(yMax, ref.value * 1.04) : yMax, { ratio: false, log: logy, minPositive: yMinPos, hasZero });
  const names = pointLegend(input.points);
  // A series drawn exactly over an earlier one says so in the legend.
  const labels = withSameAsNotes(series.map((s) => names.labels[s.index]!), series.map((s) => [...s.t, ...s.mean]));
  const legend: LegendItem[] = series.map((s, i) => ({ label: labels[i]!, color: seriesColor(s.index), kind: showBand ? 'band' : 'line', dash: seriesDash(s.index) }));
  const frameIn: FrameInput = {
    width: input.width ?? 640, height: input.height ?? 400, title, subtitle,
    xLabel: input.xlabel ?? 'Simulated time (s)', yLabel: input.ylabel ?? axisLabel(input.metric),
    legend: series.length > 1 || series[0]!.label !== 'all runs' ? legend : [], legendTitle: names.title, yTickLabels: yAxis.tickLabels,
  };
  const { plot, height } = layoutFrame(frameIn);
  const x = scaleLinear().domain([tMin, tMax]).range([plot.left, plot.right]);
  yAxis.setRange(plot.bottom, plot.top);
  const drawn = series.map((s) => drawSeries(s, x, yAxis.pos, showBand));
  const frame = drawFrame(frameIn, plot, linearTicks(x, 8), yAxis.ticks(), { yBreaks: yAxis.breaks() });
  const body = [frame.back, el('g', { class: 'bands' }, drawn.map((d) => d.band).filter(Boolean)), el('g', { class: 'reference' }, drawReference(ref, plot, yAxis.pos)), el('g', { class: 'lines' }, drawn.map((d) => d.line)), frame.front];
  const svg = svgDocument(frameIn.width, height, title, subtitle, body);
  const caption =
    `${label.name} over simulated time, ${input.node ? `at node ${input.node}` : 'summed over all nodes'}. ` +
    (series.length > 1 ? `One line per sweep point: the mean over its seeds` : `The line is the mean over seeds`) +
    (showBand ? `; the shaded band spans ${band === 'ci95' ? 'the 95 % confidence interval' : 'the minimum to maximum'} across seeds.` : '.') +
    (labels.some((l, i) => l !== names.labels[series[i]!.index]) ? ' Lines marked "same as" lie exactly on the one named.' : '') +
    (input.until !== undefined && tAll > input.until ? ` Shown for the first ${input.until} s of ${tAll} s.` : '') +
    yAxis.note;
  return figure(svg, title, caption);
}
