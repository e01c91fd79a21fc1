/**
 * How Linux cuts a burst of new data into TSO/GSO packets, for the PSH flag they carry:
 * __tcp_transmit_skb forces PSH on every packet of more than one segment (to flush GRO at the
 * receiver), while a one-segment packet carries it only when its skb was marked (the tail of a
 * write, tcp_mark_push). A packet holds at most tcp_cwnd_test's quota (half the congestion window,
 * so at least two packets are in flight, and never more than the window leaves) and at most
 * tcp_tso_segs, TSO autosizing from the pacing rate (about 1 ms of data, at least
 * tcp_min_tso_segs). The engine still sends MSS-sized segments; only the packet boundaries are
 * computed here, so the last segment of each packet carries the packet's PSH.
 */
import type { Tcb } from './tcb.ts';
import { seqLt } from './seq.ts';

/** Linux GSO_LEGACY_MAX_SIZE (sk_gso_max_size) and sk_pacing_shift (about 1 ms of data). */
const GSO_MAX_SIZE = 65536;
const PACING_SHIFT = 10;
/** net.ipv4.tcp_tso_rtt_log. */
const TSO_RTT_LOG = 9;

/**
 * Linux tcp_update_pacing_rate, in bytes per second: cwnd (or what is out, if more) segments per
 * SRTT, doubled in the first half of slow start and 1.2x after (tcp_pacing_ss_ratio /
 * tcp_pacing_ca_ratio); unlimited before an RTT sample.
 */
export function pacingRate(t: Tcb): number {
  const srttUs = t.rtt.srtt / 1000;
  if (!(srttUs > 0)) return Infinity;
  const cwnd = t.cc.cwnd;
  const out = t.packetsOut;
  const ratio = cwnd < t.cc.ssthresh / 2 ? t.params.pacingSsRatio : t.params.pacingCaRatio;
  return (t.mss * 1e6 * (cwnd > out ? cwnd : out) * ratio) / 100 / srttUs;
}

/**
 * Linux tcp_tso_segs / tcp_tso_autosize: the segments one TSO packet may carry, ~1 ms at the
 * pacing rate (plus a bonus on short paths, min_rtt >> tcp_tso_rtt_log), at least tcp_min_tso_segs.
 */
export function tsoMaxSegs(t: Tcb): number {
  let bytes = pacingRate(t) / 2 ** PACING_SHIFT;
  const minRtt = t.rtt.minRtt;
  const r = minRtt === Infinity ? 32 : Math.floor(minRtt / 1000) >> TSO_RTT_LOG;
  if (r < 32) bytes += GSO_MAX_SIZE / 2 ** r;
  if (bytes > GSO_MAX_SIZE) bytes = GSO_MAX_SIZE;
  const segs = Math.floor(Math.floor(bytes) / t.mss);
  const min = t.params.minTsoSegs;
  return segs > min ? segs : min;
}

/**
 * Segments the next TSO packet may hold when `inFlight` packets are out: tcp_cwnd_test's quota
 * (half of cwnd at most, and what cwnd, plus any limited-transmit allowance, leaves) bounded by
 * tcp_tso_segs; at least one.
 */
export function tsoPacketSegs(t: Tcb, inFlight: number, extraCwnd: number): number {
  const cwnd = t.cc.cwnd;
  const half = cwnd >> 1 > 1 ? cwnd >> 1 : 1;
  const room = cwnd + extraCwnd - inFlight;
  let quota = half < room ? half : room;
  const max = tsoMaxSegs(t);
  if (max < quota) quota = max;
  return quota > 1 ? quota : 1;
}

/** With skb accounting, `seq` is where an skb starts: a TSO packet never spans two skbs. */
export function skbStartsAt(t: Tcb, seq: number): boolean {
  const s = t.skbStarts;
  for (let i = s.length - 1; i >= 0; i--) {
    if (s[i] === seq) return true;
    if (seqLt(s[i]!, seq)) return false;
  }
  return false;
}
