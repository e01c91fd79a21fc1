/**
 * The frame every x/y chart shares: title and subtitle, a legend laid out in rows under the title
 * (never over the data), the plot rectangle, light horizontal grid lines, axes with ticks and
 * labels. Charts lay out first (the left margin depends on the y tick labels), then set their
 * scale ranges from the plot rectangle, then draw.
 */
import { format } from 'd3';
import type { ScaleContinuousNumeric, ScaleLogarithmic } from 'd3';
import { el, esc, num, text, textWidth } from './svg.ts';
import { FONT, INK, markerPath } from './theme.ts';
import type { MarkerShape } from './theme.ts';

export interface LegendItem {
  label: string;
  color: string;
  /** line: a stroke; band: a stroke over a light fill; bar: a filled box; marker: a stroke with a marker. */
  kind: 'line' | 'band' | 'bar' | 'marker';
  dash?: string;
  marker?: MarkerShape;
  /** A marker without a line through it (points that are not joined). */
  noLine?: boolean;
}

export interface FrameInput {
  width: number;
  height: number;
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  legend: LegendItem[];
  /** Written before the first legend entry, e.g. "SYN cookies:". */
  legendTitle?: string;
  /** The y tick labels, to size the left margin. */
  yTickLabels: string[];
  /** The plot never gets shorter than this (px); a long legend grows the figure. Default 240. */
  minPlotHeight?: number;
}

export interface Plot {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface Tick {
  pos: number;
  label: string;
  /** A minor tick: a short mark without label or grid line. */
  minor?: boolean;
}

interface LegendSlot {
  item: LegendItem | null;
  label: string;
  x: number;
  y: number;
}

const SWATCH = 26;
const LEGEND_ROW = 19;

function legendSlots(input: FrameInput, top: number): { slots: LegendSlot[]; bottom: number } {
  const slots: LegendSlot[] = [];
  if (input.legend.length === 0) return { slots, bottom: top };
  const x0 = 16;
  const xMax = input.width - 12;
  let x = x0;
  let y = top + 12;
  if (input.legendTitle) {
    slots.push({ item: null, label: input.legendTitle, x, y });
    x += textWidth(input.legendTitle, FONT.legend) + 10;
  }
  for (const item of input.legend) {
    const w = SWATCH + 6 + textWidth(item.label, FONT.legend) + 18;
    if (x + w > xMax && x > x0 + 1) {
      x = x0 + (input.legendTitle ? 12 : 0);
      y += LEGEND_ROW;
    }
    slots.push({ item, label: item.label, x, y });
    x += w;
  }
  return { slots, bottom: y + 8 };
}

function headerBottom(input: FrameInput): number {
  return input.subtitle ? 46 : 30;
}

/** Below this the plot grows the figure instead of shrinking (a long legend takes rows). */
const MIN_PLOT_HEIGHT = 240;

/** The plot rectangle for this frame, and the figure height (grown when the legend is long). */
export function layoutFrame(input: FrameInput): { plot: Plot; height: number } {
  const { bottom: legendBottom } = legendSlots(input, headerBottom(input));
  const widest = Math.max(0, ...input.yTickLabels.map((l) => textWidth(l, FONT.tick)));
  const top = Math.round(legendBottom + 16);
  const height = Math.max(input.height, top + (input.minPlotHeight ?? MIN_PLOT_HEIGHT) + 52);
  return {
    plot: { left: Math.round(Math.max(54, 34 + widest + 10)), right: input.width - 30, top, bottom: height - 52 },
    height,
  };
}

function legendSwatch(item: LegendItem, x: number, y: number): string {
  const cy = y - 4;
  const parts: string[] = [];
  if (item.kind === 'bar') {
    parts.push(
      el('rect', {
        x: x + 6,
        y: cy - 6,
        width: 14,
        height: 12,
        fill: item.color,
        stroke: INK.axis,
        'stroke-width': 0.6,
      }),
    );
  } else {
    if (item.kind === 'band') {
      parts.push(el('rect', { x, y: cy - 6, width: SWATCH, height: 12, fill: item.color, 'fill-opacity': 0.18 }));
    }
    if (!item.noLine)
      parts.push(
        el('line', {
          x1: x,
          y1: cy,
          x2: x + SWATCH,
          y2: cy,
          stroke: item.color,
          'stroke-width': 2.2,
          'stroke-dasharray': item.dash || undefined,
        }),
      );
    if (item.marker) {
      parts.push(
        el('path', {
          d: markerPath(item.marker, x + SWATCH / 2, cy, 7.5),
          fill: item.marker === 'cross' ? 'none' : item.color,
          stroke: item.color,
          'stroke-width': 1.4,
        }),
      );
    }
  }
  return parts.join('');
}

export interface FrameParts {
  /** Drawn under the data: grid lines. */
  back: string;
  /** Drawn over the data: axes, ticks, labels, title, legend. */
  front: string;
}

export interface AxisOptions {
  /** x positions where the x axis has a break mark (a zero beside a log axis). */
  xBreaks?: number[];
  /** y positions where the y axis has a break mark (a zero under a log axis). */
  yBreaks?: number[];
  /** Draw vertical grid lines too (used by the CDF). */
  xGrid?: boolean;
}

/** Draws the frame around a plot whose ticks are already positioned. */
export function drawFrame(
  input: FrameInput,
  plot: Plot,
  xTicks: Tick[],
  yTicks: Tick[],
  opts: AxisOptions = {},
): FrameParts {
  const front: string[] = [
    xAxis(plot, xTicks, opts.xBreaks ?? []),
    yAxis(plot, yTicks, opts.yBreaks ?? []),
    ...axisLabels(input, plot),
  ];
  front.push(
    text(16, 22, input.title, { class: 'chart-title', 'font-size': FONT.title, 'font-weight': 'bold', fill: INK.text }),
  );
  if (input.subtitle)
    front.push(text(16, 40, input.subtitle, { class: 'chart-subtitle', 'font-size': FONT.subtitle, fill: INK.muted }));
  const legend = drawLegend(input);
  if (legend) front.push(legend);
  return { back: gridLines(plot, xTicks, yTicks, opts.xGrid === true), front: front.join('\n') };
}

/** Light grid lines at the major y ticks (and x ticks when asked), drawn under the data. */
function gridLines(plot: Plot, xTicks: readonly Tick[], yTicks: readonly Tick[], xGrid: boolean): string {
  const back: string[] = [];
  for (const t of yTicks) {
    if (t.minor) continue;
    back.push(
      el('line', {
        class: 'grid',
        x1: plot.left,
        x2: plot.right,
        y1: t.pos,
        y2: t.pos,
        stroke: INK.grid,
        'stroke-width': 1,
      }),
    );
  }
  if (xGrid) {
    for (const t of xTicks) {
      if (t.minor) continue;
      back.push(
        el('line', {
          class: 'grid',
          x1: t.pos,
          x2: t.pos,
          y1: plot.top,
          y2: plot.bottom,
          stroke: INK.grid,
          'stroke-width': 1,
        }),
      );
    }
  }
  return el('g', { class: 'grid-lines' }, back);
}

/** The bottom axis line, its break marks, outward ticks and tick labels. */
function xAxis(plot: Plot, ticks: readonly Tick[], breaks: readonly number[]): string {
  const parts: string[] = [
    el('line', {
      x1: plot.left,
      x2: plot.right,
      y1: plot.bottom,
      y2: plot.bottom,
      stroke: INK.axis,
      'stroke-width': 1,
    }),
  ];
  for (const b of breaks) {
    // Two slanted strokes over a white gap: the axis is not continuous here.
    parts.push(el('rect', { x: b - 4, y: plot.bottom - 5, width: 8, height: 10, fill: '#ffffff' }));
    parts.push(
      el('path', {
        class: 'axis-break',
        d: `M${num(b - 6)},${num(plot.bottom + 5)}L${num(b - 2)},${num(plot.bottom - 5)}M${num(b + 2)},${num(plot.bottom + 5)}L${num(b + 6)},${num(plot.bottom - 5)}`,
        stroke: INK.axis,
        'stroke-width': 1.2,
        fill: 'none',
      }),
    );
  }
  for (const t of ticks) {
    const len = t.minor ? 3 : 6;
    parts.push(
      el('line', { x1: t.pos, x2: t.pos, y1: plot.bottom, y2: plot.bottom + len, stroke: INK.axis, 'stroke-width': 1 }),
    );
    if (!t.minor)
      parts.push(
        text(t.pos, plot.bottom + 20, t.label, { 'text-anchor': 'middle', 'font-size': FONT.tick, fill: INK.text }),
      );
  }
  return el('g', { class: 'axis x-axis' }, parts);
}

/** The left axis line, its break marks, outward ticks and tick labels. */
function yAxis(plot: Plot, ticks: readonly Tick[], breaks: readonly number[]): string {
  const parts: string[] = [
    el('line', { x1: plot.left, x2: plot.left, y1: plot.top, y2: plot.bottom, stroke: INK.axis, 'stroke-width': 1 }),
  ];
  for (const b of breaks) {
    parts.push(el('rect', { x: plot.left - 5, y: b - 4, width: 10, height: 8, fill: '#ffffff' }));
    parts.push(
      el('path', {
        class: 'axis-break',
        d: `M${num(plot.left - 5)},${num(b - 2)}L${num(plot.left + 5)},${num(b - 6)}M${num(plot.left - 5)},${num(b + 6)}L${num(plot.left + 5)},${num(b + 2)}`,
        stroke: INK.axis,
        'stroke-width': 1.2,
        fill: 'none',
      }),
    );
  }
  for (const t of ticks) {
    const len = t.minor ? 3 : 6;
    parts.push(
      el('line', { x1: plot.left - len, x2: plot.left, y1: t.pos, y2: t.pos, stroke: INK.axis, 'stroke-width': 1 }),
    );
    if (!t.minor)
      parts.push(
        text(plot.left - 9, t.pos + 4, t.label, { 'text-anchor': 'end', 'font-size': FONT.tick, fill: INK.text }),
      );
  }
  return el('g', { class: 'axis y-axis' }, parts);
}

/** The x axis label under the ticks, the y axis label turned along the left edge. */
function axisLabels(input: FrameInput, plot: Plot): string[] {
  const ymid = (plot.top + plot.bottom) / 2;
  return [
    text((plot.left + plot.right) / 2, plot.bottom + 40, input.xLabel, {
      class: 'axis-label',
      'text-anchor': 'middle',
      'font-size': FONT.label,
      fill: INK.text,
    }),
    el(
      'text',
      {
        class: 'axis-label',
        x: 0,
        y: 0,
        transform: `translate(17,${num(ymid)}) rotate(-90)`,
        'text-anchor': 'middle',
        'font-size': FONT.label,
        fill: INK.text,
      },
      esc(input.yLabel),
    ),
  ];
}

/** The legend in the slots legendSlots laid out under the title; '' without entries. */
function drawLegend(input: FrameInput): string {
  const { slots } = legendSlots(input, headerBottom(input));
  const legend: string[] = [];
  for (const s of slots) {
    if (!s.item) {
      legend.push(text(s.x, s.y, s.label, { 'font-size': FONT.legend, fill: INK.muted }));
      continue;
    }
    legend.push(
      el('g', { class: 'legend-item' }, [
        legendSwatch(s.item, s.x, s.y),
        text(s.x + SWATCH + 6, s.y, s.label, { 'font-size': FONT.legend, fill: INK.text }),
      ]),
    );
  }
  return legend.length > 0 ? el('g', { class: 'legend' }, legend) : '';
}

/** Tick label format: thousands separators, SI prefixes beyond a million. */
export function bigFormat(v: number): string {
  return Math.abs(v) >= 1e6 ? format('.3~s')(v) : format(',~g')(v);
}

/** Nice ticks of a linear scale, labelled with the precision the step needs. */
export function linearTicks(scale: ScaleContinuousNumeric<number, number>, count: number): Tick[] {
  const fmt = scale.tickFormat(count);
  return scale.ticks(count).map((v) => ({ pos: scale(v), label: Math.abs(v) >= 1e4 ? bigFormat(v) : fmt(v) }));
}

/** Tick values of a linear scale, labelled (before the range is known, for layout). */
export function linearTickLabels(scale: ScaleContinuousNumeric<number, number>, count: number): string[] {
  return linearTicks(scale, count).map((t) => t.label);
}

/** Ticks of a log scale: labelled powers of ten, unlabelled minor ticks between them. */
export function logTicks(scale: ScaleLogarithmic<number, number>, fine?: boolean): Tick[] {
  const [d0, d1] = scale.domain() as [number, number];
  const lo = Math.min(d0, d1);
  const hi = Math.max(d0, d1);
  const decades = Math.log10(hi / lo);
  if (decades < 1) {
    // Less than a decade: ordinary nice ticks read better than a lone power of ten.
    return scale.ticks(5).map((v) => ({ pos: scale(v), label: bigFormat(v) }));
  }
  // Up to about three decades there is room to label 1-2-5 steps as well as powers of ten.
  const labelled = (fine ?? decades <= 3.2) ? [1, 2, 5] : [1];
  const out: Tick[] = [];
  for (const v of scale.ticks()) {
    const mantissa = Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9));
    out.push(
      labelled.includes(mantissa) ? { pos: scale(v), label: bigFormat(v) } : { pos: scale(v), label: '', minor: true },
    );
  }
  return out;
}

/**
 * Ticks at the values a sweep visited (what a reader looks for on a sweep axis), labels thinned
 * where two would touch; the values' own text when given ("1000/s" reads as 1,000 here).
 */
export function valueTicks(values: readonly number[], pos: (v: number) => number, minGap = 34): Tick[] {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const out: Tick[] = [];
  let last = -Infinity;
  for (const v of sorted) {
    const p = pos(v);
    const label = bigFormat(v);
    if (p - last >= minGap) {
      out.push({ pos: p, label });
      last = p;
    } else out.push({ pos: p, label: '', minor: true });
  }
  return out;
}
