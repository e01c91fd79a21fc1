/**
 * ESTABLISHED and CLOSE-WAIT (RFC 9293 3.10.7.4): after the shared first step and the ACK, data
 * is taken in ESTABLISHED; in CLOSE-WAIT the peer has finished, so segment text is ignored, while
 * our side may still send (half-close).
 */
import type { Nanos } from '../../sim/time.ts';
import type { Segment } from '../../wire/segment.ts';
import { processAck } from '../ack.ts';
import { firstStep } from '../input.ts';
import { ackSendCheck, receiveText } from '../receive.ts';
import { output } from '../send.ts';
import type { Tcb } from '../tcb.ts';

export function established(t: Tcb, seg: Segment, now: Nanos): void {
  if (!firstStep(t, seg, now)) return;
  if (!processAck(t, seg, now)) return;
  receiveText(t, seg, now);
  output(t, now);
  ackSendCheck(t, now);
}

export function closeWait(t: Tcb, seg: Segment, now: Nanos): void {
  if (!firstStep(t, seg, now)) return;
  if (!processAck(t, seg, now)) return;
  output(t, now);
  ackSendCheck(t, now);
}
