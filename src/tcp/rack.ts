/**
 * RACK loss detection (RFC 8985 6, Linux net/ipv4/tcp_recovery.c): a segment is lost when a
 * segment sent after it has been delivered (cumulatively ACKed or SACKed) and more than one
 * RTT plus a reordering window has passed since it was sent. Time, not duplicate-ACK counting,
 * decides; a lost retransmission is detected the same way as a lost original.
 *
 * Linux's choices, kept here: the reordering window is a quarter of min_rtt (capped at SRTT),
 * zero while no reordering has been seen and either recovery is under way or tcp_reordering
 * segments are SACKed (so the first loss in order still goes after three SACKs); a segment
 * whose delivery is ambiguous (retransmitted, delivered in less than min_rtt) does not advance
 * RACK; what is not yet due arms the reordering timer (ICSK_TIME_REO_TIMEOUT) for the latest
 * deadline plus TCP_TIMEOUT_MIN. Only SACK connections use RACK (tcp_identify_packet_loss).
 *
 * Also here, because RACK reads them: marking SACKed segments from the ACK's blocks
 * (tcp_sacktag_one), DSACK detection (RFC 2883, tcp_check_dsack) and reordering detection
 * (tcp_check_sack_reordering: a segment never retransmitted delivered below the highest SACK).
 */
import type { Nanos } from '../sim/time.ts';
import { TIMEOUT_MIN } from './rtt.ts';
import { SEG_EVER_RETRANS, SEG_LOST, SEG_RETRANS, SEG_SACKED, type RtxQueue } from './rtx-queue.ts';
import { seqGe, seqGt, seqLe, seqLt, seqSub } from './seq.ts';
import type { Tcb } from './tcb.ts';
import { tickNs, timerExpiry } from './timer-wheel.ts';

/** Linux sysctl_tcp_max_reordering. */
export const MAX_REORDERING = 300;

/** Linux tcp_skb_sent_after: sent later, or at the same time with a higher end sequence. */
function sentAfter(t1: Nanos, t2: Nanos, seq1: number, seq2: number): boolean {
  return t1 > t2 || (t1 === t2 && seqGt(seq1, seq2));
}

/** Where the k-th queued segment starts: the end of the one before, or SND.UNA for the head. */
function startAt(q: RtxQueue, k: number, una: number): number {
  return k === 0 ? una : q.endAt(k - 1);
}

/**
 * Linux tcp_rack_advance: a segment with marks `marks`, ending at `end`, last sent at `xmit`,
 * was delivered. RACK moves to it when it was sent after RACK's current segment.
 */
export function rackAdvance(t: Tcb, marks: number, end: number, xmit: Nanos, now: Nanos): void {
  const rtt = now - xmit;
  // The original or a retransmission may have been delivered: one that comes back sooner than
  // min_rtt after the retransmission must be the original (RFC 8985 6.2 step 2). Linux tests
  // rtt < min_rtt in microseconds, where the host's own processing makes an exact tie rare; in
  // the simulation a path without queueing gives the tie every time, and it is just as
  // ambiguous, so a tie counts as the original too.
  if ((marks & SEG_EVER_RETRANS) !== 0 && rtt <= t.rtt.minRtt) return;
  t.rackAdvanced = true;
  t.rackRtt = rtt;
  if (t.rackXmit < 0 || sentAfter(xmit, t.rackXmit, end, t.rackEnd)) {
    t.rackXmit = xmit;
    t.rackEnd = end;
  }
}

/**
 * Linux tcp_rack_reo_wnd (RFC 8985 6.2 step 4): min_rtt/4 times reo_wnd_steps (grown by DSACKs,
 * rackUpdateReoWnd), at most SRTT; zero while no reordering has been seen and either recovery or
 * loss (ca_state >= Recovery) is under way or tcp_reordering segments are SACKed.
 */
export function rackReoWnd(t: Tcb): Nanos {
  if (t.reordSeen === 0) {
    // No reordering seen: be aggressive in recovery, or once DupThresh segments are SACKed.
    if (t.inRecovery || t.inLoss) return 0;
    if (t.rtxq.sackedOut >= t.reordering) return 0;
  }
  const minRtt = t.rtt.minRtt === Infinity ? 0 : t.rtt.minRtt;
  const wnd = Math.floor(minRtt / 4) * t.rackReoWndSteps;
  return wnd < t.rtt.srtt ? wnd : Math.floor(t.rtt.srtt);
}

/** Linux TCP_RACK_RECOVERY_THRESH: recoveries a widened reordering window lasts. */
export const RACK_RECOVERY_THRESH = 16;

/**
 * Linux tcp_rack_update_reo_wnd (RFC 8985 6.2 steps 1-3), on every ACK that delivered data: a
 * DSACK seen since the last ACK suggests a repair was spurious because the reordering window
 * was too small, so it grows by one step of min_rtt/4 (at most once per round trip: a DSACK
 * answering data sent before the last step is disregarded, Linux's prior_delivered test done
 * with send times) and persists for 16 recoveries; once they have passed it is one step again.
 */
export function rackUpdateReoWnd(t: Tcb, now: Nanos): void {
  if (t.rackXmit < t.rackReoWndStamp) t.rackDsackSeen = false;
  if (t.rackDsackSeen) {
    if (t.rackReoWndSteps < 255) t.rackReoWndSteps++;
    t.rackDsackSeen = false;
    t.rackReoWndStamp = now;
    t.rackReoWndPersist = RACK_RECOVERY_THRESH;
  } else if (t.rackReoWndPersist === 0) {
    t.rackReoWndSteps = 1;
  }
}

/** Linux tcp_try_undo_dsack: a recovery undone by DSACKs keeps the widened window one recovery longer. */
export function rackUndoPersist(t: Tcb): void {
  if (t.rackReoWndPersist < RACK_RECOVERY_THRESH) t.rackReoWndPersist++;
}

/** Linux tcp_mark_skb_lost for the k-th segment: a retransmission in flight is lost too. */
function markLost(q: RtxQueue, k: number): void {
  let m = q.marksAt(k);
  if ((m & SEG_RETRANS) !== 0) {
    m &= ~SEG_RETRANS;
    q.retransOut--;
  }
  if ((m & (SEG_LOST | SEG_SACKED)) === 0) {
    m |= SEG_LOST;
    q.lostOut++;
  }
  q.setMarks(k, m);
}

/**
 * Linux tcp_rack_detect_loss (RFC 8985 6.2 step 5): marks lost every segment not SACKed, sent
 * before RACK's segment, whose RTT plus the reordering window has passed. Returns the longest
 * time one of the others still has to wait (0 when none).
 */
export function rackDetectLoss(t: Tcb, now: Nanos): Nanos {
  const q = t.rtxq;
  const reoWnd = rackReoWnd(t);
  let wait = 0;
  for (let k = 0; k < q.size; k++) {
    const m = q.marksAt(k);
    if ((m & SEG_SACKED) !== 0) continue;
    // Marked lost and not yet resent: nothing more to learn about it.
    if ((m & SEG_LOST) !== 0 && (m & SEG_RETRANS) === 0) continue;
    const xmit = q.xmitAt(k);
    const end = q.endAt(k);
    // A retransmission sent this very instant left after the segment RACK just saw delivered
    // (that one was sent, and SACKed, before the ACK that caused the retransmission): in Linux
    // its timestamp is the later one. Only a zero-time delivery (a packetdrill ACK at +0) makes
    // the simulated clocks tie here.
    if (xmit === now && (m & SEG_RETRANS) !== 0) continue;
    if (!sentAfter(t.rackXmit, xmit, t.rackEnd, end)) continue;
    const remaining = t.rackRtt + reoWnd - (now - xmit);
    if (remaining <= 0) markLost(q, k);
    else if (remaining > wait) wait = remaining;
  }
  return wait;
}

/**
 * Linux tcp_rack_mark_lost: after RACK advanced, scan; arm the reordering timer for what is not
 * yet due. Returns whether the timer was armed (the ACK then leaves the RTO alone).
 */
export function rackMarkLost(t: Tcb, now: Nanos): boolean {
  if (!t.rackAdvanced) return false;
  t.rackAdvanced = false;
  const wait = rackDetectLoss(t, now);
  if (wait <= 0) return false;
  const p = t.params;
  const slack = p.timers === 'exact' ? TIMEOUT_MIN : 2 * tickNs(p.hz);
  t.rtoAt = timerExpiry(p, now, wait + slack);
  t.rtoIsReo = true;
  t.rtoIsProbe = false;
  return true;
}

/**
 * Linux tcp_rearm_rto after a probe or reordering timeout: the RTO counts from the head's last
 * transmission (tcp_rto_delta_us), at least 1 ns away; nothing when nothing is outstanding.
 * Called from the retransmission timer's callback (the wheel's re-arm case, timer-wheel.ts).
 */
export function rearmRto(t: Tcb, now: Nanos): void {
  t.rtoIsReo = false;
  t.rtoIsProbe = false;
  if (t.sndUna === t.sndMax) {
    t.rtoAt = Infinity;
    return;
  }
  let delay = t.rtt.rto;
  if (t.rtxq.size > 0) {
    const left = t.rtxq.xmitAt(0) + t.rtt.rto - now;
    delay = left > 1 ? left : 1;
  }
  t.rtoAt = timerExpiry(t.params, now, delay, true);
}

/**
 * Linux tcp_sacktag_write_queue for one ACK's blocks: sets the ACK's DSACK flag (RFC 2883 4:
 * the first block below the cumulative ACK, or inside the second block), marks every queued
 * segment a block covers whole as SACKed (dropping its lost and retransmitted marks), advances
 * RACK to each. Called before the scoreboard takes the blocks; returns the lowest start of a
 * segment never retransmitted newly SACKed below the highest SACK so far (reordering, for
 * checkReordering once the scoreboard is updated), or SND.MAX when none.
 */
export function sackTag(t: Tcb, blocks: ReadonlyArray<readonly [number, number]>, ack: number, now: Nanos): number {
  const q = t.rtxq;
  if (blocks.length > 0) {
    const [s0, e0] = blocks[0]!;
    const una = seqGt(ack, t.sndUna) ? ack : t.sndUna;
    t.ackDsack = seqLe(e0, una) || (blocks.length > 1 && seqGe(s0, blocks[1]![0]) && seqLe(e0, blocks[1]![1]));
  }
  if (q.size === 0) return t.sndMax;
  const priorFack = fack(t);
  let reord = t.sndMax;
  for (let b = 0; b < blocks.length; b++) {
    const s = blocks[b]![0];
    const e = blocks[b]![1];
    if (!seqLt(s, e) || seqGt(e, t.sndMax) || !seqGt(e, t.sndUna)) continue;
    let k = q.indexAfter(s);
    for (; k < q.size; k++) {
      const end = q.endAt(k);
      if (seqGt(end, e)) break;
      const start = startAt(q, k, t.sndUna);
      if (seqLt(start, s)) continue; // only part of it SACKed: Linux would split the skb
      let m = q.marksAt(k);
      if ((m & SEG_SACKED) !== 0) continue;
      if ((m & SEG_EVER_RETRANS) === 0) {
        if (seqLt(start, priorFack) && seqLt(start, reord)) reord = start;
        if (seqLe(end, t.recover)) t.ackOrig = true; // FLAG_ORIG_SACK_ACKED (tcp_sacktag_one)
      }
      if ((m & SEG_RETRANS) !== 0) q.retransOut--;
      if ((m & SEG_LOST) !== 0) q.lostOut--;
      m = (m & ~(SEG_RETRANS | SEG_LOST)) | SEG_SACKED;
      q.setMarks(k, m);
      q.sackedOut++;
      rackAdvance(t, m, end, q.xmitAt(k), now);
    }
  }
  return reord;
}

/**
 * tcp_clean_rtx_queue's part for RACK, before the cumulatively acknowledged segments leave the
 * queue: each one not SACKed before is delivered now (RACK advances), and a hole never
 * retransmitted filled below the highest SACK is reordering. `priorFack`: the highest SACKed
 * sequence before this ACK's blocks were tagged (tcp_ack's prior_fack, read before
 * tcp_sacktag_write_queue): a hole is reordering only if it lies below what was SACKed before, not
 * below what this very ACK SACKs (a plain loss whose SACK arrives with the cumulative ACK).
 */
export function rackOnCumAck(t: Tcb, ack: number, priorFack: number, now: Nanos): void {
  const q = t.rtxq;
  let reord = t.sndMax;
  for (let k = 0; k < q.size; k++) {
    const end = q.endAt(k);
    if (seqGt(end, ack)) break;
    const m = q.marksAt(k);
    if ((m & SEG_SACKED) !== 0) continue;
    if ((m & SEG_EVER_RETRANS) === 0) {
      const start = startAt(q, k, t.sndUna);
      if (seqLt(start, reord)) reord = start;
      if (seqLe(end, t.recover)) t.ackOrig = true; // FLAG_ORIG_SACK_ACKED (tcp_clean_rtx_queue)
    }
    rackAdvance(t, m, end, q.xmitAt(k), now);
  }
  if (reord !== t.sndMax && seqLt(reord, priorFack)) checkReordering(t, reord);
}

/** Linux tcp_highest_sack_seq: the end of the highest SACKed segment, or SND.UNA. */
export function fack(t: Tcb): number {
  return t.sack === null || t.rtxq.sackedOut === 0 ? t.sndUna : t.sack.highSacked(t.sndUna);
}

/** Linux tcp_check_sack_reordering: `low` was delivered out of order; grow tcp_reordering to the distance. */
export function checkReordering(t: Tcb, low: number): void {
  if (low === t.sndMax) return;
  const f = fack(t);
  if (!seqLt(low, f)) return;
  const metric = seqSub(f, low);
  if (metric > t.reordering * t.mss) {
    const r = Math.ceil(metric / t.mss);
    t.reordering = r < MAX_REORDERING ? r : MAX_REORDERING;
  }
  t.reordSeen++;
}
