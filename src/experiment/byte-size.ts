/**
 * Byte sizes as a user writes them on the command line (`--trace-limit 500MB`): decimal units
 * (kB, MB, GB, TB = powers of 1000) and binary ones (KiB, MiB, GiB, TiB = powers of 1024).
 */

/** Each run's trace stops at 1 GB by default: far beyond a readable trace, well within a disk. */
export const DEFAULT_TRACE_LIMIT = 1e9;

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Bytes, or undefined when the text is not a size; "0", "none" and "off" mean no limit (0). */
export function parseByteSize(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'none' || t === 'off') return 0;
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(t);
  if (m === null) return undefined;
  const unit = m[2] === '' ? 1 : UNITS[m[2]!];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
