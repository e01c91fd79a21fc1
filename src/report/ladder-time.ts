/**
 * The ladder's vertical time axis. Time runs down, to scale within a stretch of activity (one
 * one-way delay ≈ 40 px, so segments slope gently), with long idle gaps (a 1 s RTO beside 11 ms
 * delays) cut out and shown as a break. Segments sent back to back by one side get their own row
 * even when their timestamps are equal, so labels never sit on top of each other.
 */
import { format, ticks } from 'd3';

export type KnotKind = 'tx' | 'rx' | 'mark';

/** A moment the diagram draws something at. */
export interface Knot {
  t: number;
  /** Endpoint side (0 left, 1 right), or -1 for marks that need no row of their own. */
  side: -1 | 0 | 1;
  kind: KnotKind;
  /** Filled in by buildTimeMap. */
  y: number;
}

export interface TimeBreak {
  t0: number;
  t1: number;
  y0: number;
  y1: number;
}

export interface TimeTick {
  y: number;
  label: string;
}

export interface TimeMap {
  /** y of a time (interpolated between knots; the first knot wins at a repeated time). */
  y(t: number): number;
  breaks: TimeBreak[];
  ticks: TimeTick[];
  top: number;
  bottom: number;
}

export interface TimeMapOptions {
  top: number;
  /** Typical one-way delay in seconds: sets the scale. */
  owd: number;
  /** Time origin of the tick labels (seconds). */
  t0: number;
}

/** px for one one-way delay. */
const OWD_PX = 44;
/** Two rows that must not overlap are at least this far apart. */
const MIN_ROW = 24;
/** A gap taller than this is cut. */
const MAX_GAP = 230;
/** A cut gap's height. */
const BREAK_H = 58;
/** Times closer than this (s) are one instant. */
const NEAR = 1e-9;

/** Assigns a y to every knot (mutating `y`) and returns the axis. */
export function buildTimeMap(knots: Knot[], opts: TimeMapOptions): TimeMap {
  const pxPerS = OWD_PX / Math.max(opts.owd, 1e-6);
  knots.sort((a, b) => a.t - b.t);
  const breaks: TimeBreak[] = [];
  let y = opts.top;
  let prevT = knots.length > 0 ? knots[0]!.t : 0;
  // Last row of each (side, tx|rx): a second send (or arrival) at one side sits a row lower.
  const lastRow = new Map<string, number>();
  for (const k of knots) {
    const gap = k.t - prevT;
    if (gap > NEAR) {
      let dy = gap * pxPerS;
      if (dy > MAX_GAP) {
        breaks.push({ t0: prevT, t1: k.t, y0: y, y1: y + BREAK_H });
        dy = BREAK_H;
      }
      y += dy;
    }
    if (k.side >= 0) {
      const rowKey = `${k.side}${k.kind}`;
      const ly = lastRow.get(rowKey);
      if (ly !== undefined && y < ly + MIN_ROW) y = ly + MIN_ROW;
      lastRow.set(rowKey, y);
    }
    k.y = y;
    prevT = k.t;
  }
  // One knot per distinct time (the first), for interpolation.
  const ts: number[] = [];
  const ys: number[] = [];
  for (const k of knots) {
    if (ts.length > 0 && k.t - ts[ts.length - 1]! <= NEAR) continue;
    ts.push(k.t);
    ys.push(k.y);
  }
  const yOf = (t: number): number => {
    if (ts.length === 0) return opts.top;
    if (t <= ts[0]!) return ys[0]!;
    if (t >= ts[ts.length - 1]!) return ys[ys.length - 1]! + (t - ts[ts.length - 1]!) * pxPerS;
    let lo = 0;
    let hi = ts.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (ts[mid]! <= t) lo = mid;
      else hi = mid;
    }
    const f = (t - ts[lo]!) / (ts[hi]! - ts[lo]!);
    return ys[lo]! + f * (ys[hi]! - ys[lo]!);
  };

  // Ticks: nice values within each unbroken stretch, in ms from t0.
  const tickList: TimeTick[] = [];
  const stretches: [number, number][] = [];
  let s0 = ts[0] ?? 0;
  for (const b of breaks) {
    stretches.push([s0, b.t0]);
    s0 = b.t1;
  }
  stretches.push([s0, ts[ts.length - 1] ?? s0]);
  for (const [a, b] of stretches) {
    const ya = yOf(a);
    const yb = yOf(b);
    const count = Math.max(2, Math.round((yb - ya) / 55));
    const msA = (a - opts.t0) * 1000;
    const msB = (b - opts.t0) * 1000;
    const values = msB > msA ? ticks(msA, msB, count) : [msA];
    const fmt = msB > msA ? tickFormatFor(msA, msB, count) : format(',.3~f');
    let lastY = -Infinity;
    for (const ms of values) {
      const ty = yOf(opts.t0 + ms / 1000);
      if (ty - lastY < 16) continue;
      tickList.push({ y: ty, label: fmt(ms) });
      lastY = ty;
    }
  }
  const last = knots.length > 0 ? knots[knots.length - 1]!.y : opts.top;
  return { y: yOf, breaks, ticks: tickList, top: opts.top, bottom: last };
}

function tickFormatFor(a: number, b: number, count: number): (v: number) => string {
  const step = Math.abs(ticks(a, b, count).reduce((s, v, i, arr) => (i > 0 ? Math.min(s, v - arr[i - 1]!) : s), Infinity));
  const decimals = Number.isFinite(step) && step > 0 ? Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) : 0;
  return format(`,.${Math.min(decimals, 3)}f`);
}
