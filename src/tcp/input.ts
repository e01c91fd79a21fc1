/**
 * The shared first step for synchronized states (RFC 9293 3.10.7.4 first to fourth checks, with
 * RFC 5961 and RFC 7323): PAWS, sequence acceptability, RST validation, SYN in a synchronized
 * state, missing ACK. TIME-WAIT has its own rules (states/time-wait.ts).
 */
import { SEC, type Nanos } from '../sim/time.ts';
import { ACK, RST, SYN, segmentSpace, type Segment } from '../wire/segment.ts';
import { currentReceiveWindow, sendOowAck } from './output.ts';
import { seqGt, seqInRange, seqLe, seqSub } from './seq.ts';
import type { Tcb } from './tcb.ts';
import { dupackDsack } from './receive.ts';
import { resetReceived } from './teardown.ts';

/** RFC 7323 5.5: TS.Recent is invalid after 24 days of idleness. */
const PAWS_IDLE: Nanos = 24 * 24 * 3600 * SEC;

/** RFC 9293 3.10.7.4 acceptability table (SEG.LEN counts SYN and FIN). */
export function sequenceAcceptable(t: Tcb, seg: Segment): boolean {
  const len = segmentSpace(seg);
  const wnd = currentReceiveWindow(t);
  const nxt = t.rcvNxt;
  if (len === 0) return wnd === 0 ? seg.seq === nxt : seqInRange(seg.seq, nxt, (nxt + wnd) >>> 0);
  if (wnd === 0) return false;
  const edge = (nxt + wnd) >>> 0;
  return seqInRange(seg.seq, nxt, edge) || seqInRange((seg.seq + len - 1) >>> 0, nxt, edge);
}

/** RFC 7323 5.3 PAWS (Linux tcp_paws_discard, one tick of slack): an old timestamp means an old duplicate. */
export function pawsReject(t: Pick<Tcb, 'tsOk' | 'tsRecent' | 'tsRecentAt'>, seg: Segment, now: Nanos): boolean {
  if (!t.tsOk || seg.options === null || seg.options.timestamp === undefined || (seg.flags & RST) !== 0) return false;
  return seqSub(t.tsRecent, seg.options.timestamp.val) > 1 && now - t.tsRecentAt < PAWS_IDLE;
}

/**
 * Runs the checks; returns true when the segment goes on to ACK processing. Whatever the checks
 * answer (duplicate ACK, challenge ACK) has been sent; an acceptable RST has closed the connection.
 */
export function firstStep(t: Tcb, seg: Segment, now: Nanos): boolean {
  const f = seg.flags;
  // Linux: a segment with none of ACK, RST, SYN is dropped without an answer.
  if ((f & (ACK | RST | SYN)) === 0) return false;
  if (pawsReject(t, seg, now)) {
    dupackDsack(t, seg);
    sendOowAck(t, seg, now, false);
    return false;
  }
  if (f & RST) {
    // RFC 5961 3.2: only an exact match resets (Linux also takes RCV.NXT−1 once the peer's FIN
    // is in, tcp_reset_check); another RST inside the window gets a challenge ACK; the rest is
    // dropped silently.
    if (seg.seq === t.rcvNxt || (t.finReceived && seg.seq === (t.rcvNxt - 1) >>> 0)) resetReceived(t);
    else if (seqInRange(seg.seq, t.rcvNxt, (t.rcvNxt + currentReceiveWindow(t)) >>> 0)) sendOowAck(t, seg, now, true);
    return false;
  }
  if (!sequenceAcceptable(t, seg)) {
    // Unacceptable: answer with an ACK (RFC 9293); a SYN gets the same ACK as a challenge
    // (RFC 5961 4.2). Old data in it is reported as a DSACK (tcp_send_dupack).
    if ((f & SYN) === 0) dupackDsack(t, seg);
    sendOowAck(t, seg, now, (f & SYN) !== 0);
    return false;
  }
  if (f & SYN) {
    // RFC 5961 4.2: a SYN in a synchronized state is answered with a challenge ACK.
    sendOowAck(t, seg, now, true);
    return false;
  }
  if ((f & ACK) === 0) return false;
  // RFC 7323 4.3: TS.Recent follows the segment that begins at or before the last ACK we sent,
  // once its ACK is known good: Linux tcp_ack drops an ACK of data never sent before
  // tcp_replace_ts_recent, so a bogus ACK cannot plant a TS.Recent that PAWS would then use to
  // reject the peer's real segments (ts_recent/invalid_ack.pkt).
  const ts = seg.options !== null ? seg.options.timestamp : undefined;
  if (
    t.tsOk &&
    ts !== undefined &&
    seqLe(seg.seq, t.rcvWup) &&
    seqSub(ts.val, t.tsRecent) >= 0 &&
    !seqGt(seg.ack, t.sndMax)
  ) {
    t.tsRecent = ts.val;
    t.tsRecentAt = now;
  }
  t.lastRcvAt = now;
  return true;
}
