/**
 * Time series figure: one metric of timeseries.csv over simulated time, one series per sweep
 * point. The line is the mean over the point's seeds at each sample time; the band is the min–max
 * range (or the 95 % confidence interval) across seeds. Values are summed over nodes unless one
 * node is asked for (e.g. TIME-WAIT sockets over all clients). Positions come from
 * timeseries-layout.ts; this file draws them.
 */
import { area, line } from 'd3';
import type { BandKind } from '../schema/charts.ts';
import type { TimeseriesRow } from '../schema/results.ts';
import { figure, skipped } from './figure.ts';
import type { ChartResult } from './figure.ts';
import { drawFrame } from './frame.ts';
import type { Plot } from './frame.ts';
import { metricLabel } from './labels.ts';
import type { PointInfo } from './points.ts';
import { el, svgDocument, text } from './svg.ts';
import { FONT, INK, seriesColor, seriesDash } from './theme.ts';
import { lastSampleTime, layoutTimeseries } from './timeseries-layout.ts';
import type { SeriesLayout, TimeseriesLayout } from './timeseries-layout.ts';

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

/** One series: its band (when shown) and its mean line. */
function drawSeries(s: SeriesLayout): { band: string; line: string } {
  const color = seriesColor(s.index);
  let band = '';
  if (s.band) {
    const d = area<[number, number, number]>()
      .x((p) => p[0])
      .y0((p) => p[1])
      .y1((p) => p[2])
      .digits(2)(s.band);
    band = el('path', { class: 'band', d: d ?? '', fill: color, 'fill-opacity': 0.16, stroke: 'none' });
  }
  const d = line<[number, number]>()
    .x((p) => p[0])
    .y((p) => p[1])
    .digits(2)(s.line);
  return {
    band,
    line: el('path', {
      class: 'series',
      'data-series': s.label,
      d: d ?? '',
      fill: 'none',
      stroke: color,
      'stroke-width': 2,
      'stroke-dasharray': seriesDash(s.index) || undefined,
      'stroke-linejoin': 'round',
    }),
  };
}

/** A dashed reference line across the plot with its label (a queue's capacity). */
function drawReference(ref: TimeseriesLayout['reference'], plot: Plot): string[] {
  if (!ref) return [];
  const ry = ref.y;
  return [
    el('line', {
      x1: plot.left,
      x2: plot.right,
      y1: ry,
      y2: ry,
      stroke: INK.muted,
      'stroke-width': 1.2,
      'stroke-dasharray': '5 4',
    }),
    text(plot.right - 4, ry - 5, ref.label, {
      'text-anchor': 'end',
      'font-size': FONT.note,
      fill: INK.muted,
      stroke: '#ffffff',
      'stroke-width': 3,
      'paint-order': 'stroke',
    }),
  ];
}

export function timeseriesChart(input: TimeseriesChartInput): ChartResult {
  const l = layoutTimeseries(input);
  if (!l)
    return skipped(`no "${input.metric}" samples in timeseries.csv${input.node ? ` for node ${input.node}` : ''}`);
  const drawn = l.drawn.map(drawSeries);
  const frame = drawFrame(l.frame, l.plot, l.xTicks, l.yAxis.ticks(), { yBreaks: l.yAxis.breaks() });
  const body = [
    frame.back,
    el('g', { class: 'bands' }, drawn.map((d) => d.band).filter(Boolean)),
    el('g', { class: 'reference' }, drawReference(l.reference, l.plot)),
    el(
      'g',
      { class: 'lines' },
      drawn.map((d) => d.line),
    ),
    frame.front,
  ];
  const svg = svgDocument(l.frame.width, l.height, l.title, l.subtitle, body);
  return figure(svg, l.title, timeseriesCaption(input, l));
}

function timeseriesCaption(input: TimeseriesChartInput, l: TimeseriesLayout): string {
  const { series, labels } = l;
  const tAll = lastSampleTime(input);
  return (
    `${metricLabel(input.metric).name} over simulated time, ${input.node ? `at node ${input.node}` : 'summed over all nodes'}. ` +
    (series.length > 1 ? `One line per sweep point: the mean over its seeds` : `The line is the mean over seeds`) +
    (l.showBand
      ? `; the shaded band spans ${l.band === 'ci95' ? 'the 95 % confidence interval' : 'the minimum to maximum'} across seeds.`
      : '.') +
    (labels.some((x, i) => x !== l.pointNames[series[i]!.index])
      ? ' Lines marked "same as" lie exactly on the one named.'
      : '') +
    (input.until !== undefined && tAll > input.until ? ` Shown for the first ${input.until} s of ${tAll} s.` : '') +
    l.yAxis.note
  );
}
