/**
 * getsockopt(TCP_INFO) as Linux fills it (net/ipv4/tcp.c tcp_get_info): the connection's state,
 * windows in packets, times in microseconds (`last_*` in milliseconds). Only what the engine
 * models is reported; a field it does not track is absent, so a script asserting on it can say
 * so instead of comparing against an invented value.
 */
import type { Nanos } from '../sim/time.ts';
import { TcpState } from './api.ts';
import { chronoTotals } from './chrono.ts';
import { seqSub } from './seq.ts';
import type { Tcb } from './tcb.ts';

/** include/uapi/linux/tcp.h TCPI_OPT_* bits of tcpi_options. */
export const TCPI_OPT_TIMESTAMPS = 1;
export const TCPI_OPT_SACK = 2;
export const TCPI_OPT_WSCALE = 4;
export const TCPI_OPT_ECN = 8;
export const TCPI_OPT_ECN_SEEN = 16;
export const TCPI_OPT_SYN_DATA = 32;

/** include/net/tcp_states.h numbers, indexed by TcpState. */
const LINUX_STATE_NUMBER: readonly number[] = [7, 10, 2, 3, 1, 4, 5, 8, 11, 9, 6];

/** Linux enum tcp_ca_state. */
export const TCP_CA_Open = 0;
export const TCP_CA_Disorder = 1;
export const TCP_CA_CWR = 2;
export const TCP_CA_Recovery = 3;
export const TCP_CA_Loss = 4;

/** Linux TCP_INFINITE_SSTHRESH. */
const INFINITE_SSTHRESH = 0x7fffffff;

/** The `struct tcp_info` fields the engine models, by their names without the `tcpi_` prefix. */
export const TCP_INFO_FIELDS = [
  'state',
  'ca_state',
  'retransmits',
  'probes',
  'backoff',
  'options',
  'snd_wscale',
  'rcv_wscale',
  'rto',
  'ato',
  'snd_mss',
  'rcv_mss',
  'advmss',
  'unacked',
  'retrans',
  'total_retrans',
  'last_data_recv',
  'last_data_sent',
  'rtt',
  'rttvar',
  'snd_ssthresh',
  'snd_cwnd',
  'rcv_ssthresh',
  'reordering',
  'bytes_acked',
  'bytes_received',
  'segs_out',
  'notsent_bytes',
  'snd_wnd',
  'busy_time',
  'rwnd_limited',
  'sndbuf_limited',
  'sacked',
  'lost',
  'reord_seen',
  'min_rtt',
  'delivered',
] as const;

export type TcpInfoFields = Readonly<Record<(typeof TCP_INFO_FIELDS)[number], number>>;

const us = (ns: Nanos): number => Math.floor(ns / 1000);
const ms = (ns: Nanos): number => Math.floor(ns / 1_000_000);

/** tcp_get_info for one connection at `now`. */
export function tcpInfo(t: Tcb, now: Nanos): TcpInfoFields {
  const caState = t.inRecovery
    ? TCP_CA_Recovery
    : t.retransmits > 0 && t.state !== TcpState.SYN_SENT
      ? TCP_CA_Loss
      : t.dupAcks > 0
        ? TCP_CA_Disorder
        : TCP_CA_Open;
  let options = 0;
  if (t.tsOk) options |= TCPI_OPT_TIMESTAMPS;
  if (t.sackOk) options |= TCPI_OPT_SACK;
  if (t.wscaleOk) options |= TCPI_OPT_WSCALE;
  if (t.ecnOk) options |= TCPI_OPT_ECN;
  if (t.ecnSeen) options |= TCPI_OPT_ECN_SEEN;
  if (t.fo !== null && t.fo.dataAcked) options |= TCPI_OPT_SYN_DATA;
  const ssthresh = t.cc.ssthresh >= INFINITE_SSTHRESH ? INFINITE_SSTHRESH : t.cc.ssthresh;
  const notsent = seqSub(t.writeSeq, t.sndNxt);
  const [busy, rwnd, sndbuf] = chronoTotals(t, now);
  return {
    state: LINUX_STATE_NUMBER[t.state]!,
    ca_state: caState,
    retransmits: t.retransmits,
    probes: t.probesOut,
    // Linux icsk_backoff: one per RTO or zero-window probe since the last acknowledgement.
    backoff: t.retransmits + t.persistBackoff,
    options,
    snd_wscale: t.wscaleOk ? t.sndWscale : 0,
    rcv_wscale: t.wscaleOk ? t.rcvWscale : 0,
    rto: us(t.rtt.rto),
    ato: us(t.ato),
    snd_mss: t.mss,
    rcv_mss: t.rcvMss,
    advmss: t.advMss,
    unacked: t.packetsOut,
    retrans: t.rtxq.retransOut,
    total_retrans: t.retransSegs,
    last_data_recv: ms(now - t.lastDataRcvAt),
    last_data_sent: ms(now - t.lastSendAt),
    rtt: us(t.rtt.srtt),
    rttvar: us(t.rtt.rttvar),
    snd_ssthresh: ssthresh,
    snd_cwnd: t.cc.cwnd,
    rcv_ssthresh: t.rcvSsthresh,
    reordering: t.reordering,
    bytes_acked: t.bytesAckedTotal,
    bytes_received: t.bytesReceivedTotal,
    segs_out: t.segsOut,
    notsent_bytes: notsent > 0 ? notsent : 0,
    snd_wnd: t.sndWnd,
    busy_time: us(busy),
    rwnd_limited: us(rwnd),
    sndbuf_limited: us(sndbuf),
    // Linux sacked_out and lost_out: the SACK scoreboard's marks (rtx-queue.ts); 0 without SACK.
    sacked: t.sack === null ? 0 : t.rtxq.sackedOut,
    lost: t.sack === null ? 0 : t.rtxq.lostOut,
    reord_seen: t.reordSeen,
    // Linux tcp_min_rtt (~0U before the first sample).
    min_rtt: t.rtt.minRtt === Infinity ? 0xffffffff : us(t.rtt.minRtt),
    delivered: t.delivered,
  };
}
