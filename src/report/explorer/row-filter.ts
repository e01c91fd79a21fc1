/**
 * The explorer's connection list as data: which rows a filter keeps and in what order, and the
 * slowest handshakes it links to. Pure (no DOM): client.ts reads the controls into a RowFilter and
 * draws what this returns.
 */
import type { ExploreRow } from './explore-data.ts';

export type Trouble = 'retransmitted' | 'dropped' | 'reset' | 'not established';

export interface RowFilter {
  /** Text to find in the addresses or node names ('' for any). */
  query: string;
  /** A state the connection reached ('' for any). */
  state: string;
  want: ReadonlySet<Trouble>;
  /** Handshake at least this many ms; null for any. */
  minHandshakeMs: number | null;
  sort: 't0' | 'hs' | 'segs' | 'retx' | string;
}

function keeps(r: ExploreRow, f: RowFilter): boolean {
  if (f.query && !`${r[1]} ${r[2]} ${r[3] ?? ''} ${r[4] ?? ''}`.includes(f.query)) return false;
  if (f.state && !r[8].split('|').includes(f.state)) return false;
  if (f.want.has('retransmitted') && r[12] === 0) return false;
  if (f.want.has('dropped') && r[13] === 0) return false;
  if (f.want.has('reset') && r[14] === 0) return false;
  if (f.want.has('not established') && r[8].split('|').includes('ESTABLISHED')) return false;
  if (f.minHandshakeMs !== null && (r[7] === null || r[7] < f.minHandshakeMs)) return false;
  return true;
}

/** The rows the filter keeps, sorted as asked (first packet order unless told otherwise). */
export function filterRows(rows: readonly ExploreRow[], f: RowFilter): ExploreRow[] {
  const shown = rows.filter((r) => keeps(r, f));
  if (f.sort === 'hs') shown.sort((x, y) => (y[7] ?? -1) - (x[7] ?? -1));
  else if (f.sort === 'segs') shown.sort((x, y) => y[11] - x[11]);
  else if (f.sort === 'retx') shown.sort((x, y) => y[12] - x[12]);
  return shown;
}

/**
 * The tail of the handshake-time distribution, one click from its ladders: the five slowest, and
 * only handshakes slower than the median (when every handshake took the RTT, none is an outlier).
 */
export function slowestHandshakes(rows: readonly ExploreRow[]): ExploreRow[] {
  const timed = rows.filter((r) => r[7] !== null).sort((x, y) => y[7]! - x[7]! || x[0] - y[0]);
  const median = timed[Math.floor(timed.length / 2)]?.[7] ?? 0;
  return timed.filter((r) => r[7]! > median).slice(0, 5);
}

/** The states any connection reached, sorted: the "Reached" choices. */
export function reachedStates(rows: readonly ExploreRow[]): string[] {
  return [...new Set(rows.flatMap((r) => r[8].split('|').filter(Boolean)))].sort();
}
