/**
 * Grouped bar figure: one group per value of the sweep axis x (categorical, in sweep order), one
 * bar per series value within a group, bar height the mean over seeds with a 95 % CI error bar.
 * Positions come from bar-layout.ts; this file draws them.
 */
import { layoutBars } from './bar-layout.ts';
import type { BarLayout, BarRect } from './bar-layout.ts';
import { figure } from './figure.ts';
import type { ChartResult } from './figure.ts';
import { drawFrame } from './frame.ts';
import { inSentence, metricLabel, paramLabel } from './labels.ts';
import { el, errorBarPath, svgDocument } from './svg.ts';
import { noSweepData, seedCount } from './sweep-data.ts';
import type { SweepDataInput, SweepFigureOptions } from './sweep-data.ts';
import { INK, seriesColor } from './theme.ts';

export interface BarChartInput extends SweepDataInput, SweepFigureOptions {}

export function barChart(input: BarChartInput): ChartResult {
  const l = layoutBars(input);
  if (!l) return noSweepData(input);
  const bars = l.series.map((s) => el('g', { class: 'bar-series', 'data-series': s.label }, s.bars.flatMap(drawBar)));
  const frame = drawFrame(l.frame, l.plot, l.xTicks, l.yTicks, { yBreaks: l.yBreaks });
  const svg = svgDocument(l.frame.width, l.height, l.title, l.subtitle, [frame.back, ...bars, frame.front]);
  return figure(svg, l.title, barCaption(input, l));
}

/** A bar with its tooltip, and its error bar when the CI is not zero. */
function drawBar(b: BarRect): string[] {
  const parts = [
    el(
      'rect',
      {
        class: 'bar',
        x: b.x,
        y: b.y,
        width: b.width,
        height: b.height,
        fill: seriesColor(b.si),
        stroke: INK.axis,
        'stroke-width': 0.5,
      },
      el('title', {}, b.detail),
    ),
  ];
  if (b.error) {
    const e = b.error;
    parts.push(
      el('path', {
        class: 'errorbar',
        d: errorBarPath(e.x, e.y0, e.y1, e.cap),
        stroke: INK.text,
        'stroke-width': 1.3,
        fill: 'none',
      }),
    );
  }
  return parts;
}

function barCaption(input: BarChartInput, l: BarLayout): string {
  const { data } = l;
  return (
    `${metricLabel(input.y).name} for each value of ${inSentence(paramLabel(input.x))}` +
    (data.series.length > 1
      ? `, bars grouped by ${data.legendTitle ? inSentence(data.legendTitle.replace(/:$/, '')) : 'the other sweep axes'}`
      : '') +
    `. Bar height is the mean over ${seedCount(data.maxN)}${l.withCi ? '; error bars show the 95 % confidence interval' : ''}.` +
    l.yAxis.note
  );
}
