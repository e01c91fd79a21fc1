/**
 * The y (value) axis of sweep and bar figures: ratios run 0–1, counts and times start at zero,
 * log scales start at the smallest positive value. Error bars are clamped to the domain (a 0–1
 * ratio's CI cannot leave 0–1).
 */
import { scaleLinear, scaleLog } from 'd3';
import { linearTickLabels, linearTicks, logTicks } from './frame.ts';
import type { Tick } from './frame.ts';

export interface ValueAxis {
  /** Maps a value to a y position (after setRange); values outside the domain are clamped. */
  pos(v: number): number;
  setRange(bottom: number, top: number): void;
  ticks(): Tick[];
  tickLabels: string[];
  log: boolean;
  /** The baseline bars grow from. */
  base: number;
}

export function valueAxis(lo: number, hi: number, opts: { ratio: boolean; log: boolean; minPositive: number }): ValueAxis {
  if (opts.log && Number.isFinite(opts.minPositive) && opts.minPositive > 0) {
    const s = scaleLog().domain([opts.minPositive, Math.max(hi, opts.minPositive * 10)]).nice().clamp(true);
    return {
      pos: (v) => s(v > 0 ? v : s.domain()[0]!),
      setRange: (b, t) => void s.range([b, t]),
      ticks: () => logTicks(s),
      tickLabels: ['10,000'],
      log: true,
      base: s.domain()[0]!,
    };
  }
  const d0 = opts.ratio ? 0 : Math.min(0, lo);
  const d1 = opts.ratio ? 1 : hi > d0 ? hi : d0 + 1;
  const s = scaleLinear().domain([d0, d1]).clamp(true);
  if (!opts.ratio) s.nice(6);
  return {
    pos: (v) => s(v),
    setRange: (b, t) => void s.range([b, t]),
    ticks: () => linearTicks(s, 6),
    tickLabels: linearTickLabels(s, 6),
    log: false,
    base: 0,
  };
}
