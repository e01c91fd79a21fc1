/**
 * Grouped bar figure: one group per value of the sweep axis x (categorical, in sweep order), one
 * bar per series value within a group, bar height the mean over seeds with a 95 % CI error bar.
 */
import { scaleBand } from 'd3';
import { figure } from './figure.ts';
import type { ChartResult } from './figure.ts';
import { drawFrame, layoutFrame } from './frame.ts';
import type { FrameInput, LegendItem } from './frame.ts';
import { axisLabel, inSentence, metricLabel, paramLabel, valueText } from './labels.ts';
import { el, errorBarPath, svgDocument } from './svg.ts';
import { hasCi, noSweepData, seedCount, sweepData } from './sweep-data.ts';
import type { SweepDataInput, SweepFigureOptions } from './sweep-data.ts';
import { valueLabel } from './sweep-values.ts';
import { INK, seriesColor } from './theme.ts';
import { valueAxis } from './value-axis.ts';

export interface BarChartInput extends SweepDataInput, SweepFigureOptions {}

export function barChart(input: BarChartInput): ChartResult {
  const data = sweepData(input);
  if (!data) return noSweepData(input);
  const ml = metricLabel(input.y);
  const title = input.title ?? `${ml.name} by ${inSentence(paramLabel(input.x))}`;
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
  const yAxis = valueAxis(lo, hi, { ratio: ml.ratio, log: input.logy === true, minPositive, hasZero });
  const withCi = hasCi(data);
  const subtitle = `mean${withCi ? ' ± 95 % CI' : ''} over ${seedCount(data.maxN)} per point`;
  const legend: LegendItem[] = data.series.map((s, i) => ({ label: s.label, color: seriesColor(i), kind: 'bar' }));
  const frameIn: FrameInput = {
    width: input.width ?? 640,
    height: input.height ?? 400,
    title,
    subtitle,
    xLabel: input.xlabel ?? paramLabel(input.x),
    yLabel: input.ylabel ?? axisLabel(input.y),
    legend: data.series.length > 1 ? legend : [],
    legendTitle: data.legendTitle,
    yTickLabels: yAxis.tickLabels,
  };
  const { plot, height } = layoutFrame(frameIn);
  yAxis.setRange(plot.bottom, plot.top);
  const labels = data.xValues.map((v) => valueText(input.x, v));
  const outer = scaleBand<string>().domain(labels).range([plot.left, plot.right]).paddingInner(0.25).paddingOuter(0.15);
  const inner = scaleBand<number>()
    .domain(data.series.map((_, i) => i))
    .range([0, outer.bandwidth()])
    .padding(0.08);
  const base = yAxis.pos(yAxis.base);
  const bars: string[] = [];
  data.series.forEach((s, si) => {
    const parts: string[] = [];
    for (const c of s.cells) {
      const x = outer(labels[c.xi]!)! + inner(si)!;
      const w = inner.bandwidth();
      const y = yAxis.pos(c.mean);
      const detail = `${s.label}, ${labels[c.xi]}: ${c.mean.toPrecision(4)} ± ${c.ci95.toPrecision(3)} (n = ${c.n})`;
      parts.push(el('rect', { class: 'bar', x, y: Math.min(y, base), width: w, height: Math.max(Math.abs(base - y), 0.5), fill: seriesColor(si), stroke: INK.axis, 'stroke-width': 0.5 }, el('title', {}, detail)));
      if (c.ci95 > 0) {
        const cx = x + w / 2;
        const y0 = yAxis.pos(c.mean - c.ci95);
        const y1 = yAxis.pos(c.mean + c.ci95);
        parts.push(el('path', { class: 'errorbar', d: errorBarPath(cx, y0, y1, Math.min(5, w / 3)), stroke: INK.text, 'stroke-width': 1.3, fill: 'none' }));
      }
    }
    bars.push(el('g', { class: 'bar-series', 'data-series': s.label }, parts));
  });
  const xTicks = labels.map((l) => ({ pos: outer(l)! + outer.bandwidth() / 2, label: l }));
  const frame = drawFrame(frameIn, plot, xTicks, yAxis.ticks(), { yBreaks: yAxis.breaks() });
  const svg = svgDocument(frameIn.width, height, title, subtitle, [frame.back, ...bars, frame.front]);
  const caption =
    `${ml.name} for each value of ${inSentence(paramLabel(input.x))}` +
    (data.series.length > 1 ? `, bars grouped by ${data.legendTitle ? inSentence(data.legendTitle.replace(/:$/, '')) : 'the other sweep axes'}` : '') +
    `. Bar height is the mean over ${seedCount(data.maxN)}${withCi ? '; error bars show the 95 % confidence interval' : ''}.` +
    yAxis.note;
  return figure(svg, title, caption);
}
