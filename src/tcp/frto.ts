/**
 * The Loss state after a retransmission timeout on a SACK connection, as Linux runs it
 * (tcp_enter_loss, tcp_process_loss), with F-RTO (RFC 5682 section 3.1, the SACK-enhanced
 * algorithm, net.ipv4.tcp_frto) and undo (undo.ts):
 *  - entering (step 1): the window is reduced only once per episode (not again on a backed-off
 *    RTO of the same one), the reduction is recorded for undo, F-RTO runs unless the timeout
 *    came in the middle of a fast recovery;
 *  - the first ACK advancing SND.UNA (step 2b) sends up to two new segments instead of more
 *    repairs (cwnd has grown to 2 by then), `recover` moves to SND.NXT;
 *  - the next ACK (step 3): if it acknowledges or SACKs data never retransmitted and sent before
 *    `recover`, the timeout was spurious and the window goes back (tcp_try_undo_loss); if it is
 *    a duplicate or SACKs new data only, the loss was real and conventional recovery goes on;
 *  - without F-RTO an ACK can still undo: Eifel detection by timestamps (tcp_packet_delayed), or
 *    every repair DSACKed.
 */
import { seqGt, seqLt } from './seq.ts';
import type { Tcb } from './tcb.ts';
import { initUndo, tryUndoLoss, tryUndoRecovery } from './undo.ts';
import type { Nanos } from '../sim/time.ts';

/** What the ACK's sends should be (Linux REXMIT_NONE / REXMIT_LOST / REXMIT_NEW). */
export const REXMIT_NONE = 0;
export const REXMIT_LOST = 1;
export const REXMIT_NEW = 2;

/**
 * Linux tcp_enter_loss up to the state change, for a SACK connection's RTO: every segment not
 * SACKed is lost; ssthresh is recomputed (and the reduction recorded for undo) unless this RTO
 * continues an episode already reduced; cwnd = in flight + 1; F-RTO on unless the RTO broke into
 * a fast recovery (only a backed-off RTO of the same episode runs it again).
 */
export function enterLossWindow(t: Tcb, now: Nanos): void {
  const open = !t.inRecovery && !t.inLoss;
  const reduce = open || !seqGt(t.recover, t.sndUna) || (t.inLoss && t.retransmits === 0);
  t.rtxq.markUnsackedLost();
  if (reduce) initUndo(t, t.inRecovery);
  t.cc.onTimeout(t.packetsOut, t, now, reduce);
  t.frto = t.params.frto > 0 && (open || t.retransmits > 0);
}

/**
 * Linux tcp_process_loss for an ACK in the Loss state, before the window grows: may undo, runs
 * F-RTO's steps 2b and 3, ends the state once SND.UNA reaches `recover`. `unaAdvanced`: the ACK
 * moved SND.UNA; `dataSacked`: it SACKed new data; `dupack`: a pure duplicate (Linux num_dupack).
 * Returns what the ACK's sends should be.
 */
export function processLoss(t: Tcb, unaAdvanced: boolean, dataSacked: boolean, dupack: boolean): number {
  const recovered = !seqLt(t.sndUna, t.recover);
  if (unaAdvanced && tryUndoLoss(t, false)) return REXMIT_NONE;
  if (t.frto) {
    // Step 3b: data never retransmitted was delivered: not everything was lost.
    if (t.ackOrig && tryUndoLoss(t, true)) return REXMIT_NONE;
    if (seqGt(t.sndNxt, t.recover)) {
      if (dataSacked || dupack) t.frto = false; // step 3a: the loss was real
    } else if (unaAdvanced && !recovered) {
      // Step 2b: send new data (after tcp_ack has grown cwnd) rather than repairs.
      t.recover = t.sndNxt;
      if (seqLt(t.sndNxt, t.writeSeq) && seqGt((t.sndUna + t.sndWnd) >>> 0, t.sndNxt)) return REXMIT_NEW;
      t.frto = false;
    }
  }
  if (recovered) {
    // Step 2a and the first part of 3a: the episode is over.
    tryUndoRecovery(t);
    t.inLoss = false;
    return REXMIT_NONE;
  }
  return REXMIT_LOST;
}
