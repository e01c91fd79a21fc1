/**
 * The explorer's ladder as geometry: where a segment runs and its label sits for a given time
 * scale, where each state bar goes, and which labels to hide so that no two shown overlap. Pure
 * (no DOM, no d3 selections): client.ts draws what this returns on every zoom, and the tests check
 * it without a browser.
 */
import type { LadderMessage, LadderModel } from '../ladder-model.ts';
import type { PacketTraceEvent, TraceEvent } from '../trace-records.ts';

export const STATE_COLOURS: Record<string, string> = {
  SYN_SENT: '#9ecae1',
  SYN_RCVD: '#c6dbef',
  ESTABLISHED: '#74c476',
  FIN_WAIT_1: '#fdae6b',
  FIN_WAIT_2: '#fdd0a2',
  CLOSE_WAIT: '#bcbddc',
  LAST_ACK: '#9e9ac8',
  CLOSING: '#fd8d3c',
  TIME_WAIT: '#d9d9d9',
  LISTEN: '#f0f0f0',
};

export function colourOf(m: LadderMessage): string {
  if (m.flags.includes('R')) return '#c62828';
  if (m.retx) return '#E69F00';
  if (m.flags.includes('S')) return '#0072B2';
  if (m.flags.includes('F')) return '#7b3294';
  return '#333';
}

/** Tick labels in seconds with as many decimals as a fifth of the span shown needs. */
export function timeFormat(span: number): (t: number) => string {
  const digits = Math.min(9, Math.max(0, Math.ceil(-Math.log10(Math.max(span, 1e-9) / 5))));
  return (t) => `${t.toFixed(digits)} s`;
}

/** Pixels per character of a segment label (10.5 px sans-serif, measured on DejaVu Sans / Liberation Sans). */
export const LABEL_CHAR_W = 6.2;
export const LABEL_H = 13;

/** A label's centre and the half-extents of its rotated bounding box. */
export interface LabelBox {
  cx: number;
  cy: number;
  hw: number;
  hh: number;
}

/**
 * Shows labels top to bottom and hides each that would overlap one already shown (their text stays
 * in the segment's tooltip and details); returns the hidden ones. Sorts `labels` by y.
 */
export function declutter<T extends LabelBox>(labels: T[]): Set<T> {
  labels.sort((a, b) => a.cy - b.cy);
  const shown: T[] = [];
  const hidden = new Set<T>();
  let tallest = 0;
  for (const l of labels) {
    let clash = false;
    for (let k = shown.length - 1; k >= 0; k--) {
      const o = shown[k]!;
      if (l.cy - o.cy >= l.hh + tallest) break; // sorted by y: nothing further up can reach down here
      if (Math.abs(l.cx - o.cx) < l.hw + o.hw && Math.abs(l.cy - o.cy) < l.hh + o.hh) {
        clash = true;
        break;
      }
    }
    if (clash) hidden.add(l);
    else {
      shown.push(l);
      tallest = Math.max(tallest, l.hh);
    }
  }
  return hidden;
}

/** One segment drawn at a time scale: its line, its label's spot and angle, and the label's box. */
export interface SegmentGeometry {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Label centre on the line and its angle in degrees (kept upright: within ±90°). */
  mx: number;
  my: number;
  angle: number;
  text: string;
  box: LabelBox;
}

/**
 * A segment from its sender's line at its send time to the peer's line at its arrival; a dropped
 * one ends half-way at its drop time; one never seen again is a short stub. The label rides along
 * the segment, just above it, as in the static ladder (ladder.ts).
 */
export function segmentGeometry(
  m: LadderMessage,
  xs: readonly [number, number],
  y: (t: number) => number,
): SegmentGeometry {
  const xa = xs[m.from],
    xb = xs[m.from === 0 ? 1 : 0];
  const ya = y(m.tTx);
  let x2 = xb,
    y2: number;
  if (m.tRx !== null) y2 = y(m.tRx);
  else if (m.drop) {
    y2 = y(m.drop.t);
    x2 = (xa + xb) / 2;
  } else {
    x2 = xa + (xb - xa) * 0.35;
    y2 = ya + 12;
  }
  const mx = (xa + x2) / 2,
    my = (ya + y2) / 2;
  let angle = (Math.atan2(y2 - ya, x2 - xa) * 180) / Math.PI;
  if (angle > 90) angle -= 180;
  else if (angle < -90) angle += 180;
  const text = m.drop ? `${m.label} ✕ ${m.drop.reason}` : m.label;
  const rad = (angle * Math.PI) / 180,
    w = text.length * LABEL_CHAR_W;
  // The label's centre sits 4 px + half its height above the line, across it.
  const off = 4 + LABEL_H / 2 - 3;
  const box = {
    cx: mx + off * Math.sin(rad),
    cy: my - off * Math.cos(rad),
    hw: (w * Math.abs(Math.cos(rad)) + LABEL_H * Math.abs(Math.sin(rad))) / 2,
    hh: (w * Math.abs(Math.sin(rad)) + LABEL_H * Math.abs(Math.cos(rad))) / 2,
  };
  return { x1: xa, y1: ya, x2, y2, mx, my, angle, text, box };
}

/** One state held by one endpoint, from its change to the next (or the connection's end). */
export interface StateSpan {
  s: number;
  state: string;
  from: number;
  to: number;
}

export function stateSpans(model: LadderModel): StateSpan[] {
  return model.states.flatMap((changes, s) =>
    changes.map((c, k) => ({ s, state: c.to, from: c.t, to: changes[k + 1]?.t ?? model.tEnd })),
  );
}

/** A state bar beside its endpoint's line: outside on the left for the initiator, right for the peer. */
export interface StateBarGeometry {
  x: number;
  y0: number;
  y1: number;
  textX: number;
  anchor: 'end' | 'start';
  /** The bar is tall enough to print the state's name. */
  named: boolean;
}

export function stateBarGeometry(
  d: StateSpan,
  xs: readonly [number, number],
  y: (t: number) => number,
): StateBarGeometry {
  const x = d.s === 0 ? xs[0] - 16 : xs[1] + 4;
  const ya = y(d.from),
    yb = Math.max(y(d.to), ya + 1);
  return {
    x,
    y0: ya,
    y1: yb,
    textX: d.s === 0 ? x - 4 : x + 16,
    anchor: d.s === 0 ? 'end' : 'start',
    named: yb - ya > 11,
  };
}

/** The time from the first segment sent to the last arrival or drop: what "segments" zooms to. */
export function segmentsSpan(model: LadderModel): [number, number] {
  const a = Math.min(...model.messages.map((m) => m.tTx));
  const b = Math.max(...model.messages.map((m) => Math.max(m.tTx, m.tRx ?? m.drop?.t ?? m.tTx)));
  return [a, b];
}

/** The records behind one drawn segment: its tx, and its rx or drop. */
export function recordsOf(m: LadderMessage, model: LadderModel, records: readonly TraceEvent[]): PacketTraceEvent[] {
  const src = model.endpoints[m.from].addr;
  const same = (r: PacketTraceEvent): boolean =>
    r.src === src && r.flags === m.flags && r.seq === m.seq && r.ack === m.ack && (r.len ?? 0) === m.len;
  const out = records.filter((r): r is PacketTraceEvent => r.ev === 'tx' && r.t === m.tTx && same(r)).slice(0, 1);
  if (m.tRx !== null)
    out.push(...records.filter((r): r is PacketTraceEvent => r.ev === 'rx' && r.t === m.tRx && same(r)).slice(0, 1));
  if (m.drop)
    out.push(
      ...records.filter((r): r is PacketTraceEvent => r.ev === 'drop' && r.t === m.drop!.t && same(r)).slice(0, 1),
    );
  return out;
}
