/**
 * The ACK field in synchronized states (RFC 9293 3.10.7.4 fifth check, RFC 5961 5.2): SND.UNA
 * advances, the send window is updated (SND.WL1/WL2), RTT samples are taken (Karn, RFC 7323
 * timestamps), duplicate ACKs drive fast retransmit and NewReno fast recovery (RFC 5681, 6582).
 */
import { MS, type Nanos } from '../sim/time.ts';
import { FIN, SYN, type Segment } from '../wire/segment.ts';
import { TcpState } from './api.ts';
import { sendOowAck } from './output.ts';
import { isCwndLimited, output, retransmitHead } from './send.ts';
import { seqGe, seqGt, seqLe, seqLt, seqSub } from './seq.ts';
import { streamWritable } from './send-space.ts';
import { EV_WRITABLE, type Tcb } from './tcb.ts';
import { chronoStop, CHRONO_BUSY, CHRONO_SNDBUF_LIMITED } from './chrono.ts';
import { scheduleLossProbe, tlpAcked } from './tlp.ts';
import { tsValue } from './window.ts';
import {
  exitSackRecovery,
  inSackRecovery,
  lossAck,
  sackAlert,
  sackDubious,
  sackRecoveryStep,
  sackUpdate,
} from './sack-recovery.ts';
import { fack, rackOnCumAck, rackUpdateReoWnd } from './rack.ts';
import { processLoss, REXMIT_LOST, REXMIT_NEW } from './frto.ts';
import { tryUndoRecovery } from './undo.ts';
import { sndBufOnAck } from './buffers.ts';
import { timerExpiry } from './timer-wheel.ts';

/** The SACK marks and queue length before the ACK being processed (plain module state: no allocation per ACK). */
let sackedBefore = 0;
let queuedBefore = 0;
/** tcp_ack's prior_fack: the highest SACKed sequence before this ACK's blocks are tagged. */
let priorFack = 0;

/** RFC 5681 3.2: duplicate ACKs before fast retransmit (Linux tcp_reordering). */
export const DUPACK_THRESHOLD = 3;

/**
 * Processes SEG.ACK. Returns false when the segment must be dropped (an ACK for data never sent,
 * or older than the window: RFC 5961 5.2); an answering ACK has then been sent.
 */
export function processAck(t: Tcb, seg: Segment, now: Nanos): boolean {
  const ack = seg.ack;
  if (seqGt(ack, t.sndMax)) {
    // RFC 9293 3.10.7.4: an ACK for something not yet sent: send an ACK, drop the segment.
    // Linux answers so in the closing states (tcp_rcv_state_process: challenge ACK) but drops it
    // silently in ESTABLISHED (tcp_rcv_established: tcp_ack < 0 goes to discard).
    if (t.state !== TcpState.ESTABLISHED || t.params.profile !== 'linux') sendOowAck(t, seg, now, true);
    return false;
  }
  if (seqLt(ack, (t.sndUna - t.maxSndWnd) >>> 0)) {
    // RFC 5961 5.2: too old to be a duplicate: challenge ACK.
    sendOowAck(t, seg, now, true);
    return false;
  }
  // Something answered: probes are not unanswered any more (Linux tcp_ack clears probes_out).
  t.probesOut = 0;
  t.errSoft = null; // and an earlier ICMP error no longer stands (tcp_ack clears sk_err_soft)
  const blocks = t.sackOk && seg.options !== null ? seg.options.sack : undefined;
  t.ackDsack = false;
  t.ackOrig = false;
  // Linux rx_opt.rcv_tsecr, for Eifel detection (undo.ts).
  const ts = t.tsOk && seg.options !== null ? seg.options.timestamp : undefined;
  t.ackTsecr = ts !== undefined ? ts.ecr : 0;
  // Linux counts delivery in segments (tp->delivered): queued segments newly SACKed or newly
  // acknowledged without having been SACKed before.
  sackedBefore = t.rtxq.sackedOut;
  queuedBefore = t.rtxq.size;
  priorFack = t.sack !== null ? fack(t) : t.sndUna;
  const newlySacked = blocks !== undefined ? sackUpdate(t, blocks, ack, now) : 0;
  if (seqLe(ack, t.sndUna)) {
    if (ack === t.sndUna) {
      const win = seg.window * 2 ** t.sndWscale;
      const dup = seg.len === 0 && (seg.flags & (SYN | FIN)) === 0 && win === t.sndWnd && seqGt(t.sndMax, t.sndUna);
      updateWindow(t, seg);
      if (t.tlpActive) tlpAcked(t, ack, false, dup && newlySacked === 0);
      // RFC 6675 2: an ACK that SACKs new data counts as a duplicate whatever else it carries.
      if (newlySacked > 0) {
        t.delivered += Math.max(0, t.rtxq.sackedOut - sackedBefore); // tcp_sacktag_write_queue
        rackUpdateReoWnd(t, now);
      }
      if (dup || newlySacked > 0) duplicateAck(t, now, newlySacked, dup && !t.ackDsack);
    }
    return true;
  }
  newAck(t, seg, now, newlySacked);
  updateWindow(t, seg);
  return true;
}

/** RFC 9293 3.10.7.4: update the send window from an acceptable ACK that is not older than the last update. */
export function updateWindow(t: Tcb, seg: Segment): void {
  if (seqLt(t.sndWl1, seg.seq) || (t.sndWl1 === seg.seq && seqLe(t.sndWl2, seg.ack))) {
    const opened = t.sndWnd === 0;
    t.sndWnd = seg.window * 2 ** t.sndWscale;
    t.sndWl1 = seg.seq;
    t.sndWl2 = seg.ack;
    if (t.sndWnd > t.maxSndWnd) t.maxSndWnd = t.sndWnd;
    if (opened && t.sndWnd > 0) {
      // Linux tcp_ack_probe: the window opened, the persist timer and its backoff go.
      t.persistAt = Infinity;
      t.persistBackoff = 0;
      t.probesStamp = -1;
    }
  }
}

/** `pure`: a duplicate carrying nothing else, no DSACK either (Linux num_dupack). */
function duplicateAck(t: Tcb, now: Nanos, newlySacked: number, pure: boolean): void {
  t.dupAcks++;
  if (inSackRecovery(t)) {
    sackRecoveryStep(t, t.rtxq.sackedOut - sackedBefore, false, now);
    return;
  }
  if (t.inLoss) {
    if (processLoss(t, false, newlySacked > 0, pure) === REXMIT_LOST) lossAck(t, now);
    return;
  }
  if (t.sack !== null) {
    // A SACK connection: RACK decides (rack.ts); the SACKed segments have left the network, so
    // the send loop's in-flight count lets new data out (Linux's form of RFC 3042).
    const delivered = t.rtxq.sackedOut - sackedBefore;
    if (!sackAlert(t, delivered, false, now)) {
      // Linux tcp_may_raise_cwnd: with more reordering seen than tcp_reordering, any delivery
      // grows cwnd (FLAG_FORWARD_PROGRESS), not only one that moves SND.UNA.
      if (delivered > 0 && t.reordering > DUPACK_THRESHOLD) t.cc.onAck(delivered, isCwndLimited(t), now);
      output(t, now);
    }
    return;
  }
  if (t.inRecovery) {
    // RFC 5681 3.2 step 4: every further duplicate inflates cwnd by one segment.
    t.cc.onRecoveryDupAck();
    output(t, now);
    return;
  }
  if (t.dupAcks === DUPACK_THRESHOLD) {
    // RFC 6582 3.2 step 2: only when the ACK covers more than "recover" (no new recovery for
    // losses from the window already being recovered, e.g. after an RTO).
    if (!seqGt(t.sndUna, t.recover)) return;
    t.cc.enterRecovery(t.packetsOut);
    t.recover = t.sndMax;
    t.inRecovery = true;
    retransmitHead(t, now);
    output(t, now);
    return;
  }
  if (t.dupAcks < DUPACK_THRESHOLD) {
    // RFC 3042 limited transmit: one new segment for each of the first two duplicates.
    output(t, now, false, t.dupAcks);
  }
}

function newAck(t: Tcb, seg: Segment, now: Nanos, newlySacked: number): void {
  const ack = seg.ack;
  const prevUna = t.sndUna;
  const bufferedBefore = t.sendBuffered;
  // RACK and reordering read the queue as it was (rack.ts): before SND.UNA moves.
  if (t.sack !== null) rackOnCumAck(t, ack, priorFack, now);
  t.sndUna = ack;
  if (t.sack !== null) rackUpdateReoWnd(t, now);
  if (t.sack !== null) t.sack.prune(ack);
  if (seqLt(t.sndNxt, ack)) t.sndNxt = ack;
  const freed = bufferedBefore - t.sendBuffered;
  t.bytesAckedTotal += freed;
  // Linux tcp_clean_rtx_queue: nothing left in flight stops the busy clock (if nothing is unsent).
  if (!seqLt(t.sndUna, t.sndMax)) chronoStop(t, CHRONO_BUSY, now);

  // RTT: the oldest newly acknowledged segment, unless retransmitted data is covered (Karn,
  // RFC 6298 3); otherwise the timestamp echo, which is unambiguous (RFC 7323 4.1).
  const oldest = t.rtxq.ackUpTo(ack);
  const coversRetransmitted = seqGt(t.retxHigh, prevUna);
  // The congestion control's sample is the newest segment's (Linux ca_rtt_us), same rules.
  let caRtt = -1;
  if (oldest >= 0 && !coversRetransmitted) {
    t.rtt.sample(now - oldest);
    caRtt = now - t.rtxq.newestAckedSentAt;
  } else if (t.tsOk && seg.options !== null && seg.options.timestamp !== undefined && seg.options.timestamp.ecr !== 0) {
    const ms = seqSub(tsValue(t.tsOffset, now), seg.options.timestamp.ecr);
    if (ms >= 0) {
      t.rtt.sample(ms * MS);
      caRtt = ms * MS;
    }
  }
  t.cc.onAckSample(t, caRtt, now);
  if (!seqGt(t.retxHigh, ack)) t.retransStamp = -1;
  t.retransmits = 0;

  let acked = Math.ceil(seqSub(ack, prevUna) / t.mss);
  let delivered = acked + Math.ceil(newlySacked / t.mss);
  if (t.sack !== null) {
    // tcp_cong_control grows cwnd by acked_sacked: what was SACKed earlier was counted then.
    delivered = queuedBefore - t.rtxq.size + t.rtxq.sackedOut - sackedBefore;
    acked = delivered;
  }
  t.delivered += delivered; // TCP_INFO tcpi_delivered
  // Linux tcp_ack: tcp_process_tlp_ack comes before loss recovery and tcp_cong_control.
  if (t.tlpActive) tlpAcked(t, ack, true, false);
  let reoArmed = false;
  if (inSackRecovery(t)) {
    if (seqGe(ack, t.recover)) {
      // tcp_try_undo_recovery: the repairs were not needed (all DSACKed, or Eifel), the window
      // goes back; else ssthresh (tcp_end_cwnd_reduction).
      exitSackRecovery(t);
      tryUndoRecovery(t);
    } else {
      sackRecoveryStep(t, delivered, true, now);
      reoArmed = t.rtoIsReo;
    }
  } else if (t.inRecovery) {
    if (seqGe(ack, t.recover)) {
      t.inRecovery = false;
      t.dupAcks = 0;
      t.cc.exitRecovery(t.packetsOut);
    } else {
      // RFC 6582 3.2 step 5: a partial ACK: the next hole is lost too.
      retransmitHead(t, now);
      t.cc.onPartialAck(acked);
    }
  } else {
    t.dupAcks = 0;
    // tcp_ack: a dubious ACK goes through tcp_fastretrans_alert (the Loss state's F-RTO and
    // undo, frto.ts; RACK, maybe recovery) before tcp_cong_control, which grows cwnd only
    // outside a window reduction; then tcp_xmit_recovery sends what the Loss state asked for.
    t.rtoIsReo = false;
    const rexmit = t.inLoss ? processLoss(t, true, newlySacked > 0, false) : REXMIT_LOST;
    if (!sackDubious(t, newlySacked) || !sackAlert(t, delivered, true, now)) t.cc.onAck(acked, isCwndLimited(t), now);
    reoArmed = t.rtoIsReo;
    if (t.inLoss) {
      if (rexmit === REXMIT_NEW) {
        // F-RTO step 2b: new data first; if none could go, conventional recovery.
        output(t, now);
        if (!seqGt(t.sndNxt, t.recover)) {
          t.frto = false;
          lossAck(t, now);
        }
      } else if (rexmit === REXMIT_LOST) {
        lossAck(t, now);
      }
    }
  }
  // Linux tcp_try_to_open: back in the open state with no repair outstanding, Eifel's stamp goes.
  if (t.retransTs >= 0 && !t.inLoss && !t.inRecovery && !seqGt(t.retxHigh, t.sndUna)) t.retransTs = -1;

  // RFC 6298 5.2/5.3: stop the timer when everything is acknowledged, else restart it (as a
  // tail-loss-probe timeout where that applies).
  // When RACK armed its reordering timer on this ACK it stays (Linux clears FLAG_SET_XMIT_TIMER).
  if (!reoArmed) {
    t.rtoIsProbe = t.rtoIsReo = false;
    if (t.sndUna === t.sndMax) t.rtoAt = Infinity;
    else if (!scheduleLossProbe(t, now)) t.rtoAt = timerExpiry(t.params, now, t.rtt.rto);
  }
  t.persistAt = Infinity;

  // With skb accounting this happens after the ACK's sends (Connection.checkSpace), as Linux's.
  if (t.params.skbTruesize > 0) return;
  if (freed > 0) sndBufOnAck(t);
  // Linux tcp_check_space / sk_stream_write_space: a writer that found no room hears of it once
  // the socket is writable again.
  if (t.sendBlocked && freed > 0 && streamWritable(t)) {
    t.sendBlocked = false;
    chronoStop(t, CHRONO_SNDBUF_LIMITED, now);
    t.notify(EV_WRITABLE);
  }
}
