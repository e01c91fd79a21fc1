/**
 * Simulated time is an integer number of nanoseconds held in a JS number (exact up to 2^53 ns,
 * about 104 days). Integer time keeps event ordering exact and runs reproducible: no float drift.
 * This file also parses the unit strings used in topology and experiment files.
 */

export type Nanos = number;

export const NS = 1;
export const US = 1_000;
export const MS = 1_000_000;
export const SEC = 1_000_000_000;

const TIME_UNITS: Record<string, number> = {
  ns: NS,
  us: US,
  µs: US,
  ms: MS,
  s: SEC,
  m: 60 * SEC,
  min: 60 * SEC,
  h: 3600 * SEC,
};
/** Bit rates: the prefix in either case, "bps" in lower case ("MBps" would mean bytes: refused). */
const RATE_UNITS: Record<string, number> = { bps: 1, kbps: 1e3, mbps: 1e6, gbps: 1e9, tbps: 1e12 };
const RATE_UNIT = /^([kKmMgGtT]?)bps$/;
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1_000,
  mb: 1_000_000,
  gb: 1_000_000_000,
  kib: 1024,
  mib: 1024 * 1024,
};

const NUMBER_WITH_UNIT = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-zA-Zµ/]*)\s*$/;

/** Parses "20ms", "1.5s", "250us" (or a bare number of seconds) into integer nanoseconds; null if malformed or negative. */
export function parseDuration(text: string | number): Nanos | null {
  if (typeof text === 'number') {
    const ns = Math.round(text * SEC);
    return text >= 0 && Number.isSafeInteger(ns) ? ns : null;
  }
  const m = NUMBER_WITH_UNIT.exec(text);
  if (!m) return null;
  const unit = m[2] === '' ? 's' : m[2]!;
  const scale = TIME_UNITS[unit];
  if (scale === undefined) return null;
  const ns = scaleDecimal(m[1]!, scale);
  return Number.isSafeInteger(ns) ? ns : null;
}

/**
 * `text` (a decimal number) times `scale`, rounded to an integer. The whole and fractional parts
 * are scaled apart so that "9007199.254740991s" gives exactly 9007199254740991 ns, which a single
 * floating-point multiplication would miss by a few ns.
 */
function scaleDecimal(text: string, scale: number): number {
  const dot = text.indexOf('.');
  if (dot < 0 || /e/i.test(text)) return Math.round(Number(text) * scale);
  const whole = dot === 0 ? 0 : Number(text.slice(0, dot));
  return whole * scale + Math.round(Number(`0${text.slice(dot)}`) * scale);
}

/**
 * Parses "100Mbps", "1Gbps", "1.5Kbps" (or a number of bits per second) into whole bits per
 * second, at least 1; null if malformed. Whole numbers keep serialization times exact
 * ("1.1Kbps" is 1100, not 1100.0000000000002).
 */
export function parseBitRate(text: string | number): number | null {
  if (typeof text === 'number') return wholePositive(text);
  const m = NUMBER_WITH_UNIT.exec(text);
  if (!m || !RATE_UNIT.test(m[2]!)) return null;
  return wholePositive(Number(m[1]) * RATE_UNITS[m[2]!.toLowerCase()]!);
}

function wholePositive(v: number): number | null {
  const r = Math.round(v);
  return r >= 1 && Number.isSafeInteger(r) ? r : null;
}

/** Parses "64KB", "1500B" into bytes; a bare number (or "100p") is a packet count. */
export function parseSize(text: string | number): { bytes: number } | { packets: number } | null {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? { packets: text } : null;
  const m = NUMBER_WITH_UNIT.exec(text);
  if (!m) return null;
  const unit = m[2]!.toLowerCase();
  if (unit === '' || unit === 'p' || unit === 'pkt' || unit === 'packets') {
    const n = Number(m[1]);
    return Number.isSafeInteger(n) ? { packets: n } : null;
  }
  const scale = SIZE_UNITS[unit];
  if (scale === undefined) return null;
  const bytes = Math.round(Number(m[1]) * scale);
  return Number.isSafeInteger(bytes) ? { bytes } : null;
}

/** Parses "1000/s", "20/s", "5/ms" into events per second; null if malformed. */
export function parseEventRate(text: string | number): number | null {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : null;
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*\/\s*(ns|us|ms|s|m|min|h)\s*$/.exec(text);
  if (!m) return null;
  const rate = Number(m[1]) * (SEC / TIME_UNITS[m[2]!]!);
  return Number.isFinite(rate) ? rate : null;
}

/**
 * Formats nanoseconds with the largest unit that keeps it exact and readable: 1500000 → "1.5ms",
 * 1000000001 → "1.000000001s". parseDuration reads the result back to the same integer.
 */
export function formatDuration(ns: Nanos): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  const a = Math.abs(ns);
  if (a >= SEC) return sign + decimal(a, SEC, 9) + 's';
  if (a >= MS) return sign + decimal(a, MS, 6) + 'ms';
  if (a >= US) return sign + decimal(a, US, 3) + 'us';
  return `${ns}ns`;
}

/** a / unit written exactly with integer arithmetic, trailing zeros trimmed. */
function decimal(a: number, unit: number, digits: number): string {
  const whole = Math.floor(a / unit);
  const frac = a - whole * unit;
  if (frac === 0) return String(whole);
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Seconds as a float, for results and traces (which use seconds). */
export function toSeconds(ns: Nanos): number {
  return ns / SEC;
}

/** Time to put `bytes` on a wire of `bitsPerSecond`, rounded up to a whole nanosecond. */
export function serializationTime(bytes: number, bitsPerSecond: number): Nanos {
  return Math.ceil((bytes * 8 * SEC) / bitsPerSecond);
}
