/**
 * Undoing a window reduction that was not needed (Linux tcp_input.c: tcp_init_undo,
 * tcp_may_undo, tcp_packet_delayed, tcp_undo_cwnd_reduction, tcp_try_undo_dsack /
 * _recovery / _loss). A recovery episode or an RTO records where it began (undo_marker), the
 * window it reduced (prior_cwnd, prior_ssthresh) and how many repairs it sent (undo_retrans);
 * the reduction goes back when every repair is shown unneeded: each DSACKed (RFC 2883, RFC 3708),
 * or an ACK echoing a timestamp older than the first repair (Eifel detection, RFC 3522), which
 * proves the original arrived, or F-RTO (frto.ts, RFC 5682) finds the timeout spurious.
 * SACK connections only: the NewReno path (ack.ts) keeps RFC 6582's window.
 */
import type { Tcb } from './tcb.ts';
import { seqGt, seqLt } from './seq.ts';
import { rackUndoPersist } from './rack.ts';

/**
 * Linux tcp_init_undo with the prior_ssthresh its callers record (tcp_current_ssthresh: ssthresh
 * itself during a window reduction, else at least 3/4 of cwnd). Called once the segments are
 * marked, so undo_retrans starts from the repairs still in flight (-1: none).
 */
export function initUndo(t: Tcb, inReduction: boolean): void {
  const cc = t.cc;
  t.undoActive = true;
  t.undoMarker = t.sndUna;
  t.undoRetrans = t.rtxq.retransOut > 0 ? t.rtxq.retransOut : -1;
  t.undoCwnd = cc.cwnd;
  const threeQuarters = (cc.cwnd >> 1) + (cc.cwnd >> 2);
  t.priorSsthresh = inReduction ? cc.ssthresh : Math.max(cc.ssthresh, threeQuarters);
}

/**
 * Linux tcp_check_dsack's counting (RFC 2883 with RFC 3708's idea): a DSACK for data at or
 * above the undo marker shows one retransmission was not needed.
 */
export function dsackUndoCount(t: Tcb, end: number): void {
  if (t.undoActive && t.undoRetrans > 0 && seqGt(end, t.undoMarker)) t.undoRetrans--;
}

/** A repair went out (Linux tcp_retransmit_skb): counted for undo, and the first one's TS clock kept for Eifel. */
export function repairSent(t: Tcb, tsNow: number): void {
  if (t.undoActive) t.undoRetrans = (t.undoRetrans < 0 ? 0 : t.undoRetrans) + 1;
  if (t.retransTs < 0) t.retransTs = tsNow;
}

/**
 * Linux tcp_packet_delayed (Eifel detection, RFC 3522 with timestamps): the ACK echoes a TS value
 * from before the first repair, so an original got through; or no repair was recorded at all.
 */
export function packetDelayed(t: Tcb): boolean {
  if (t.retransTs < 0) return true;
  return t.ackTsecr !== 0 && seqLt(t.ackTsecr, t.retransTs);
}

/** Linux tcp_may_undo: a reduction is on record and every repair was DSACKed, or the ACK proves the originals arrived. */
export function mayUndo(t: Tcb): boolean {
  return t.undoActive && (t.undoRetrans === 0 || packetDelayed(t));
}

/**
 * Linux tcp_undo_cwnd_reduction: cwnd back to at least its value before (tcp_reno_undo_cwnd,
 * which CUBIC uses too), ssthresh back if it was higher; after an RTO (`unmarkLoss`) nothing is
 * considered lost any more. RACK re-examines the queue on the next ACK.
 */
export function undoCwndReduction(t: Tcb, unmarkLoss: boolean): void {
  if (unmarkLoss) t.rtxq.clearLost();
  const cc = t.cc;
  if (cc.cwnd < t.undoCwnd) cc.cwnd = t.undoCwnd;
  if (t.priorSsthresh > cc.ssthresh) cc.ssthresh = t.priorSsthresh;
  t.undoActive = false;
  t.rackAdvanced = true;
  t.undos++;
}

/**
 * Linux tcp_try_undo_dsack: every repair of the episode was DSACKed, so the reduction was for
 * reordering, not loss: the window goes back, a recovery in progress ends, and RACK keeps a
 * wider reordering window for the next recoveries (tcp_rack_update_reo_wnd's persist count).
 */
export function tryUndoDsack(t: Tcb): boolean {
  if (!t.undoActive || t.undoRetrans !== 0) return false;
  rackUndoPersist(t);
  undoCwndReduction(t, false);
  if (t.inRecovery && t.sack !== null && t.sack.active) {
    t.sack.active = false;
    t.inRecovery = false;
    t.dupAcks = 0;
  }
  return true;
}

/**
 * Linux tcp_try_undo_recovery, when SND.UNA reaches the end of a recovery or loss episode: undo
 * if may (the repairs were unneeded), else the episode counts against RACK's widened window.
 */
export function tryUndoRecovery(t: Tcb): void {
  if (mayUndo(t)) undoCwndReduction(t, false);
  else if (t.rackReoWndPersist > 0) t.rackReoWndPersist--;
}

/**
 * Linux tcp_try_undo_loss: in the Loss state after an RTO, the ACK shows the timeout spurious
 * (F-RTO's verdict, `frtoUndo`) or may undo: cwnd and ssthresh go back, nothing stays lost, the
 * RTO backoff count restarts and the connection is open again.
 */
export function tryUndoLoss(t: Tcb, frtoUndo: boolean): boolean {
  if (!frtoUndo && !mayUndo(t)) return false;
  undoCwndReduction(t, true);
  if (frtoUndo) t.spuriousRtos++;
  t.retransmits = 0;
  t.inLoss = false;
  t.frto = false;
  return true;
}
