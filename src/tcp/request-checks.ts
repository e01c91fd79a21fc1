/**
 * Two checks a listener makes on segments for a half-open request (Linux tcp_check_req): is the
 * segment in the request's receive window, and may an answer to an unacceptable one go out now.
 */
import type { Nanos } from '../sim/time.ts';
import { SYN, type Segment } from '../wire/segment.ts';
import type { ListenerStats } from './listener-stats.ts';

/** Linux tcp_in_window: does [seq, end) touch the receive window [s, e]? (mod 2^32) */
export function inWindow(seq: number, end: number, s: number, e: number): boolean {
  if (seq === s) return true;
  if (((end - s) | 0) > 0 && ((seq - e) | 0) < 0) return true;
  return seq === e && seq === end;
}

/**
 * Linux tcp_oow_rate_limited: a duplicate SYN or out-of-window segment on a request is answered
 * at most once per tcp_invalid_ratelimit (`limit`; segments with data and no SYN always are: they
 * cannot be part of an ACK loop, and they do not restart the interval). True = stay silent;
 * otherwise the answer's time is recorded in `lastOow[row]` (Linux last_oow_ack_time).
 */
export function oowRateLimited(
  lastOow: Float64Array,
  row: number,
  seg: Segment,
  now: Nanos,
  limit: Nanos,
  stats: ListenerStats,
): boolean {
  if (seg.len > 0 && !(seg.flags & SYN)) return false;
  if (limit > 0 && now - lastOow[row]! < limit) {
    stats.oowRateLimited++;
    return true;
  }
  lastOow[row] = now;
  return false;
}
