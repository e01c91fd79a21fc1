/**
 * trace.jsonl records as the report reads them (docs/design.md part 2): `t` in seconds, `node`, `ev`
 * (state, tx, rx, drop, app), a `run` id, and per-event fields. Addresses are "ip:port" strings;
 * a state record's `conn` is "local>remote".
 */

export interface TraceEvent {
  run?: string;
  t: number;
  node: string;
  ev: string;
  [field: string]: unknown;
}

export function strField(rec: TraceEvent, key: string): string | undefined {
  const v = rec[key];
  return typeof v === 'string' ? v : undefined;
}

export function numField(rec: TraceEvent, key: string): number | undefined {
  const v = rec[key];
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
