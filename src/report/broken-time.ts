/**
 * A horizontal time axis with cuts, for state timelines: a socket that spends 40 ms in SYN_SENT
 * and 60 s in TIME_WAIT would otherwise get 0.07 % of the width for the one and 98 % for the
 * other. The longest quiet gaps (no state change in any row) are cut while each is more than 40 %
 * of what is left; every stretch keeps one scale (px per second), and each cut is a
 * fixed-width break that says how much time it skipped. Pure: times in, positions out.
 */
import { format, ticks as niceTicks, tickFormat } from 'd3';
import type { Tick } from './frame.ts';

export interface TimeCut {
  t0: number;
  t1: number;
  /** Centre of the break on screen. */
  x: number;
}

export interface BrokenTimeScale {
  x(t: number): number;
  cuts: TimeCut[];
  ticks: Tick[];
  /** Right end of the axis in time (the last change plus a short tail for open states). */
  tEnd: number;
}

const BREAK_W = 22;
const MAX_CUTS = 4;
/** A quiet gap is cut while it is more than this share of the time still shown. */
const CUT_SHARE = 0.4;

/** The gaps to cut, in time order. */
function chooseCuts(times: readonly number[]): [number, number][] {
  const gaps: [number, number][] = [];
  for (let i = 1; i < times.length; i++) gaps.push([times[i - 1]!, times[i]!]);
  gaps.sort((a, b) => b[1] - b[0] - (a[1] - a[0]));
  let shown = times.length > 1 ? times[times.length - 1]! - times[0]! : 0;
  const cuts: [number, number][] = [];
  for (const g of gaps) {
    const len = g[1] - g[0];
    if (cuts.length >= MAX_CUTS || len <= CUT_SHARE * shown) break;
    cuts.push(g);
    shown -= len;
  }
  return cuts.sort((a, b) => a[0] - b[0]);
}

/** The axis through the given change times, drawn from `left` to `right` px. */
export function brokenTimeScale(changeTimes: readonly number[], left: number, right: number): BrokenTimeScale {
  const times = [...new Set(changeTimes)].sort((a, b) => a - b);
  if (times.length === 0) times.push(0);
  const cutGaps = chooseCuts(times);
  const first = times[0]!;
  const last = times[times.length - 1]!;
  const shown = last - first - cutGaps.reduce((s, [a, b]) => s + (b - a), 0);
  const tail = shown > 0 ? shown * 0.04 : 1;
  const tEnd = last + tail;
  const k = (right - left - cutGaps.length * BREAK_W) / (shown + tail);
  // Stretches between cuts: [t0, t1, x0].
  const stretches: [number, number, number][] = [];
  let x0 = left;
  let s0 = first;
  for (const [a, b] of cutGaps) {
    stretches.push([s0, a, x0]);
    x0 += (a - s0) * k + BREAK_W;
    s0 = b;
  }
  stretches.push([s0, tEnd, x0]);
  const x = (t: number): number => {
    for (let i = 0; i < stretches.length; i++) {
      const [a, b, sx] = stretches[i]!;
      if (t <= b || i === stretches.length - 1) return sx + (Math.max(t, a) - a) * k;
      const next = stretches[i + 1]!;
      if (t < next[0]) return sx + (b - a) * k + ((t - b) / (next[0] - b)) * BREAK_W;
    }
    return left;
  };
  const cuts = cutGaps.map(([a, b]) => ({ t0: a, t1: b, x: x(a) + BREAK_W / 2 }));
  return { x, cuts, ticks: stretchTicks(stretches, k), tEnd };
}

/** Nice ticks within each stretch, about one per 80 px; a stretch too short for one shows its start. */
function stretchTicks(stretches: readonly [number, number, number][], k: number): Tick[] {
  const out: Tick[] = [];
  let lastX = -Infinity;
  for (const [a, b, sx] of stretches) {
    const count = Math.max(1, Math.round(((b - a) * k) / 80));
    let values = b > a ? niceTicks(a, b, count) : [];
    let fmt = b > a ? tickFormat(a, b, count) : format(',.2~f');
    if (values.length === 0) [values, fmt] = [[a], format(',.2~f')];
    for (const v of values) {
      const px = sx + (v - a) * k;
      if (px - lastX < 44) continue;
      out.push({ pos: px, label: fmt(v) });
      lastX = px;
    }
  }
  return out;
}

/** "60.0 s", "420 ms": the duration of a cut. */
export function cutDuration(s: number): string {
  return s >= 1 ? `${s.toFixed(s >= 10 ? 0 : 1)} s` : `${(s * 1000).toFixed(s >= 0.1 ? 0 : 1)} ms`;
}
