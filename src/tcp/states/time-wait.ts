/**
 * TIME-WAIT, as Linux tcp_timewait_state_process: a bare ACK at RCV.NXT restarts the timer
 * silently; an exact-sequence RST kills the connection unless RFC 1337 is on; a new SYN with a
 * higher sequence number or a newer timestamp reopens it (RFC 6191, RFC 9293 3.10.7.4) and is
 * handed to the listener; anything else (a retransmitted FIN, above all) restarts the timer and
 * is acknowledged (RFC 9293 3.10.7.4: "Acknowledge it, and restart the 2 MSL timeout").
 */
import type { Nanos } from '../../sim/time.ts';
import { ACK, RST, SYN, segmentSpace, type Segment } from '../../wire/segment.ts';
import { TcpState } from '../api.ts';
import { pawsReject } from '../input.ts';
import { sendOowAck } from '../output.ts';
import { seqGt, seqSub } from '../seq.ts';
import type { Tcb } from '../tcb.ts';
import { timerExpiry } from '../timer-wheel.ts';

/** Returns true when the segment is a new SYN that reopened the connection (it is now CLOSED). */
export function timeWait(t: Tcb, seg: Segment, now: Nanos): boolean {
  const f = seg.flags;
  const ts = t.tsOk && seg.options !== null ? seg.options.timestamp : undefined;
  const paws = pawsReject(t, seg, now);
  if (!paws && seg.seq === t.rcvNxt && (segmentSpace(seg) === 0 || (f & RST) !== 0)) {
    if (f & RST) {
      // TIME-WAIT assassination (RFC 1337): Linux lets the RST kill it unless tcp_rfc1337.
      if (!t.params.rfc1337) {
        t.setState(TcpState.CLOSED);
        return false;
      }
    } else {
      t.closeAt = timerExpiry(t.params, now, t.params.timeWait);
    }
    if (ts !== undefined) {
      t.tsRecent = ts.val;
      t.tsRecentAt = now;
    }
    return false;
  }
  if ((f & (SYN | RST | ACK)) === SYN && !paws
    && (seqGt(seg.seq, t.rcvNxt) || (ts !== undefined && seqSub(t.tsRecent, ts.val) < 0))) {
    // Linux picks the new incarnation's ISS above everything this one sent.
    let isn = (t.sndMax + 65535 + 2) >>> 0;
    if (isn === 0) isn = 1;
    t.reopenIsn = isn;
    t.setState(TcpState.CLOSED);
    return true;
  }
  if ((f & RST) === 0) {
    if (paws || (f & ACK) !== 0) t.closeAt = timerExpiry(t.params, now, t.params.timeWait);
    sendOowAck(t, seg, now, false);
  }
  return false;
}
