/**
 * TCP parameters and the two profiles of docs/design.md part 3. `linux` follows Linux 6.x defaults,
 * `rfc9293` the RFCs' numbers. Every value is overridable per experiment and per node; times are
 * integer nanoseconds.
 */
import { MS, SEC, type Nanos } from '../sim/time.ts';

export type ProfileName = 'linux' | 'rfc9293';
export type SynCookieMode = false | true | 'always';

export interface TcpParams {
  profile: ProfileName;

  // RFC 6298 retransmission timer
  initialRto: Nanos;
  minRto: Nanos;
  maxRto: Nanos;

  /** SYN retransmissions before connect() fails with ETIMEDOUT (Linux tcp_syn_retries). */
  synRetries: number;
  /** Linux >= 6.5 tcp_syn_linear_timeouts: the first N SYN retransmissions use a fixed 1 s RTO. */
  synLinearTimeouts: number;
  /** rfc9293: give up on a SYN after this long instead (R2, "at least 3 minutes"); 0 = use synRetries. */
  synGiveUp: Nanos;
  /** SYN-ACK retransmissions of a request in the SYN queue (Linux tcp_synack_retries). */
  synAckRetries: number;
  /** rfc9293: give up on SYN-RECEIVED after this long; 0 = use synAckRetries. */
  synAckGiveUp: Nanos;
  /** Data retransmissions before ETIMEDOUT (Linux tcp_retries2 = 15). */
  dataRetries: number;

  /** The listen() backlog servers use unless they set one. */
  backlog: number;
  /** net.core.somaxconn: the cap on every backlog. */
  somaxconn: number;
  /** rfc9293: one queue for half-open and completed connections; linux: SYN queue and accept queue apart. */
  separateQueues: boolean;
  /** Linux tcp_abort_on_overflow: answer a final ACK that finds the accept queue full with RST. */
  abortOnOverflow: boolean;
  synCookies: SynCookieMode;
  /** Linux's young/old pruning of half-open entries when the SYN queue is over half full. */
  synQueuePruning: boolean;
  /** RFC 4987 defences beyond backlog size and cookies. */
  synRecvTimeout: Nanos; // shorter SYN-RECEIVED timer (0 = the retry schedule decides)
  recycleOldest: boolean; // a SYN finding the SYN queue full evicts the oldest half-open entry
  synCache: boolean; // half-open entries kept in a compact hash-bucketed cache (RFC 4987 3.3)
  synCacheBucketSize: number; // entries per bucket in the SYN cache
  /**
   * Linux tcp_max_syn_backlog. With SYN cookies off, a SYN is dropped once fewer than a quarter
   * of this many request slots remain (inet_csk_reqsk_queue_len), unless its source is a proven
   * peer: one the host's destination metrics hold an RTT for (tcp_conn_request,
   * tcp_peer_is_proven). 0 = no such rule.
   */
  maxSynBacklog: number;
  /**
   * Linux tcp_invalid_ratelimit: a request answers duplicate SYNs and out-of-window segments at
   * most once per this interval (tcp_check_req, tcp_oow_rate_limited). 0 = answer every one.
   */
  invalidRateLimit: Nanos;
  /**
   * Linux !tcp_nometrics_save: a closing connection saves its RTT, RTT variance and cwnd in the
   * host's per-destination cache (tcp_update_metrics), read again at connection setup.
   */
  metricsSave: boolean;

  timeWait: Nanos;
  /** RFC 1337: ignore RST in TIME-WAIT. */
  rfc1337: boolean;
  /** Linux tcp_max_tw_buckets: TIME-WAIT sockets per host beyond this are closed at once. */
  maxTimeWait: number;
  /** Linux tcp_tw_reuse: connect() may reuse a port held in TIME-WAIT (with timestamps, after 1 s). */
  twReuse: boolean;
  finWait2Timeout: Nanos; // 0 = none

  keepalive: boolean;
  keepaliveIdle: Nanos;
  keepaliveInterval: Nanos;
  keepaliveProbes: number;
  /** TCP_USER_TIMEOUT (RFC 5482); 0 = off. */
  userTimeout: Nanos;

  delayedAck: boolean;
  delayedAckMin: Nanos;
  delayedAckMax: Nanos;

  ephemeralLow: number;
  ephemeralHigh: number;

  mss: number;
  /**
   * Receive and send buffer sizes in bytes a connection starts with (Linux tcp_rmem[1] and
   * tcp_wmem[1]); SO_RCVBUF / SO_SNDBUF set them on one socket and lock them (no autotuning).
   */
  rcvBuf: number;
  sndBuf: number;
  /** net.ipv4.tcp_notsent_lowat: POLLOUT and send() wait while this many bytes are unsent (Linux: UINT_MAX, off). */
  notsentLowat: number;
  /**
   * Bytes each skb's head costs the send buffer (Linux skb->truesize beyond the payload); 0 counts
   * payload bytes only. Above 0 the send queue is kept in skbs of size_goal (send-skbs.ts).
   */
  skbTruesize: number;
  /** net.ipv4.tcp_tso_win_divisor: with skb accounting, a TSO packet of this fraction of the window is sent, not deferred (0: another rule). */
  tsoWinDivisor: number;
  /** net.ipv4.tcp_min_tso_segs: the fewest segments TSO autosizing puts in a packet (tso.ts). */
  minTsoSegs: number;
  /** net.ipv4.tcp_slow_start_after_idle (RFC 5681 4.1): after an idle period longer than the RTO, cwnd restarts from the initial window. */
  slowStartAfterIdle: boolean;
  /**
   * net.ipv4.tcp_fastopen (RFC 7413) bits: 0x1 client, 0x2 server, 0x4 client sends data
   * without a cookie, 0x200 server takes data without a cookie, 0x400 every listener has a Fast
   * Open queue of its backlog without TCP_FASTOPEN (fastopen.ts). Linux default 1.
   */
  fastOpen: number;
  /** TCP_FASTOPEN on a listener: the Fast Open queue length (Linux fastopenq.max_qlen); 0 none. */
  fastOpenQueue: number;
  /** TCP_FASTOPEN_CONNECT: connect() returns at once and the first write goes in the SYN. */
  fastOpenConnect: boolean;
  /**
   * net.ipv4.tcp_fastopen_blackhole_timeout_sec (ns): how long active Fast Open pauses after a
   * suspected blackhole, doubling per repeat up to 64× (fastopen-blackhole.ts); 0 never pauses (Linux's default since 5.12).
   */
  fastOpenBlackholeTimeout: Nanos;
  /**
   * net.ipv4.tcp_fastopen_key / TCP_FASTOPEN_KEY as Linux writes it ("w0-w1-w2-w3[,backup]");
   * absent = a key drawn by the host (Linux: random at first use). Not a spec field (drill sysctls set it).
   */
  fastOpenKey?: string;
  /** net.ipv4.tcp_ecn (RFC 3168): 0 off, 1 request ECN on active opens and accept it, 2 accept it only (Linux default). */
  ecn: number;
  /** Largest size receive autotuning may give the buffer (tcp_rmem[2]); also picks the window scale. */
  rcvBufMax: number;
  /** Largest size the send buffer may grow to (tcp_wmem[2]). */
  sndBufMax: number;
  /** Receive buffer autotuning, Linux tcp_moderate_rcvbuf (tcp_rcv_space_adjust). */
  moderateRcvbuf: boolean;
  /** Send buffer growth with the congestion window (Linux tcp_sndbuf_expand, which has no sysctl). */
  sndBufGrowth: boolean;
  /** SO_RCVBUF / SO_SNDBUF were set on the socket (Linux SOCK_RCVBUF_LOCK / SOCK_SNDBUF_LOCK). */
  rcvBufLock: boolean;
  sndBufLock: boolean;
  windowScaling: boolean;
  timestamps: boolean;
  sack: boolean;
  /** Initial congestion window in segments (RFC 6928: 10). */
  initCwnd: number;
  /** Congestion control (Linux tcp_congestion_control): cubic (RFC 9438, Linux's default) or reno (RFC 5681/6582). */
  congestion: 'cubic' | 'reno';
  /**
   * Packet pacing (pacing.ts): `off` as a Linux host on its default qdisc (pfifo_fast or
   * fq_codel) with CUBIC; `fq` the fq qdisc's earliest departure times (EDT, sk_pacing_status
   * SK_PACING_FQ); `internal` TCP's own pacing timer (SK_PACING_NEEDED, tcp_pacing_check).
   */
  pacing: 'off' | 'fq' | 'internal';
  /** net.ipv4.tcp_pacing_ss_ratio / tcp_pacing_ca_ratio: pacing rate, percent of cwnd/SRTT in slow start / after. */
  pacingSsRatio: number;
  pacingCaRatio: number;
  nagle: boolean;
  /**
   * Tail loss probe (RFC 8985 7, Linux tcp_early_retrans 3, on SACK connections): when the last
   * segments go unanswered for about two RTTs, resend the last one before the RTO fires.
   */
  tailLossProbe: boolean;
  /**
   * net.ipv4.tcp_frto (RFC 5682, SACK-enhanced as Linux): after an RTO, new data instead of more
   * retransmissions tells a spurious timeout from a real one, and a spurious one is undone. 0 off.
   */
  frto: number;

  /**
   * When timers fire (src/tcp/timer-wheel.ts, docs/linux-timers.md): `wheel` as Linux's jiffies
   * and timer wheel do (rounded up to the wheel level's granularity, batched), `exact` at the
   * nominal nanosecond.
   */
  timers: 'wheel' | 'exact';
  /** Linux CONFIG_HZ: jiffies per second (100, 250, 300 or 1000). */
  hz: number;
  /** How hosts' jiffies line up: one clock for every host (`shared`), one per host, or 0 at time 0. */
  jiffies: 'shared' | 'perHost' | 'zero';
  /** The host's jiffies phase in ns, set by HostTcp (host-tcp.ts) from `jiffies` and the seed (not a spec field); every timer expiry reads it here. */
  jiffiesOffset?: Nanos;
}

const linux: TcpParams = {
  profile: 'linux',
  initialRto: 1 * SEC,
  minRto: 200 * MS,
  maxRto: 120 * SEC,
  synRetries: 6,
  synLinearTimeouts: 4,
  synGiveUp: 0,
  synAckRetries: 5,
  synAckGiveUp: 0,
  dataRetries: 15,
  backlog: 128,
  somaxconn: 4096,
  separateQueues: true,
  abortOnOverflow: false,
  synCookies: true,
  synQueuePruning: true,
  synRecvTimeout: 0,
  recycleOldest: false,
  synCache: false,
  synCacheBucketSize: 30,
  // tcp_sk_init: max(128, established-hash entries / 128). 4096 belongs to the 524288-entry hash
  // that also gives tcp_max_tw_buckets 262144 (maxTimeWait); a 4 GiB box has 256 or 512.
  maxSynBacklog: 4096,
  invalidRateLimit: 500 * MS,
  metricsSave: true,
  timeWait: 60 * SEC,
  rfc1337: false,
  maxTimeWait: 262144,
  twReuse: false,
  finWait2Timeout: 60 * SEC,
  keepalive: false,
  keepaliveIdle: 7200 * SEC,
  keepaliveInterval: 75 * SEC,
  keepaliveProbes: 9,
  userTimeout: 0,
  delayedAck: true,
  delayedAckMin: 40 * MS,
  delayedAckMax: 200 * MS,
  ephemeralLow: 32768,
  ephemeralHigh: 60999,
  mss: 1460,
  rcvBuf: 131072,
  sndBuf: 16384 * 4,
  rcvBufMax: 6 * 1024 * 1024,
  sndBufMax: 4 * 1024 * 1024,
  moderateRcvbuf: true,
  sndBufGrowth: true,
  rcvBufLock: false,
  sndBufLock: false,
  notsentLowat: 0xffffffff,
  skbTruesize: 0,
  tsoWinDivisor: 3,
  minTsoSegs: 2,
  slowStartAfterIdle: true,
  ecn: 2,
  fastOpen: 1,
  fastOpenQueue: 0,
  fastOpenConnect: false,
  fastOpenBlackholeTimeout: 0,
  windowScaling: true,
  timestamps: true,
  sack: true,
  initCwnd: 10,
  congestion: 'cubic',
  pacing: 'off',
  pacingSsRatio: 200,
  pacingCaRatio: 120,
  nagle: true,
  tailLossProbe: true,
  frto: 2,
  timers: 'wheel',
  hz: 250,
  jiffies: 'shared',
};

const rfc9293: TcpParams = {
  ...linux,
  profile: 'rfc9293',
  initialRto: 1 * SEC,
  minRto: 1 * SEC,
  maxRto: 60 * SEC,
  synRetries: 0,
  synLinearTimeouts: 0,
  synGiveUp: 180 * SEC, // RFC 9293 3.8.3: R2 for a SYN at least 3 minutes
  synAckRetries: 0,
  synAckGiveUp: 180 * SEC,
  separateQueues: false,
  synCookies: false,
  synQueuePruning: false,
  maxSynBacklog: 0, // Linux's reserve for proven peers is not in the RFCs
  invalidRateLimit: 0, // RFC 9293 3.10.7.4: every unacceptable segment gets its ACK
  metricsSave: false, // no per-destination cache (RFC 9040 is optional)
  timeWait: 240 * SEC, // 2 * MSL, MSL = 2 minutes (RFC 9293 3.4.2)
  rfc1337: true,
  finWait2Timeout: 0,
  delayedAckMin: 0,
  delayedAckMax: 500 * MS, // RFC 9293 3.8.6.3: delay under 0.5 s
  ephemeralLow: 49152, // RFC 6335 dynamic ports
  ephemeralHigh: 65535,
  tailLossProbe: false, // RFC 9293 itself has no tail loss probe
  frto: 0, // RFC 5682 is experimental: the RFCs' RTO is go-back-N without it
  congestion: 'reno', // the RFCs' congestion control (RFC 5681, 6582)
  moderateRcvbuf: false, // fixed buffers: autotuning is Linux's, not the RFCs'
  sndBufGrowth: false,
  timers: 'exact', // the RFCs' timers fire when they say
  fastOpen: 0, // RFC 7413 is experimental: off unless asked for
};

export const PROFILES: Readonly<Record<ProfileName, Readonly<TcpParams>>> = { linux, rfc9293 };

/**
 * The parameters of a socket whose application set options before connect() or listen():
 * SO_RCVBUF / SO_SNDBUF among them lock that buffer's size, as Linux sk_userlocks.
 */
export function withSocketOptions(base: TcpParams, options: Partial<TcpParams>): TcpParams {
  const p = { ...base, ...options };
  if (options.rcvBuf !== undefined) p.rcvBufLock = true;
  if (options.sndBuf !== undefined) p.sndBufLock = true;
  return p;
}

/** A profile's parameters with overrides applied. */
export function tcpParams(profile: ProfileName, overrides: Partial<TcpParams> = {}): TcpParams {
  return { ...PROFILES[profile], ...overrides, profile };
}
