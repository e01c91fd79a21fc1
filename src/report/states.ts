/**
 * State timeline (Gantt): one row per socket (node, local → remote), a coloured bar per TCP state
 * over simulated time, from the trace's state records. A state still held when the trace ends
 * (TIME-WAIT lasts 60 s on Linux) runs to the right edge and ends in an open arrow.
 */
import { scaleBand } from 'd3';
import { brokenTimeScale, cutDuration } from './broken-time.ts';
import type { BrokenTimeScale } from './broken-time.ts';
import { figure, skipped } from './figure.ts';
import type { ChartResult } from './figure.ts';
import { drawFrame, layoutFrame } from './frame.ts';
import type { Plot, Tick } from './frame.ts';
import type { FrameInput, LegendItem } from './frame.ts';
import { el, num, svgDocument, text, textWidth } from './svg.ts';
import { FONT, INK, STATE_ORDER, canonicalState, stateColor, stateTextColor } from './theme.ts';
import { pairKey, parseConn, strField } from './trace-records.ts';
import type { TraceEvent } from './trace-records.ts';

export interface StatesChartInput {
  /** Trace records of one run. */
  records: readonly TraceEvent[];
  run?: string;
  /** Only sockets on this node. */
  node?: string;
  title?: string;
  xlabel?: string;
  /** Rows shown at most (the first sockets in time). */
  maxRows?: number;
  width?: number;
}

/** One socket (node, local → remote) and its state changes. */
export interface SocketRow {
  node: string;
  local: string;
  remote: string;
  first: number;
  pairFirst: number;
  changes: { t: number; from: string; to: string }[];
}

/** Sockets with state records (both ends of a connection side by side), and the trace's span. */
function readRows(input: StatesChartInput): { all: SocketRow[]; tMin: number; tMax: number } {
  const rows = new Map<string, SocketRow>();
  const pairFirst = new Map<string, number>();
  let tMin = Infinity;
  let tMax = -Infinity;
  for (const r of input.records) {
    tMin = Math.min(tMin, r.t);
    tMax = Math.max(tMax, r.t);
    if (r.ev !== 'state' || (input.node !== undefined && r.node !== input.node)) continue;
    const c = parseConn(strField(r, 'conn') ?? '');
    if (!c) continue;
    const pk = pairKey(c[0], c[1]);
    if (!pairFirst.has(pk)) pairFirst.set(pk, r.t);
    const key = `${r.node} ${c[0]}>${c[1]}`;
    let row = rows.get(key);
    if (!row)
      rows.set(
        key,
        (row = { node: r.node, local: c[0], remote: c[1], first: r.t, pairFirst: pairFirst.get(pk)!, changes: [] }),
      );
    row.changes.push({ t: r.t, from: strField(r, 'from') ?? '?', to: strField(r, 'to') ?? '?' });
  }
  // Connections in order of appearance.
  return { all: [...rows.values()].sort((a, b) => a.pairFirst - b.pairFirst || a.first - b.first), tMin, tMax };
}

/** Legend: the states held for a while (not passed through at one instant), in textbook order. */
function stateLegend(rows: readonly SocketRow[]): LegendItem[] {
  const present = new Set<string>();
  for (const r of rows) {
    r.changes.forEach((c, k) => {
      const next = r.changes[k + 1];
      if (!next || next.t - c.t > 1e-9) present.add(canonicalState(c.to));
    });
  }
  present.delete('CLOSED');
  return STATE_ORDER.filter((s) => present.has(s)).map((s) => ({ label: s, color: stateColor(s), kind: 'bar' }));
}

/** One state held by one socket, placed on the x axis. */
export interface StateBar {
  row: number;
  state: string;
  t0: number;
  /** End time; for a state still held when the trace ends, the axis end. */
  t1: number;
  x0: number;
  x1: number;
  /** Still held when the trace ends (drawn ending in an arrow). */
  open: boolean;
  /** The state's name fits on the bar before it ends or meets a cut. */
  named: boolean;
}

/** Pure layout of the bars: rows of state changes and a time scale in, positions out. */
export function layoutStateBars(rows: readonly SocketRow[], xs: BrokenTimeScale): StateBar[] {
  const out: StateBar[] = [];
  rows.forEach((r, row) => {
    // Changes at one instant keep the last (FIN_WAIT_1 → FIN_WAIT_2 → TIME_WAIT at once).
    const cs = r.changes.filter((c, k) => !(k + 1 < r.changes.length && r.changes[k + 1]!.t - c.t <= 1e-9));
    cs.forEach((c, k) => {
      if (canonicalState(c.to) === 'CLOSED') return;
      const open = k + 1 >= cs.length;
      const t1 = open ? xs.tEnd : cs[k + 1]!.t;
      const [x0, x1] = [xs.x(c.t), xs.x(t1)];
      const room = Math.min(x1, ...xs.cuts.filter((cut) => cut.x > x0).map((cut) => cut.x - 6)) - x0;
      out.push({
        row,
        state: c.to,
        t0: c.t,
        t1,
        x0,
        x1: Math.max(x1, x0 + 1),
        open,
        named: textWidth(c.to, FONT.note) + 6 < room,
      });
    });
  });
  return out;
}

function drawBar(b: StateBar, by: number, bh: number): string {
  const parts = [
    el(
      'rect',
      {
        class: 'state-bar',
        x: b.x0,
        y: by,
        width: b.x1 - b.x0,
        height: bh,
        fill: stateColor(b.state),
        stroke: '#00000040',
        'stroke-width': 0.5,
      },
      el('title', {}, `${b.state}: ${b.t0.toFixed(6)} s – ${b.open ? 'end of trace' : `${b.t1.toFixed(6)} s`}`),
    ),
  ];
  if (b.open)
    parts.push(
      el('path', {
        d: `M${num(b.x1)},${num(by)}L${num(b.x1 + 6)},${num(by + bh / 2)}L${num(b.x1)},${num(by + bh)}Z`,
        fill: stateColor(b.state),
      }),
    );
  if (b.named)
    parts.push(text(b.x0 + 3, by + bh / 2 + 4, b.state, { 'font-size': FONT.note, fill: stateTextColor(b.state) }));
  return parts.join('');
}

const PITCH = 22;
/** Room over the rows for the cuts' labels. */
const CUT_LABEL_H = 14;

/** Everything the state timeline draws, placed: rows, bars, the broken time axis and its cuts' labels. */
export interface StatesLayout {
  title: string;
  subtitle: string;
  frame: FrameInput;
  plot: Plot;
  height: number;
  xs: BrokenTimeScale;
  /** Row names (node, local → remote) and each row's band: top y and height. */
  rows: { label: string; y: number; height: number }[];
  bars: StateBar[];
  yTicks: Tick[];
  cutLabels: { x: number; label: string }[];
}

/** Pure layout of the whole figure, or the reason there is nothing to draw. */
export function layoutStates(input: StatesChartInput): StatesLayout | { skip: string } {
  const { all, tMin, tMax } = readRows(input);
  if (all.length === 0)
    return {
      skip: `no state records in the trace${input.run ? ` of run ${input.run}` : ''}${input.node ? ` for node ${input.node}` : ''}`,
    };
  const shown = all.slice(0, input.maxRows ?? 40);
  const labels = shown.map((r) => `${r.node} ${r.local} → ${r.remote}`);
  const title = input.title ?? 'TCP state timeline';
  const subtitle = [
    input.run ? `run ${input.run}` : '',
    input.node ? `node ${input.node}` : '',
    shown.length < all.length
      ? `first ${shown.length} of ${all.length} sockets`
      : `${all.length} socket${all.length === 1 ? '' : 's'}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const base: FrameInput = {
    width: input.width ?? 720,
    height: 0,
    title,
    subtitle,
    xLabel: input.xlabel ?? 'Simulated time (s)',
    yLabel: '',
    legend: stateLegend(shown),
    yTickLabels: labels,
    minPlotHeight: shown.length * PITCH + 8,
  };
  const frame: FrameInput = {
    ...base,
    height: layoutFrame(base).plot.top + shown.length * PITCH + 8 + 52 + CUT_LABEL_H,
  };
  const { plot, height } = layoutFrame(frame);
  // Cut only between changes of the rows shown, so every state they pass through stays visible.
  const xs = brokenTimeScale(
    [tMin, tMax, ...shown.flatMap((r) => r.changes.map((c) => c.t))],
    plot.left + 1,
    plot.right,
  );
  const y = scaleBand<number>()
    .domain(shown.map((_, i) => i))
    .range([plot.top + CUT_LABEL_H + 4, plot.bottom - 4])
    .paddingInner(0.22);
  const rows = labels.map((label, i) => ({ label, y: y(i)!, height: y.bandwidth() }));
  const yTicks = rows.map((r) => ({ pos: r.y + r.height / 2, label: r.label }));
  return {
    title,
    subtitle,
    frame,
    plot,
    height,
    xs,
    rows,
    bars: layoutStateBars(shown, xs),
    yTicks,
    cutLabels: cutLabelsOf(xs),
  };
}

export function statesChart(input: StatesChartInput): ChartResult {
  const l = layoutStates(input);
  if ('skip' in l) return skipped(l.skip);
  const rowsSvg = l.rows.map((r, i) =>
    el(
      'g',
      { class: 'state-row', 'data-row': r.label },
      l.bars.filter((b) => b.row === i).map((b) => drawBar(b, r.y, r.height)),
    ),
  );
  const frame = drawFrame(l.frame, l.plot, l.xs.ticks, l.yTicks, { xBreaks: l.xs.cuts.map((c) => c.x) });
  // SocketRow guides would cross the bars: keep only the frame's front layer.
  const svg = svgDocument(l.frame.width, l.height, l.title, l.subtitle, [
    ...rowsSvg,
    drawCuts(l.xs, l.plot, l.cutLabels),
    frame.front,
  ]);
  const caption =
    `TCP state of each socket over simulated time${input.run ? ` in run ${input.run}` : ''}, from the trace's state changes; rows are (node, local → remote address), both ends of a connection next to each other. ` +
    'A bar ending in an arrow is a state still held when the trace ends.' +
    (l.xs.cuts.length > 0
      ? ' Long quiet stretches are cut from the time axis (zigzag breaks, each labelled with the time it skipped) so that short states stay visible; between cuts the scale is linear.'
      : '');
  return figure(svg, l.title, caption);
}

/** A white break across every bar at each cut, two slanted strokes, and the time it skipped. */
function drawCuts(xs: BrokenTimeScale, plot: Plot, labels: { x: number; label: string }[]): string {
  const parts: string[] = [];
  for (const c of xs.cuts) {
    const [top, bottom] = [plot.top + CUT_LABEL_H, plot.bottom];
    parts.push(el('rect', { x: c.x - 4, y: top, width: 8, height: bottom - top, fill: '#ffffff' }));
    parts.push(
      el('path', {
        class: 'cut-mark',
        d: `M${num(c.x - 6)},${num(bottom)}L${num(c.x - 2)},${num(top)}M${num(c.x + 2)},${num(bottom)}L${num(c.x + 6)},${num(top)}`,
        stroke: INK.muted,
        'stroke-width': 1,
        fill: 'none',
      }),
    );
  }
  for (const l of labels)
    parts.push(
      text(l.x, plot.top + 10, l.label, {
        class: 'cut-label',
        'text-anchor': 'middle',
        'font-size': FONT.note,
        'font-style': 'italic',
        fill: INK.muted,
      }),
    );
  return el('g', { class: 'time-cuts' }, parts);
}

/** "940 ms cut" over each break; just "940 ms" where two labels would touch. */
function cutLabelsOf(xs: BrokenTimeScale): { x: number; label: string }[] {
  const long = xs.cuts.map((c) => ({ x: c.x, label: `${cutDuration(c.t1 - c.t0)} cut` }));
  const touches = (ls: { x: number; label: string }[]): boolean =>
    ls.some(
      (l, i) =>
        i > 0 && l.x - ls[i - 1]!.x < (textWidth(l.label, FONT.note) + textWidth(ls[i - 1]!.label, FONT.note)) / 2 + 6,
    );
  return touches(long) ? xs.cuts.map((c) => ({ x: c.x, label: cutDuration(c.t1 - c.t0) })) : long;
}
