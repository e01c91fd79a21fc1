/**
 * Grouped bar figure: one group per value of the sweep axis x (categorical, in sweep order), one
 * bar per series value within a group, bar height the mean over seeds with a 95 % CI error bar.
 */
import { scaleBand } from 'd3';
import type { AggregateRow, RunResult } from '../metrics/results.ts';
import { figure, skipped } from './figure.ts';
import type { ChartResult } from './figure.ts';
import { drawFrame, layoutFrame } from './frame.ts';
import type { FrameInput, LegendItem } from './frame.ts';
import { axisLabel, inSentence, metricLabel, paramLabel } from './labels.ts';
import { el, num, svgDocument } from './svg.ts';
import { sweepData } from './sweep-data.ts';
import { valueLabel } from './sweep-values.ts';
import { INK, seriesColor } from './theme.ts';
import { valueAxis } from './value-axis.ts';

export interface BarChartInput {
  x: string;
  y: string;
  series?: string;
  aggregate: readonly AggregateRow[];
  runs?: readonly RunResult[];
  sweepPaths: readonly string[];
  sweepValues: Record<string, readonly unknown[]>;
  title?: string;
  xlabel?: string;
  ylabel?: string;
  logy?: boolean;
  width?: number;
  height?: number;
}

export function barChart(input: BarChartInput): ChartResult {
  const data = sweepData(input);
  if (!data) return skipped(`no values of "${input.y}" over sweep axis "${input.x}" in summary.json`);
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
  const yAxis = valueAxis(lo, hi, { ratio: ml.ratio, log: input.logy === true, minPositive });
  const withCi = data.series.some((s) => s.cells.some((c) => c.ci95 > 0));
  const subtitle = `mean${withCi ? ' ± 95 % CI' : ''} over ${data.maxN} seed${data.maxN === 1 ? '' : 's'} per point`;
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
  const labels = data.xValues.map(valueLabel);
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
        const cap = Math.min(5, w / 3);
        parts.push(el('path', { class: 'errorbar', d: `M${num(cx)},${num(y0)}V${num(y1)}M${num(cx - cap)},${num(y0)}H${num(cx + cap)}M${num(cx - cap)},${num(y1)}H${num(cx + cap)}`, stroke: INK.text, 'stroke-width': 1.3, fill: 'none' }));
      }
    }
    bars.push(el('g', { class: 'bar-series', 'data-series': s.label }, parts));
  });
  const xTicks = labels.map((l) => ({ pos: outer(l)! + outer.bandwidth() / 2, label: l }));
  const frame = drawFrame(frameIn, plot, xTicks, yAxis.ticks());
  const svg = svgDocument(frameIn.width, height, title, subtitle, [frame.back, ...bars, frame.front]);
  const caption =
    `${ml.name} for each value of ${inSentence(paramLabel(input.x))}` +
    (data.series.length > 1 ? `, bars grouped by ${data.legendTitle ? inSentence(data.legendTitle.replace(/:$/, '')) : 'the other sweep axes'}` : '') +
    `. Bar height is the mean over ${data.maxN} seed${data.maxN === 1 ? '' : 's'}${withCi ? '; error bars show the 95 % confidence interval' : ''}.`;
  return figure(svg, title, caption);
}
