/**
 * Ladder (sequence) diagram of one connection, as TCP textbooks draw it: the client's time line
 * on the left, the server's on the right (time runs down), each segment an arrow from its send
 * time at one side to its arrival at the other, labelled like Wireshark ("SYN+ACK seq=0 ack=1");
 * lost segments end in a cross part-way, retransmissions are dashed and say "(retx)", coloured
 * bars on the time lines show each side's TCP state. Segments sent by the client are always blue,
 * by the server always green. Positions come from ladder-layout.ts (true time, cuts marked,
 * labels apart); this file only draws them.
 */
import { figure, skipped } from './figure.ts';
import type { ChartResult } from './figure.ts';
import { AXIS_X, BAR, LADDER_TOP, LADDER_W, LIFELINE_X, layoutLadder } from './ladder-layout.ts';
import type { ArrowLayout, LadderLayout } from './ladder-layout.ts';
import { ladderModel, selectConnection } from './ladder-model.ts';
import type { LadderModel } from './ladder-model.ts';
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

/** Colour of segments sent by the client (left) and by the server (right), in every ladder. */
export const SENDER_COLOR = ['#0072B2', '#009E73'] as const;
const LOST = '#D55E00';
const LIFELINE = '#8a8a8a';
/** A cut's band starts this far below the last moment before it (room for a drop note) and ends this far above the next. */
const CUT_IN_TOP = 22;
const CUT_IN_BOTTOM = 12;

function arrowHead(x1: number, y1: number, x2: number, y2: number, color: string): string {
  const a = Math.atan2(y2 - y1, x2 - x1);
  const [l, w] = [10, 4.2];
  const bx = x2 - l * Math.cos(a);
  const by = y2 - l * Math.sin(a);
  const px = -Math.sin(a) * w;
  const py = Math.cos(a) * w;
  return el('path', {
    class: 'arrowhead',
    d: `M${num(x2)},${num(y2)}L${num(bx + px)},${num(by + py)}L${num(bx - px)},${num(by - py)}Z`,
    fill: color,
  });
}

function cross(x: number, y: number, cls: string): string {
  const r = 6;
  return el('path', {
    class: cls,
    d: `M${num(x - r)},${num(y - r)}L${num(x + r)},${num(y + r)}M${num(x - r)},${num(y + r)}L${num(x + r)},${num(y - r)}`,
    stroke: LOST,
    'stroke-width': 2.6,
    'stroke-linecap': 'round',
    fill: 'none',
  });
}

/** An arrow's label at the spot the layout chose, rotated to read along the arrow. */
function alongLabel(a: ArrowLayout, content: string, color: string): string {
  const b = a.label.box;
  const deg = (Math.atan2(b.uy, b.ux) * 180) / Math.PI;
  const attrs = {
    class: 'arrow-label',
    x: 0,
    y: -a.label.baseline,
    transform: `translate(${num(b.cx)},${num(b.cy)}) rotate(${num(deg)})`,
    'text-anchor': 'middle',
    'font-size': FONT.legend,
    fill: color,
    stroke: '#ffffff',
    'stroke-width': 3,
    'paint-order': 'stroke',
    'stroke-linejoin': 'round',
  };
  return el('text', attrs, esc(content));
}

function endpointName(m: LadderModel, i: 0 | 1): string {
  return m.endpoints[i].node ?? 'not traced';
}

export function ladderChart(input: LadderChartInput): ChartResult {
  const conn = selectConnection(input.records, input.conn);
  const where = input.run ? ` of run ${input.run}` : '';
  if (!conn)
    return skipped(
      input.conn
        ? `no connection matching "${input.conn}" in the trace${input.run ? ` of run ${input.run}` : ''}`
        : `no connection in the trace${where}`,
    );
  const full = ladderModel(input.records, conn, { absolute: input.absolute });
  if (full.messages.length === 0) return skipped(`connection ${conn.a} ↔ ${conn.b} has no tx records in the trace`);
  const m = truncate(full, input.maxSegments ?? 120);
  const layout = layoutLadder(m);
  const lost = layout.arrows.filter((a) => a.note !== null).length;
  const retx = m.messages.filter((x) => x.retx).length;
  const title = input.title ?? `Sequence diagram: ${endpointName(m, 0)} ↔ ${endpointName(m, 1)}`;
  const total = full.messages.length;
  const hidden = layout.hiddenLabels;
  const subtitle = `${input.run ? `run ${input.run} · ` : ''}${m.messages.length < total ? `first ${m.messages.length} of ${total}` : total} segments${lost ? ` · ${lost} lost` : ''}${retx ? ` · ${retx} retransmitted` : ''}${hidden ? ` · ${hidden} unlabelled (too close)` : ''} · seq/ack ${input.absolute ? 'absolute' : 'relative to each side’s ISN'}`;
  const legend = drawLegend(m, layout, retx > 0, lost > 0);
  const body = [
    ...drawHeader(m, title, subtitle),
    drawCuts(layout),
    drawTimeAxis(layout),
    ...drawLifelines(m, layout),
    ...layout.arrows.map((a) => drawArrow(a, m)),
    legend.svg,
  ];
  const svg = svgDocument(LADDER_W, legend.bottom, title, subtitle, body);
  const caption =
    `Sequence diagram of the connection ${m.endpoints[0].addr} (${endpointName(m, 0)}) ↔ ${m.endpoints[1].addr} (${endpointName(m, 1)})${input.run ? ` in run ${input.run}` : ''}. ` +
    `Time runs down at one scale (equal times at equal heights); each arrow is a segment from its send time to its arrival, labelled with its flags and ${input.absolute ? 'absolute' : 'relative'} sequence numbers` +
    (lost ? '; a cross marks a segment that never arrived' : '') +
    (retx ? '; dashed arrows are retransmissions' : '') +
    `. Coloured bars on the time lines show each endpoint's TCP state.` +
    (hidden
      ? ` ${hidden} segment ${hidden === 1 ? 'label is' : 'labels are'} left out where arrows lie too close to set the labels apart; each arrow still names its segment on hover, and the trace explorer zooms in.`
      : '') +
    (layout.axis.breaks.length > 0
      ? ' Idle gaps are cut from the time axis (shaded bands, each saying how long it was).'
      : '');
  return figure(svg, title, caption);
}

/** Shaded bands where time was cut, with the time they skipped. */
function drawCuts(l: LadderLayout): string {
  const parts: string[] = [];
  for (const b of l.axis.breaks)
    parts.push(
      el('rect', {
        class: 'break',
        x: AXIS_X - 12,
        y: b.y0 + CUT_IN_TOP,
        width: LADDER_W - AXIS_X - 4,
        height: b.y1 - b.y0 - CUT_IN_TOP - CUT_IN_BOTTOM,
        fill: '#f3f3f3',
      }),
    );
  for (const c of l.labels.filter((x) => x.kind === 'cut')) {
    parts.push(
      text(c.box.cx, c.box.cy, c.text, {
        class: 'break-label',
        'text-anchor': 'middle',
        'font-size': FONT.note,
        'font-style': 'italic',
        fill: INK.muted,
      }),
    );
  }
  return el('g', { class: 'cuts' }, parts);
}

/** The vertical time axis: a line per stretch, break marks at each cut, ticks in ms. */
function drawTimeAxis(l: LadderLayout): string {
  const axis: string[] = [];
  const yEnd = l.yEnd;
  let ya = LADDER_TOP - 8;
  for (const b of l.axis.breaks) {
    axis.push(el('line', { x1: AXIS_X, x2: AXIS_X, y1: ya, y2: b.y0 + CUT_IN_TOP, stroke: INK.axis }));
    for (const yy of [b.y0 + CUT_IN_TOP, b.y1 - CUT_IN_BOTTOM])
      axis.push(
        el('path', {
          class: 'axis-break',
          d: `M${AXIS_X - 6},${num(yy + 3)}L${AXIS_X + 6},${num(yy - 3)}`,
          stroke: INK.axis,
          'stroke-width': 1.3,
        }),
      );
    ya = b.y1 - CUT_IN_BOTTOM;
  }
  axis.push(el('line', { x1: AXIS_X, x2: AXIS_X, y1: ya, y2: yEnd, stroke: INK.axis }));
  axis.push(
    el('path', {
      d: `M${AXIS_X},${num(yEnd + 8)}L${AXIS_X - 4},${num(yEnd)}L${AXIS_X + 4},${num(yEnd)}Z`,
      fill: INK.axis,
    }),
  );
  for (const tk of l.axis.ticks) {
    axis.push(el('line', { class: 'tick', x1: AXIS_X - 5, x2: AXIS_X, y1: tk.y, y2: tk.y, stroke: INK.axis }));
    axis.push(text(AXIS_X - 8, tk.y + 4, tk.label, { 'text-anchor': 'end', 'font-size': FONT.tick, fill: INK.text }));
  }
  const yMid = (LADDER_TOP + yEnd) / 2;
  axis.push(
    el(
      'text',
      {
        class: 'axis-label',
        x: 0,
        y: 0,
        transform: `translate(18,${num(yMid)}) rotate(-90)`,
        'text-anchor': 'middle',
        'font-size': FONT.label,
        fill: INK.text,
      },
      esc(`Time (ms) from t = ${l.t0.toFixed(3)} s`),
    ),
  );
  return el('g', { class: 'axis time-axis' }, axis);
}

/** Each side's time line (dotted across cuts), its state bars and state names. */
function drawLifelines(m: LadderModel, l: LadderLayout): string[] {
  return ([0, 1] as const).map((side) => {
    const x = LIFELINE_X[side];
    const segs: string[] = [];
    let y0 = LADDER_TOP - 22;
    for (const b of l.axis.breaks) {
      segs.push(el('line', { x1: x, x2: x, y1: y0, y2: b.y0 + CUT_IN_TOP, stroke: LIFELINE, 'stroke-width': 1.2 }));
      segs.push(
        el('line', {
          x1: x,
          x2: x,
          y1: b.y0 + CUT_IN_TOP,
          y2: b.y1 - CUT_IN_BOTTOM,
          stroke: LIFELINE,
          'stroke-width': 1.2,
          'stroke-dasharray': '2 4',
        }),
      );
      y0 = b.y1 - CUT_IN_BOTTOM;
    }
    segs.push(el('line', { x1: x, x2: x, y1: y0, y2: l.yEnd, stroke: LIFELINE, 'stroke-width': 1.2 }));
    for (const s of l.spans.filter(
      (sp) => sp.side === side && canonicalState(sp.state) !== 'CLOSED' && sp.y1 > sp.y0,
    )) {
      segs.push(
        el(
          'rect',
          {
            class: 'state-bar',
            x: x - BAR / 2,
            y: s.y0,
            width: BAR,
            height: s.y1 - s.y0,
            fill: stateColor(s.state),
            stroke: '#00000033',
            'stroke-width': 0.5,
          },
          el('title', {}, s.state),
        ),
      );
    }
    for (const s of l.stateLabels.filter((sl) => sl.side === side)) {
      segs.push(
        text(s.x, s.y, s.text, {
          class: 'state-label',
          'text-anchor': s.anchor,
          'font-size': FONT.note,
          fill: INK.muted,
        }),
      );
    }
    return el('g', { class: 'lifeline', 'data-side': side === 0 ? 'client' : 'server' }, segs);
  });
}

/** One segment: its arrow (or path to the cross), label, and loss note. */
function drawArrow(a: ArrowLayout, m: LadderModel): string {
  const msg = a.msg;
  const color = SENDER_COLOR[msg.from];
  const dir = msg.from === 0 ? 1 : -1;
  const { x1, y1, x2, y2 } = a.drawn;
  const dash = a.kind === 'untraced' ? '2 3' : msg.retx ? '7 4' : undefined;
  const g: string[] = [el('title', {}, msg.detail)];
  const end = a.kind === 'lost' ? x2 : x2 - dir * 2;
  g.push(
    el('line', {
      class: 'arrow',
      x1,
      y1,
      x2: end,
      y2,
      stroke: color,
      'stroke-width': a.kind === 'untraced' ? 1.4 : 1.6,
      'stroke-dasharray': dash,
    }),
  );
  if (a.kind === 'lost') g.push(cross(x2, y2, 'lost-mark'));
  else g.push(arrowHead(x1, y1, x2, y2, color));
  if (a.labelShown) g.push(alongLabel(a, a.kind === 'untraced' ? `${msg.label} (peer not traced)` : msg.label, color));
  if (a.note) {
    if (a.kind === 'arrived') g.push(cross(x2 - dir * 10, y2, 'lost-mark'));
    g.push(
      text(a.note.x, a.note.y, a.note.text, {
        class: 'drop-note',
        'text-anchor': a.note.anchor,
        'font-size': FONT.note,
        'font-style': a.note.italic ? 'italic' : undefined,
        fill: LOST,
      }),
    );
  }
  const cls = `segment${msg.retx ? ' retx' : ''}${a.note ? ' lost' : ''}`;
  return el('g', { class: cls, 'data-sender': msg.from === 0 ? 'client' : 'server' }, g);
}

/** Title, subtitle and the two endpoint boxes. */
function drawHeader(m: LadderModel, title: string, subtitle: string): string[] {
  const head: string[] = [
    text(16, 24, title, { class: 'chart-title', 'font-size': FONT.title, 'font-weight': 'bold', fill: INK.text }),
    text(16, 42, subtitle, { class: 'chart-subtitle', 'font-size': FONT.subtitle, fill: INK.muted }),
  ];
  for (const side of [0, 1] as const) {
    const ep = m.endpoints[side];
    const name = ep.node ?? '(not traced)';
    const x = LIFELINE_X[side];
    const w = Math.max(textWidth(name, 14), textWidth(ep.addr, 12)) + 20;
    head.push(
      el('g', { class: 'endpoint' }, [
        el('rect', { x: x - w / 2, y: 58, width: w, height: 38, rx: 4, fill: '#f7f7f7', stroke: '#9a9a9a' }),
        text(x, 75, name, { 'text-anchor': 'middle', 'font-size': 14, 'font-weight': 'bold', fill: INK.text }),
        text(x, 90, ep.addr, { 'text-anchor': 'middle', 'font-size': FONT.note + 1, fill: INK.muted }),
      ]),
    );
  }
  return head;
}

/** Legend under the diagram: who sent what, retransmission, loss, then the state colours. */
function drawLegend(m: LadderModel, l: LadderLayout, retx: boolean, lost: boolean): { svg: string; bottom: number } {
  const ly = l.yEnd + 34;
  const legend: string[] = [];
  let lx = 16;
  const item = (sw: string, label: string): void => {
    legend.push(
      el('g', { class: 'legend-item' }, [
        sw,
        text(lx + 34, ly + 4, label, { 'font-size': FONT.legend, fill: INK.text }),
      ]),
    );
    lx += 34 + textWidth(label, FONT.legend) + 18;
  };
  for (const side of [0, 1] as const) {
    const c = SENDER_COLOR[side];
    item(
      el('line', { x1: lx, x2: lx + 26, y1: ly, y2: ly, stroke: c, 'stroke-width': 2 }) +
        arrowHead(lx, ly, lx + 28, ly, c),
      `sent by ${endpointName(m, side)}`,
    );
  }
  if (retx)
    item(
      el('line', {
        x1: lx,
        x2: lx + 28,
        y1: ly,
        y2: ly,
        stroke: INK.axis,
        'stroke-width': 1.6,
        'stroke-dasharray': '7 4',
      }),
      'retransmission',
    );
  if (lost) item(cross(lx + 14, ly, 'legend-cross'), 'segment lost');
  const drawn = new Set(l.spans.filter((s) => s.y1 > s.y0).map((s) => canonicalState(s.state)));
  const states = STATE_ORDER.filter((st) => st !== 'CLOSED' && drawn.has(st));
  let sx = 16;
  let sy = ly + 24;
  if (states.length > 0) {
    legend.push(text(sx, sy + 4, 'State:', { 'font-size': FONT.legend, fill: INK.muted }));
    sx += 44;
    for (const st of states) {
      const w = textWidth(st, FONT.note) + 30;
      if (sx + w > LADDER_W - 10) [sx, sy] = [60, sy + 20];
      legend.push(
        el('g', { class: 'legend-item' }, [
          el('rect', {
            x: sx,
            y: sy - 6,
            width: 14,
            height: 12,
            fill: stateColor(st),
            stroke: '#00000055',
            'stroke-width': 0.5,
          }),
          text(sx + 19, sy + 4, st, { 'font-size': FONT.note, fill: INK.text }),
        ]),
      );
      sx += w;
    }
  }
  return { svg: el('g', { class: 'legend' }, legend), bottom: sy + 20 };
}

/** The first `max` segments, and the state changes up to the last of them. */
function truncate(m: LadderModel, max: number): LadderModel {
  if (m.messages.length <= max) return m;
  const messages = m.messages.slice(0, max);
  const until = Math.max(...messages.map((x) => x.tRx ?? x.drop?.t ?? x.tTx));
  const states: LadderModel['states'] = [
    m.states[0].filter((c) => c.t <= until),
    m.states[1].filter((c) => c.t <= until),
  ];
  return { ...m, messages, states, tEnd: until };
}
