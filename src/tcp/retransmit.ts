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
import { detectBlackhole } from './fastopen-blackhole.ts';

/** Linux tcp_orphan_retries() with the sysctl at its default 0: 8 tries for a closed socket. */
export const ORPHAN_RETRIES = 8;

/**
 * Linux tcp_model_timeout: how long `boundary` retransmissions take with exponential backoff
 * from `rtoBase`, capped at `rtoMax`. tcp_retries2 = 15 with 200 ms / 120 s gives 924.6 s.
 */
export function modelTimeout(boundary: number, rtoBase: Nanos, rtoMax: Nanos): Nanos {
  const thresh = Math.floor(Math.log2(rtoMax / rtoBase));
  if (boundary <= thresh) return (2 ** (boundary + 1) - 1) * rtoBase;
  return (2 ** (thresh + 1) - 1) * rtoBase + (boundary - thresh) * rtoMax;
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
  const timeouts = t.retransmits;
  switch (t.state) {
    case TcpState.SYN_SENT:
    case TcpState.SYN_RCVD:
      synTimeout(t, now);
      break;
    case TcpState.ESTABLISHED:
    case TcpState.CLOSE_WAIT:
    case TcpState.FIN_WAIT_1:
    case TcpState.CLOSING:
    case TcpState.LAST_ACK:
      if (t.sndUna === t.sndMax) return;
      dataTimeout(t, now);
      break;
    default:
      return;
  }
  // tcp_write_timeout ends with tcp_fastopen_active_detect_blackhole (given up = expired).
  if (t.fo !== null) detectBlackhole(t, timeouts, (t.state as TcpState) === TcpState.CLOSED, now);
}

/**
 * SYN (or simultaneous-open SYN-ACK) timeout, as a Linux 6.18 kernel measured (HZ 250, network
 * namespaces, docs/linux-fidelity.md): while at most synLinearTimeouts retransmissions went out the
 * RTO stays at its initial 1 s, then doubles (tcp_retransmit_timer); the attempt fails at the first
 * timer that finds tcp_syn_retries + tcp_syn_linear_timeouts retransmissions done, or the first
 * SYN older than tcp_model_timeout(tcp_syn_retries) = (2^(n+1) − 1) s, or than TCP_USER_TIMEOUT
 * when set (tcp_write_timeout, then retransmits_timed_out). By default both give SYNs at
 * 0,1,2,3,4,5,7,11,19,35,67 s and ETIMEDOUT at 131 s; with tcp_syn_retries 1 the time comes first:
 * SYNs at 0,1,2 s and ETIMEDOUT at 3 s (measured 3.06 s), not the 5 retries the count allows.
 */
function synTimeout(t: Tcb, now: Nanos): void {
  const p = t.params;
  const active = t.state === TcpState.SYN_SENT;
  if (t.retransStamp < 0) t.retransStamp = t.openedAt >= 0 ? t.openedAt : now;
  let expired: boolean;
  if (!active && t.fo !== null) {
    // A Fast Open child retries its SYN-ACK tcp_synack_retries + 1 times (tcp_fastopen_synack_timer).
    expired = t.retransmits >= p.synAckRetries + 1;
  } else if (p.synGiveUp > 0) {
    expired = now - t.retransStamp >= p.synGiveUp; // the rfc9293 profile's R2 time
  } else {
    // Whichever comes first: the retry count (tcp_syn_retries, plus the linear ones in SYN-SENT)
    // or the time those retries model.
    const retries = p.synRetries + (active ? p.synLinearTimeouts : 0);
    const limit = p.userTimeout > 0 ? p.userTimeout : modelTimeout(p.synRetries, p.initialRto, p.maxRto);
    expired = t.retransmits >= retries || (t.retransmits > 0 && now - t.retransStamp >= limit);
  }
  if (expired) {
    terminate(t, t.errSoft ?? 'ETIMEDOUT'); // Linux tcp_write_err: sk_err_soft if an ICMP error came
    return;
  }
  t.retransmits++;
  sendSyn(t, now, true);
  if (active && t.retransmits <= p.synLinearTimeouts) t.rtt.setRto(p.initialRto);
  else t.rtt.backoff();
  let delay = t.rtt.rto;
  if (p.synGiveUp > 0) delay = clampToDeadline(now, delay, t.retransStamp + p.synGiveUp);
  else if (p.userTimeout > 0) delay = clampToDeadline(now, delay, t.retransStamp + p.userTimeout);
  t.rtoAt = timerExpiry(p, now, delay, true); // re-armed by tcp_retransmit_timer itself
}

/**
 * Linux tcp_clamp_rto_to_user_timeout: a retransmission timer never runs past a give-up time
 * (`end`); one already past fires at once.
 */
function clampToDeadline(now: Nanos, delay: Nanos, end: Nanos): Nanos {
  return now + delay > end ? (end > now ? end - now : 1) : delay;
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
    const limit =
      p.userTimeout > 0 ? p.userTimeout : modelTimeout(t.orphan ? ORPHAN_RETRIES : p.dataRetries, p.minRto, p.maxRto);
    if (elapsed >= limit) {
      // Linux tcp_write_err: the connection just ends; no RST.
      terminate(t, t.errSoft ?? 'ETIMEDOUT'); // Linux tcp_write_err: sk_err_soft if an ICMP error came
      return;
    }
  }
  // RFC 5681 3.1 and RFC 6582 4 after an RTO: loss window, "recover" at the highest sent.
  // A SACK connection (SACK negotiated: Linux tcp_is_sack) runs the Loss state, whether or not a
  // SACK block has arrived yet (the scoreboard starts at the first one otherwise).
  const sackLoss = t.sackOk && !(t.establishedAt < 0 && t.sndUna === t.iss);
  if (sackLoss && t.sack === null) t.sack = new SackScoreboard();
  if (sackLoss)
    enterLossWindow(t, now); // Linux tcp_enter_loss: once per episode, F-RTO, undo
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
  if (p.userTimeout > 0) delay = clampToDeadline(now, delay, t.retransStamp + p.userTimeout);
  t.rtoAt = timerExpiry(p, now, delay, true); // re-armed by tcp_retransmit_timer itself
}
