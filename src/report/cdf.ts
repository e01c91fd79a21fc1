/**
 * Empirical CDF of per-connection samples (samples.csv: handshake_ms, request_ms, page_ms), one
 * step curve per sweep point with the samples of all its seeds pooled. A log x axis is used when
 * asked, or when the samples span more than two decades (a 20 ms handshake beside 1 s and 3 s SYN
 * retransmissions) unless `logx: false`.
 */
import { curveStepAfter, format, line, scaleLinear, scaleLog } from 'd3';
import { figure, skipped } from './figure.ts';
import type { ChartResult } from './figure.ts';
import { drawFrame, layoutFrame, linearTicks, logTicks } from './frame.ts';
import type { FrameInput, LegendItem } from './frame.ts';
import { axisLabel, inSentence, metricLabel } from './labels.ts';
import { pointLegend } from './points.ts';
import type { SampleRow } from '../schema/results.ts';
import type { PointInfo } from './points.ts';
import { el, esc, svgDocument } from './svg.ts';
import { seriesColor, seriesDash } from './theme.ts';

export interface CdfChartInput {
  metric: string;
  samples: readonly SampleRow[];
  points: readonly PointInfo[];
  title?: string;
  xlabel?: string;
  ylabel?: string;
  logx?: boolean;
  width?: number;
  height?: number;
  /**
   * Samples to mark on their curve as links (the page's copy of the figure only: the slowest traced
   * handshakes, each opening its ladder in the trace explorer).
   */
  marks?: readonly CdfMark[];
}

export interface CdfMark {
  run: string;
  value: number;
  href: string;
  /** The tooltip. */
  label: string;
}

/** Above this many samples a curve keeps evenly spaced quantiles only (the figure stays small). */
const MAX_STEPS = 1500;

interface Curve {
  index: number;
  label: string;
  sorted: number[];
}

/** (x, F(x)) corners of the empirical CDF: F jumps to i/n at the i-th sorted sample. */
function steps(sorted: readonly number[]): [number, number][] {
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

export function cdfChart(input: CdfChartInput): ChartResult {
  const runPoint = new Map<string, number>();
  input.points.forEach((p, i) => p.runIds.forEach((id) => runPoint.set(id, i)));
  const values: number[][] = input.points.map(() => []);
  for (const s of input.samples) {
    if (s.metric !== input.metric || !Number.isFinite(s.value)) continue;
    const i = runPoint.get(s.run);
    if (i !== undefined) values[i]!.push(s.value);
  }
  const curves: Curve[] = [];
  values.forEach((v, index) => {
    if (v.length > 0) curves.push({ index, label: input.points[index]!.label, sorted: v.sort((a, b) => a - b) });
  });
  if (curves.length === 0) return skipped(`no "${input.metric}" samples in samples.csv`);

  const label = metricLabel(input.metric);
  const title = input.title ?? `${label.name}: distribution`;
  let lo = Infinity;
  let hi = -Infinity;
  let minPos = Infinity;
  for (const c of curves) {
    lo = Math.min(lo, c.sorted[0]!);
    hi = Math.max(hi, c.sorted[c.sorted.length - 1]!);
    const p = c.sorted.find((v) => v > 0);
    if (p !== undefined) minPos = Math.min(minPos, p);
  }
  const logx = input.logx ?? (lo > 0 && hi / lo >= 100);
  const total = curves.reduce((a, c) => a + c.sorted.length, 0);
  const runs = input.points.reduce((a, p) => a + p.runIds.length, 0);
  const subtitle = `${format(',')(total)} samples from ${runs} run${runs === 1 ? '' : 's'}, seeds pooled per point${logx ? ' · log scale' : ''}`;

  const y = scaleLinear().domain([0, 1]);
  const names = pointLegend(input.points);
  const legend: LegendItem[] = curves.map((c) => ({ label: names.labels[c.index]!, color: seriesColor(c.index), kind: 'line', dash: seriesDash(c.index) }));
  const frameIn: FrameInput = {
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
  const { plot, height } = layoutFrame(frameIn);
  y.range([plot.bottom, plot.top]);
  // Not .nice(): a decade of padding on each side would squash the curves.
  const xLog = scaleLog().domain([logx ? minPos / 1.2 : 1, Math.max(hi * 1.2, logx ? minPos * 10 : 10)]).range([plot.left, plot.right]);
  const xLin = scaleLinear().domain([Math.min(0, lo), hi > lo ? hi : lo + 1]).nice(8).range([plot.left, plot.right]);
  const xPos = (v: number): number => (logx ? xLog(Math.max(v, minPos)) : xLin(v));
  const xRight = logx ? xLog.range()[1]! : xLin.range()[1]!;

  const paths = curves.map((c) => curvePath(c, xPos, xRight, y));
  const xTicks = logx ? logTicks(xLog) : linearTicks(xLin, 8);
  const yTicks = linearTicks(y, 5);
  const frame = drawFrame(frameIn, plot, xTicks, yTicks, { xGrid: true });
  const marks = (input.marks ?? []).flatMap((m) => {
    const c = curves.find((x) => x.index === runPoint.get(m.run));
    if (!c) return [];
    const cx = xPos(m.value), cy = y(upperBound(c.sorted, m.value) / c.sorted.length);
    return [el('a', { href: m.href, class: 'outlier' }, [
      el('title', {}, esc(m.label)),
      el('circle', { cx: cx.toFixed(2), cy: cy.toFixed(2), r: 5.5, fill: '#ffffff', stroke: seriesColor(c.index), 'stroke-width': 2.5, cursor: 'pointer' }),
    ])];
  });
  const svg = svgDocument(frameIn.width, height, title, subtitle, [frame.back, el('g', { class: 'lines' }, paths), ...(marks.length > 0 ? [el('g', { class: 'outliers' }, marks)] : []), frame.front]);
  const caption =
    `Empirical CDF of ${inSentence(label.name)}${label.unit ? ` (${label.unit})` : ''} per connection: the fraction of samples at or below each value` +
    (curves.length > 1 ? `, one curve per sweep point with its seeds pooled.` : `, all seeds pooled.`) +
    (logx ? ' The x axis is logarithmic.' : '');
  return figure(svg, title, caption);
}

/** How many of the sorted values are at or below v. */
function upperBound(sorted: readonly number[], v: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One empirical CDF as steps, its last step extended to the right edge (it has reached 1). */
function curvePath(c: Curve, xPos: (v: number) => number, xRight: number, y: (p: number) => number): string {
  const pts = steps(c.sorted);
  pts.push([NaN, 1]);
  const d = line<[number, number]>()
    .x((p) => (Number.isNaN(p[0]) ? xRight : xPos(p[0])))
    .y((p) => y(p[1]))
    .curve(curveStepAfter)
    .digits(2)(pts);
  return el('path', { class: 'series', 'data-series': c.label, d: d ?? '', fill: 'none', stroke: seriesColor(c.index), 'stroke-width': 2, 'stroke-dasharray': seriesDash(c.index) || undefined });
}
