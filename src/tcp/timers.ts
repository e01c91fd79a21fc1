/**
 * Timer expiry. Each timer is a deadline field in the TCB; `deadline` is the earliest, and the
 * owner calls onTimer when it passes. Here: delayed ACK, retransmission (retransmit.ts), persist
 * (zero-window probes), keepalive, and the FIN_WAIT_2 / TIME-WAIT end.
 */
import { MS, type Nanos } from '../sim/time.ts';
import { TcpState } from './api.ts';
import { sendActiveReset, sendAck, sendProbe, transmitData } from './output.ts';
import { onRetransmitTimer, ORPHAN_RETRIES } from './retransmit.ts';
import { inSackRecovery, lossAck, sendInRecovery } from './sack-recovery.ts';
import { TIMEOUT_MIN } from './rtt.ts';
import { hasUnsent, output, probeTimeout, segmentSize } from './send.ts';
import { seqSub } from './seq.ts';
import type { Tcb } from './tcb.ts';
import { terminate } from './teardown.ts';
import { timerExpiry } from './timer-wheel.ts';

/** The state, re-read (a timer may have closed the connection). */
function closed(t: Tcb): boolean {
  return t.state === TcpState.CLOSED;
}

export function runTimers(t: Tcb, now: Nanos): void {
  if (t.delackAt <= now) delayedAckTimer(t, now);
  if (closed(t)) return;
  if (t.rtoAt <= now) onRetransmitTimer(t, now);
  if (closed(t)) return;
  if (t.persistAt <= now) persistTimer(t, now);
  if (closed(t)) return;
  if (t.keepaliveAt <= now) keepaliveTimer(t, now);
  if (closed(t)) return;
  if (t.paceAt <= now) {
    // The pacing timer (Linux tcp_pace_kick -> tcp_tsq_handler -> tcp_write_xmit; or fq
    // releasing the packet): the next packet's departure time has come.
    t.paceAt = Infinity;
    if (inSackRecovery(t)) sendInRecovery(t, now);
    else {
      if (t.inLoss) lossAck(t, now);
      output(t, now);
    }
  }
  if (t.closeAt <= now) {
    // FIN_WAIT_2 (orphan) or TIME-WAIT is over: the connection goes quietly.
    t.closeAt = Infinity;
    t.setState(TcpState.CLOSED);
  }
}

/** Linux tcp_delack_timer_handler: send the held ACK; adjust the ATO for next time. */
function delayedAckTimer(t: Tcb, now: Nanos): void {
  t.delackAt = Infinity;
  if (!t.ackPending || t.state === TcpState.TIME_WAIT) return;
  if (!t.pingpong) {
    // Delayed ACK missed: inflate the ATO.
    const doubled = t.ato * 2;
    t.ato = doubled < t.rtt.rto ? doubled : t.rtt.rto;
  } else {
    // Missed in interactive mode: leave pingpong mode, deflate the ATO.
    t.pingpong = false;
    t.ato = t.params.delayedAckMin;
  }
  sendAck(t, now);
}

/**
 * Persist timer (RFC 9293 3.8.6.1, Linux tcp_probe_timer / tcp_write_wakeup): while the peer's
 * window keeps new data back and nothing is in flight, send what the window allows or a
 * zero-window probe, backing off; give up after as many unanswered probes as data retries.
 */
function persistTimer(t: Tcb, now: Nanos): void {
  t.persistAt = Infinity;
  if (t.packetsOut > 0 || !hasUnsent(t)) {
    t.probesOut = 0;
    t.persistBackoff = 0;
    t.probesStamp = -1;
    return;
  }
  const p = t.params;
  // Linux tcp_probe_timer: the user timeout counts from the first probe timeout
  // (icsk_probes_tstamp), however often the peer answers with a zero window.
  let userExpired = false;
  if (t.probesStamp < 0) t.probesStamp = now;
  else userExpired = p.userTimeout > 0 && now - t.probesStamp >= p.userTimeout;
  const maxProbes = t.orphan ? ORPHAN_RETRIES : p.dataRetries;
  if (t.probesOut >= maxProbes || userExpired) {
    terminate(t, t.errSoft ?? 'ETIMEDOUT'); // Linux tcp_write_err: sk_err_soft if an ICMP error came
    return;
  }
  if (t.out.localDrop === true) {
    localCongestionProbe(t, now);
    return;
  }
  const room = seqSub((t.sndUna + t.sndWnd) >>> 0, t.sndNxt);
  if (room > 0) {
    // Part of a segment fits: send that much (or the FIN if that is all there is).
    const avail = seqSub(t.writeSeq, t.sndNxt);
    let len = avail < segmentSize(t) ? avail : segmentSize(t);
    if (len > room) len = room;
    const fin = t.finQueued && len === avail && room > len;
    if (len > 0 || fin) transmitData(t, t.sndNxt, len, fin, now, true);
    else sendProbe(t, now);
  } else {
    sendProbe(t, now);
  }
  if (t.packetsOut > 0) {
    t.probesOut = 0;
    t.persistBackoff = 0;
    t.probesStamp = -1;
    return;
  }
  t.probesOut++;
  if (t.persistBackoff < p.dataRetries) t.persistBackoff++;
  let when = probeTimeout(t);
  if (p.userTimeout > 0) {
    // Linux tcp_clamp_probe0_to_user_timeout: wake up when the user timeout runs out.
    const remaining = p.userTimeout - (now - t.probesStamp);
    if (remaining < when) when = remaining > TIMEOUT_MIN ? remaining : TIMEOUT_MIN;
  }
  t.persistAt = timerExpiry(p, now, when, true); // from tcp_probe_timer
}

/** Linux TCP_RESOURCE_PROBE_INTERVAL: the probe timer's period while the host drops locally. */
const RESOURCE_PROBE_INTERVAL = 500 * MS;

/**
 * Linux tcp_send_probe0 when the probe could not leave the host (tcp_write_wakeup > 0, local
 * congestion): it counts as a probe but does not back off, and the next try is 500 ms later,
 * clamped to what is left of the user timeout (tcp_clamp_probe0_to_user_timeout).
 */
function localCongestionProbe(t: Tcb, now: Nanos): void {
  t.probesOut++;
  let when = RESOURCE_PROBE_INTERVAL;
  const p = t.params;
  if (p.userTimeout > 0) {
    const remaining = p.userTimeout - (now - t.probesStamp);
    if (remaining < when) when = remaining > TIMEOUT_MIN ? remaining : TIMEOUT_MIN;
  }
  t.persistAt = timerExpiry(p, now, when);
}

/**
 * Keepalive (RFC 9293 3.8.4, RFC 1122 4.2.3.6, Linux tcp_keepalive_timer): after `keepaliveIdle`
 * without hearing from the peer, probe every `keepaliveInterval`; after `keepaliveProbes`
 * unanswered probes (or the user timeout) reset the connection with ETIMEDOUT.
 */
function keepaliveTimer(t: Tcb, now: Nanos): void {
  const p = t.params;
  t.keepaliveAt = Infinity;
  if (!p.keepalive || t.state === TcpState.SYN_SENT || t.state === TcpState.TIME_WAIT) return;
  // Linux: a closed socket in FIN_WAIT_2 only waits for its FIN timeout, it does not probe.
  if (t.orphan && t.state === TcpState.FIN_WAIT_2) return;
  if (t.packetsOut > 0 || hasUnsent(t)) {
    // Data is outstanding: the retransmission timer watches the peer.
    t.keepaliveAt = timerExpiry(p, now, p.keepaliveIdle, true); // from tcp_keepalive_timer
    return;
  }
  const idle = now - t.lastRcvAt;
  if (idle >= p.keepaliveIdle) {
    if (
      (p.userTimeout > 0 && idle >= p.userTimeout && t.probesOut > 0) ||
      (p.userTimeout === 0 && t.probesOut >= p.keepaliveProbes)
    ) {
      sendActiveReset(t, now);
      terminate(t, t.errSoft ?? 'ETIMEDOUT'); // Linux tcp_write_err: sk_err_soft if an ICMP error came
      return;
    }
    sendProbe(t, now);
    t.probesOut++;
    t.keepaliveAt = timerExpiry(p, now, p.keepaliveInterval, true);
    return;
  }
  t.keepaliveAt = timerExpiry(p, now, p.keepaliveIdle - idle, true);
}
