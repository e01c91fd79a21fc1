/**
 * SYN-SENT (RFC 9293 3.10.7.3): a SYN-ACK completes the active open; a bare SYN means a
 * simultaneous open (→ SYN-RECEIVED, Linux answers with a SYN-ACK); a RST with an acceptable ACK
 * refuses the connection (RFC 5961 3.2 keeps that rule for SYN-SENT); an unacceptable ACK is
 * answered with a RST.
 */
import type { Nanos } from '../../sim/time.ts';
import { ACK, RST, SYN, type Segment } from '../../wire/segment.ts';
import { TcpState } from '../api.ts';
import { ecnSynAck, ecnSyn } from '../ecn.ts';
import { establish, handshakeRtt, negotiate } from '../handshake.ts';
import { enterQuickAckMode, sendAck, sendRaw, sendSyn } from '../output.ts';
import { resetForUnmatched } from '../reset.ts';
import { output } from '../send.ts';
import { TIMEOUT_MIN } from '../rtt.ts';
import { seqGt, seqLe, seqLt } from '../seq.ts';
import { EV_CONNECTED, type Tcb } from '../tcb.ts';
import { terminate } from '../teardown.ts';
import { timerExpiry } from '../timer-wheel.ts';
import { tsValue } from '../window.ts';
import { clientSynAck } from '../fastopen.ts';

export function synSent(t: Tcb, seg: Segment, now: Nanos): void {
  const f = seg.flags;
  if (f & ACK) {
    // SEG.ACK =< ISS or SEG.ACK > SND.NXT: not for us; <SEQ=SEG.ACK><CTL=RST> unless it is one.
    if (seqLe(seg.ack, t.iss) || seqGt(seg.ack, t.sndMax)) {
      const rst = resetForUnmatched(seg);
      if (rst !== null) sendRaw(t, rst);
      // Linux tcp_rcv_synsent_state_process: the peer still holds an old connection on this
      // tuple (its ACK, e.g. a RFC 5961 challenge ACK, is what our RST clears), so the first SYN
      // is resent after TCP_TIMEOUT_MIN instead of a whole RTO; the RTO itself is unchanged.
      if (t.retransmits === 0 && t.params.profile === 'linux') t.rtoAt = timerExpiry(t.params, now, TIMEOUT_MIN);
      return;
    }
    // Linux tcp_rcv_synsent_state_process (PAWSActiveRejected): an ACK echoing a timestamp our
    // SYN cannot have carried (before the first SYN, or not yet sent) is answered with a RST and
    // otherwise ignored; the connection stays in SYN_SENT.
    const ts = seg.options !== null ? seg.options.timestamp : undefined;
    if (
      ts !== undefined &&
      ts.ecr !== 0 &&
      t.params.profile === 'linux' &&
      !(seqLe(tsValue(t.tsOffset, t.openedAt), ts.ecr) && seqLe(ts.ecr, tsValue(t.tsOffset, now)))
    ) {
      if ((f & RST) === 0) sendRaw(t, resetForUnmatched(seg)!);
      return;
    }
  }
  if (f & RST) {
    if (f & ACK) terminate(t, 'ECONNREFUSED');
    return;
  }
  if ((f & SYN) === 0) return;
  negotiate(t, seg, now);
  t.irs = seg.seq;
  t.rcvNxt = (seg.seq + 1) >>> 0;
  t.rcvWup = t.rcvNxt;
  // The window of a SYN is never scaled (RFC 7323 2.2).
  t.sndWnd = seg.window;
  t.maxSndWnd = seg.window;
  t.sndWl1 = seg.seq;
  if (f & ACK) {
    ecnSynAck(t, seg);
    t.sndUna = seg.ack;
    t.sndWl2 = seg.ack;
    handshakeRtt(t, seg, t.openedAt, t.retransmits > 0, now);
    establish(t, now, t.retransmits);
    // TCP Fast Open: cache the cookie; SYN-data the SYN-ACK left unacknowledged goes again below.
    if (t.fo !== null) {
      // A blocking Fast Open write still has data queued past what the SYN carried (Linux
      // sk_write_pending): the ACK waits for that data in quick-ACK mode (ato = TCP_ATO_MIN), so
      // sending it at once makes the connection interactive (tcp_rcv_synsent_state_process,
      // tcp_event_data_sent). SYN data sent again (a fallback, a plain SYN retry) is no pending write.
      const writePending = seqLt((t.iss + 1 + t.fo.synData) >>> 0, t.writeSeq);
      clientSynAck(t, seg, now);
      if (writePending && t.params.profile === 'linux') enterQuickAckMode(t);
    }
    t.notify(EV_CONNECTED);
    // The third ACK; data queued during the handshake rides on it instead.
    if (!output(t, now)) sendAck(t, now);
    return;
  }
  // Crossed SYNs: acknowledge theirs with our SYN again (RFC 9293 3.5 figure 7).
  t.sndWl2 = t.iss;
  ecnSyn(t, seg);
  t.setState(TcpState.SYN_RCVD);
  sendSyn(t, now, false);
}
