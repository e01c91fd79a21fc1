/**
 * How a connection comes into being: the active open (connect: SYN_SENT and the first SYN, with
 * data when Fast Open allows), and the two passive ones a listener makes, from a completed
 * handshake (SYN_RCVD → ESTABLISHED) or from a SYN with a valid Fast Open cookie (SYN_RCVD, the
 * SYN's data readable at once). Connection's static constructors run these on a fresh TCB, then
 * end the call (its `finish`: deadline and notifications).
 */
import type { Nanos } from '../sim/time.ts';
import type { Segment } from '../wire/segment.ts';
import { TcpState } from './api.ts';
import type { HandshakeInfo } from './handshake.ts';
import type { DstMetrics } from './dst-metrics.ts';
import { establish, handshakeRtt, setEffectiveMss } from './handshake.ts';
import { IP_TCP_HEADER_BYTES } from './icmp-error.ts';
import { sendSyn } from './output.ts';
import { EV_READABLE, type Tcb } from './tcb.ts';
import { timerExpiry } from './timer-wheel.ts';
import { initialWindow, ourWindowScale } from './window.ts';

/** Stands for a final ACK that is not at hand (tests building a connection directly): no echo. */
const NO_ECHO: Segment = {
  srcPort: 0,
  dstPort: 0,
  seq: 0,
  ack: 0,
  flags: 0,
  window: 0,
  urgent: 0,
  options: null,
  len: 0,
  payload: null,
};

/**
 * Active open up to SYN_SENT (Linux tcp_connect_init): sequence variables from `iss`, the MSS
 * from the route's MTU (the SYN advertises what fits it), the TSval offset and window scale.
 * The SYN itself goes out with sendFirstSyn (at once, or at the first write with
 * TCP_FASTOPEN_CONNECT).
 */
export function activeOpen(
  c: Tcb,
  iss: number,
  now: Nanos,
  tsOffset: number,
  metrics: DstMetrics | null,
  ipTos: number,
): void {
  c.ipTos = ipTos & 0xfc;
  c.metrics = metrics;
  initSend(c, iss >>> 0, iss >>> 0);
  const mtu = c.out.pathMtu?.(c.ep.remoteAddr) ?? 0;
  if (mtu > 0) {
    c.pmtu = mtu;
    if (mtu - IP_TCP_HEADER_BYTES < c.advMss) c.advMss = mtu - IP_TCP_HEADER_BYTES;
    setEffectiveMss(c);
  }
  c.tsOffset = tsOffset >>> 0;
  c.offeredWscale = ourWindowScale(c.params);
  c.openedAt = now;
  c.setState(TcpState.SYN_SENT);
}

/** The first SYN and its retransmission timer; the SYN-SENT give-up counts from it (tcp_connect). */
export function sendFirstSyn(c: Tcb, now: Nanos): void {
  sendSyn(c, now, false);
  c.retransStamp = now;
  const first = c.params.synGiveUp > 0 && c.params.synGiveUp < c.rtt.rto ? c.params.synGiveUp : c.rtt.rto;
  c.rtoAt = timerExpiry(c.params, now, first);
}

/** Queues up to `bytes` for sending in SYN_SENT (no output): returns how many fit the buffer. */
export function queueBytes(c: Tcb & { readonly sendSpace: number }, bytes: number): number {
  const space = c.sendSpace;
  const n = bytes < space ? bytes : space;
  c.writeSeq = (c.writeSeq + n) >>> 0;
  c.pushSeq = c.writeSeq;
  return n;
}

/**
 * A Fast Open child (fastopen.ts): in SYN_RCVD, the SYN's data readable at once (Linux
 * tcp_fastopen_create_child, tcp_fastopen_add_skb); sends its SYN-ACK acknowledging the data and
 * retransmits it on its own timer.
 */
export function fastOpenChildOpen(c: Tcb, h: HandshakeInfo, syn: Segment, now: Nanos): void {
  initFromHandshake(c, h, now, h.iss); // our SYN is sent below
  routeRefresh(c);
  const len = syn.len;
  c.rcvNxt = (h.irs + 1 + len) >>> 0;
  c.rcvWup = c.rcvNxt;
  c.sndWl1 = c.rcvNxt;
  if (len > 0) {
    c.rcvq.readable += len;
    c.bytesReceivedTotal += len;
    c.lastDataRcvAt = now;
    c.notify(EV_READABLE);
  }
  c.openedAt = now;
  c.state = TcpState.LISTEN; // the trace pairs LISTEN → SYN_RCVD as for any request
  c.setState(TcpState.SYN_RCVD);
  sendSyn(c, now, false);
  c.rtoAt = timerExpiry(c.params, now, c.rtt.rto);
}

/**
 * The listener's handshake completed (its final ACK, or a valid SYN cookie): SYN_RCVD →
 * ESTABLISHED. `ack` gives the RTT sample when no SYN-ACK send time is kept.
 */
export function handshakeChildOpen(c: Tcb, h: HandshakeInfo, now: Nanos, ack: Segment | null): void {
  initFromHandshake(c, h, now, h.iss + 1);
  routeRefresh(c); // tcp_create_openreq_child: tcp_sync_mss with the route's MTU
  // Linux tcp_synack_rtt_meas: the SYN-ACK's own time when it went out once, else (retransmitted,
  // or a cookie: no send time kept) the timestamp the final ACK echoes (tcp_ack_update_rtt).
  handshakeRtt(c, ack ?? NO_ECHO, h.synAckSentAt ?? -1, h.synAckRetransmitted === true, now);
  c.openedAt = h.synAckSentAt ?? -1;
  c.state = TcpState.SYN_RCVD;
  establish(c, now, h.synAckRetransmitted ? 1 : 0);
}

/**
 * The socket's cached route is dropped and looked up again (Linux sk_dst_reset, then
 * tcp_current_mss: a route MTU other than icsk_pmtu_cookie re-syncs the MSS).
 */
export function routeRefresh(c: Tcb): void {
  const mtu = c.out.pathMtu?.(c.ep.remoteAddr) ?? 0;
  if (mtu === c.pmtu || (mtu > 0 && c.pmtuDisc === 3)) return;
  c.pmtu = mtu;
  setEffectiveMss(c);
}

/** The sequence spaces and options a passive open agreed (the request's or the Fast Open SYN's). */
function initFromHandshake(c: Tcb, h: HandshakeInfo, now: Nanos, una: number): void {
  initSend(c, h.iss >>> 0, una >>> 0);
  c.irs = h.irs >>> 0;
  c.rcvNxt = (h.irs + 1) >>> 0;
  c.rcvWup = c.rcvNxt;
  c.rcvWnd = h.rcvWnd ?? initialWindow(c.params);
  c.rcvSsthresh = c.rcvWnd;
  c.offeredWscale = h.ourWscale;
  c.wscaleOk = h.ourWscale >= 0 && h.peerWscale >= 0;
  c.sndWscale = c.wscaleOk ? Math.min(h.peerWscale, 14) : 0;
  c.rcvWscale = c.wscaleOk ? h.ourWscale : 0;
  c.sackOk = h.sackOk;
  c.tsOk = h.tsOk;
  c.ecnOk = h.ecnOk === true;
  c.tsRecent = h.tsRecent >>> 0;
  c.tsRecentAt = now;
  c.tsOffset = h.tsOffset >>> 0;
  c.peerMss = h.peerMss > 0 ? h.peerMss : 536;
  setEffectiveMss(c);
  // The SYN's window is never scaled (RFC 7323 2.2); the third ACK will update it (WL1 < its SEQ).
  c.sndWnd = h.peerWindow;
  c.maxSndWnd = h.peerWindow;
  c.sndWl1 = c.irs;
  c.sndWl2 = c.iss;
}

/** Sequence variables at the start: SND.UNA = SND.NXT = `una`, nothing queued (data starts after the SYN). */
function initSend(c: Tcb, iss: number, una: number): void {
  c.iss = iss;
  c.sndUna = una;
  c.sndNxt = una;
  c.sndMax = una;
  c.writeSeq = (iss + 1) >>> 0;
  c.pushSeq = c.writeSeq;
  c.pushedSeq = c.writeSeq;
  c.recover = iss; // RFC 6582 3.2 step 1
  c.retxHigh = una;
  c.sndSml = una;
}
