/**
 * Typed readers for the values in topology and experiment files. Each reader either returns the
 * parsed value or records one problem and returns undefined, so validation carries on and reports
 * everything at once. Unit parsing itself lives in src/sim/time.ts; this file adds the
 * user-facing rules and messages.
 *
 * Rules that differ from the bare parsers, on purpose:
 * - durations and bit rates need a unit (`latency: 10` would silently mean 10 s or 10 bit/s); 0 is fine;
 * - an application size given as a bare number is bytes, a queue limit given as a bare number is packets.
 */
import { parseBitRate, parseDuration, parseEventRate, parseSize, type Nanos } from '../sim/time.ts';
import { describeValue, didYouMean, SpecErrorCode, type PathSegments, type Problems } from './errors.ts';

export type QueueLimit = { packets: number } | { bytes: number };

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A well-formed duration that parseDuration refused only for its size. */
const TOO_LONG = /^\s*[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?\s*(?:ns|us|µs|ms|s|m|min|h)\s*$/;

export function readDuration(p: Problems, path: PathSegments, v: unknown): Nanos | undefined {
  const ns = typeof v === 'string' ? parseDuration(v) : v === 0 ? 0 : null;
  if (ns === null) {
    if (typeof v === 'string' && TOO_LONG.test(v)) {
      p.add(
        SpecErrorCode.range,
        path,
        `${describeValue(v)} is longer than the simulated clock can count (2^53 ns, about 104 days)`,
      );
      return undefined;
    }
    const hint = typeof v === 'number' && v > 0 ? ' (add a unit: ns, us, ms or s)' : '';
    p.add(SpecErrorCode.type, path, `expected a duration like "10ms", got ${describeValue(v)}${hint}`);
    return undefined;
  }
  return ns;
}

export function readBitRate(p: Problems, path: PathSegments, v: unknown): number | undefined {
  const bps = typeof v === 'string' ? parseBitRate(v) : null;
  if (bps === null) {
    const hint = typeof v === 'number' ? ' (add a unit: bps, Kbps, Mbps or Gbps)' : '';
    p.add(SpecErrorCode.type, path, `expected a bit rate like "100Mbps", got ${describeValue(v)}${hint}`);
    return undefined;
  }
  return bps;
}

/** Events per second from "1000/s", "5/ms" or a bare number (already per second). */
export function readEventRate(p: Problems, path: PathSegments, v: unknown): number | undefined {
  const r = typeof v === 'string' || typeof v === 'number' ? parseEventRate(v) : null;
  if (r === null) {
    p.add(SpecErrorCode.type, path, `expected a rate like "1000/s", got ${describeValue(v)}`);
    return undefined;
  }
  return r;
}

/** A byte count: a bare whole number, or "2KB", "1.5MB", "1500B". */
export function readBytes(p: Problems, path: PathSegments, v: unknown): number | undefined {
  let bytes: number | null = null;
  if (typeof v === 'number') bytes = Number.isInteger(v) && v >= 0 ? v : null;
  else if (typeof v === 'string') {
    const s = parseSize(v);
    if (s !== null) bytes = 'bytes' in s ? s.bytes : /^\s*\d+\s*$/.test(v) ? s.packets : null;
  }
  if (bytes === null) {
    p.add(SpecErrorCode.type, path, `expected a size like "2KB" or a number of bytes, got ${describeValue(v)}`);
    return undefined;
  }
  return bytes;
}

/** A drop-tail queue limit: a packet count (1000, "100p") or bytes ("64KB"); at least 1. */
export function readQueueLimit(p: Problems, path: PathSegments, v: unknown): QueueLimit | undefined {
  const s = typeof v === 'string' || typeof v === 'number' ? parseSize(v) : null;
  if (s === null) {
    p.add(
      SpecErrorCode.type,
      path,
      `expected a queue limit in packets like 1000 or in bytes like "64KB", got ${describeValue(v)}`,
    );
    return undefined;
  }
  if (('packets' in s ? s.packets : s.bytes) < 1) {
    p.add(SpecErrorCode.range, path, `a queue must hold at least 1 packet, got ${describeValue(v)}`);
    return undefined;
  }
  return s;
}

export function readInt(
  p: Problems,
  path: PathSegments,
  v: unknown,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    p.add(SpecErrorCode.type, path, `expected a whole number ${range}, got ${describeValue(v)}`);
    return undefined;
  }
  if (v < min || v > max) {
    p.add(SpecErrorCode.range, path, `expected a whole number ${range}, got ${v}`);
    return undefined;
  }
  return v;
}

/** A probability in [0, 1], written 0.001 or "0.1%". */
export function readProbability(p: Problems, path: PathSegments, v: unknown): number | undefined {
  let x: number | null = null;
  if (typeof v === 'number' && Number.isFinite(v)) x = v;
  else if (typeof v === 'string') {
    const m = /^\s*([0-9]*\.?[0-9]+)\s*%\s*$/.exec(v);
    if (m) x = Number(m[1]) / 100;
  }
  if (x === null || x < 0 || x > 1) {
    p.add(
      x === null ? SpecErrorCode.type : SpecErrorCode.range,
      path,
      `expected a probability from 0 to 1 (or a percentage like "0.1%"), got ${describeValue(v)}`,
    );
    return undefined;
  }
  return x;
}

export function readBool(p: Problems, path: PathSegments, v: unknown): boolean | undefined {
  if (typeof v !== 'boolean') {
    p.add(SpecErrorCode.type, path, `expected true or false, got ${describeValue(v)}`);
    return undefined;
  }
  return v;
}

export function readString(p: Problems, path: PathSegments, v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') {
    p.add(SpecErrorCode.type, path, `expected a non-empty string, got ${describeValue(v)}`);
    return undefined;
  }
  return v;
}

export function readOneOf<T extends string | boolean>(
  p: Problems,
  path: PathSegments,
  v: unknown,
  allowed: readonly T[],
): T | undefined {
  if ((allowed as readonly unknown[]).includes(v)) return v as T;
  const hint =
    typeof v === 'string'
      ? didYouMean(
          v,
          allowed.filter((a): a is T & string => typeof a === 'string'),
        )
      : '';
  p.add(SpecErrorCode.type, path, `expected one of ${allowed.join(', ')}, got ${describeValue(v)}${hint}`);
  return undefined;
}

/** Names usable as path segments and in file names. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function readName(p: Problems, path: PathSegments, v: unknown, what: string): string | undefined {
  if (typeof v !== 'string' || !NAME_PATTERN.test(v)) {
    p.add(
      SpecErrorCode.type,
      path,
      `expected a name for the ${what} (letters, digits, "_" or "-", starting with a letter), got ${describeValue(v)}`,
    );
    return undefined;
  }
  return v;
}

/**
 * Top-level keys starting with `x-` are ignored (as in docker-compose): a place for YAML anchors,
 * e.g. `x-wan: &wan { latency: 40ms, bandwidth: 10Mbps }` then `- { between: [a, r1], <<: *wan }`.
 */
export const EXTENSION_KEY = /^x-/;

/** The top of a file: the experiment itself, or its topology (which may come from a file). */
function isFileTop(path: PathSegments): boolean {
  return path.length === 0 || (path.length === 1 && path[0] === 'topology');
}

/** Reports each key of `obj` not in `allowed`, at its own path, with a "did you mean". */
export function checkKeys(
  p: Problems,
  path: PathSegments,
  obj: Record<string, unknown>,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(obj)) {
    if (isFileTop(path) && EXTENSION_KEY.test(key)) continue;
    if (!allowed.includes(key))
      p.add(SpecErrorCode.unknownKey, [...path, key], `unknown key${didYouMean(key, allowed)}`);
  }
}

export function readMap(p: Problems, path: PathSegments, v: unknown): Record<string, unknown> | undefined {
  if (!isMap(v)) {
    p.add(SpecErrorCode.type, path, `expected a map of keys, got ${describeValue(v)}`);
    return undefined;
  }
  return v;
}

export function readList(p: Problems, path: PathSegments, v: unknown): unknown[] | undefined {
  if (!Array.isArray(v)) {
    p.add(SpecErrorCode.type, path, `expected a list, got ${describeValue(v)}`);
    return undefined;
  }
  return v;
}

type Reader<T> = (p: Problems, path: PathSegments, v: unknown) => T | undefined;

/**
 * One map in a file: checks its keys once, then reads fields by name with defaults. A field that
 * is absent gets the default; one that is present but bad records a problem and yields undefined.
 */
export class MapReader {
  constructor(
    readonly p: Problems,
    readonly path: PathSegments,
    readonly obj: Record<string, unknown>,
    allowed: readonly string[],
  ) {
    checkKeys(p, path, obj, allowed);
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }
  at(key: string | number): PathSegments {
    return [...this.path, key];
  }

  /** Reports a missing key; true when present. */
  require(key: string, what = ''): boolean {
    if (this.has(key)) return true;
    this.p.add(SpecErrorCode.missing, this.at(key), `missing${what === '' ? '' : ` (${what})`}`);
    return false;
  }

  read<T>(key: string, reader: Reader<T>, def?: T): T | undefined {
    const v = this.obj[key];
    return v === undefined ? def : reader(this.p, this.at(key), v);
  }

  duration(key: string, def?: Nanos): Nanos | undefined {
    return this.read(key, readDuration, def);
  }
  bitRate(key: string, def?: number): number | undefined {
    return this.read(key, readBitRate, def);
  }
  eventRate(key: string, def?: number): number | undefined {
    return this.read(key, readEventRate, def);
  }
  bytes(key: string, def?: number): number | undefined {
    return this.read(key, readBytes, def);
  }
  queue(key: string, def?: QueueLimit): QueueLimit | undefined {
    return this.read(key, readQueueLimit, def);
  }
  int(key: string, def: number | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    return this.read(key, (p, path, v) => readInt(p, path, v, min, max), def);
  }
  probability(key: string, def?: number): number | undefined {
    return this.read(key, readProbability, def);
  }
  bool(key: string, def?: boolean): boolean | undefined {
    return this.read(key, readBool, def);
  }
  string(key: string, def?: string): string | undefined {
    return this.read(key, readString, def);
  }
  oneOf<T extends string | boolean>(key: string, allowed: readonly T[], def?: T): T | undefined {
    return this.read(key, (p, path, v) => readOneOf(p, path, v, allowed), def);
  }
}
