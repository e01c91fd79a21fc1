/**
 * trace.jsonl records as the report reads them: src/schema/trace.ts TraceLine (docs/design.md part
 * 2), `t` in seconds, `node`, `ev` (state, tx, rx, drop, app), a `run` id, and per-event fields.
 * Addresses are "ip:port" strings; a state record's `conn` is "local>remote".
 *
 * A line read from disk is checked for its head only (isTraceEvent): the file may have been edited
 * or cut. Other fields are read through strField / numField, which check the value's type and
 * take only the schema's field names.
 */
import type { PacketEventName, TraceFieldName, TraceRecord } from '../schema/trace.ts';

/** A trace line with a node (every kind but `trace-limit`); `run` is absent in records made in memory. */
export type TraceEvent = TraceRecord & { run?: string };
/** A tx, rx or drop line. */
export type PacketTraceEvent = Extract<TraceEvent, { ev: PacketEventName }>;

export function strField(rec: TraceEvent, key: TraceFieldName): string | undefined {
  const v = (rec as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

export function numField(rec: TraceEvent, key: TraceFieldName): number | undefined {
  const v = (rec as Record<string, unknown>)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A state record's conn "10.0.0.2:40001>10.0.0.1:80" as [local, remote]. */
export function parseConn(conn: string): [string, string] | null {
  const i = conn.indexOf('>');
  if (i <= 0 || i === conn.length - 1) return null;
  return [conn.slice(0, i), conn.slice(i + 1)];
}

/** Unordered pair key of two endpoints. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** The two endpoints a record belongs to, or null (app records without conn, malformed ones). */
export function recordPair(rec: TraceEvent): [string, string] | null {
  if (rec.ev === 'tx' || rec.ev === 'rx' || rec.ev === 'drop') {
    const src = strField(rec, 'src');
    const dst = strField(rec, 'dst');
    return src && dst ? [src, dst] : null;
  }
  const conn = strField(rec, 'conn');
  return conn ? parseConn(conn) : null;
}

/** Checks the fields every record needs; the rest are read defensively where used. */
export function isTraceEvent(v: unknown): v is TraceEvent {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.t === 'number' && Number.isFinite(r.t) && typeof r.node === 'string' && typeof r.ev === 'string';
}

const FLAG_NAMES: [string, string][] = [
  ['S', 'SYN'],
  ['F', 'FIN'],
  ['R', 'RST'],
  ['P', 'PSH'],
  ['U', 'URG'],
  ['.', 'ACK'],
  ['E', 'ECE'],
  ['W', 'CWR'],
];

/** Packetdrill flag letters as Wireshark-style names: "S." → "SYN+ACK", "FP." → "FIN+PSH+ACK". */
export function flagNames(flags: string): string {
  const names = FLAG_NAMES.filter(([c]) => flags.includes(c)).map(([, n]) => n);
  return names.length > 0 ? names.join('+') : '(no flags)';
}
