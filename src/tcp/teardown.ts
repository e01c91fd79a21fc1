/**
 * Connection ends: close(), shutdown(), abort() as Linux tcp_close / tcp_shutdown /
 * tcp_disconnect do them, entering FIN_WAIT_2 and TIME-WAIT with their timers, and dying on a
 * reset or a timeout.
 */
import type { Nanos } from '../sim/time.ts';
import type { Segment } from '../wire/segment.ts';
import { TcpState, type Errno } from './api.ts';
import { sendActiveReset, sendRaw } from './output.ts';
import { resetForUnmatched } from './reset.ts';
import { output } from './send.ts';
import type { Tcb } from './tcb.ts';
import { timerExpiry } from './timer-wheel.ts';
import { updateMetrics } from './metrics-sync.ts';

/** Enters TIME-WAIT: every other timer stops; the connection lingers `timeWait` (RFC 9293 3.6). */
export function enterTimeWait(t: Tcb, now: Nanos): void {
  updateMetrics(t, now); // Linux tcp_time_wait
  t.setState(TcpState.TIME_WAIT);
  t.rtoAt = t.persistAt = t.delackAt = t.keepaliveAt = Infinity;
  t.ackPending = false;
  t.rtxq.clear();
  t.closeAt = timerExpiry(t.params, now, t.params.timeWait);
}

/** Our FIN is acknowledged: FIN_WAIT_2, timed only for orphans (Linux tcp_fin_timeout). */
export function enterFinWait2(t: Tcb, now: Nanos): void {
  t.setState(TcpState.FIN_WAIT_2);
  armFinWait2Timer(t, now);
}

/** Linux tcp_fin_time: max(tcp_fin_timeout, 3.5 × RTO), only once the socket is closed. */
export function armFinWait2Timer(t: Tcb, now: Nanos): void {
  if (!t.orphan || t.params.finWait2Timeout <= 0) return;
  updateMetrics(t, now); // Linux: the closed socket becomes a timewait sock (tcp_time_wait, TCP_FIN_WAIT2)
  const floor = 3.5 * t.rtt.rto;
  t.closeAt = timerExpiry(
    t.params,
    now,
    Math.round(t.params.finWait2Timeout > floor ? t.params.finWait2Timeout : floor),
  );
}

/** The connection dies (reset received, timeout): the owner learns `errno`; no segment is sent. */
export function terminate(t: Tcb, errno: Errno | null): void {
  if (t.state === TcpState.CLOSED) return;
  if (errno !== null) t.fail(errno);
  t.setState(TcpState.CLOSED);
}

/**
 * An acceptable RST arrived (RFC 9293 3.10.7.4 second check). The error reported: the linux
 * profile as Linux tcp_reset (SYN-SENT refused, CLOSE-WAIT EPIPE, every other state ECONNRESET,
 * SYN-RECEIVED and LAST-ACK included); rfc9293 as the RFC (SYN-RECEIVED reached from SYN-SENT is
 * "connection refused"; CLOSING, LAST-ACK and TIME-WAIT just close).
 */
export function resetReceived(t: Tcb): void {
  const linux = t.params.profile === 'linux';
  switch (t.state) {
    case TcpState.SYN_SENT:
      terminate(t, 'ECONNREFUSED');
      break;
    case TcpState.SYN_RCVD: // only reached by a simultaneous open: the active side
      terminate(t, linux ? 'ECONNRESET' : 'ECONNREFUSED');
      break;
    case TcpState.CLOSE_WAIT:
      terminate(t, linux ? 'EPIPE' : 'ECONNRESET');
      break;
    case TcpState.CLOSING:
    case TcpState.LAST_ACK:
      terminate(t, linux ? 'ECONNRESET' : null);
      break;
    case TcpState.TIME_WAIT:
      terminate(t, null);
      break;
    default:
      terminate(t, 'ECONNRESET');
  }
}

/**
 * Data arrived after the user shut reading and our FIN went out (Linux tcp_rcv_state_process,
 * RFC 1122 4.2.2.13 "MUST send a reset"): answer with RST and die.
 */
export function resetOnData(t: Tcb, seg: Segment): void {
  const rst = resetForUnmatched(seg);
  if (rst !== null) sendRaw(t, rst);
  terminate(t, 'ECONNRESET');
}

/** Linux tcp_need_reset: states whose abort tells the peer with a RST (RFC 9293 3.10.5). */
function needsReset(s: TcpState): boolean {
  return (
    s === TcpState.ESTABLISHED ||
    s === TcpState.CLOSE_WAIT ||
    s === TcpState.FIN_WAIT_1 ||
    s === TcpState.FIN_WAIT_2 ||
    s === TcpState.SYN_RCVD
  );
}

/** Linux tcp_close_state + tcp_send_fin: queue a FIN after the data. Returns false if already shut. */
function closeSending(t: Tcb, now: Nanos): boolean {
  switch (t.state) {
    case TcpState.ESTABLISHED:
    case TcpState.SYN_RCVD:
      t.setState(TcpState.FIN_WAIT_1);
      break;
    case TcpState.CLOSE_WAIT:
      t.setState(TcpState.LAST_ACK);
      break;
    default:
      return false;
  }
  t.finQueued = true;
  output(t, now);
  return true;
}

/**
 * close() (RFC 9293 3.10.4, Linux tcp_close): in SYN-SENT the attempt just ends; unread data or
 * SO_LINGER 0 abort with a RST (RFC 2525 2.17); otherwise a FIN follows the queued data.
 */
export function userClose(t: Tcb, now: Nanos): void {
  if (t.state === TcpState.CLOSED) return;
  const unread = t.rcvq.readable > 0;
  t.orphan = true;
  t.rcvShut = true;
  t.sendBlocked = false;
  if (t.state === TcpState.SYN_SENT) {
    t.setState(TcpState.CLOSED);
    return;
  }
  if (t.state === TcpState.TIME_WAIT) return;
  if (unread || t.lingerZero) {
    // Linux purges the receive queue first, so the RST offers the whole window again. With
    // linger 0 it is tcp_disconnect: a RST where the peer holds state, and in CLOSING or
    // LAST-ACK while our FIN has not gone out yet (Linux's FIN_WAIT1/LAST_ACK before the FIN).
    t.rcvq.clear();
    const finUnsent = (t.state === TcpState.CLOSING || t.state === TcpState.LAST_ACK) && !t.finSent;
    if (unread || needsReset(t.state) || finUnsent) sendActiveReset(t, now);
    t.setState(TcpState.CLOSED);
    return;
  }
  closeSending(t, now);
  if (t.state === TcpState.FIN_WAIT_2) armFinWait2Timer(t, now);
}

/** shutdown(): reading stops locally (nothing is sent); writing ends with a FIN. */
export function userShutdown(t: Tcb, how: 'rd' | 'wr' | 'rdwr', now: Nanos): void {
  if (t.state === TcpState.SYN_SENT) {
    // Linux inet_shutdown disconnects a connecting socket, whichever direction was named
    // (tcp_disconnect: no segment, SO_ERROR ECONNRESET).
    terminate(t, 'ECONNRESET');
    return;
  }
  if (how !== 'wr') t.rcvShut = true;
  if (how === 'rd') return;
  closeSending(t, now);
}

/** abort(): RST where the peer holds state (RFC 9293 3.10.5), then CLOSED. */
export function userAbort(t: Tcb, now: Nanos): void {
  if (t.state === TcpState.CLOSED) return;
  t.orphan = true;
  if (needsReset(t.state)) sendActiveReset(t, now);
  t.setState(TcpState.CLOSED);
}
