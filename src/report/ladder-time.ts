/**
 * The ladder's vertical time axis: true to time. Time runs down at one scale (px per second) for
 * the whole diagram, so equal times sit at equal heights and equal durations are equal lengths;
 * the only exception is a long idle gap (a 1 s RTO beside 20 ms delays, 60 s of TIME-WAIT), which
 * is cut out: the axis stops, a break of fixed height says how much time it skipped, and the next
 * stretch starts at the same scale. Nothing is nudged to make room for labels: that is the label
 * layout's job (ladder-layout.ts), which may ask for a larger scale instead.
 */
import { format, ticks } from 'd3';

/** One unbroken stretch of the axis: y = y0 + (t − t0) × pxPerS for t in [t0, t1]. */
export interface TimeStretch {
  t0: number;
  t1: number;
  y0: number;
}

/** A cut: the time from t0 to t1 is not drawn; the axis jumps from y0 to y1. */
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

export interface TimeAxis {
  pxPerS: number;
  stretches: TimeStretch[];
  breaks: TimeBreak[];
  ticks: TimeTick[];
  top: number;
  /** y of the last time. */
  bottom: number;
  /** y of a time: linear within a stretch, linear across a break's height inside a cut. */
  y(t: number): number;
}

export interface TimeAxisOptions {
  top: number;
  pxPerS: number;
  /** Time origin of the tick labels (seconds). */
  t0: number;
}

/** A gap taller than this (px at the diagram's scale) is cut. */
export const MAX_GAP = 230;
/** A cut's height. */
export const BREAK_H = 74;

/** Splits the sorted distinct times into stretches at every gap too tall to draw. */
function stretchesOf(
  times: readonly number[],
  opts: TimeAxisOptions,
): { stretches: TimeStretch[]; breaks: TimeBreak[] } {
  const stretches: TimeStretch[] = [];
  const breaks: TimeBreak[] = [];
  if (times.length === 0) return { stretches: [{ t0: opts.t0, t1: opts.t0, y0: opts.top }], breaks };
  let cur: TimeStretch = { t0: times[0]!, t1: times[0]!, y0: opts.top };
  for (const t of times) {
    if ((t - cur.t1) * opts.pxPerS > MAX_GAP) {
      const yEnd = cur.y0 + (cur.t1 - cur.t0) * opts.pxPerS;
      stretches.push(cur);
      breaks.push({ t0: cur.t1, t1: t, y0: yEnd, y1: yEnd + BREAK_H });
      cur = { t0: t, t1: t, y0: yEnd + BREAK_H };
    } else cur.t1 = t;
  }
  stretches.push(cur);
  return { stretches, breaks };
}

/** The axis through `times` (any order, repeats allowed). */
export function buildTimeAxis(times: readonly number[], opts: TimeAxisOptions): TimeAxis {
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  const { stretches, breaks } = stretchesOf(sorted, opts);
  const k = opts.pxPerS;
  const y = (t: number): number => {
    for (let i = 0; i < stretches.length; i++) {
      const s = stretches[i]!;
      if (t <= s.t1 || i === stretches.length - 1) return s.y0 + (t - s.t0) * k;
      const b = breaks[i]!;
      if (t < b.t1) return b.y0 + ((t - b.t0) / (b.t1 - b.t0)) * (b.y1 - b.y0);
    }
    return opts.top;
  };
  const last = stretches[stretches.length - 1]!;
  return {
    pxPerS: k,
    stretches,
    breaks,
    ticks: axisTicks(stretches, k, opts.t0),
    top: opts.top,
    bottom: last.y0 + (last.t1 - last.t0) * k,
    y,
  };
}

/** Nice ticks (ms from t0) within each stretch, all labelled with one precision. */
function axisTicks(stretches: readonly TimeStretch[], pxPerS: number, t0: number): TimeTick[] {
  const perStretch = stretches.map((s) => {
    const msA = (s.t0 - t0) * 1000;
    const msB = (s.t1 - t0) * 1000;
    const count = Math.max(2, Math.round(((s.t1 - s.t0) * pxPerS) / 55));
    return { s, msA, msB, values: msB > msA ? ticks(msA, msB, count) : [] };
  });
  // One step for the decimals: the finest any stretch uses (a lone instant is rounded to it).
  let step = Infinity;
  for (const p of perStretch)
    for (let i = 1; i < p.values.length; i++) step = Math.min(step, p.values[i]! - p.values[i - 1]!);
  const decimals = Number.isFinite(step) ? Math.min(3, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : 0;
  const fmt = format(`,.${decimals}f`);
  const out: TimeTick[] = [];
  for (const p of perStretch) {
    // A stretch too short for a nice tick inside it is labelled at its start.
    const values = p.values.length > 0 ? p.values : [p.msA];
    let lastY = -Infinity;
    for (const ms of values) {
      const ty = p.s.y0 + (t0 + ms / 1000 - p.s.t0) * pxPerS;
      if (ty - lastY < 16) continue;
      out.push({ y: ty, label: fmt(ms) });
      lastY = ty;
    }
  }
  return out;
}
