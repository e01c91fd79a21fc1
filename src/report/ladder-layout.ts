/**
 * Ladder layout: a pure function from a connection's ladder model to positions — the time axis,
 * each arrow's ends, each state bar, and a box for every piece of text inside the diagram
 * (segment labels, loss notes, state names, cut notes) such that no two boxes overlap. The
 * renderer (ladder.ts) only draws what this returns, so tests check the geometry here.
 *
 * Time is true (ladder-time.ts): one scale, cuts marked. When labels cannot all be placed apart at
 * the base scale (one one-way delay = 44 px), the whole diagram is laid out again at a larger
 * scale; the geometry stays linear in time either way.
 */
import { median } from 'd3';
import { boxesOverlap, placeLabel, textBox } from './ladder-labels.ts';
import type { Box, Placement, Seg } from './ladder-labels.ts';
import type { LadderMessage, LadderModel, StateChange } from './ladder-model.ts';
import { buildTimeAxis } from './ladder-time.ts';
import type { TimeAxis } from './ladder-time.ts';
import { FONT } from './theme.ts';

export const LADDER_W = 700;
export const AXIS_X = 74;
/** x of the two time lines: the initiator (client) left, the peer right. */
export const LIFELINE_X = [258, 592] as const;
export const BAR = 8;
export const LADDER_TOP = 118;
const TAIL = 34;
/** px for one one-way delay at the base scale, and the larger scales tried when labels clash. */
const OWD_PX = 44;
const SCALE_STEPS = [1, 1.5, 2, 3, 4] as const;

export type ArrowKind = 'arrived' | 'lost' | 'untraced';

export interface ArrowLayout {
  msg: LadderMessage;
  kind: ArrowKind;
  /** The whole path from sender to receiver (or to the would-be arrival). */
  line: Seg;
  /** The part drawn: a lost segment ends at its cross, half-way. */
  drawn: Seg;
  label: Placement;
  /** False when the label was left out: even the largest scale put it on another label. */
  labelShown: boolean;
  /** Loss or drop note beside the cross, if any. */
  note: { text: string; x: number; y: number; anchor: 'start' | 'end'; italic: boolean } | null;
}

export interface StateSpanLayout {
  side: 0 | 1;
  state: string;
  y0: number;
  y1: number;
}

export type LabelKind = 'segment' | 'note' | 'state' | 'cut';

/** Every text inside the diagram, as a box: what the no-overlap rule is checked on. */
export interface LabelBox {
  kind: LabelKind;
  text: string;
  box: Box;
}

export interface StateLabelLayout {
  side: 0 | 1;
  text: string;
  x: number;
  y: number;
  anchor: 'start' | 'end';
}

export interface LadderLayout {
  axis: TimeAxis;
  /** Time origin of the tick labels. */
  t0: number;
  arrows: ArrowLayout[];
  spans: StateSpanLayout[];
  stateLabels: StateLabelLayout[];
  labels: LabelBox[];
  /** Pairs of visible label boxes that overlap (empty unless even the fixed labels collide). */
  clashes: [LabelBox, LabelBox][];
  /** Segment labels left out because even the largest scale could not set them apart. */
  hiddenLabels: number;
  /** Bottom of the time lines. */
  yEnd: number;
}

/** Whether the segment never arrived at a traced peer (drawn ending in a cross, half-way). */
function lostMidway(msg: LadderMessage, m: LadderModel): boolean {
  return msg.tRx === null && !(m.endpoints[1 - msg.from]!.node === null && !msg.drop);
}

export function arrowKind(msg: LadderMessage, m: LadderModel): ArrowKind {
  if (msg.tRx !== null) return 'arrived';
  return lostMidway(msg, m) ? 'lost' : 'untraced';
}

/** The text on a segment's arrow. */
export function segmentText(msg: LadderMessage, m: LadderModel): string {
  return arrowKind(msg, m) === 'untraced' ? `${msg.label} (peer not traced)` : msg.label;
}

export function lossNote(msg: LadderMessage): string {
  return msg.drop ? `lost at ${msg.drop.node} (${msg.drop.reason})` : 'lost';
}

/** Median one-way delay per direction and overall (a lost segment's would-be arrival uses it). */
function oneWayDelays(m: LadderModel): { dir: [number, number]; all: number } {
  const flight = (xs: LadderMessage[]): number[] => xs.filter((x) => x.tRx !== null).map((x) => x.tRx! - x.tTx);
  const all = median(flight(m.messages)) ?? 0.01;
  const owd = all > 0 ? all : 0.01;
  const dir = [0, 1].map((s) => median(flight(m.messages.filter((x) => x.from === s))) || owd) as [number, number];
  return { dir, all: owd };
}

/**
 * Lays the ladder out at the smallest scale where no two label boxes overlap. Where even the
 * largest cannot (a burst of many segments microseconds apart), the segment labels that would land
 * on another are left out and counted: labels never collide, and every arrow is still drawn.
 */
export function layoutLadder(m: LadderModel): LadderLayout {
  const owd = oneWayDelays(m);
  let best: LadderLayout | null = null;
  for (const step of SCALE_STEPS) {
    const l = layoutAt(m, (OWD_PX * step) / owd.all, owd.dir);
    if (!best || l.clashes.length < best.clashes.length) best = l;
    if (l.clashes.length === 0) break;
  }
  return best!.clashes.length === 0 ? best! : hideClashingLabels(best!);
}

/**
 * Keeps the fixed texts (state names, cut and loss notes) and, in time order, each segment label
 * that overlaps none kept before it. Segment labels sit in `labels` in the arrows' order.
 */
function hideClashingLabels(l: LadderLayout): LadderLayout {
  const kept = l.labels.filter((x) => x.kind !== 'segment');
  const segmentLabels = l.labels.filter((x) => x.kind === 'segment');
  let hidden = 0;
  const arrows = l.arrows.map((a, i) => {
    const label = segmentLabels[i]!;
    if (kept.some((k) => boxesOverlap(k.box, label.box))) {
      hidden++;
      return { ...a, labelShown: false };
    }
    kept.push(label);
    return a;
  });
  return { ...l, arrows, labels: kept, clashes: clashesOf(kept), hiddenLabels: hidden };
}

function arrivalTime(msg: LadderMessage, dir: [number, number]): number {
  return msg.tRx ?? msg.tTx + dir[msg.from];
}

function layoutAt(m: LadderModel, pxPerS: number, dir: [number, number]): LadderLayout {
  const times: number[] = [];
  for (const msg of m.messages) times.push(msg.tTx, arrivalTime(msg, dir));
  for (const side of [0, 1] as const) for (const c of m.states[side]) times.push(c.t);
  const t0 = Math.min(m.tStart, ...times);
  const axis = buildTimeAxis(times, { top: LADDER_TOP, pxPerS, t0 });
  const yEnd = Math.max(axis.bottom + TAIL, LADDER_TOP + 150);
  const spans = stateSpans(m, axis, yEnd);
  const stateLabels = placeStateLabels(m, axis);
  const labels: LabelBox[] = stateLabels.map((s) => ({
    kind: 'state',
    text: s.text,
    box: textBox(s.x, s.y, s.text, FONT.note, s.anchor),
  }));
  for (const b of axis.breaks)
    labels.push({
      kind: 'cut',
      text: cutText(b.t1 - b.t0),
      box: textBox(
        (LIFELINE_X[0] + LIFELINE_X[1]) / 2,
        (b.y0 + b.y1) / 2 + 9,
        cutText(b.t1 - b.t0),
        FONT.note,
        'middle',
      ),
    });
  const arrows = placeArrows(m, axis, dir, yEnd, labels);
  return { axis, t0, arrows, spans, stateLabels, labels, clashes: clashesOf(labels), hiddenLabels: 0, yEnd };
}

/** "760 ms cut from the time axis". */
export function cutText(gapS: number): string {
  const ms = gapS * 1000;
  const label = ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10000 ? 1 : 2)} s` : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
  return `${label} cut from the time axis`;
}

/** Arrows and their labels: notes first (they sit at fixed spots), then labels in time order. */
function placeArrows(
  m: LadderModel,
  axis: TimeAxis,
  dir: [number, number],
  yEnd: number,
  labels: LabelBox[],
): ArrowLayout[] {
  const X = LIFELINE_X;
  const pre = m.messages.map((msg) => {
    const d = msg.from === 0 ? 1 : -1;
    const line: Seg = {
      x1: X[msg.from] + (d * BAR) / 2,
      y1: axis.y(msg.tTx),
      x2: X[1 - msg.from]! - (d * BAR) / 2,
      y2: axis.y(arrivalTime(msg, dir)),
    };
    const kind = arrowKind(msg, m);
    const drawn =
      kind === 'lost' ? { x1: line.x1, y1: line.y1, x2: (line.x1 + line.x2) / 2, y2: (line.y1 + line.y2) / 2 } : line;
    const note = noteOf(msg, m, kind, drawn, d);
    if (note)
      labels.push({ kind: 'note', text: note.text, box: textBox(note.x, note.y, note.text, FONT.note, note.anchor) });
    return { msg, kind, line, drawn, note };
  });
  const lifelines: Seg[] = [X[0] - BAR / 2 - 1, X[0] + BAR / 2 + 1, X[1] - BAR / 2 - 1, X[1] + BAR / 2 + 1].map(
    (x) => ({ x1: x, y1: LADDER_TOP - 22, x2: x, y2: yEnd }),
  );
  return pre.map((p) => {
    const lo = Math.min(p.line.y1, p.line.y2) - 60;
    const hi = Math.max(p.line.y1, p.line.y2) + 60;
    const others = pre
      .filter((q) => q !== p && Math.max(q.drawn.y1, q.drawn.y2) >= lo && Math.min(q.drawn.y1, q.drawn.y2) <= hi)
      .map((q) => q.drawn);
    const text = segmentText(p.msg, m);
    // A lost segment's label stays on its drawn half.
    const label = placeLabel(
      p.drawn,
      text,
      FONT.legend,
      [...lifelines, ...others],
      labels.map((l) => l.box),
    );
    labels.push({ kind: 'segment', text, box: label.box });
    return { ...p, label, labelShown: true };
  });
}

function noteOf(msg: LadderMessage, m: LadderModel, kind: ArrowKind, drawn: Seg, d: number): ArrowLayout['note'] {
  if (kind === 'lost')
    return {
      text: lossNote(msg),
      x: drawn.x2 + d * 10,
      y: drawn.y2 + 5,
      anchor: d > 0 ? 'start' : 'end',
      italic: true,
    };
  // Arrived, then discarded by the receiver itself (a filter, a full SYN queue).
  if (kind === 'arrived' && msg.drop && msg.drop.node === m.endpoints[1 - msg.from]!.node) {
    return {
      text: `dropped: ${msg.drop.reason}`,
      x: drawn.x2 - d * 14,
      y: drawn.y2 + 16,
      anchor: d > 0 ? 'end' : 'start',
      italic: false,
    };
  }
  return null;
}

/** State spans of each side; changes at one instant keep the last. */
function stateSpans(m: LadderModel, axis: TimeAxis, yEnd: number): StateSpanLayout[] {
  const out: StateSpanLayout[] = [];
  for (const side of [0, 1] as const) {
    const changes = m.states[side];
    const cs = settled(changes);
    if (cs.length === 0) continue;
    out.push({ side, state: changes[0]!.from, y0: axis.top - 8, y1: axis.y(cs[0]!.t) });
    cs.forEach((c, i) =>
      out.push({ side, state: c.to, y0: axis.y(c.t), y1: i + 1 < cs.length ? axis.y(cs[i + 1]!.t) : yEnd }),
    );
  }
  return out;
}

function settled(changes: readonly StateChange[]): StateChange[] {
  return changes.filter((c, i) => !(i + 1 < changes.length && changes[i + 1]!.t - c.t <= 1e-9));
}

/** A state's name beside its time line, outside the diagram, pushed down to clear the one above. */
function placeStateLabels(m: LadderModel, axis: TimeAxis): StateLabelLayout[] {
  const out: StateLabelLayout[] = [];
  for (const side of [0, 1] as const) {
    const changes = m.states[side];
    const cs = settled(changes);
    if (cs.length === 0) continue;
    const x = side === 0 ? LIFELINE_X[0] - BAR / 2 - 6 : LIFELINE_X[1] + BAR / 2 + 6;
    const anchor = side === 0 ? 'end' : 'start';
    let lastY = -Infinity;
    const at = [{ state: changes[0]!.from, y: axis.top - 8 }, ...cs.map((c) => ({ state: c.to, y: axis.y(c.t) }))];
    for (const s of at) {
      const y = Math.max(s.y + 13, lastY + 15);
      lastY = y;
      out.push({ side, text: s.state, x, y, anchor });
    }
  }
  return out;
}

function clashesOf(labels: readonly LabelBox[]): [LabelBox, LabelBox][] {
  const out: [LabelBox, LabelBox][] = [];
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++)
      if (boxesOverlap(labels[i]!.box, labels[j]!.box)) out.push([labels[i]!, labels[j]!]);
  return out;
}
