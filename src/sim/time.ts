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

const TIME_UNITS: Record<string, number> = { ns: NS, us: US, µs: US, ms: MS, s: SEC, m: 60 * SEC, min: 60 * SEC, h: 3600 * SEC };
const RATE_UNITS: Record<string, number> = { bps: 1, kbps: 1e3, mbps: 1e6, gbps: 1e9, tbps: 1e12 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1_000, mb: 1_000_000, gb: 1_000_000_000, kib: 1024, mib: 1024 * 1024 };

const NUMBER_WITH_UNIT = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-zA-Zµ/]*)\s*$/;

/** Parses "20ms", "1.5s", "250us" (or a bare number of seconds) into integer nanoseconds; null if malformed or negative. */
export function parseDuration(text: string | number): Nanos | null {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? Math.round(text * SEC) : null;
  const m = NUMBER_WITH_UNIT.exec(text);
  if (!m) return null;
  const unit = m[2] === '' ? 's' : m[2]!;
  const scale = TIME_UNITS[unit];
  if (scale === undefined) return null;
  return Math.round(Number(m[1]) * scale);
}

/** Parses "100Mbps", "1Gbps" into bits per second; null if malformed. */
export function parseBitRate(text: string | number): number | null {
  if (typeof text === 'number') return Number.isFinite(text) && text > 0 ? text : null;
  const m = NUMBER_WITH_UNIT.exec(text);
  if (!m) return null;
  const scale = RATE_UNITS[m[2]!.toLowerCase()];
  if (scale === undefined) return null;
  const v = Number(m[1]) * scale;
  return v > 0 ? v : null;
}

/** Parses "64KB", "1500B" into bytes; a bare number (or "100p") is a packet count. */
export function parseSize(text: string | number): { bytes: number } | { packets: number } | null {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 ? { packets: text } : null;
  const m = NUMBER_WITH_UNIT.exec(text);
  if (!m) return null;
  const unit = m[2]!.toLowerCase();
  if (unit === '' || unit === 'p' || unit === 'pkt' || unit === 'packets') {
    const n = Number(m[1]);
    return Number.isInteger(n) ? { packets: n } : null;
  }
  const scale = SIZE_UNITS[unit];
  return scale === undefined ? null : { bytes: Math.round(Number(m[1]) * scale) };
}

/** Parses "1000/s", "20/s", "5/ms" into events per second; null if malformed. */
export function parseEventRate(text: string | number): number | null {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : null;
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*\/\s*(ns|us|ms|s|m|min|h)\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * (SEC / TIME_UNITS[m[2]!]!);
}

/** Formats nanoseconds with the largest unit that keeps it readable: 1500000 → "1.5ms". */
export function formatDuration(ns: Nanos): string {
  if (ns === 0) return '0s';
  const a = Math.abs(ns);
  if (a >= SEC) return `${+(ns / SEC).toFixed(6)}s`;
  if (a >= MS) return `${+(ns / MS).toFixed(6)}ms`;
  if (a >= US) return `${+(ns / US).toFixed(3)}us`;
  return `${ns}ns`;
}

/** Seconds as a float, for results and traces (which use seconds). */
export function toSeconds(ns: Nanos): number {
  return ns / SEC;
}

/** Time to put `bytes` on a wire of `bitsPerSecond`, rounded up to a whole nanosecond. */
export function serializationTime(bytes: number, bitsPerSecond: number): Nanos {
  return Math.ceil((bytes * 8 * SEC) / bitsPerSecond);
}
