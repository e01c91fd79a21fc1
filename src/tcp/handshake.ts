/**
 * What both open paths share: negotiating options from the peer's SYN (RFC 9293 3.7.1 MSS,
 * RFC 7323 window scale and timestamps, RFC 2018 SACK-permitted) and entering ESTABLISHED
 * (Linux tcp_init_transfer: initial window, RTT fallback, keepalive, receive MSS estimate); and
 * what the listener hands a new connection when its handshake completes (HandshakeInfo).
 */
import type { Nanos } from '../sim/time.ts';
import type { Segment } from '../wire/segment.ts';
import { TcpState, type Endpoints } from './api.ts';
import { RTO_FALLBACK } from './rtt.ts';
import { DEFAULT_MSS, TS_OPTION_BYTES, type Tcb } from './tcb.ts';
import { MAX_WSCALE, tsValue } from './window.ts';
import { initBuffers } from './buffers.ts';
import { MS } from '../sim/time.ts';
import { seqSub } from './seq.ts';
import { timerExpiry } from './timer-wheel.ts';
import { initMetrics } from './metrics-sync.ts';

/** What the listener knows when the handshake's final ACK arrives (or a SYN cookie validates). */
export interface HandshakeInfo {
  ep: Endpoints;
  /** Our initial send sequence number (the SYN-ACK's sequence number). */
  iss: number;
  /** The peer's initial sequence number (the SYN's sequence number). */
  irs: number;
  /** The window field of the peer's SYN (never scaled). */
  peerWindow: number;
  /** The peer's MSS option (536 when it sent none, RFC 9293 3.7.1). */
  peerMss: number;
  /** The peer's window-scale shift, -1 when its SYN had no wscale option. */
  peerWscale: number;
  /** Our window-scale shift as offered in the SYN-ACK, -1 when we offered none. */
  ourWscale: number;
  /** Both sides offered SACK-permitted. */
  sackOk: boolean;
  /** Both sides sent timestamps. */
  tsOk: boolean;
  /** The TSval of the peer's latest segment (TS.Recent). */
  tsRecent: number;
  /** Our timestamp offset (TSval = offset + ms clock). */
  tsOffset: number;
  /** When the (first, unretransmitted) SYN-ACK was sent: gives an RTT sample. */
  synAckSentAt?: Nanos;
  /** The SYN-ACK was retransmitted (RFC 6298 5.7: RTO 3 s when no sample). */
  synAckRetransmitted?: boolean;
  /** The receive window offered in the SYN-ACK (Linux req->rsk_rcv_wnd); default initialWindow(params). */
  rcvWnd?: number;
  /** ECN agreed by the SYN and SYN-ACK (Linux tcp_ecn_openreq_child); default false. */
  ecnOk?: boolean;
}

/** Linux TCP_MIN_SND_MSS: the smallest segment size used whatever the peer says. */
const MIN_SND_MSS = 48;

/** Applies the options of the peer's SYN or SYN-ACK. */
export function negotiate(t: Tcb, seg: Segment, now: Nanos): void {
  const o = seg.options;
  const p = t.params;
  t.peerMss = o !== null && o.mss !== undefined && o.mss > 0 ? o.mss : DEFAULT_MSS;
  const peerWs = o !== null ? o.wscale : undefined;
  if (t.offeredWscale >= 0 && peerWs !== undefined) {
    t.wscaleOk = true;
    t.sndWscale = peerWs > MAX_WSCALE ? MAX_WSCALE : peerWs;
    t.rcvWscale = t.offeredWscale;
  } else {
    t.wscaleOk = false;
    t.sndWscale = 0;
    t.rcvWscale = 0;
  }
  t.sackOk = p.sack && o !== null && o.sackPermitted === true;
  const ts = o !== null ? o.timestamp : undefined;
  t.tsOk = p.timestamps && ts !== undefined;
  if (ts !== undefined && t.tsOk) {
    t.tsRecent = ts.val;
    t.tsRecentAt = now;
  }
  setEffectiveMss(t);
}

/** Linux tcp_sync_mss: min(peer MSS, ours, path MTU - 40) less the options every segment carries. */
export function setEffectiveMss(t: Tcb): void {
  let base = t.peerMss < t.advMss ? t.peerMss : t.advMss;
  // The path MTU (icmp-error.ts): Linux __tcp_mtu_to_mss, MTU less the IP and TCP headers.
  if (t.pmtu > 0 && t.pmtu - 40 < base) base = t.pmtu - 40;
  const mss = base - (t.tsOk ? TS_OPTION_BYTES : 0);
  t.mss = mss < MIN_SND_MSS ? MIN_SND_MSS : mss;
}

/**
 * RTT from the handshake (Linux tcp_ack_update_rtt for the SYN or SYN-ACK, tcp_synack_rtt_meas):
 * the SYN's own time when it went out once, else the timestamp echo; with neither, RFC 6298
 * 5.7's 3 s when it was retransmitted.
 */
export function handshakeRtt(t: Tcb, seg: Segment, sentAt: Nanos, retransmitted: boolean, now: Nanos): void {
  if (!retransmitted && sentAt >= 0) {
    t.rtt.sample(now - sentAt);
    return;
  }
  if (tsEchoRtt(t, seg, now)) return;
  if (retransmitted) t.rtt.setRto(RTO_FALLBACK);
}

/**
 * Linux tcp_rtt_tsopt_us: an RTT sample from the timestamp the peer echoes (TSecr), in whole
 * milliseconds of our TS clock, at least 1 ms. False when the segment echoes none.
 */
export function tsEchoRtt(t: Tcb, seg: Segment, now: Nanos): boolean {
  const ts = seg.options !== null ? seg.options.timestamp : undefined;
  if (!t.tsOk || ts === undefined || ts.ecr === 0) return false;
  const ms = seqSub(tsValue(t.tsOffset, now), ts.ecr);
  if (ms < 0) return false;
  t.rtt.sample((ms === 0 ? 1 : ms) * MS);
  return true;
}

/** Enters ESTABLISHED from SYN-SENT or SYN-RECEIVED. `handshakeRetransmits`: SYN/SYN-ACK resends. */
export function establish(t: Tcb, now: Nanos, handshakeRetransmits: number): void {
  t.setState(TcpState.ESTABLISHED);
  t.establishedAt = now;
  // Linux: the SYN the SYN-ACK acknowledges (tcp_ack; SYN-data counts once: tcp_rcv_fastopen_synack),
  // or the SYN-ACK the final ACK acknowledges (tcp_rcv_state_process "SYN-ACK delivery isn't tracked in tcp_ack").
  t.delivered++;
  t.rtoAt = Infinity;
  t.retransmits = 0;
  t.retransStamp = -1;
  initMetrics(t, now);
  // RFC 5681 3.1: a lost SYN or SYN-ACK means an initial window of one segment (Linux: after
  // more than one retransmission).
  const lossLimit = t.params.profile === 'linux' ? 1 : 0;
  if (handshakeRetransmits > lossLimit) t.cc.cwnd = 1;
  t.lastSendAt = now;
  t.lastRcvAt = now;
  // Linux tcp_finish_connect / tcp_create_openreq_child: icsk_ack.lrcvtime starts at the
  // handshake (TCP_INFO tcpi_last_data_recv counts from it).
  t.lastDataRcvAt = now;
  // Linux tcp_initialize_rcv_mss: a conservative guess of the peer's segment size.
  let hint = t.advMss < t.mss ? t.advMss : t.mss;
  if (hint > t.rcvWnd / 2) hint = Math.floor(t.rcvWnd / 2);
  if (hint > DEFAULT_MSS) hint = DEFAULT_MSS;
  t.rcvMss = hint < 88 ? 88 : hint;
  if (t.rcvSsthresh === 0) t.rcvSsthresh = t.rcvWnd;
  if (t.params.keepalive) t.keepaliveAt = timerExpiry(t.params, now, t.params.keepaliveIdle);
  initBuffers(t);
}
