/**
 * The send loop (Linux tcp_write_xmit): new data and the FIN go out while the congestion window
 * (in segments), the peer's window and Nagle's algorithm allow; a window too small for the next
 * segment with nothing in flight arms the persist timer (RFC 9293 3.8.6.1). Retransmissions
 * after an RTO go through the same loop: SND.NXT is moved back to SND.UNA (go-back-N).
 */
import type { Nanos } from '../sim/time.ts';
import { TcpState } from './api.ts';
import { pacingHolds, pacingSent } from './pacing.ts';
import { chronoStart, chronoStop, CHRONO_RWND_LIMITED, CHRONO_SNDBUF_LIMITED } from './chrono.ts';
import { transmitData } from './output.ts';
import { tsoShouldDefer } from './send-skbs.ts';
import { skbStartsAt, tsoPacketSegs } from './tso.ts';
import { seqGt, seqLe, seqLt, seqSub } from './seq.ts';
import { linuxSndUna, sndWndEnd } from './send-space.ts';
import type { Tcb } from './tcb.ts';
import { scheduleLossProbe } from './tlp.ts';
import { timerExpiry } from './timer-wheel.ts';

/** States in which data or a FIN may still be (re)sent. */
export function canSend(state: TcpState): boolean {
  return (
    state === TcpState.ESTABLISHED ||
    state === TcpState.CLOSE_WAIT ||
    state === TcpState.FIN_WAIT_1 ||
    state === TcpState.CLOSING ||
    state === TcpState.LAST_ACK
  );
}

/** Something not yet sent: data beyond SND.NXT, or a FIN not yet sent. */
export function hasUnsent(t: Tcb): boolean {
  return seqLt(t.sndNxt, t.writeSeq) || (t.finQueued && t.sndNxt === t.writeSeq);
}

/**
 * Segment size: the effective MSS, but at most half the largest window the peer offered
 * (Linux tcp_bound_to_half_wnd), so tiny windows still see several segments.
 */
export function segmentSize(t: Tcb): number {
  const w = t.maxSndWnd;
  let size = t.mss;
  if (w > 536 && w >> 1 < size) size = w >> 1;
  return size < 48 ? 48 : size;
}

/**
 * Sends what the windows allow. `forceHead`: the segment at SND.UNA goes out whatever the windows
 * say (the RTO retransmission). `extraCwnd`: segments allowed beyond cwnd (RFC 3042 limited
 * transmit). New data goes in TSO packets (tso.ts) whose last segment carries their PSH.
 * Returns whether anything was sent.
 */
export function output(t: Tcb, now: Nanos, forceHead = false, extraCwnd = 0): boolean {
  // A Fast Open child sends in SYN-RECEIVED (RFC 7413 4.2.2; Linux lets tcp_sendmsg through).
  if (!canSend(t.state) && !(t.state === TcpState.SYN_RCVD && t.fo !== null)) return false;
  // Linux tcp_write_xmit when tcp_transmit_skb fails locally: nothing leaves, and with nothing in
  // flight the probe timer takes over (tcp_check_probe_timer).
  if (t.out.localDrop === true) {
    if (t.packetsOut === 0 && t.rtoAt === Infinity && t.persistAt === Infinity && hasUnsent(t)) {
      t.persistAt = timerExpiry(t.params, now, probeTimeout(t));
    }
    return false;
  }
  // RFC 5681 4.1 (Linux tcp_slow_start_after_idle, on by default): after an idle period longer
  // than the RTO, restart from the initial window.
  if (
    t.params.slowStartAfterIdle &&
    t.sndNxt === t.sndUna &&
    seqLt(t.sndNxt, t.writeSeq) &&
    now - t.lastSendAt > t.rtt.rto
  ) {
    t.cc.onIdleRestart(t.params.initCwnd);
  }
  const size = segmentSize(t);
  let seq = t.sndNxt;
  let len = nextLength(t, seq, size, forceHead && seq === t.sndUna, extraCwnd, now, true);
  let sent = false;
  // New data leaves in TSO packets (tso.ts): `left` segments may still join the current one.
  let left = 0;
  let segs = 0;
  // Pacing (pacing.ts): a packet waits for its departure time, then moves the clock on.
  const paced = t.paced;
  let pktBytes = 0;
  let pktSegs = 0;
  if (paced) t.paceBatch = true;
  while (len >= 0) {
    const avail = seqSub(t.writeSeq, seq);
    const fin = t.finQueued && seqLe(seq, t.writeSeq) && len === (avail > 0 ? avail : 0);
    const end = (seq + len + (fin ? 1 : 0)) >>> 0;
    const fresh = !seqLt(seq, t.sndMax);
    // Linux tcp_write_xmit's tcp_pacing_check before each skb; the RTO's head retransmission
    // (tcp_retransmit_timer) is not paced.
    if (paced && (!fresh || left <= 0) && !(forceHead && seq === t.sndUna) && pacingHolds(t, now)) break;
    if (fresh && left <= 0) {
      left = tsoPacketSegs(t, packetsInFlightAt(t, seq), extraCwnd);
      segs = 0;
    }
    const next = fin ? -1 : nextLength(t, end, size, false, extraCwnd, now, false);
    left--;
    segs++;
    if (left > 0 && (next < 0 || skbStartsAt(t, end))) left = 0;
    // Linux __tcp_transmit_skb: a TSO packet of more than one segment carries PSH (the tail of a
    // write carries its own, transmitData). A retransmission (go-back-N after an RTO) keeps the
    // PSH of where it ends: only the tail of a write has one (Linux resends the skb with its own flags).
    transmitData(t, seq, len, fin, now, fresh && left === 0 && segs > 1 && len > 0);
    // The packet's segments share an skb: a retransmission resends them together (rtx-queue.ts).
    if (fresh && left > 0 && len > 0) t.rtxq.joinNext(t.rtxq.size - 1);
    sent = true;
    if (paced) {
      pktBytes += len;
      if (len > 0) pktSegs++;
      if (!fresh || left === 0) {
        pacingSent(t, pktBytes, pktSegs, now);
        pktBytes = pktSegs = 0;
      }
    }
    seq = end;
    len = next;
  }
  if (paced) t.paceBatch = false;
  // Linux tcp_write_xmit ends by (re)scheduling the loss probe after new data.
  if (sent && !forceHead) scheduleLossProbe(t, now);
  const limited = t.packetsOut >= t.cc.cwnd;
  if (sent || limited) cwndValidate(t, limited);
  sendChronos(t, sent || limited, now);
  if (t.packetsOut === 0 && t.rtoAt === Infinity && t.persistAt === Infinity && hasUnsent(t)) {
    t.persistAt = timerExpiry(t.params, now, probeTimeout(t));
  }
  return sent;
}

/**
 * Length of the segment that may go out at `seq` (0 for a lone FIN), or -1 when nothing may:
 * nothing left, the congestion window full (in segments, as Linux), the segment not fitting the
 * peer's window (Linux tcp_snd_wnd_test), or Nagle holding a small segment.
 */
function nextLength(
  t: Tcb,
  seq: number,
  size: number,
  head: boolean,
  extraCwnd: number,
  now: Nanos,
  first: boolean,
): number {
  let avail = seqSub(t.writeSeq, seq);
  if (avail < 0) avail = 0;
  const finPending = t.finQueued && seqLe(seq, t.writeSeq);
  if (avail === 0 && !finPending) return -1;
  let len = avail < size ? avail : size;
  const recordEnd = nextRecordEnd(t, seq);
  if (recordEnd >= 0 && seqSub(recordEnd, seq) < len) len = seqSub(recordEnd, seq);
  if (head) return len;
  const flight = seqSub(seq, t.sndUna);
  const packets = flight <= 0 ? 0 : Math.ceil(flight / t.mss);
  const inFlight = packetsInFlightAt(t, seq);
  const fin = finPending && len === avail;
  // Linux tcp_cwnd_test: a lone FIN is not held back by the congestion window.
  if (inFlight >= t.cc.cwnd + extraCwnd && !(fin && len === 0)) return -1;
  if (seqGt((seq + len + (fin ? 1 : 0)) >>> 0, sndWndEnd(t))) return -1;
  // Nagle (RFC 9293 3.7.4) in Linux's Minshall form: a small segment waits while an earlier
  // small segment is unacknowledged; a segment carrying the FIN, or TCP_NODELAY, goes now.
  // TCP_CORK and MSG_MORE hold it whatever is in flight (until the persist timer, Linux
  // tcp_probe_timer). Only the tail of the queue waits: a segment cut short by the end of a
  // MSG_EOR record goes (Linux tcp_write_xmit passes TCP_NAGLE_PUSH for all but the last skb).
  if (len < size && !fin && seqLe(t.sndMax, seq) && (seq + len) >>> 0 === t.writeSeq) {
    if (t.moreHold || (t.cork && !t.pushOverCork)) return -1;
    if (!t.noDelay && packets > 0 && seqGt(t.sndSml, t.sndUna) && seqLe(t.sndSml, seq)) return -1;
  }
  // With skb accounting, a TSO packet may be held back for a bigger one (send-skbs.ts).
  if (t.skbStarts.length > 0 && extraCwnd === 0 && tsoShouldDefer(t, seq, first, now)) return -1;
  return len;
}

/**
 * Linux tcp_packets_in_flight as tcp_cwnd_test counts it with data up to `seq` sent: SACKed and
 * lost segments have left the network, resent ones are back in it (the SACK marks, rtx-queue.ts;
 * not while resending from SND.UNA after an RTO, when SND.NXT is behind).
 */
function packetsInFlightAt(t: Tcb, seq: number): number {
  const flight = seqSub(seq, linuxSndUna(t));
  let inFlight = flight <= 0 ? 0 : Math.ceil(flight / t.mss);
  if (t.sack !== null && t.sndNxt === t.sndMax) inFlight -= t.rtxq.sackedOut + t.rtxq.lostOut - t.rtxq.retransOut;
  return inFlight;
}

/**
 * The chronograph updates that end Linux tcp_write_xmit: held by the peer's window (new data
 * waits, the congestion window has room, the next segment does not fit the window), and, after
 * tcp_cwnd_validate, starved by the send buffer (not cwnd-limited, nothing left unsent, the
 * writer waiting for room: SOCK_NOSPACE).
 */
function sendChronos(t: Tcb, validated: boolean, now: Nanos): void {
  const unsent = seqLt(t.sndNxt, t.writeSeq);
  if (unsent && t.packetsOut < t.cc.cwnd && seqGt((t.sndNxt + 1) >>> 0, sndWndEnd(t)))
    chronoStart(t, CHRONO_RWND_LIMITED, now);
  else chronoStop(t, CHRONO_RWND_LIMITED, now);
  if (
    validated &&
    !unsent &&
    t.sendBlocked &&
    !isCwndLimited(t) &&
    (t.state === TcpState.ESTABLISHED || t.state === TcpState.CLOSE_WAIT)
  ) {
    chronoStart(t, CHRONO_SNDBUF_LIMITED, now);
  }
}

/** The end of the MSG_EOR record holding `seq` (the first record end after it), or -1. */
export function nextRecordEnd(t: Tcb, seq: number): number {
  const ends = t.recordEnds;
  // Records wholly acknowledged are forgotten (ends ascend).
  while (ends.length > 0 && seqLe(ends[0]!, t.sndUna)) ends.shift();
  for (let i = 0; i < ends.length; i++) if (seqGt(ends[i]!, seq)) return ends[i]!;
  return -1;
}

/**
 * Linux tcp_cwnd_validate (its first half): whether this window used all of cwnd, or how many
 * packets it had out at most; a new record starts once SND.UNA passes the previous one's SND.NXT.
 */
function cwndValidate(t: Tcb, limited: boolean): void {
  const packets = t.packetsOut;
  if (!seqLt(t.sndUna, t.cwndUsageSeq) || limited || (!t.isCwndLimited && packets > t.maxPacketsOut)) {
    t.isCwndLimited = limited;
    t.maxPacketsOut = packets;
    t.cwndUsageSeq = t.sndNxt;
  }
}

/**
 * Linux tcp_is_cwnd_limited: the window was used up, or, in slow start, cwnd is under twice the
 * most packets out (so slow start grows cwnd to twice what was used).
 */
export function isCwndLimited(t: Tcb): boolean {
  if (t.isCwndLimited) return true;
  return t.cc.cwnd < t.cc.ssthresh && t.cc.cwnd < 2 * t.maxPacketsOut;
}

/** Linux tcp_probe0_when: max(RTO, min RTO) doubled per unanswered probe, capped at max RTO. */
export function probeTimeout(t: Tcb): Nanos {
  const base = t.rtt.rto > t.params.minRto ? t.rtt.rto : t.params.minRto;
  const when = base * 2 ** Math.min(t.persistBackoff, 30);
  return when < t.params.maxRto ? when : t.params.maxRto;
}

/**
 * Resends the first unacknowledged segment without moving SND.NXT (fast retransmit, RFC 5681
 * 3.2, and NewReno partial ACKs, RFC 6582 3.2 step 5).
 */
export function retransmitHead(t: Tcb, now: Nanos): void {
  const seq = t.sndUna;
  const sentData = seqSub(t.finSent ? t.writeSeq : t.sndMax, seq);
  let len = sentData <= 0 ? 0 : sentData < segmentSize(t) ? sentData : segmentSize(t);
  const recordEnd = nextRecordEnd(t, seq);
  if (recordEnd >= 0 && seqSub(recordEnd, seq) < len) len = seqSub(recordEnd, seq);
  const fin = t.finSent && (seq + len) >>> 0 === t.writeSeq;
  if (len === 0 && !fin) return;
  transmitData(t, seq, len, fin, now, false);
}
