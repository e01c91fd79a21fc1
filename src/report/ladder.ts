/**
 * Ladder (sequence) diagram of one connection, as TCP textbooks draw it: the two endpoints as
 * vertical time lines (time runs down), each segment an arrow from its send time at one side to
 * its arrival at the other, labelled like Wireshark ("SYN+ACK seq=0 ack=1"); lost segments end in
 * a cross part-way, retransmissions are dashed and say "(retx)", coloured bars on the time lines
 * show each side's TCP state. Long idle gaps are cut (see ladder-time.ts).
 */
import { median } from 'd3';
import { figure, skipped } from './figure.ts';
import type { ChartResult } from './figure.ts';
import { ABOVE_BASELINE, BELOW_BASELINE, labelBox, placeLabel } from './ladder-labels.ts';
import type { Box, Placement, Seg } from './ladder-labels.ts';
import { buildTimeMap } from './ladder-time.ts';
import type { Knot, TimeMap } from './ladder-time.ts';
import { ladderModel, selectConnection } from './ladder-model.ts';
import type { LadderMessage, LadderModel, StateChange } from './ladder-model.ts';
import { el, esc, num, svgDocument, text, textWidth } from './svg.ts';
import { FONT, INK, STATE_ORDER, canonicalState, stateColor } from './theme.ts';
import type { TraceEvent } from './trace-records.ts';

export interface LadderChartInput {
  /** Trace records of one run. */
  records: readonly TraceEvent[];
  run?: string;
  /** Connection selector: "ip:port>ip:port", "ip:port", an IP or a node name; default the first. */
  conn?: string;
  title?: string;
  /** Absolute sequence numbers instead of ISN-relative ones. */
  absolute?: boolean;
  /** Segments drawn at most (the first ones): a sequence diagram of a bulk transfer is unreadable. */
  maxSegments?: number;
}

const W = 700;
const AXIS_X = 74;
const X = [258, 592] as const;
const BAR = 8;
const TOP = 118;
const TAIL = 34;
/** Colour of segments sent by each side, and of a loss. */
const DIR_COLOR = ['#0072B2', '#009E73'] as const;
const LOST = '#D55E00';

interface Placed {
  txK: Knot;
  rxK: Knot | null;
  ghostK: Knot | null;
}

function arrowHead(x1: number, y1: number, x2: number, y2: number, color: string): string {
  const a = Math.atan2(y2 - y1, x2 - x1);
  const l = 10;
  const w = 4.2;
  const bx = x2 - l * Math.cos(a);
  const by = y2 - l * Math.sin(a);
  const px = -Math.sin(a) * w;
  const py = Math.cos(a) * w;
  return el('path', { class: 'arrowhead', d: `M${num(x2)},${num(y2)}L${num(bx + px)},${num(by + py)}L${num(bx - px)},${num(by - py)}Z`, fill: color });
}

/** An arrow's label at the spot placeLabel chose, rotated to read along the arrow. */
function alongLabel(place: Placement, content: string, color: string): string {
  const b = place.box;
  const deg = (Math.atan2(b.uy, b.ux) * 180) / Math.PI;
  return el(
    'text',
    { class: 'arrow-label', x: 0, y: -(place.below ? BELOW_BASELINE : ABOVE_BASELINE), transform: `translate(${num(b.cx)},${num(b.cy)}) rotate(${num(deg)})`, 'text-anchor': 'middle', 'font-size': FONT.legend, fill: color, stroke: '#ffffff', 'stroke-width': 3, 'paint-order': 'stroke', 'stroke-linejoin': 'round' },
    esc(content),
  );
}

/** State spans of one side: [state, from y, to y]; changes at one instant keep the last. */
function stateSpans(changes: readonly StateChange[], map: TimeMap, yEnd: number): [string, number, number][] {
  const cs = changes.filter((c, i) => !(i + 1 < changes.length && changes[i + 1]!.t - c.t <= 1e-9));
  if (cs.length === 0) return [];
  const spans: [string, number, number][] = [[changes[0]!.from, map.top - 8, map.y(cs[0]!.t)]];
  cs.forEach((c, i) => spans.push([c.to, map.y(c.t), i + 1 < cs.length ? map.y(cs[i + 1]!.t) : yEnd]));
  return spans;
}

function endpointName(m: LadderModel, i: 0 | 1): string {
  return m.endpoints[i].node ?? 'not traced';
}

export function ladderChart(input: LadderChartInput): ChartResult {
  const conn = selectConnection(input.records, input.conn);
  if (!conn) return skipped(input.conn ? `no connection matching "${input.conn}" in the trace${input.run ? ` of run ${input.run}` : ''}` : `no connection in the trace${input.run ? ` of run ${input.run}` : ''}`);
  const full = ladderModel(input.records, conn, { absolute: input.absolute });
  if (full.messages.length === 0) return skipped(`connection ${conn.a} ↔ ${conn.b} has no tx records in the trace`);
  const m = truncate(full, input.maxSegments ?? 120);
  const total = full.messages.length;

  // Scale: the median one-way delay per direction (a lost segment's would-be arrival uses it).
  const owdDir = [0, 1].map((s) => median(m.messages.filter((x) => x.from === s && x.tRx !== null).map((x) => x.tRx! - x.tTx)));
  const owdAll = median(m.messages.filter((x) => x.tRx !== null).map((x) => x.tRx! - x.tTx)) ?? 0.01;
  const owd = owdAll > 0 ? owdAll : 0.01;

  const knots: Knot[] = [];
  const placed: Placed[] = m.messages.map((msg) => {
    const to = (1 - msg.from) as 0 | 1;
    const txK: Knot = { t: msg.tTx, side: msg.from, kind: 'tx', y: 0 };
    knots.push(txK);
    let rxK: Knot | null = null;
    let ghostK: Knot | null = null;
    if (msg.tRx !== null) knots.push((rxK = { t: msg.tRx, side: to, kind: 'rx', y: 0 }));
    else knots.push((ghostK = { t: msg.tTx + (owdDir[msg.from] || owd), side: -1, kind: 'mark', y: 0 }));
    return { txK, rxK, ghostK };
  });
  for (const side of [0, 1] as const) for (const c of m.states[side]) knots.push({ t: c.t, side: -1, kind: 'mark', y: 0 });
  const t0 = Math.min(m.tStart, ...knots.map((k) => k.t));
  const map = buildTimeMap(knots, { top: TOP, owd, t0 });
  const yEnd = Math.max(map.bottom + TAIL, TOP + 150);

  const parts: string[] = [];
  // Break bands first (under everything).
  for (const b of map.breaks) {
    parts.push(el('rect', { class: 'break', x: AXIS_X - 12, y: b.y0 + 8, width: W - AXIS_X - 4, height: b.y1 - b.y0 - 16, fill: '#f3f3f3' }));
    const gapMs = (b.t1 - b.t0) * 1000;
    const label = gapMs >= 1000 ? `${(gapMs / 1000).toFixed(gapMs >= 10000 ? 1 : 2)} s` : `${gapMs.toFixed(gapMs >= 100 ? 0 : 1)} ms`;
    parts.push(text((X[0] + X[1]) / 2, (b.y0 + b.y1) / 2 + 4, `${label} cut from the time axis`, { class: 'break-label', 'text-anchor': 'middle', 'font-size': FONT.note, 'font-style': 'italic', fill: INK.muted }));
  }
  // Time axis with its breaks.
  const axis: string[] = [];
  let ya = TOP - 8;
  for (const b of map.breaks) {
    axis.push(el('line', { x1: AXIS_X, x2: AXIS_X, y1: ya, y2: b.y0 + 8, stroke: INK.axis }));
    for (const yy of [b.y0 + 8, b.y1 - 8]) axis.push(el('path', { class: 'axis-break', d: `M${AXIS_X - 6},${num(yy + 3)}L${AXIS_X + 6},${num(yy - 3)}`, stroke: INK.axis, 'stroke-width': 1.3 }));
    ya = b.y1 - 8;
  }
  axis.push(el('line', { x1: AXIS_X, x2: AXIS_X, y1: ya, y2: yEnd, stroke: INK.axis }));
  axis.push(el('path', { d: `M${AXIS_X},${num(yEnd + 8)}L${AXIS_X - 4},${num(yEnd)}L${AXIS_X + 4},${num(yEnd)}Z`, fill: INK.axis }));
  for (const tk of map.ticks) {
    axis.push(el('line', { class: 'tick', x1: AXIS_X - 5, x2: AXIS_X, y1: tk.y, y2: tk.y, stroke: INK.axis }));
    axis.push(text(AXIS_X - 8, tk.y + 4, tk.label, { 'text-anchor': 'end', 'font-size': FONT.tick, fill: INK.text }));
  }
  const yMid = (TOP + yEnd) / 2;
  axis.push(el('text', { class: 'axis-label', x: 0, y: 0, transform: `translate(18,${num(yMid)}) rotate(-90)`, 'text-anchor': 'middle', 'font-size': FONT.label, fill: INK.text }, esc(`Time (ms) from t = ${t0.toFixed(3)} s`)));
  parts.push(el('g', { class: 'axis time-axis' }, axis));

  // Life lines: dotted across breaks, with state bars.
  const drawnStates = new Set<string>();
  for (const side of [0, 1] as const) {
    const x = X[side];
    const segs: string[] = [];
    let y0 = TOP - 22;
    for (const b of map.breaks) {
      segs.push(el('line', { x1: x, x2: x, y1: y0, y2: b.y0 + 8, stroke: '#8a8a8a', 'stroke-width': 1.2 }));
      segs.push(el('line', { x1: x, x2: x, y1: b.y0 + 8, y2: b.y1 - 8, stroke: '#8a8a8a', 'stroke-width': 1.2, 'stroke-dasharray': '2 4' }));
      y0 = b.y1 - 8;
    }
    segs.push(el('line', { x1: x, x2: x, y1: y0, y2: yEnd, stroke: '#8a8a8a', 'stroke-width': 1.2 }));
    const spans = stateSpans(m.states[side], map, yEnd);
    let lastLabelY = -Infinity;
    for (const [state, sy0, sy1] of spans) {
      if (canonicalState(state) !== 'CLOSED' && sy1 > sy0) {
        drawnStates.add(canonicalState(state));
        segs.push(el('rect', { class: 'state-bar', x: x - BAR / 2, y: sy0, width: BAR, height: sy1 - sy0, fill: stateColor(state), stroke: '#00000033', 'stroke-width': 0.5 }, el('title', {}, state)));
      }
      const ly = Math.max(sy0 + 13, lastLabelY + 15);
      lastLabelY = ly;
      segs.push(text(side === 0 ? x - BAR / 2 - 6 : x + BAR / 2 + 6, ly, state, { class: 'state-label', 'text-anchor': side === 0 ? 'end' : 'start', 'font-size': FONT.note, fill: INK.muted }));
    }
    parts.push(el('g', { class: 'lifeline' }, segs));
  }

  // Segments: the drawn part of each arrow (a lost one ends at its cross, mid-way).
  const lines: Seg[] = m.messages.map((msg, i) => {
    const dir = msg.from === 0 ? 1 : -1;
    const p = placed[i]!;
    return { x1: X[msg.from] + (dir * BAR) / 2, y1: p.txK.y, x2: X[1 - msg.from]! - (dir * BAR) / 2, y2: (p.rxK ?? p.ghostK)!.y };
  });
  const drawn: Seg[] = lines.map((l, i) => {
    const msg = m.messages[i]!;
    const lostMidway = msg.tRx === null && !(m.endpoints[1 - msg.from]!.node === null && !msg.drop);
    return lostMidway ? { x1: l.x1, y1: l.y1, x2: (l.x1 + l.x2) / 2, y2: (l.y1 + l.y2) / 2 } : l;
  });
  // Time lines with their state bars: both edges of the bar are obstacles.
  const lifelines: Seg[] = [X[0] - BAR / 2 - 1, X[0] + BAR / 2 + 1, X[1] - BAR / 2 - 1, X[1] + BAR / 2 + 1].map((x) => ({ x1: x, y1: TOP - 22, x2: x, y2: yEnd }));
  const boxes: Box[] = [];
  const nearby = (line: Seg): Seg[] => {
    const lo = Math.min(line.y1, line.y2) - 40;
    const hi = Math.max(line.y1, line.y2) + 40;
    return [...lifelines, ...drawn.filter((d) => d !== line && Math.max(d.y1, d.y2) >= lo && Math.min(d.y1, d.y2) <= hi)];
  };
  const places: Placement[] = lines.map((line, i) => {
    const msg = m.messages[i]!;
    const content = labelText(msg, m);
    const own = drawn[i]!;
    // A lost segment's label stays on its drawn half.
    const target = own === line ? line : { ...line, x2: line.x1 + (line.x2 - line.x1) * 0.5, y2: line.y1 + (line.y2 - line.y1) * 0.5 };
    const place = placeLabel(target, content, FONT.legend, nearby(own).filter((d) => d !== own), boxes);
    boxes.push(place.box);
    if (own !== line) {
      // The loss note beside the cross is an obstacle for later labels too.
      const dir = msg.from === 0 ? 1 : -1;
      const w = textWidth(lossNote(msg), FONT.note);
      boxes.push(labelBox({ x1: own.x2 + dir * 10, y1: own.y2 + 5, x2: own.x2 + dir * (10 + w), y2: own.y2 + 5 }, 0.5, false, w));
    }
    return place;
  });
  let lost = 0;
  let retx = 0;
  m.messages.forEach((msg, i) => {
    const p = placed[i]!;
    const from = msg.from;
    const to = (1 - from) as 0 | 1;
    const dir = to > from ? 1 : -1;
    const color = DIR_COLOR[from];
    const line = lines[i]!;
    const { x1, x2, y1 } = line;
    const place = places[i]!;
    const content = labelText(msg, m);
    const dash = msg.retx ? '7 4' : undefined;
    const g: string[] = [el('title', {}, msg.detail)];
    let cls = 'segment';
    if (msg.retx) {
      cls += ' retx';
      retx++;
    }
    if (p.rxK) {
      const y2 = p.rxK.y;
      g.push(el('line', { class: 'arrow', x1, y1, x2: x2 - dir * 2, y2, stroke: color, 'stroke-width': 1.6, 'stroke-dasharray': dash }));
      g.push(arrowHead(x1, y1, x2, y2, color));
      g.push(alongLabel(place, content, color));
      if (msg.drop && msg.drop.node === m.endpoints[to].node) {
        // Arrived, then discarded by the receiver itself (e.g. a full SYN queue).
        g.push(cross(x2 - dir * 10, y2, `lost-mark`));
        g.push(text(x2 - dir * 14, y2 + 16, `dropped: ${msg.drop.reason}`, { class: 'drop-note', 'text-anchor': dir > 0 ? 'end' : 'start', 'font-size': FONT.note, fill: LOST }));
        cls += ' lost';
        lost++;
      }
    } else {
      const gy = p.ghostK!.y;
      const untraced = m.endpoints[to].node === null && !msg.drop;
      if (untraced) {
        g.push(el('line', { class: 'arrow', x1, y1, x2: x2 - dir * 2, y2: gy, stroke: color, 'stroke-width': 1.4, 'stroke-dasharray': '2 3' }));
        g.push(arrowHead(x1, y1, x2, gy, color));
        g.push(alongLabel(place, content, color));
      } else {
        // Where on the way it was lost is unknown to the endpoints: the cross sits mid-way.
        const { x2: cx, y2: cy } = drawn[i]!;
        g.push(el('line', { class: 'arrow', x1, y1, x2: cx, y2: cy, stroke: color, 'stroke-width': 1.6, 'stroke-dasharray': dash }));
        g.push(cross(cx, cy, 'lost-mark'));
        g.push(alongLabel(place, content, color));
        g.push(text(cx + dir * 10, cy + 5, lossNote(msg), { class: 'drop-note', 'text-anchor': dir > 0 ? 'start' : 'end', 'font-size': FONT.note, 'font-style': 'italic', fill: LOST }));
        cls += ' lost';
        lost++;
      }
    }
    parts.push(el('g', { class: cls }, g));
  });

  // Header: title, subtitle, endpoint names.
  const title = input.title ?? `Sequence diagram: ${endpointName(m, 0)} ↔ ${endpointName(m, 1)}`;
  const subtitle = `${input.run ? `run ${input.run} · ` : ''}${m.messages.length < total ? `first ${m.messages.length} of ${total}` : total} segments${lost ? ` · ${lost} lost` : ''}${retx ? ` · ${retx} retransmitted` : ''} · seq/ack ${input.absolute ? 'absolute' : 'relative to each side’s ISN'}`;
  const head: string[] = [
    text(16, 24, title, { class: 'chart-title', 'font-size': FONT.title, 'font-weight': 'bold', fill: INK.text }),
    text(16, 42, subtitle, { class: 'chart-subtitle', 'font-size': FONT.subtitle, fill: INK.muted }),
  ];
  for (const side of [0, 1] as const) {
    const ep = m.endpoints[side];
    const name = ep.node ?? '(not traced)';
    const w = Math.max(textWidth(name, 14), textWidth(ep.addr, 12)) + 20;
    head.push(el('g', { class: 'endpoint' }, [
      el('rect', { x: X[side] - w / 2, y: 58, width: w, height: 38, rx: 4, fill: '#f7f7f7', stroke: '#9a9a9a' }),
      text(X[side], 75, name, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold', fill: INK.text }),
      text(X[side], 90, ep.addr, { 'text-anchor': 'middle', 'font-size': FONT.note + 1, fill: INK.muted }),
    ]));
  }

  // Legend under the diagram.
  const ly = yEnd + 34;
  const legend: string[] = [];
  let lx = 16;
  const item = (sw: string, label: string): void => {
    legend.push(el('g', { class: 'legend-item' }, [sw, text(lx + 34, ly + 4, label, { 'font-size': FONT.legend, fill: INK.text })]));
    lx += 34 + textWidth(label, FONT.legend) + 18;
  };
  for (const side of [0, 1] as const) {
    item(el('line', { x1: lx, x2: lx + 26, y1: ly, y2: ly, stroke: DIR_COLOR[side], 'stroke-width': 2 }) + arrowHead(lx, ly, lx + 28, ly, DIR_COLOR[side]), `sent by ${endpointName(m, side)}`);
  }
  if (retx > 0) item(el('line', { x1: lx, x2: lx + 28, y1: ly, y2: ly, stroke: INK.axis, 'stroke-width': 1.6, 'stroke-dasharray': '7 4' }), 'retransmission');
  if (lost > 0) item(cross(lx + 14, ly, 'legend-cross'), 'segment lost');
  const states = STATE_ORDER.filter((st) => drawnStates.has(st));
  let sx = 16;
  let sy = ly + 24;
  if (states.length > 0) {
    legend.push(text(sx, sy + 4, 'State:', { 'font-size': FONT.legend, fill: INK.muted }));
    sx += 44;
    for (const st of states) {
      const w = textWidth(st, FONT.note) + 30;
      if (sx + w > W - 10) {
        sx = 60;
        sy += 20;
      }
      legend.push(el('g', { class: 'legend-item' }, [el('rect', { x: sx, y: sy - 6, width: 14, height: 12, fill: stateColor(st), stroke: '#00000055', 'stroke-width': 0.5 }), text(sx + 19, sy + 4, st, { 'font-size': FONT.note, fill: INK.text })]));
      sx += w;
    }
  }
  const height = sy + 20;
  const svg = svgDocument(W, height, title, subtitle, [...head, ...parts, el('g', { class: 'legend' }, legend)]);
  const caption =
    `Sequence diagram of the connection ${m.endpoints[0].addr} (${endpointName(m, 0)}) ↔ ${m.endpoints[1].addr} (${endpointName(m, 1)})${input.run ? ` in run ${input.run}` : ''}. ` +
    `Time runs down; each arrow is a segment from its send time to its arrival, labelled with its flags and ${input.absolute ? 'absolute' : 'relative'} sequence numbers` +
    (lost ? '; a cross marks a segment that never arrived' : '') +
    (retx ? '; dashed arrows are retransmissions' : '') +
    `. Coloured bars on the time lines show each endpoint's TCP state.` +
    (map.breaks.length > 0 ? ' Idle gaps are cut from the time axis (shaded).' : '');
  return figure(svg, title, caption);
}

/** The first `max` segments, and the state changes up to the last of them. */
function truncate(m: LadderModel, max: number): LadderModel {
  if (m.messages.length <= max) return m;
  const messages = m.messages.slice(0, max);
  const until = Math.max(...messages.map((x) => x.tRx ?? x.drop?.t ?? x.tTx));
  const states: LadderModel['states'] = [m.states[0].filter((c) => c.t <= until), m.states[1].filter((c) => c.t <= until)];
  return { ...m, messages, states, tEnd: until };
}

function labelText(msg: LadderMessage, m: LadderModel): string {
  const untraced = msg.tRx === null && m.endpoints[1 - msg.from]!.node === null && !msg.drop;
  return untraced ? `${msg.label} (peer not traced)` : msg.label;
}

function lossNote(msg: LadderMessage): string {
  return msg.drop ? `lost at ${msg.drop.node} (${msg.drop.reason})` : 'lost';
}

function cross(x: number, y: number, cls: string): string {
  const r = 6;
  return el('path', { class: cls, d: `M${num(x - r)},${num(y - r)}L${num(x + r)},${num(y + r)}M${num(x - r)},${num(y + r)}L${num(x + r)},${num(y - r)}`, stroke: LOST, 'stroke-width': 2.6, 'stroke-linecap': 'round', fill: 'none' });
}
