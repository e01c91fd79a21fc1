/**
 * Sweep figure: a metric against one sweep axis, one series per value of the series axis, each
 * point the mean over seeds with a 95 % confidence-interval error bar. Numeric x ("1000/s" →
 * 1000) gets a linear or log axis (log when asked or when the values span two decades or more; a
 * zero then sits left of an axis break); other x values are categorical, in sweep order. Positions
 * come from sweep-layout.ts; this file draws them.
 */
import { line } from 'd3';
import { figure } from './figure.ts';
import type { ChartResult } from './figure.ts';
import { drawFrame } from './frame.ts';
import { inSentence, metricLabel, paramLabel } from './labels.ts';
import { el, errorBarPath, svgDocument } from './svg.ts';
import { noSweepData, seedCount } from './sweep-data.ts';
import type { SweepDataInput, SweepFigureOptions } from './sweep-data.ts';
import { layoutSweep } from './sweep-layout.ts';
import type { SweepLayout, SweepSeriesLayout } from './sweep-layout.ts';
import { markerPath, seriesColor, seriesDash, seriesMarker } from './theme.ts';

export { isOrderStatistic } from './sweep-layout.ts';

export interface SweepChartInput extends SweepDataInput, SweepFigureOptions {
  logx?: boolean;
}

/** One series: a line through its means (unless percentiles), error bars and markers. */
function drawSweepSeries(s: SweepSeriesLayout): string {
  const color = seriesColor(s.si);
  const parts: string[] = [];
  if (s.line) {
    const d = line<[number, number]>()
      .x((p) => p[0])
      .y((p) => p[1])
      .digits(2)(s.line);
    parts.push(
      el('path', {
        class: 'series',
        d: d ?? '',
        fill: 'none',
        stroke: color,
        'stroke-width': 1.8,
        'stroke-dasharray': seriesDash(s.si) || undefined,
      }),
    );
  }
  const shape = seriesMarker(s.si);
  for (const p of s.points) {
    if (p.error)
      parts.push(
        el('path', {
          class: 'errorbar',
          d: errorBarPath(p.x, p.error.y0, p.error.y1, 5),
          stroke: color,
          'stroke-width': 1.5,
          fill: 'none',
        }),
      );
    parts.push(
      el(
        'path',
        {
          class: 'marker',
          d: markerPath(shape, p.x, p.y, 8),
          fill: shape === 'cross' ? 'none' : color,
          stroke: shape === 'cross' ? color : '#ffffff',
          'stroke-width': shape === 'cross' ? 2 : 0.8,
        },
        el('title', {}, p.detail),
      ),
    );
  }
  return el('g', { class: 'sweep-series', 'data-series': s.label }, parts);
}

export function sweepChart(input: SweepChartInput): ChartResult {
  const l = layoutSweep(input);
  if (!l) return noSweepData(input);
  const body = l.series.map(drawSweepSeries);
  const frame = drawFrame(l.frame, l.plot, l.x.ticks(), l.yAxis.ticks(), {
    xBreaks: l.x.breaks,
    yBreaks: l.yAxis.breaks(),
  });
  const svg = svgDocument(l.frame.width, l.height, l.title, l.subtitle, [frame.back, ...body, frame.front]);
  return figure(svg, l.title, sweepCaption(input, l));
}

function sweepCaption(input: SweepChartInput, l: SweepLayout): string {
  const { data } = l;
  const n = data.series.length;
  return (
    `${metricLabel(input.y).name} for each value of ${inSentence(paramLabel(input.x))}` +
    (n > 1
      ? `, one series per ${data.legendTitle ? inSentence(data.legendTitle.replace(/:$/, '')) + ' setting' : 'combination of the other sweep axes'}`
      : '') +
    `. Markers show the mean over ${seedCount(data.maxN)}${l.withCi ? '; error bars the 95 % confidence interval (Student t)' : ''}.` +
    (n > 1
      ? ` So that markers do not hide each other, each series is drawn up to ${(n - 1) * 2.5} px left or right of its x value.`
      : '') +
    (l.clipped ? ' Error bars that would reach below 0 are cut at 0, a value the quantity cannot go below.' : '') +
    (l.joined
      ? ''
      : ' Points are not joined: a percentile can jump between two sweep values (by a whole retransmission timeout), so a line between them would show values no run had.') +
    (l.names.some((nm, i) => nm !== data.series[i]!.label)
      ? ' Series marked "same as" lie exactly on the one named.'
      : '') +
    (l.x.log
      ? ' The x axis is logarithmic' + (l.x.breaks.length > 0 ? ', with zero set apart by an axis break.' : '.')
      : '') +
    l.yAxis.note
  );
}
