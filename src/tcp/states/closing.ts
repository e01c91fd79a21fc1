/**
 * The states after our FIN (RFC 9293 3.10.7.4): FIN-WAIT-1 (FIN sent), FIN-WAIT-2 (FIN acked),
 * CLOSING (simultaneous close), LAST-ACK (we closed second). Data may still arrive in the
 * FIN-WAIT states unless the user shut reading, in which case it is answered with a RST (Linux,
 * RFC 1122 4.2.2.13).
 */
import type { Nanos } from '../../sim/time.ts';
import type { Segment } from '../../wire/segment.ts';
import { TcpState } from '../api.ts';
import { processAck } from '../ack.ts';
import { firstStep } from '../input.ts';
import { ackSendCheck, receiveText } from '../receive.ts';
import { output } from '../send.ts';
import { seqGt } from '../seq.ts';
import type { Tcb } from '../tcb.ts';
import { enterFinWait2, enterTimeWait, resetOnData } from '../teardown.ts';

/** New data beyond RCV.NXT (the FIN not counted). */
function carriesNewData(t: Tcb, seg: Segment): boolean {
  return seg.len > 0 && seqGt((seg.seq + seg.len) >>> 0, t.rcvNxt);
}

export function finWait1(t: Tcb, seg: Segment, now: Nanos): void {
  if (!firstStep(t, seg, now)) return;
  if (!processAck(t, seg, now)) return;
  if (t.rcvShut && carriesNewData(t, seg)) {
    resetOnData(t, seg);
    return;
  }
  // A FIN in this segment takes us to CLOSING, or straight to TIME-WAIT when it also
  // acknowledges ours (RFC 9293: "If our FIN has been ACKed (perhaps in this segment)").
  receiveText(t, seg, now);
  if (t.state === TcpState.FIN_WAIT_1 && t.finAcked) enterFinWait2(t, now);
  output(t, now);
  ackSendCheck(t, now);
}

export function finWait2(t: Tcb, seg: Segment, now: Nanos): void {
  if (!firstStep(t, seg, now)) return;
  if (!processAck(t, seg, now)) return;
  if (t.rcvShut && carriesNewData(t, seg)) {
    resetOnData(t, seg);
    return;
  }
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
    t.setState(TcpState.CLOSED);
    return;
  }
  output(t, now);
  ackSendCheck(t, now);
}
