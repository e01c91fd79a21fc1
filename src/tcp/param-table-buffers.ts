/**
 * The TCP parameter table's entries for segment sizes and buffers (param-table.ts has the rest,
 * and why the table is the one place a parameter is described): the MSS, the receive and send
 * buffers with their autotuning, growth and locks, TCP_NOTSENT_LOWAT, per-skb accounting and TSO
 * packet sizes, with the size limits their ranges are made of. TCP_PARAM_TABLE spreads them in at
 * their place, so the table's order is unchanged.
 */
import { flag, type ParamInfo, type SpecParamKey } from './param-info.ts';

/** The largest window TCP can advertise: 65535 << 14 (RFC 7323 2.3), so no use for a larger buffer. */
const MAX_WINDOW_BYTES = 2 ** 30;
/**
 * The largest payload that fits a 16-bit IPv4 total length with a 20-byte IP header and a full
 * 60-byte TCP header (what the wire encoder and pcap writer can carry).
 */
export const MAX_MSS = 65_535 - 20 - 60;
/**
 * Linux SOCK_MIN_RCVBUF on x86-64: 2 × (2048 + sizeof(struct sk_buff) aligned to 64 bytes), the
 * least a receive buffer can be set to (a 1-byte buffer has no window space at all).
 */
export const SOCK_MIN_BUF = 4608;
/** Linux TCP_MIN_MSS. */
export const MIN_MSS = 88;

export const SEGMENT_AND_BUFFER_PARAMS = {
  mss: {
    kind: 'bytes',
    min: MIN_MSS,
    max: MAX_MSS,
    linux: 'TCP_MAXSEG (TCP_MIN_MSS 88)',
    doc: 'Maximum segment size this host advertises and sends (payload bytes). At most 65455 so a segment with a full TCP header fits an IPv4 packet.',
  },
  rcvBuf: {
    kind: 'bytes',
    min: SOCK_MIN_BUF,
    max: MAX_WINDOW_BYTES,
    linux: 'SO_RCVBUF / net.ipv4.tcp_rmem (min SOCK_MIN_RCVBUF)',
    doc: "Receive buffer a connection starts with (Linux sk_rcvbuf, tcp_rmem default): half of it is the window space; autotuning may grow it up to rcvBufMax. From Linux's SOCK_MIN_RCVBUF to 1 GiB, the largest window TCP can advertise (RFC 7323).",
  },
  sndBuf: {
    kind: 'bytes',
    min: 1,
    max: MAX_WINDOW_BYTES,
    linux: 'SO_SNDBUF / net.ipv4.tcp_wmem',
    doc: 'Send buffer a connection starts with (tcp_wmem default): bytes an application may have written but not yet had acknowledged; it grows with the congestion window unless sndBufGrowth is off or SO_SNDBUF set it. Linux raises values below SOCK_MIN_SNDBUF (4608); here any size from 1 byte runs, for textbook blocking-write scenarios.',
  },
  rcvBufMax: {
    kind: 'bytes',
    min: SOCK_MIN_BUF,
    max: MAX_WINDOW_BYTES,
    linux: 'net.ipv4.tcp_rmem (max)',
    doc: 'Largest receive buffer autotuning may grow to (tcp_rcv_space_adjust); the window-scale shift is chosen for it.',
  },
  sndBufMax: {
    kind: 'bytes',
    min: 1,
    max: MAX_WINDOW_BYTES,
    linux: 'net.ipv4.tcp_wmem (max)',
    doc: 'Largest send buffer growth may reach (tcp_sndbuf_expand: two congestion windows of segments).',
  },
  moderateRcvbuf: {
    ...flag,
    linux: 'net.ipv4.tcp_moderate_rcvbuf',
    doc: 'Receive buffer autotuning: grow the buffer to twice what the application read per round trip (and more while that grows).',
  },
  sndBufGrowth: {
    ...flag,
    linux: 'tcp_sndbuf_expand (no sysctl)',
    doc: 'Grow the send buffer to hold two congestion windows while not cwnd-limited. Off for a fixed send buffer (textbook blocking-write scenarios).',
  },
  rcvBufLock: {
    ...flag,
    linux: 'SOCK_RCVBUF_LOCK (set by SO_RCVBUF)',
    doc: 'The receive buffer keeps its size (as after SO_RCVBUF); socket options set this themselves.',
  },
  sndBufLock: {
    ...flag,
    linux: 'SOCK_SNDBUF_LOCK (set by SO_SNDBUF)',
    doc: 'The send buffer keeps its size (as after SO_SNDBUF); socket options set this themselves.',
  },
  notsentLowat: {
    kind: 'bytes',
    min: 1,
    max: 0xffffffff,
    linux: 'net.ipv4.tcp_notsent_lowat (TCP_NOTSENT_LOWAT per socket)',
    doc: "Unsent bytes at which send() stops taking data and POLLOUT waits until they fall below half (Linux tcp_stream_memory_free). Linux's default 4294967295 means off.",
  },
  skbTruesize: {
    kind: 'bytes',
    min: 0,
    max: 65_536,
    linux: 'skb->truesize, sk_wmem_queued (no sysctl)',
    doc: 'Bytes each send-queue skb costs the send buffer beyond its payload (Linux SKB_TRUESIZE of the skb head). 0 (the default) counts payload bytes only; above 0 writes fill skbs of size_goal and the buffer is checked only when a new skb is needed, as tcp_sendmsg does; the drill runner uses 1280.',
  },
  tsoWinDivisor: {
    kind: 'count',
    min: 0,
    max: 255,
    linux: 'net.ipv4.tcp_tso_win_divisor',
    doc: 'With skbTruesize above 0 (skb send queue): a TSO packet of at least this fraction of the window goes at once instead of waiting for a later ACK to make it bigger (tcp_tso_should_defer); 0 sends at once when more than three segments fit.',
  },
  minTsoSegs: {
    kind: 'count',
    min: 1,
    max: 255,
    linux: 'net.ipv4.tcp_min_tso_segs',
    doc: 'The fewest segments TSO autosizing (about 1 ms at the pacing rate) puts in one packet; a packet of more than one segment carries PSH, as Linux forces it on every GSO packet.',
  },
} satisfies { readonly [K in SpecParamKey]?: ParamInfo };
