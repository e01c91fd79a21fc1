/**
 * Sweep figure: a metric against one sweep axis, one series per value of the series axis, each
 * point the mean over seeds with a 95 % confidence-interval error bar. Numeric x ("1000/s" →
 * 1000) gets a linear or log axis (log when asked or when the values span two decades or more; a
 * zero then sits left of an axis break); other x values are categorical, in sweep order.
 */
import { line, scaleLinear, scaleLog, scalePoint } from 'd3';
import { figure } from './figure.ts';
import type { ChartResult } from './figure.ts';
import { drawFrame, layoutFrame, linearTicks, valueTicks } from './frame.ts';
import type { FrameInput, LegendItem, Tick } from './frame.ts';
import { axisLabel, inSentence, metricLabel, paramLabel, valueText } from './labels.ts';
import { el, errorBarPath, svgDocument } from './svg.ts';
import { hasCi, noSweepData, seedCount, sweepData } from './sweep-data.ts';
import type { SweepCell, SweepData, SweepDataInput, SweepFigureOptions, SweepSeries } from './sweep-data.ts';
import { axisValues, unitLabel, valueLabel } from './sweep-values.ts';
import { withSameAsNotes } from './identical-series.ts';
import { markerPath, seriesColor, seriesDash, seriesMarker } from './theme.ts';
import { valueAxis } from './value-axis.ts';

export interface SweepChartInput extends SweepDataInput, SweepFigureOptions {
  logx?: boolean;
}

/** Positions of x values, from the plot's left/right edges. */
type XPlacer = { place(i: number): number; ticks(): Tick[]; breaks: number[]; numeric: boolean; log: boolean };

function xPlacer(xPath: string, xValues: readonly unknown[], logAsk: boolean | undefined, left: number, right: number): XPlacer {
  const ax = axisValues(xValues);
  if (ax.kind === 'categorical') {
    const s = scalePoint<string>().domain(ax.labels).range([left, right]).padding(0.5);
    return { place: (i) => s(ax.labels[i]!)!, ticks: () => ax.labels.map((l, i) => ({ pos: s(l)!, label: valueText(xPath, xValues[i]) })), breaks: [], numeric: false, log: false };
  }
  const v = ax.values;
  const pos = v.filter((x) => x > 0);
  const minPos = Math.min(...pos);
  const maxV = Math.max(...v);
  const canLog = pos.length >= 2 && v.every((x) => x >= 0);
  const log = canLog && (logAsk ?? maxV / minPos >= 100);
  if (log) {
    const hasZero = v.some((x) => x === 0);
    // A zero cannot sit on a log axis: it gets its own tick left of a break in the axis.
    const zeroX = left + 20;
    const s = scaleLog().domain([minPos, maxV]).range([hasZero ? left + 70 : left + 22, right - 22]);
    const place = (x: number): number => (x === 0 ? zeroX : s(x));
    return { place: (i) => place(v[i]!), ticks: () => valueTicks(v, place), breaks: hasZero ? [left + 44] : [], numeric: true, log: true };
  }
  const lo = Math.min(...v);
  const s = scaleLinear().domain([lo, maxV > lo ? maxV : lo + 1]).range([left + 22, right - 22]);
  // Few values: tick exactly those; many: ordinary nice ticks.
  const distinct = new Set(v).size;
  return { place: (i) => s(v[i]!), ticks: () => (distinct <= 12 ? valueTicks(v, (x) => s(x)) : linearTicks(s, 7)), breaks: [], numeric: true, log: false };
}

/** The y axis over every mean ± CI (a log axis keeps zeros apart under a break). */
function sweepYAxis(data: SweepData, ratio: boolean, log: boolean, floor: number): ReturnType<typeof valueAxis> {
  let [lo, hi, minPositive] = [Infinity, -Infinity, Infinity];
  for (const s of data.series) {
    for (const c of s.cells) {
      lo = Math.min(lo, Math.max(floor, c.mean - c.ci95));
      hi = Math.max(hi, c.mean + c.ci95);
      if (c.mean > 0) minPositive = Math.min(minPositive, c.mean - c.ci95 > 0 ? c.mean - c.ci95 : c.mean);
    }
  }
  const hasZero = data.series.some((s) => s.cells.some((c) => c.mean <= 0));
  return valueAxis(lo, hi, { ratio, log, minPositive, hasZero });
}

interface SeriesStyle {
  si: number;
  /** Shift in px so that series at one x value do not hide each other's error bars. */
  dodge: number;
  joined: boolean;
}

/**
 * The lowest value an error bar may reach: 0 when every mean is non-negative (times, counts,
 * ratios cannot go below 0, though a Student t interval over few seeds can), else none.
 */
function ciFloor(data: SweepData): number {
  return data.series.every((s) => s.cells.every((c) => c.mean >= 0)) ? 0 : -Infinity;
}

function clipsAtFloor(data: SweepData, floor: number): boolean {
  return data.series.some((s) => s.cells.some((c) => c.ci95 > 0 && c.mean - c.ci95 < floor));
}

/** One series: a line through its means (unless percentiles), error bars and markers. */
function drawSweepSeries(s: SweepSeries, st: SeriesStyle, xp: XPlacer, yAxis: ReturnType<typeof valueAxis>, xValues: readonly unknown[], floor: number): string {
  const color = seriesColor(st.si);
  const px = (xi: number): number => xp.place(xi) + st.dodge;
  const parts: string[] = [];
  if (st.joined && xp.numeric && s.cells.length > 1) {
    const d = line<SweepCell>().x((c) => px(c.xi)).y((c) => yAxis.pos(c.mean)).digits(2)(s.cells);
    parts.push(el('path', { class: 'series', d: d ?? '', fill: 'none', stroke: color, 'stroke-width': 1.8, 'stroke-dasharray': seriesDash(st.si) || undefined }));
  }
  const shape = seriesMarker(st.si);
  for (const c of s.cells) {
    const x = px(c.xi);
    if (c.ci95 > 0) parts.push(el('path', { class: 'errorbar', d: errorBarPath(x, yAxis.pos(Math.max(floor, c.mean - c.ci95)), yAxis.pos(c.mean + c.ci95), 5), stroke: color, 'stroke-width': 1.5, fill: 'none' }));
    const tip = `${s.label}, ${valueLabel(xValues[c.xi])}: ${c.mean.toPrecision(4)} ± ${c.ci95.toPrecision(3)} (n = ${c.n})`;
    parts.push(el('path', { class: 'marker', d: markerPath(shape, x, yAxis.pos(c.mean), 8), fill: shape === 'cross' ? 'none' : color, stroke: shape === 'cross' ? color : '#ffffff', 'stroke-width': shape === 'cross' ? 2 : 0.8 }, el('title', {}, tip)));
  }
  return el('g', { class: 'sweep-series', 'data-series': s.label }, parts);
}

export function sweepChart(input: SweepChartInput): ChartResult {
  const data = sweepData(input);
  if (!data) return noSweepData(input);
  const ml = metricLabel(input.y);
  const title = input.title ?? `${ml.name} vs ${inSentence(paramLabel(input.x))}`;
  const ax = axisValues(data.xValues);
  const xUnit = ax.kind === 'numeric' && ax.unit ? ` (${unitLabel(ax.unit)})` : '';
  const floor = ciFloor(data);
  const yAxis = sweepYAxis(data, ml.ratio, input.logy === true, floor);
  const withCi = hasCi(data);
  const subtitle = `mean${withCi ? ' ± 95 % CI' : ''} over ${seedCount(data.maxN)} per point${yAxis.log ? ' · log y' : ''}`;
  // Percentiles jump between sweep values (a whole RTO): a line between two would invent values.
  const joined = !isOrderStatistic(input.y);
  // A series drawn exactly over an earlier one says so in the legend.
  const names = withSameAsNotes(data.series.map((s) => s.label), data.series.map((s) => s.cells.flatMap((c) => [c.xi, c.mean, c.ci95])));
  const legend: LegendItem[] = data.series.map((_, i) => ({ label: names[i]!, color: seriesColor(i), kind: 'marker', marker: seriesMarker(i), dash: joined ? seriesDash(i) : undefined, noLine: !joined }));
  const frameIn: FrameInput = {
    width: input.width ?? 640, height: input.height ?? 400, title, subtitle,
    xLabel: input.xlabel ?? `${paramLabel(input.x)}${xUnit}`, yLabel: input.ylabel ?? axisLabel(input.y),
    legend: data.series.length > 1 ? legend : [], legendTitle: data.legendTitle, yTickLabels: yAxis.tickLabels,
  };
  const { plot, height } = layoutFrame(frameIn);
  yAxis.setRange(plot.bottom, plot.top);
  const xp = xPlacer(input.x, data.xValues, input.logx, plot.left, plot.right);
  const n = data.series.length;
  const body = data.series.map((s, si) => drawSweepSeries(s, { si, dodge: n > 1 ? (si - (n - 1) / 2) * 5 : 0, joined }, xp, yAxis, data.xValues, floor));
  const frame = drawFrame(frameIn, plot, xp.ticks(), yAxis.ticks(), { xBreaks: xp.breaks, yBreaks: yAxis.breaks() });
  const svg = svgDocument(frameIn.width, height, title, subtitle, [frame.back, ...body, frame.front]);
  const caption =
    `${ml.name} for each value of ${inSentence(paramLabel(input.x))}` +
    (data.series.length > 1 ? `, one series per ${data.legendTitle ? inSentence(data.legendTitle.replace(/:$/, '')) + ' setting' : 'combination of the other sweep axes'}` : '') +
    `. Markers show the mean over ${seedCount(data.maxN)}${withCi ? '; error bars the 95 % confidence interval (Student t)' : ''}.` +
    (n > 1 ? ` So that markers do not hide each other, each series is drawn up to ${(n - 1) * 2.5} px left or right of its x value.` : '') +
    (clipsAtFloor(data, floor) ? ' Error bars that would reach below 0 are cut at 0, a value the quantity cannot go below.' : '') +
    (joined ? '' : ' Points are not joined: a percentile can jump between two sweep values (by a whole retransmission timeout), so a line between them would show values no run had.') +
    (names.some((nm, i) => nm !== data.series[i]!.label) ? ' Series marked "same as" lie exactly on the one named.' : '') +
    (xp.log ? ' The x axis is logarithmic' + (xp.breaks.length > 0 ? ', with zero set apart by an axis break.' : '.') : '') +
    yAxis.note;
  return figure(svg, title, caption);
}

/** Percentiles, min and max of a sample: "handshake_ms.p99", "page_ms.max". */
export function isOrderStatistic(metric: string): boolean {
  return /\.(p\d+(\.\d+)?|min|max|median)$/.test(metric);
}
