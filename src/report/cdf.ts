/**
 * Empirical CDF of per-connection samples (samples.csv: handshake_ms, request_ms, page_ms), one
 * step curve per sweep point with the samples of all its seeds pooled. A log x axis is used when
 * asked, or when the samples span more than two decades (a 20 ms handshake beside 1 s and 3 s SYN
 * retransmissions) unless `logx: false`. Positions come from cdf-layout.ts; this file draws them.
 */
import { curveStepAfter, line } from 'd3';
import { layoutCdf } from './cdf-layout.ts';
import type { CdfCurveLayout, CdfMarkLayout } from './cdf-layout.ts';
import { figure, skipped } from './figure.ts';
import type { ChartResult } from './figure.ts';
import { drawFrame } from './frame.ts';
import { inSentence, metricLabel } from './labels.ts';
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

/** Draws the CDF figure laid out by cdf-layout.ts. */
export function cdfChart(input: CdfChartInput): ChartResult {
  const l = layoutCdf(input);
  if ('skip' in l) return skipped(l.skip);
  const frame = drawFrame(l.frame, l.plot, l.xTicks, l.yTicks, { xGrid: true });
  const paths = l.curves.map(curvePath);
  const marks = l.marks.map(markLink);
  const svg = svgDocument(l.frame.width, l.height, l.title, l.subtitle, [
    frame.back,
    el('g', { class: 'lines' }, paths),
    ...(marks.length > 0 ? [el('g', { class: 'outliers' }, marks)] : []),
    frame.front,
  ]);
  const label = metricLabel(input.metric);
  const caption =
    `Empirical CDF of ${inSentence(label.name)}${label.unit ? ` (${label.unit})` : ''} per connection: the fraction of samples at or below each value` +
    (l.curves.length > 1 ? `, one curve per sweep point with its seeds pooled.` : `, all seeds pooled.`) +
    (l.logx ? ' The x axis is logarithmic.' : '');
  return figure(svg, l.title, caption);
}

/** An outlier: a ring on its curve, a link to its ladder in the trace explorer. */
function markLink(m: CdfMarkLayout): string {
  return el('a', { href: m.href, class: 'outlier' }, [
    el('title', {}, esc(m.label)),
    el('circle', {
      cx: m.cx.toFixed(2),
      cy: m.cy.toFixed(2),
      r: 5.5,
      fill: '#ffffff',
      stroke: seriesColor(m.index),
      'stroke-width': 2.5,
      cursor: 'pointer',
    }),
  ]);
}

/** One empirical CDF as steps through its laid-out corners. */
function curvePath(c: CdfCurveLayout): string {
  const d = line<[number, number]>()
    .x((p) => p[0])
    .y((p) => p[1])
    .curve(curveStepAfter)
    .digits(2)(c.path);
  return el('path', {
    class: 'series',
    'data-series': c.label,
    d: d ?? '',
    fill: 'none',
    stroke: seriesColor(c.index),
    'stroke-width': 2,
    'stroke-dasharray': seriesDash(c.index) || undefined,
  });
}
