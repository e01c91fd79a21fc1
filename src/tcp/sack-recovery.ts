/**
 * Loss recovery on SACK connections as Linux does it (tcp_fastretrans_alert with RACK): RACK
 * (rack.ts, RFC 8985) marks segments lost; recovery starts once one is (tcp_time_to_recover:
 * lost_out), and repairs exactly the segments marked lost, in sequence order, while the packets
 * in flight (packets_out − sacked_out − lost_out + retrans_out) stay below cwnd
 * (tcp_xmit_retransmit_queue); new data follows. The window during recovery is set by
 * Proportional Rate Reduction (RFC 6937, in Linux's tcp_cwnd_reduction form: cwnd = in flight +
 * sndcnt on every ACK, counted in segments). Recovery ends when SND.UNA reaches the highest
 * sequence sent at its start; cwnd is then ssthresh (tcp_end_cwnd_reduction). Connections without
 * SACK keep NewReno (ack.ts).
 */
import type { Nanos } from '../sim/time.ts';
import { transmitData } from './output.ts';
import { pacingHolds } from './pacing.ts';
import { checkReordering, rackDetectLoss, rackMarkLost, rearmRto, sackTag } from './rack.ts';
import { SEG_JOINS_NEXT, SEG_LOST, SEG_RETRANS, SEG_SACKED } from './rtx-queue.ts';
import { tsoMaxSegs } from './tso.ts';
import { SackScoreboard } from './sack-scoreboard.ts';
import { dsackUndoCount, initUndo, repairSent, tryUndoDsack } from './undo.ts';
import { tsValue } from './window.ts';
import { nextRecordEnd, output } from './send.ts';
import { seqGt, seqLt, seqSub } from './seq.ts';
import type { Tcb } from './tcb.ts';
import { timerExpiry } from './timer-wheel.ts';

/**
 * Records the ACK's SACK blocks: the segments they cover are marked (rack.ts), the scoreboard
 * merges them; returns the bytes newly SACKed.
 */
export function sackUpdate(t: Tcb, blocks: ReadonlyArray<readonly [number, number]>, ack: number, now: Nanos): number {
  if (t.sack === null) t.sack = new SackScoreboard();
  const reord = sackTag(t, blocks, ack, now);
  if (t.ackDsack) {
    dsackUndoCount(t, blocks[0]![1]);
    t.rackDsackSeen = true; // tcp_dsack_seen
  }
  const una = seqGt(ack, t.sndUna) ? ack : t.sndUna;
  const bytes = t.sack.update(blocks, una, t.sndMax);
  checkReordering(t, reord);
  return bytes;
}

/** A SACK recovery episode is in progress. */
export function inSackRecovery(t: Tcb): boolean {
  return t.inRecovery && t.sack !== null && t.sack.active;
}

/** Linux tcp_packets_in_flight: packets_out − (sacked_out + lost_out) + retrans_out. */
export function pipe(t: Tcb): number {
  const q = t.rtxq;
  return q.size - q.sackedOut - q.lostOut + q.retransOut;
}

/**
 * Linux tcp_time_to_recover with RACK: a segment is marked lost; and not inside the window an
 * earlier recovery or RTO is still repairing (RFC 6582 "recover").
 */
export function timeToRecover(t: Tcb): boolean {
  return t.sack !== null && !t.inRecovery && t.rtxq.lostOut > 0 && seqGt(t.sndUna, t.recover);
}

/**
 * Linux tcp_ack_is_dubious for a SACK connection outside recovery: the ACK SACKed something,
 * or segments are SACKed, lost or retransmitted (the Disorder state).
 */
export function sackDubious(t: Tcb, newlySacked: number): boolean {
  if (t.sack === null) return false;
  const q = t.rtxq;
  return newlySacked > 0 || q.sackedOut > 0 || q.lostOut > 0 || q.retransOut > 0;
}

/**
 * tcp_fastretrans_alert for a dubious ACK on a SACK connection outside recovery: RACK looks for
 * losses; recovery starts when it found one (then PRR and the repairs for this ACK). Returns
 * whether recovery took the ACK (the caller then leaves cwnd alone).
 */
export function sackAlert(t: Tcb, delivered: number, unaAdvanced: boolean, now: Nanos): boolean {
  // tcp_fastretrans_alert: DSACK undo in the Open and Disorder states (Loss has its own, frto.ts).
  if (!t.inLoss) tryUndoDsack(t);
  if (seqGt(t.sndUna, t.recover)) rackMarkLost(t, now);
  if (!timeToRecover(t)) return false;
  enterSackRecovery(t);
  sackRecoveryAck(t, delivered, unaAdvanced, now);
  return true;
}

/**
 * Linux tcp_rack_reo_timeout: the reordering timer fired; what is now overdue is lost, recovery
 * starts if it had not (PRR for one delivered segment), the lost segments are resent, and the
 * timer goes back to being the RTO.
 */
export function rackReoTimeout(t: Tcb, now: Nanos): void {
  const before = pipe(t);
  rackDetectLoss(t, now);
  if (pipe(t) !== before) {
    if (!inSackRecovery(t) && seqGt(t.sndUna, t.recover) && t.sack !== null) {
      enterSackRecovery(t);
      sackRecoveryAck(t, 1, false, now);
    } else if (inSackRecovery(t)) {
      sendInRecovery(t, now);
    }
  }
  if (t.rtoAt === Infinity || t.rtoIsReo) rearmRto(t, now);
}

/**
 * Linux tcp_enter_loss's state change and the retransmission in tcp_retransmit_timer, for a SACK
 * connection (the marks and window: frto.ts enterLossWindow): the head goes out now, the other
 * lost segments as ACKs come back.
 */
export function enterLoss(t: Tcb, now: Nanos): void {
  if (t.sack !== null) t.sack.active = false;
  t.inLoss = true;
  t.recover = t.sndMax;
  if (t.rtxq.size > 0) {
    // tcp_retransmit_timer resends one segment of the head skb (tcp_retransmit_skb(.., 1)): its
    // tcp_fragment leaves the rest of that skb one of its own.
    t.rtxq.splitAfter(0);
    retransmitSegment(t, 0, now);
  } else output(t, now, true);
}

/**
 * An ACK in the Loss state (tcp_process_loss): once SND.UNA reaches the point sent before the
 * RTO the state ends; otherwise the lost segments go out in order while the packets in flight
 * stay below cwnd (which grows in slow start), then new data.
 */
export function lossAck(t: Tcb, now: Nanos): void {
  if (!seqLt(t.sndUna, t.recover)) {
    t.inLoss = false;
    return;
  }
  const q = t.rtxq;
  for (let k = 0; k < q.size && q.retransOut < q.lostOut; k++) {
    if (pipe(t) >= t.cc.cwnd) return;
    if (t.paced && pacingHolds(t, now)) return;
    if (!resendable(q.marksAt(k))) continue;
    k += retransmitSkb(t, k, t.cc.cwnd - pipe(t), now) - 1;
  }
}

/** Starts an episode (tcp_enter_recovery + tcp_init_cwnd_reduction): ssthresh from the algorithm, PRR counters at zero. */
export function enterSackRecovery(t: Tcb): void {
  const sb = t.sack!;
  initUndo(t, false);
  sb.priorCwnd = t.cc.cwnd;
  t.cc.enterRecovery(t.packetsOut);
  sb.active = true;
  sb.prrDelivered = 0;
  sb.prrOut = 0;
  sb.highRxt = t.sndUna;
  t.recover = t.sndMax;
  t.inRecovery = true;
  t.tlpActive = false; // tcp_init_cwnd_reduction: tlp_high_seq = 0
}

/** SND.UNA reached the recovery point: cwnd = ssthresh (Linux tcp_end_cwnd_reduction). */
export function exitSackRecovery(t: Tcb): void {
  const sb = t.sack!;
  sb.active = false;
  t.inRecovery = false;
  t.dupAcks = 0;
  t.cc.exitRecovery(t.packetsOut);
  t.cc.cwnd = t.cc.ssthresh;
}

/**
 * One ACK during recovery: `delivered` segments newly acknowledged or SACKed. PRR sets cwnd
 * (RFC 6937 3: proportional while pipe is above ssthresh, slow-start reduction bound below it),
 * then the send loop repairs holes and sends new data while pipe < cwnd.
 */
export function sackRecoveryAck(t: Tcb, delivered: number, unaAdvanced: boolean, now: Nanos): void {
  const sb = t.sack!;
  if (delivered > 0) {
    sb.prrDelivered += delivered;
    const inFlight = pipe(t);
    const ssthresh = t.cc.ssthresh;
    const delta = ssthresh - inFlight;
    let sndcnt: number;
    if (delta < 0) {
      sndcnt = Math.floor((ssthresh * sb.prrDelivered + sb.priorCwnd - 1) / sb.priorCwnd) - sb.prrOut;
    } else {
      sndcnt = Math.max(sb.prrDelivered - sb.prrOut, delivered);
      if (unaAdvanced) sndcnt++;
      if (sndcnt > delta) sndcnt = delta;
    }
    // Force the fast retransmit when entering recovery.
    if (sndcnt < (sb.prrOut > 0 ? 0 : 1)) sndcnt = sb.prrOut > 0 ? 0 : 1;
    t.cc.cwnd = inFlight + sndcnt;
  }
  sendInRecovery(t, now);
}

/**
 * One ACK during recovery (the Recovery case of tcp_fastretrans_alert): RACK looks for further
 * losses, then PRR and the repairs. `delivered`: segments newly acknowledged or SACKed.
 */
export function sackRecoveryStep(t: Tcb, delivered: number, unaAdvanced: boolean, now: Nanos): void {
  if (tryUndoDsack(t)) {
    output(t, now);
    return;
  }
  const lostBefore = t.rtxq.lostOut;
  rackMarkLost(t, now);
  sackRecoveryAck(t, delivered, unaAdvanced && t.rtxq.lostOut <= lostBefore, now);
}

/**
 * Linux tcp_xmit_retransmit_queue: the segments marked lost and not yet resent, in sequence
 * order, while fewer are resent than lost and the packets in flight stay below cwnd; then new
 * data as the window allows (tcp_data_snd_check). Both count towards PRR's prr_out.
 */
export function sendInRecovery(t: Tcb, now: Nanos): void {
  const sb = t.sack!;
  const q = t.rtxq;
  const before = t.segsOut;
  for (let k = 0; k < q.size && q.retransOut < q.lostOut; k++) {
    if (pipe(t) >= t.cc.cwnd) break;
    if (t.paced && pacingHolds(t, now)) break; // tcp_xmit_retransmit_queue's tcp_pacing_check
    if (!resendable(q.marksAt(k))) continue;
    k += retransmitSkb(t, k, t.cc.cwnd - pipe(t), now) - 1;
  }
  output(t, now);
  sb.prrOut += t.segsOut - before;
}

/** Marked lost, not SACKed, no resent copy in flight: tcp_xmit_retransmit_queue resends it. */
function resendable(m: number): boolean {
  return (m & SEG_LOST) !== 0 && (m & (SEG_SACKED | SEG_RETRANS)) === 0;
}

/**
 * Linux tcp_xmit_retransmit_queue's step for one skb: the lost segments from the k-th on that left
 * in one TSO packet (SEG_JOINS_NEXT; a SACK or cumulative ACK in between has cut that skb, as
 * tcp_sacktag_write_queue / tcp_trim_head do) go out again as one packet, at most `room`
 * segments (cwnd − packets in flight) and tcp_tso_segs: __tcp_retransmit_skb cuts a longer skb
 * there (tcp_fragment), the rest waiting as an skb of its own. A packet of more than one segment
 * carries PSH on its last (__tcp_transmit_skb). Returns the segments resent.
 */
function retransmitSkb(t: Tcb, k: number, room: number, now: Nanos): number {
  const q = t.rtxq;
  const max = tsoMaxSegs(t);
  const limit = room < max ? room : max;
  let n = 1;
  while (n < limit && k + n < q.size && (q.marksAt(k + n - 1) & SEG_JOINS_NEXT) !== 0 && resendable(q.marksAt(k + n)))
    n++;
  // tcp_fragment: what is left of the skb is resent apart from this packet.
  if ((q.marksAt(k + n - 1) & SEG_JOINS_NEXT) !== 0) q.splitAfter(k + n - 1);
  for (let i = 0; i < n; i++) retransmitSegment(t, k + i, now, n > 1 && i === n - 1);
  return n;
}

/**
 * Resends the k-th queued segment as it was (Linux tcp_retransmit_skb), FIN included; `push`:
 * it ends a packet of several segments (PSH forced).
 */
function retransmitSegment(t: Tcb, k: number, now: Nanos, push = false): void {
  const q = t.rtxq;
  const start = k === 0 ? t.sndUna : q.endAt(k - 1);
  const end = q.endAt(k);
  const fin = t.finSent && end === t.sndMax;
  let len = seqSub(end, start) - (fin ? 1 : 0);
  if (len < 0) len = 0;
  const recordEnd = nextRecordEnd(t, start);
  if (recordEnd >= 0 && seqLt(recordEnd, (start + len) >>> 0)) len = seqSub(recordEnd, start);
  transmitData(t, start, len, fin && seqSub(end, start) === len + 1, now, push);
  repairSent(t, tsValue(t.tsOffset, now));
  if (k === 0 && !t.rtoIsReo) {
    // tcp_xmit_retransmit_queue: resending the head restarts the RTO (a pending probe goes).
    t.rtoAt = timerExpiry(t.params, now, t.rtt.rto);
    t.rtoIsProbe = false;
  }
}
