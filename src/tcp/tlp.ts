/**
 * Tail loss probe (RFC 8985 7, Linux tcp_schedule_loss_probe / tcp_send_loss_probe): on a SACK
 * connection outside loss recovery, the retransmission timer first fires as a probe timeout of
 * two smoothed RTTs (plus the minimum RTO when a single segment is out, for the peer's delayed
 * ACK; never later than the RTO). The probe sends one new segment if the peer's window allows,
 * or resends the last segment, so that a lost tail is repaired by the ACK it draws rather than
 * after a full RTO. One probe per tail; the normal RTO follows.
 */
import { MS, SEC, type Nanos } from '../sim/time.ts';
import { TcpState } from './api.ts';
import { transmitData } from './output.ts';
import { seqGe, seqGt, seqLt, seqSub } from './seq.ts';
import { segmentSize } from './send.ts';
import type { Tcb } from './tcb.ts';
import { timerExpiry } from './timer-wheel.ts';

/** Linux TCP_TIMEOUT_MIN (2 jiffies at HZ = 1000) added when several segments are out. */
const PTO_SLACK: Nanos = 2 * MS;

function eligible(t: Tcb): boolean {
  const s = t.state;
  // Linux: only in the Open (or CWR) state: nothing SACKed, lost or resent in flight (Disorder).
  const q = t.rtxq;
  return (
    t.params.tailLossProbe &&
    t.sackOk &&
    !t.tlpActive &&
    !t.inRecovery &&
    !t.inLoss &&
    t.retransmits === 0 &&
    q.sackedOut === 0 &&
    q.lostOut === 0 &&
    q.retransOut === 0 &&
    seqGt(t.sndMax, t.sndUna) &&
    seqGe(t.sndUna, t.recover) &&
    (s === TcpState.ESTABLISHED ||
      s === TcpState.CLOSE_WAIT ||
      s === TcpState.FIN_WAIT_1 ||
      s === TcpState.CLOSING ||
      s === TcpState.LAST_ACK)
  );
}

/** Arms the probe timeout in place of the RTO when allowed; returns whether it did. */
export function scheduleLossProbe(t: Tcb, now: Nanos): boolean {
  if (!eligible(t)) return false;
  let pto: Nanos;
  if (t.rtt.measured) {
    pto = 2 * t.rtt.srtt + (t.packetsOut === 1 ? t.params.minRto : PTO_SLACK);
  } else {
    pto = 1 * SEC;
  }
  if (pto > t.rtt.rto) pto = t.rtt.rto;
  t.rtoAt = timerExpiry(t.params, now, Math.round(pto));
  t.rtoIsProbe = true;
  return true;
}

/** The probe timeout fired: send the probe, then fall back to the normal RTO. */
export function sendLossProbe(t: Tcb, now: Nanos): void {
  if (seqGe(t.sndUna, t.sndMax)) return;
  const size = segmentSize(t);
  const avail = seqSub(t.writeSeq, t.sndNxt);
  const wndEnd = (t.sndUna + t.sndWnd) >>> 0;
  if (avail > 0 && t.sndNxt === t.sndMax) {
    // New data, if one segment of it fits the peer's window (the congestion window is ignored).
    const len = avail < size ? avail : size;
    const fin = t.finQueued && len === avail;
    if (!seqGt((t.sndNxt + len + (fin ? 1 : 0)) >>> 0, wndEnd)) {
      transmitData(t, t.sndNxt, len, fin, now, false);
      finish(t, now, false);
      return;
    }
  }
  // Otherwise resend the last segment sent (Linux's tail skb: at most one MSS, FIN included).
  const dataEnd = t.finSent ? t.writeSeq : t.sndMax;
  let start = t.tailSeq;
  if (seqGt(t.sndUna, start)) start = t.sndUna;
  if (seqSub(dataEnd, start) > size) start = (dataEnd - size) >>> 0;
  const len = seqSub(dataEnd, start) > 0 ? seqSub(dataEnd, start) : 0;
  transmitData(t, start, len, t.finSent, now, false);
  finish(t, now, true);
}

function finish(t: Tcb, now: Nanos, retrans: boolean): void {
  t.tlpActive = true;
  t.tlpRetrans = retrans;
  t.tlpHigh = t.sndMax;
  t.rtoAt = timerExpiry(t.params, now, t.rtt.rto, true); // tcp_send_loss_probe runs in the timer
  t.rtoIsProbe = false;
}

/**
 * Linux tcp_process_tlp_ack (RFC 8985 7.4.2), for every ACK while a probe is out: a probe of new
 * data, a DSACK (original and probe both arrived) or a pure duplicate ACK at the probe's end ends
 * the episode; an ACK beyond it after a resent probe means the probe repaired a loss, so the
 * window is reduced once as for a congestion signal (tcp_init_cwnd_reduction, CWR, then
 * tcp_end_cwnd_reduction: cwnd = ssthresh).
 */
export function tlpAcked(t: Tcb, ack: number, unaAdvanced: boolean, pureDup: boolean): void {
  if (!t.tlpActive || seqLt(ack, t.tlpHigh)) return;
  if (!t.tlpRetrans || t.ackDsack) {
    t.tlpActive = false;
  } else if (seqGt(ack, t.tlpHigh)) {
    t.tlpActive = false;
    t.cc.enterRecovery(t.packetsOut);
    t.cc.cwnd = t.cc.ssthresh;
  } else if (!unaAdvanced && pureDup) {
    t.tlpActive = false;
  }
}
