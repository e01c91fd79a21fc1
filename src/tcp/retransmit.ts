/**
 * The retransmission timer (RFC 6298 5.4–5.7) and when to give up: SYN retries with Linux's
 * linear timeouts (tcp_syn_retries, tcp_syn_linear_timeouts) or the rfc9293 profile's R2 time,
 * data retransmissions bounded like Linux tcp_retries2 (the time those retries would take from
 * the first retransmitted segment's original send), TCP_USER_TIMEOUT (RFC 5482).
 */
import type { Nanos } from '../sim/time.ts';
import { TcpState } from './api.ts';
import { sendSyn } from './output.ts';
import { output } from './send.ts';
import type { Tcb } from './tcb.ts';
import { terminate } from './teardown.ts';
import { sendLossProbe } from './tlp.ts';
import { enterLoss, rackReoTimeout } from './sack-recovery.ts';
import { enterLossWindow } from './frto.ts';
import { SackScoreboard } from './sack-scoreboard.ts';
import { timerExpiry } from './timer-wheel.ts';

/** Linux tcp_orphan_retries() with the sysctl at its default 0: 8 tries for a closed socket. */
export const ORPHAN_RETRIES = 8;

/**
 * Linux tcp_model_timeout: how long `boundary` retransmissions take with exponential backoff
 * from `rtoBase`, capped at `rtoMax`. tcp_retries2 = 15 with 200 ms / 120 s gives 924.6 s.
 */
export function modelTimeout(boundary: number, rtoBase: Nanos, rtoMax: Nanos): Nanos {
  const thresh = Math.floor(Math.log2(rtoMax / rtoBase));
  if (boundary <= thresh) return ((2 ** (boundary + 1)) - 1) * rtoBase;
  return ((2 ** (thresh + 1)) - 1) * rtoBase + (boundary - thresh) * rtoMax;
}

export function onRetransmitTimer(t: Tcb, now: Nanos): void {
  t.rtoAt = Infinity;
  if (t.rtoIsProbe) {
    t.rtoIsProbe = false;
    sendLossProbe(t, now);
    return;
  }
  if (t.rtoIsReo) {
    rackReoTimeout(t, now);
    return;
  }
  switch (t.state) {
    case TcpState.SYN_SENT:
    case TcpState.SYN_RCVD:
      synTimeout(t, now);
      return;
    case TcpState.ESTABLISHED:
    case TcpState.CLOSE_WAIT:
    case TcpState.FIN_WAIT_1:
    case TcpState.CLOSING:
    case TcpState.LAST_ACK:
      dataTimeout(t, now);
      return;
    default:
      return;
  }
}

/**
 * SYN (or simultaneous-open SYN-ACK) timeout. Linux tcp_retransmit_timer: while at most
 * synLinearTimeouts retransmissions went out the RTO stays at its initial 1 s, then doubles;
 * the attempt fails when the timer fires after synRetries + synLinearTimeouts retransmissions
 * (0,1,2,3,4,5,7,11,19,35,67 s, ETIMEDOUT at 131 s by default).
 */
function synTimeout(t: Tcb, now: Nanos): void {
  const p = t.params;
  const active = t.state === TcpState.SYN_SENT;
  // A Fast Open child retries its SYN-ACK tcp_synack_retries + 1 times (tcp_fastopen_synack_timer).
  const limit = !active && t.fo !== null ? p.synAckRetries + 1 : p.synRetries + (active ? p.synLinearTimeouts : 0);
  const expired = p.synGiveUp > 0 ? now - t.openedAt >= p.synGiveUp : t.retransmits >= limit;
  if (expired) {
    terminate(t, 'ETIMEDOUT');
    return;
  }
  t.retransmits++;
  sendSyn(t, now, true);
  if (active && t.retransmits <= p.synLinearTimeouts) t.rtt.setRto(p.initialRto);
  else t.rtt.backoff();
  let delay = t.rtt.rto;
  if (p.synGiveUp > 0 && now + delay > t.openedAt + p.synGiveUp) delay = t.openedAt + p.synGiveUp - now;
  t.rtoAt = timerExpiry(p, now, delay, true); // re-armed by tcp_retransmit_timer itself
}

/** Data or FIN timeout: give up, or go back to SND.UNA with a loss window and back off. */
function dataTimeout(t: Tcb, now: Nanos): void {
  if (t.sndUna === t.sndMax) return;
  const p = t.params;
  if (t.retransStamp < 0) {
    const first = t.rtxq.headSentAt();
    t.retransStamp = first >= 0 ? first : now;
  }
  const elapsed = now - t.retransStamp;
  if (t.retransmits > 0) {
    const limit = p.userTimeout > 0
      ? p.userTimeout
      : modelTimeout(t.orphan ? ORPHAN_RETRIES : p.dataRetries, p.minRto, p.maxRto);
    if (elapsed >= limit) {
      // Linux tcp_write_err: the connection just ends; no RST.
      terminate(t, 'ETIMEDOUT');
      return;
    }
  }
  // RFC 5681 3.1 and RFC 6582 4 after an RTO: loss window, "recover" at the highest sent.
  // A SACK connection (SACK negotiated: Linux tcp_is_sack) runs the Loss state, whether or not a
  // SACK block has arrived yet (the scoreboard starts at the first one otherwise).
  const sackLoss = t.sackOk && !(t.establishedAt < 0 && t.sndUna === t.iss);
  if (sackLoss && t.sack === null) t.sack = new SackScoreboard();
  if (sackLoss) enterLossWindow(t, now); // Linux tcp_enter_loss: once per episode, F-RTO, undo
  else t.cc.onTimeout(t.packetsOut, t, now);
  t.tlpActive = false;
  t.inRecovery = false;
  t.dupAcks = 0;
  t.retransmits++;
  if (sackLoss) {
    // SACK: Linux tcp_enter_loss keeps what the peer SACKed; the rest is lost and resent in
    // order as ACKs open the window (sack-recovery.ts).
    enterLoss(t, now);
  } else {
    // Without SACK, go back to SND.UNA: every segment is resent in turn (tcp_timeout_mark_lost).
    t.rtxq.markAllLost();
    t.recover = t.sndMax;
    t.sndNxt = t.sndUna;
    // Closed in SYN-RECEIVED after a simultaneous open: the FIN went out behind our SYN-ACK, which
    // is still the head of the retransmission queue (Linux resends that skb).
    if (t.establishedAt < 0 && t.sndUna === t.iss) sendSyn(t, now, true);
    else output(t, now, true);
  }
  t.rtt.backoff();
  let delay = t.rtt.rto;
  if (p.userTimeout > 0) {
    // Linux tcp_clamp_rto_to_user_timeout: wake up when the user timeout runs out.
    const end = t.retransStamp + p.userTimeout;
    if (now + delay > end) delay = end > now ? end - now : 1;
  }
  t.rtoAt = timerExpiry(p, now, delay, true); // re-armed by tcp_retransmit_timer itself
}
