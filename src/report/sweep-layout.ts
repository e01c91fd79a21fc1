/**
 * Sweep layout: a pure function from sweep results to positions — the x axis (numeric linear or
 * log with zero set apart, or categorical in sweep order), the y axis over every mean ± CI, and
 * for each series its markers, error bars and the line through its means. No SVG here: sweep.ts
 * draws what this returns.
 */
import { scaleLinear, scaleLog, scalePoint } from 'd3';
import { layoutFrame, linearTicks, valueTicks } from './frame.ts';
import type { FrameInput, LegendItem, Plot, Tick } from './frame.ts';
import { withSameAsNotes } from './identical-series.ts';
import { axisLabel, inSentence, metricLabel, paramLabel, valueText } from './labels.ts';
import type { SweepChartInput } from './sweep.ts';
import { hasCi, seedCount, sweepData } from './sweep-data.ts';
import type { SweepData } from './sweep-data.ts';
import { classifyAxis, unitLabel, valueLabel } from './sweep-values.ts';
import { seriesColor, seriesDash, seriesMarker } from './theme.ts';
import { valueAxis } from './value-axis.ts';
import type { ValueAxis } from './value-axis.ts';

/** Positions of x values, from the plot's left/right edges. */
export type XPlacer = { place(i: number): number; ticks(): Tick[]; breaks: number[]; numeric: boolean; log: boolean };

export function xPlacer(
  xPath: string,
  xValues: readonly unknown[],
  logAsk: boolean | undefined,
  left: number,
  right: number,
): XPlacer {
  const ax = classifyAxis(xValues);
  if (ax.kind === 'categorical') {
    const s = scalePoint<string>().domain(ax.labels).range([left, right]).padding(0.5);
    return {
      place: (i) => s(ax.labels[i]!)!,
      ticks: () => ax.labels.map((l, i) => ({ pos: s(l)!, label: valueText(xPath, xValues[i]) })),
      breaks: [],
      numeric: false,
      log: false,
    };
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
    const s = scaleLog()
      .domain([minPos, maxV])
      .range([hasZero ? left + 70 : left + 22, right - 22]);
    const place = (x: number): number => (x === 0 ? zeroX : s(x));
    return {
      place: (i) => place(v[i]!),
      ticks: () => valueTicks(v, place),
      breaks: hasZero ? [left + 44] : [],
      numeric: true,
      log: true,
    };
  }
  const lo = Math.min(...v);
  const s = scaleLinear()
    .domain([lo, maxV > lo ? maxV : lo + 1])
    .range([left + 22, right - 22]);
  // Few values: tick exactly those; many: ordinary nice ticks.
  const distinct = new Set(v).size;
  return {
    place: (i) => s(v[i]!),
    ticks: () => (distinct <= 12 ? valueTicks(v, (x) => s(x)) : linearTicks(s, 7)),
    breaks: [],
    numeric: true,
    log: false,
  };
}

/** The y axis over every mean ± CI (a log axis keeps zeros apart under a break). */
function sweepYAxis(data: SweepData, ratio: boolean, log: boolean, floor: number): ValueAxis {
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

/** Percentiles, min and max of a sample: "handshake_ms.p99", "page_ms.max". */
export function isOrderStatistic(metric: string): boolean {
  return /\.(p\d+(\.\d+)?|min|max|median)$/.test(metric);
}

/** One mean of a series, placed: its marker at (x, y), its error bar from y0 to y1 (null without a CI). */
export interface SweepPointLayout {
  x: number;
  y: number;
  error: { y0: number; y1: number } | null;
  /** Tooltip: series, x value, mean ± CI and n. */
  detail: string;
}

export interface SweepSeriesLayout {
  /** Series index (its colour, dash and marker). */
  si: number;
  label: string;
  /** The line through the means, when they are joined (not percentiles, numeric x, two or more). */
  line: [number, number][] | null;
  points: SweepPointLayout[];
}

export interface SweepLayout {
  data: SweepData;
  title: string;
  subtitle: string;
  withCi: boolean;
  joined: boolean;
  /** Legend names, "same as" notes included. */
  names: string[];
  floor: number;
  clipped: boolean;
  frame: FrameInput;
  plot: Plot;
  height: number;
  x: XPlacer;
  yAxis: ValueAxis;
  series: SweepSeriesLayout[];
}

/** Title, subtitle, axis labels and legend: what sizes the frame. */
function sweepFrame(
  input: SweepChartInput,
  data: SweepData,
  yAxis: ValueAxis,
  names: readonly string[],
  joined: boolean,
): FrameInput {
  const ml = metricLabel(input.y);
  const ax = classifyAxis(data.xValues);
  const xUnit = ax.kind === 'numeric' && ax.unit ? ` (${unitLabel(ax.unit)})` : '';
  const legend: LegendItem[] = data.series.map((_, i) => ({
    label: names[i]!,
    color: seriesColor(i),
    kind: 'marker',
    marker: seriesMarker(i),
    dash: joined ? seriesDash(i) : undefined,
    noLine: !joined,
  }));
  return {
    width: input.width ?? 640,
    height: input.height ?? 400,
    title: input.title ?? `${ml.name} vs ${inSentence(paramLabel(input.x))}`,
    subtitle: `mean${hasCi(data) ? ' ± 95 % CI' : ''} over ${seedCount(data.maxN)} per point${yAxis.log ? ' · log y' : ''}`,
    xLabel: input.xlabel ?? `${paramLabel(input.x)}${xUnit}`,
    yLabel: input.ylabel ?? axisLabel(input.y),
    legend: data.series.length > 1 ? legend : [],
    legendTitle: data.legendTitle,
    yTickLabels: yAxis.tickLabels,
  };
}

/** Each series' means placed, dodged a few px apart along x so markers do not hide each other. */
function placeSeries(
  data: SweepData,
  xp: XPlacer,
  yAxis: ValueAxis,
  floor: number,
  joined: boolean,
): SweepSeriesLayout[] {
  const n = data.series.length;
  return data.series.map((s, si) => {
    const dodge = n > 1 ? (si - (n - 1) / 2) * 5 : 0;
    const px = (xi: number): number => xp.place(xi) + dodge;
    const line =
      joined && xp.numeric && s.cells.length > 1
        ? s.cells.map((c): [number, number] => [px(c.xi), yAxis.pos(c.mean)])
        : null;
    const points = s.cells.map(
      (c): SweepPointLayout => ({
        x: px(c.xi),
        y: yAxis.pos(c.mean),
        error: c.ci95 > 0 ? { y0: yAxis.pos(Math.max(floor, c.mean - c.ci95)), y1: yAxis.pos(c.mean + c.ci95) } : null,
        detail: `${s.label}, ${valueLabel(data.xValues[c.xi])}: ${c.mean.toPrecision(4)} ± ${c.ci95.toPrecision(3)} (n = ${c.n})`,
      }),
    );
    return { si, label: s.label, line, points };
  });
}

/** Lays out the sweep figure, or returns null when the results hold no data for it. */
export function layoutSweep(input: SweepChartInput): SweepLayout | null {
  const data = sweepData(input);
  if (!data) return null;
  const floor = ciFloor(data);
  const yAxis = sweepYAxis(data, metricLabel(input.y).ratio, input.logy === true, floor);
  // Percentiles jump between sweep values (a whole RTO): a line between two would invent values.
  const joined = !isOrderStatistic(input.y);
  // A series drawn exactly over an earlier one says so in the legend.
  const names = withSameAsNotes(
    data.series.map((s) => s.label),
    data.series.map((s) => s.cells.flatMap((c) => [c.xi, c.mean, c.ci95])),
  );
  const frame = sweepFrame(input, data, yAxis, names, joined);
  const { plot, height } = layoutFrame(frame);
  yAxis.setRange(plot.bottom, plot.top);
  const x = xPlacer(input.x, data.xValues, input.logx, plot.left, plot.right);
  const series = placeSeries(data, x, yAxis, floor, joined);
  return {
    data,
    title: frame.title,
    subtitle: frame.subtitle!,
    withCi: hasCi(data),
    joined,
    names,
    floor,
    clipped: clipsAtFloor(data, floor),
    frame,
    plot,
    height,
    x,
    yAxis,
    series,
  };
}
