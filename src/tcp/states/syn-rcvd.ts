/**
 * SYN-RECEIVED, reached by a Connection only through a simultaneous open (the listener keeps
 * passive half-open connections itself). An acceptable ACK completes the handshake (RFC 9293
 * 3.10.7.4 fifth check); an unacceptable one is answered with <SEQ=SEG.ACK><CTL=RST>. The peer's
 * SYN-ACK answering ours is taken as that ACK, as Linux does (tcp_validate_incoming lets it pass
 * the SYN check), and acknowledged.
 */
import type { Nanos } from '../../sim/time.ts';
import { ACK, SYN, type Segment } from '../../wire/segment.ts';
import { ackSendCheck, receiveText } from '../receive.ts';
import { processAck } from '../ack.ts';
import { firstStep } from '../input.ts';
import { establish, handshakeRtt } from '../handshake.ts';
import { sendAck, sendRaw } from '../output.ts';
import { resetForUnmatched } from '../reset.ts';
import { output } from '../send.ts';
import { seqLe, seqLt } from '../seq.ts';
import { EV_CONNECTED, type Tcb } from '../tcb.ts';
import { timerExpiry } from '../timer-wheel.ts';

export function synRcvd(t: Tcb, seg: Segment, now: Nanos): void {
  const f = seg.flags;
  const crossedSynAck = (f & (SYN | ACK)) === (SYN | ACK) && (seg.seq + 1) >>> 0 === t.rcvNxt && seg.ack === t.sndNxt;
  if (crossedSynAck) {
    complete(t, seg, now);
    sendAck(t, now);
    return;
  }
  if (!firstStep(t, seg, now)) return;
  if (!(seqLt(t.sndUna, seg.ack) && seqLe(seg.ack, t.sndMax))) {
    const rst = resetForUnmatched(seg);
    if (rst !== null) sendRaw(t, rst);
    return;
  }
  complete(t, seg, now);
  if (!processAck(t, seg, now)) return;
  receiveText(t, seg, now);
  output(t, now);
  ackSendCheck(t, now);
}

function complete(t: Tcb, seg: Segment, now: Nanos): void {
  // A Fast Open child may have sent data already: the ACK's data part is processAck's.
  const fastOpen = t.fo !== null;
  t.sndUna = fastOpen ? (t.iss + 1) >>> 0 : seg.ack;
  t.sndWnd = seg.window * 2 ** ((seg.flags & SYN) !== 0 ? 0 : t.sndWscale);
  if (t.sndWnd > t.maxSndWnd) t.maxSndWnd = t.sndWnd;
  t.sndWl1 = seg.seq;
  t.sndWl2 = seg.ack;
  // Only the timestamp echo is unambiguous here: our SYN and SYN-ACK share one sequence number.
  handshakeRtt(t, seg, -1, t.retransmits > 0, now);
  establish(t, now, t.retransmits);
  // Linux tcp_rcv_synrecv_state_fastopen: tcp_rearm_rto, data may be in flight.
  if (fastOpen && t.sndUna !== t.sndMax) t.rtoAt = timerExpiry(t.params, now, t.rtt.rto);
  t.notify(EV_CONNECTED);
}
