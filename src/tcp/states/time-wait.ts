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
import type { TcpParams } from '../params.ts';
import { seqGt, seqSub } from '../seq.ts';
import { timerExpiry } from '../timer-wheel.ts';

/**
 * What TIME-WAIT reads and writes: a full connection (Connection) or its compact form once
 * closed (TimeWaitSock, as Linux's inet_timewait_sock), so both answer alike.
 */
export interface TimeWaitState {
  readonly params: TcpParams;
  readonly tsOk: boolean;
  tsRecent: number;
  tsRecentAt: Nanos;
  readonly rcvNxt: number;
  readonly sndMax: number;
  setState(to: TcpState): void;
  /** The TIME-WAIT timer runs again until `at`. */
  restartTimer(at: Nanos): void;
  /** Acknowledges an unacceptable segment (sendOowAck, rate-limited). */
  timeWaitAck(seg: Segment, now: Nanos): void;
}

/** Returns true when the segment is a new SYN that reopened the connection (it is now CLOSED). */
export function timeWait(t: TimeWaitState, seg: Segment, now: Nanos): boolean {
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
      t.restartTimer(timerExpiry(t.params, now, t.params.timeWait));
    }
    if (ts !== undefined) {
      t.tsRecent = ts.val;
      t.tsRecentAt = now;
    }
    return false;
  }
  if (
    (f & (SYN | RST | ACK)) === SYN &&
    !paws &&
    (seqGt(seg.seq, t.rcvNxt) || (ts !== undefined && seqSub(t.tsRecent, ts.val) < 0))
  ) {
    // The owner gives the new incarnation its ISS (HostTcp.takeOverTimeWait).
    t.setState(TcpState.CLOSED);
    return true;
  }
  if ((f & RST) === 0) {
    if (paws || (f & ACK) !== 0) t.restartTimer(timerExpiry(t.params, now, t.params.timeWait));
    t.timeWaitAck(seg, now);
  }
  return false;
}
