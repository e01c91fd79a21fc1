/**
 * Bar layout: a pure function from sweep results to positions — one group of bars per x value (in
 * sweep order), one bar per series within a group, each bar from the baseline to its mean, its
 * 95 % CI as an error bar, and the y axis over every mean ± CI. No SVG here: bar.ts draws what
 * this returns, and the tests check the geometry against the data.
 */
import { scaleBand } from 'd3';
import type { BarChartInput } from './bar.ts';
import { layoutFrame } from './frame.ts';
import type { FrameInput, LegendItem, Plot, Tick } from './frame.ts';
import { axisLabel, inSentence, metricLabel, paramLabel, valueText } from './labels.ts';
import { hasCi, seedCount, sweepData } from './sweep-data.ts';
import type { SweepData } from './sweep-data.ts';
import { seriesColor } from './theme.ts';
import { valueAxis } from './value-axis.ts';
import type { ValueAxis } from './value-axis.ts';

export interface BarRect {
  /** The bar's series (its colour). */
  si: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Tooltip: series, x value, mean ± CI and n. */
  detail: string;
  /** The CI's error bar, when the CI is not zero. */
  error: { x: number; y0: number; y1: number; cap: number } | null;
}

export interface BarSeriesLayout {
  label: string;
  bars: BarRect[];
}

export interface BarLayout {
  data: SweepData;
  title: string;
  subtitle: string;
  withCi: boolean;
  frame: FrameInput;
  plot: Plot;
  height: number;
  yAxis: ValueAxis;
  series: BarSeriesLayout[];
  xTicks: Tick[];
  yTicks: Tick[];
  yBreaks: number[];
}

/** The y axis over every mean ± CI, from 0 (a log axis gives zeros a place under a break). */
function barYAxis(data: SweepData, ratio: boolean, log: boolean): ValueAxis {
  let lo = Infinity;
  let hi = -Infinity;
  let minPositive = Infinity;
  for (const s of data.series) {
    for (const c of s.cells) {
      lo = Math.min(lo, c.mean - c.ci95, 0);
      hi = Math.max(hi, c.mean + c.ci95);
      if (c.mean > 0) minPositive = Math.min(minPositive, c.mean);
    }
  }
  const hasZero = data.series.some((s) => s.cells.some((c) => c.mean <= 0));
  return valueAxis(lo, hi, { ratio, log, minPositive, hasZero });
}

/** Title, subtitle, axis labels and legend: what sizes the frame. */
function barFrame(input: BarChartInput, data: SweepData, yAxis: ValueAxis): FrameInput {
  const ml = metricLabel(input.y);
  const legend: LegendItem[] = data.series.map((s, i) => ({ label: s.label, color: seriesColor(i), kind: 'bar' }));
  return {
    width: input.width ?? 640,
    height: input.height ?? 400,
    title: input.title ?? `${ml.name} by ${inSentence(paramLabel(input.x))}`,
    subtitle: `mean${hasCi(data) ? ' ± 95 % CI' : ''} over ${seedCount(data.maxN)} per point`,
    xLabel: input.xlabel ?? paramLabel(input.x),
    yLabel: input.ylabel ?? axisLabel(input.y),
    legend: data.series.length > 1 ? legend : [],
    legendTitle: data.legendTitle,
    yTickLabels: yAxis.tickLabels,
  };
}

/** Bars of every series: x from the group's band and the series' slot in it, y from the axis. */
function placeBars(
  data: SweepData,
  labels: readonly string[],
  plot: Plot,
  yAxis: ValueAxis,
): { series: BarSeriesLayout[]; xTicks: Tick[] } {
  const outer = scaleBand<string>().domain(labels).range([plot.left, plot.right]).paddingInner(0.25).paddingOuter(0.15);
  const inner = scaleBand<number>()
    .domain(data.series.map((_, i) => i))
    .range([0, outer.bandwidth()])
    .padding(0.08);
  const base = yAxis.pos(yAxis.base);
  const series = data.series.map(
    (s, si): BarSeriesLayout => ({
      label: s.label,
      bars: s.cells.map((c): BarRect => {
        const x = outer(labels[c.xi]!)! + inner(si)!;
        const w = inner.bandwidth();
        const y = yAxis.pos(c.mean);
        const detail = `${s.label}, ${labels[c.xi]}: ${c.mean.toPrecision(4)} ± ${c.ci95.toPrecision(3)} (n = ${c.n})`;
        const error =
          c.ci95 > 0
            ? { x: x + w / 2, y0: yAxis.pos(c.mean - c.ci95), y1: yAxis.pos(c.mean + c.ci95), cap: Math.min(5, w / 3) }
            : null;
        return { si, x, y: Math.min(y, base), width: w, height: Math.max(Math.abs(base - y), 0.5), detail, error };
      }),
    }),
  );
  const xTicks = labels.map((l) => ({ pos: outer(l)! + outer.bandwidth() / 2, label: l }));
  return { series, xTicks };
}

/** Lays out the bar figure, or returns null when the results hold no data for it. */
export function layoutBars(input: BarChartInput): BarLayout | null {
  const data = sweepData(input);
  if (!data) return null;
  const yAxis = barYAxis(data, metricLabel(input.y).ratio, input.logy === true);
  const frame = barFrame(input, data, yAxis);
  const { plot, height } = layoutFrame(frame);
  yAxis.setRange(plot.bottom, plot.top);
  const labels = data.xValues.map((v) => valueText(input.x, v));
  const { series, xTicks } = placeBars(data, labels, plot, yAxis);
  return {
    data,
    title: frame.title,
    subtitle: frame.subtitle!,
    withCi: hasCi(data),
    frame,
    plot,
    height,
    yAxis,
    series,
    xTicks,
    yTicks: yAxis.ticks(),
    yBreaks: yAxis.breaks(),
  };
}
