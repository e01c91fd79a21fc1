/**
 * The states after our FIN (RFC 9293 3.10.7.4): FIN-WAIT-1 (FIN sent), FIN-WAIT-2 (FIN acked),
 * CLOSING (simultaneous close), LAST-ACK (we closed second). Data may still arrive in the
 * FIN-WAIT states unless the user shut reading, in which case it is answered with a RST (Linux,
 * RFC 1122 4.2.2.13). A closed FIN-WAIT-2 follows Linux's timewait-sock rules in the linux profile.
 */
import { SEC, type Nanos } from '../../sim/time.ts';
import { ACK, FIN, RST, SYN, segmentSpace, type Segment } from '../../wire/segment.ts';
import { TcpState } from '../api.ts';
import { processAck } from '../ack.ts';
import { firstStep, pawsReject } from '../input.ts';
import { currentReceiveWindow, sendAck, sendOowAck } from '../output.ts';
import { ackSendCheck, receiveText } from '../receive.ts';
import { output } from '../send.ts';
import { seqGe, seqGt, seqLt } from '../seq.ts';
import type { Tcb } from '../tcb.ts';
import { updateMetrics } from '../metrics-sync.ts';
import { enterFinWait2, enterTimeWait, resetOnData, terminate } from '../teardown.ts';
import { timerExpiry } from '../timer-wheel.ts';

/**
 * The steps FIN-WAIT-1 and FIN-WAIT-2 share before receiving: the shared first step, the ACK, and
 * a RST for new data (beyond RCV.NXT, the FIN not counted) once the user shut reading. False when
 * the segment is done with.
 */
function finWaitAccepts(t: Tcb, seg: Segment, now: Nanos): boolean {
  if (!firstStep(t, seg, now) || !processAck(t, seg, now)) return false;
  if (t.rcvShut && seg.len > 0 && seqGt((seg.seq + seg.len) >>> 0, t.rcvNxt)) {
    resetOnData(t, seg);
    return false;
  }
  return true;
}

export function finWait1(t: Tcb, seg: Segment, now: Nanos): void {
  if (!finWaitAccepts(t, seg, now)) return;
  // The ACK step comes before the text: an ACK of our FIN moves us to FIN-WAIT-2 first, and a
  // FIN riding on the same segment then takes FIN-WAIT-2 to TIME-WAIT (RFC 9293 3.10.7.4 fifth
  // check "enter FIN-WAIT-2 and continue processing in that state"; Linux tcp_rcv_state_process
  // then tcp_fin). A FIN without the ACK of ours means CLOSING.
  if (t.finAcked) enterFinWait2(t, now);
  receiveText(t, seg, now);
  output(t, now);
  ackSendCheck(t, now);
}

export function finWait2(t: Tcb, seg: Segment, now: Nanos): void {
  // Linux tcp_close: an orphan whose FIN_WAIT_2 timeout is within TCP_TIMEWAIT_LEN lives as a
  // timewait socket; compared on the wheel (a 60 s timeout armed earlier ends no later than one armed now).
  if (t.orphan && t.params.profile === 'linux' && t.closeAt <= timerExpiry(t.params, now, TIMEWAIT_LEN)) {
    orphanFinWait2(t, seg, now);
    return;
  }
  if (!finWaitAccepts(t, seg, now)) return;
  receiveText(t, seg, now);
  ackSendCheck(t, now);
}

export function closing(t: Tcb, seg: Segment, now: Nanos): void {
  if (!firstStep(t, seg, now)) return;
  if (!processAck(t, seg, now)) return;
  if (t.finAcked) {
    enterTimeWait(t, now);
    return;
  }
  output(t, now);
  ackSendCheck(t, now);
}

export function lastAck(t: Tcb, seg: Segment, now: Nanos): void {
  if (!firstStep(t, seg, now)) return;
  if (!processAck(t, seg, now)) return;
  if (t.finAcked) {
    // RFC 9293: the only thing that can arrive is the ACK of our FIN: delete the TCB.
    updateMetrics(t, now); // Linux tcp_rcv_state_process, TCP_LAST_ACK
    t.setState(TcpState.CLOSED);
    return;
  }
  output(t, now);
  ackSendCheck(t, now);
}

/** Linux TCP_TIMEWAIT_LEN: a closed FIN-WAIT-2 lives as a timewait sock for at most this long. */
const TIMEWAIT_LEN: Nanos = 60 * SEC;

/**
 * A closed (orphan) connection in FIN-WAIT-2 is, on Linux, a timewait sock in substate
 * FIN_WAIT2 (tcp_time_wait from tcp_close or the ACK of our FIN), whose rules
 * (tcp_timewait_state_process) are not RFC 5961's: anything out of window gets an ACK (rate
 * limited), any RST in the window kills it silently, a SYN at or beyond RCV.NXT and new data are
 * answered with RST and kill it, a duplicate ACK is ignored, and the FIN at RCV.NXT is
 * acknowledged and starts TIME-WAIT.
 */
function orphanFinWait2(t: Tcb, seg: Segment, now: Nanos): void {
  const f = seg.flags;
  const nxt = t.rcvNxt;
  const end = (seg.seq + segmentSpace(seg)) >>> 0;
  if (pawsReject(t, seg, now) || !inWindow(seg.seq, end, nxt, (nxt + currentReceiveWindow(t)) >>> 0)) {
    sendOowAck(t, seg, now, false);
    return;
  }
  if (f & RST) {
    terminate(t, null);
    return;
  }
  if ((f & SYN) !== 0 && seqGe(seg.seq, nxt)) {
    resetOnData(t, seg);
    return;
  }
  if ((f & ACK) === 0 || !seqGt(end, nxt) || end === seg.seq) return;
  if ((f & FIN) === 0 || end !== (nxt + 1) >>> 0) {
    resetOnData(t, seg);
    return;
  }
  const ts = t.tsOk && seg.options !== null ? seg.options.timestamp : undefined;
  if (ts !== undefined) {
    t.tsRecent = ts.val;
    t.tsRecentAt = now;
  }
  t.rcvNxt = end;
  t.finReceived = true;
  sendAck(t, now);
  enterTimeWait(t, now);
}

/** Linux tcp_in_window (tcp_minisocks.c): does [seq, end) touch the window [s, e]? */
function inWindow(seq: number, end: number, s: number, e: number): boolean {
  if (seq === s) return true;
  if (seqGt(end, s) && seqLt(seq, e)) return true;
  return seq === e && seq === end;
}
