/**
 * CDF layout: a pure function from per-connection samples to positions — which curves there are,
 * each curve's step corners in data units and in px, the x axis (log or linear) and its ticks, and
 * where each outlier mark sits on its curve. No SVG here: cdf.ts draws what this returns, and the
 * tests check the geometry against the data (the last step at F = 1, ticks over the data range).
 */
import { format, scaleLinear, scaleLog } from 'd3';
import type { CdfChartInput } from './cdf.ts';
import { layoutFrame, linearTicks, logTicks } from './frame.ts';
import type { FrameInput, LegendItem, Plot, Tick } from './frame.ts';
import { axisLabel, metricLabel } from './labels.ts';
import { pointLegend } from './points.ts';
import { seriesColor, seriesDash } from './theme.ts';

/** Above this many samples a curve keeps evenly spaced quantiles only (the figure stays small). */
const MAX_STEPS = 1500;

export interface CdfCurve {
  /** Index of the sweep point (its colour and dash). */
  index: number;
  label: string;
  sorted: number[];
}

export interface CdfCurveLayout extends CdfCurve {
  /** (x, F(x)) corners of the empirical CDF in data units; the last has F = 1. */
  steps: [number, number][];
  /** The corners in px, then the last step extended to the plot's right edge. */
  path: [number, number][];
}

export interface CdfMarkLayout {
  href: string;
  label: string;
  /** The curve's sweep point index (its colour). */
  index: number;
  cx: number;
  cy: number;
}

export interface CdfLayout {
  title: string;
  subtitle: string;
  logx: boolean;
  frame: FrameInput;
  plot: Plot;
  height: number;
  curves: CdfCurveLayout[];
  xTicks: Tick[];
  yTicks: Tick[];
  marks: CdfMarkLayout[];
}

/** (x, F(x)) corners of the empirical CDF: F jumps to i/n at the i-th sorted sample. */
export function cdfSteps(sorted: readonly number[]): [number, number][] {
  const n = sorted.length;
  const out: [number, number][] = [[sorted[0]!, 0]];
  const stride = n > MAX_STEPS ? n / MAX_STEPS : 1;
  let last = -1;
  for (let k = 0; k < Math.min(n, MAX_STEPS); k++) {
    // The last sample of each run of equal values sets the step height.
    let i = Math.min(n - 1, Math.floor((k + 1) * stride) - 1);
    while (i + 1 < n && sorted[i + 1] === sorted[i]) i++;
    if (i <= last) continue;
    last = i;
    out.push([sorted[i]!, (i + 1) / n]);
  }
  return out;
}

/** How many of the sorted values are at or below v. */
export function upperBound(sorted: readonly number[], v: number): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Run id → sweep point index. */
function runPoints(input: CdfChartInput): Map<string, number> {
  const runPoint = new Map<string, number>();
  input.points.forEach((p, i) => p.runIds.forEach((id) => runPoint.set(id, i)));
  return runPoint;
}

/** One curve per sweep point that has finite samples of the metric, its seeds pooled, sorted. */
export function cdfCurves(input: CdfChartInput): CdfCurve[] {
  const runPoint = runPoints(input);
  const values: number[][] = input.points.map(() => []);
  for (const s of input.samples) {
    if (s.metric !== input.metric || !Number.isFinite(s.value)) continue;
    const i = runPoint.get(s.run);
    if (i !== undefined) values[i]!.push(s.value);
  }
  const curves: CdfCurve[] = [];
  values.forEach((v, index) => {
    if (v.length > 0) curves.push({ index, label: input.points[index]!.label, sorted: v.sort((a, b) => a - b) });
  });
  return curves;
}

/** Smallest and largest sample, and the smallest positive one (a log axis starts there). */
function sampleExtent(curves: readonly CdfCurve[]): { lo: number; hi: number; minPos: number } {
  let lo = Infinity;
  let hi = -Infinity;
  let minPos = Infinity;
  for (const c of curves) {
    lo = Math.min(lo, c.sorted[0]!);
    hi = Math.max(hi, c.sorted[c.sorted.length - 1]!);
    const p = c.sorted.find((v) => v > 0);
    if (p !== undefined) minPos = Math.min(minPos, p);
  }
  return { lo, hi, minPos };
}

/** Title, subtitle, axis labels and legend: what sizes the frame. */
function cdfFrame(input: CdfChartInput, curves: readonly CdfCurve[], logx: boolean): FrameInput {
  const label = metricLabel(input.metric);
  const title = input.title ?? `${label.name}: distribution`;
  const total = curves.reduce((a, c) => a + c.sorted.length, 0);
  const runs = input.points.reduce((a, p) => a + p.runIds.length, 0);
  const subtitle = `${format(',')(total)} samples from ${runs} run${runs === 1 ? '' : 's'}, seeds pooled per point${logx ? ' · log scale' : ''}`;
  const names = pointLegend(input.points);
  const legend: LegendItem[] = curves.map((c) => ({
    label: names.labels[c.index]!,
    color: seriesColor(c.index),
    kind: 'line',
    dash: seriesDash(c.index),
  }));
  return {
    width: input.width ?? 640,
    height: input.height ?? 400,
    title,
    subtitle,
    xLabel: input.xlabel ?? axisLabel(input.metric),
    yLabel: input.ylabel ?? 'Fraction of samples ≤ x',
    legend: curves.length > 1 || curves[0]!.label !== 'all runs' ? legend : [],
    legendTitle: names.title,
    yTickLabels: ['0.0', '1.0'],
  };
}

interface CdfX {
  pos: (v: number) => number;
  right: number;
  ticks: Tick[];
}

/** The x axis: log from just under the smallest positive sample, else linear from 0 (or below). */
function cdfX(ext: { lo: number; hi: number; minPos: number }, logx: boolean, plot: Plot): CdfX {
  const { lo, hi, minPos } = ext;
  // Not .nice(): a decade of padding on each side would squash the curves.
  const xLog = scaleLog()
    .domain([logx ? minPos / 1.2 : 1, Math.max(hi * 1.2, logx ? minPos * 10 : 10)])
    .range([plot.left, plot.right]);
  const xLin = scaleLinear()
    .domain([Math.min(0, lo), hi > lo ? hi : lo + 1])
    .nice(8)
    .range([plot.left, plot.right]);
  return {
    pos: (v) => (logx ? xLog(Math.max(v, minPos)) : xLin(v)),
    right: logx ? xLog.range()[1]! : xLin.range()[1]!,
    ticks: logx ? logTicks(xLog) : linearTicks(xLin, 8),
  };
}

/** Lays out the CDF figure, or says why there is nothing to draw. */
export function layoutCdf(input: CdfChartInput): CdfLayout | { skip: string } {
  const curves = cdfCurves(input);
  if (curves.length === 0) return { skip: `no "${input.metric}" samples in samples.csv` };
  const ext = sampleExtent(curves);
  const logx = input.logx ?? (ext.lo > 0 && ext.hi / ext.lo >= 100);
  const frame = cdfFrame(input, curves, logx);
  const { plot, height } = layoutFrame(frame);
  const y = scaleLinear().domain([0, 1]).range([plot.bottom, plot.top]);
  const x = cdfX(ext, logx, plot);
  const laid = curves.map((c): CdfCurveLayout => {
    const steps = cdfSteps(c.sorted);
    const path = steps.map(([v, p]): [number, number] => [x.pos(v), y(p)]);
    path.push([x.right, y(1)]);
    return { ...c, steps, path };
  });
  const runPoint = runPoints(input);
  const marks = (input.marks ?? []).flatMap((m): CdfMarkLayout[] => {
    const c = curves.find((k) => k.index === runPoint.get(m.run));
    if (!c) return [];
    return [
      {
        href: m.href,
        label: m.label,
        index: c.index,
        cx: x.pos(m.value),
        cy: y(upperBound(c.sorted, m.value) / c.sorted.length),
      },
    ];
  });
  return {
    title: frame.title,
    subtitle: frame.subtitle!,
    logx,
    frame,
    plot,
    height,
    curves: laid,
    xTicks: x.ticks,
    yTicks: linearTicks(y, 5),
    marks,
  };
}
