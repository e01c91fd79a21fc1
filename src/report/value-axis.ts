/**
 * The y (value) axis of sweep, bar and time series figures: ratios run 0–1, counts and times start
 * at zero, log scales start at the smallest positive value. Error bars are clamped to the domain
 * (a 0–1 ratio's CI cannot leave 0–1). A zero cannot sit on a log scale: when the data has zeros
 * they get their own tick at the bottom, under a break in the axis, rather than being drawn at the
 * smallest positive value as if they were that value.
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
  /** y positions of breaks in the axis (under a log scale, above its zero). */
  breaks(): number[];
  /** A sentence for the caption when the axis is not a plain linear one; '' otherwise. */
  note: string;
}

export interface ValueAxisOptions {
  ratio: boolean;
  log: boolean;
  minPositive: number;
  /** Some value drawn is 0 (or less): a log axis then gives zero a place of its own. */
  hasZero?: boolean;
}

/** Room under a log scale for its zero (px). */
const ZERO_SLOT = 22;

export function valueAxis(lo: number, hi: number, opts: ValueAxisOptions): ValueAxis {
  if (opts.log && Number.isFinite(opts.minPositive) && opts.minPositive > 0) {
    const s = scaleLog()
      .domain([opts.minPositive, Math.max(hi, opts.minPositive * 10)])
      .nice()
      .clamp(true);
    const zero = opts.hasZero === true;
    let bottom = 0;
    return {
      pos: (v) => (v > 0 ? s(v) : zero ? bottom : s(s.domain()[0]!)),
      setRange: (b, t) => {
        bottom = b;
        s.range([zero ? b - ZERO_SLOT : b, t]);
      },
      ticks: () => (zero ? [...logTicks(s), { pos: bottom, label: '0' }] : logTicks(s)),
      tickLabels: ['10,000'],
      log: true,
      base: zero ? 0 : s.domain()[0]!,
      breaks: () => (zero ? [bottom - ZERO_SLOT / 2] : []),
      note: zero ? ' The y axis is logarithmic; zero sits below its break.' : ' The y axis is logarithmic.',
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
    breaks: () => [],
    note: '',
  };
}
