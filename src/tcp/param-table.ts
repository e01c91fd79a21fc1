/**
 * The one table of TCP engine parameters: for every TcpParams field its kind, unit, the Linux
 * sysctl or socket option it mirrors, what it does, and the range the engine can run. Spec
 * validation (src/experiment/tcp-spec.ts) and docs/parameters.md are derived from it; the
 * defaults come from the profiles in params.ts. The mapped type makes a TcpParams field without an
 * entry a type error, so adding a parameter is: the interface field, its profile defaults, and
 * one entry here (or in the file of its family, below).
 *
 * Ranges are physical limits (a timer that repeats must take time, a window must hold a byte),
 * Linux's own limits where it has one (MAX_TCP_SYNCNT 127, MAX_TCP_KEEPIDLE 32767 s, TCP_MIN_MSS
 * 88), and what the engine stores (SYN-ACK retransmissions in a byte per request).
 *
 * The entries for the listener and for segment sizes and buffers, the two largest families, are in
 * param-table-listener.ts and param-table-buffers.ts, spread in at their place: the table's order
 * (docs/parameters.md's row order) is the same. What an entry is: param-info.ts.
 */
import { MS, SEC } from '../sim/time.ts';
import { DAY, flag, INT_MAX, timer, type ParamInfo, type SpecParamKey } from './param-info.ts';
import { LISTENER_PARAMS } from './param-table-listener.ts';
import { SEGMENT_AND_BUFFER_PARAMS } from './param-table-buffers.ts';

export const TCP_PARAM_TABLE: { readonly [K in SpecParamKey]-?: ParamInfo } = {
  profile: {
    kind: { oneOf: ['linux', 'rfc9293'] },
    linux: '-',
    doc: "Which defaults every other parameter starts from: Linux 6.x (`linux`) or the RFCs' numbers (`rfc9293`).",
  },
  initialRto: {
    ...timer(1 * MS, DAY),
    linux: 'TCP_TIMEOUT_INIT (1 s, fixed)',
    doc: 'Retransmission timeout before the first RTT sample (RFC 6298 2.1): the first SYN and SYN-ACK timeouts.',
  },
  minRto: {
    ...timer(1 * MS, DAY),
    linux: 'net.ipv4.tcp_rto_min_us / route rto_min (1 ms: one jiffy at HZ 1000)',
    doc: 'Lower bound of the computed RTO (RFC 6298 2.4; Linux TCP_RTO_MIN 200 ms).',
  },
  maxRto: {
    ...timer(1 * SEC, DAY),
    linux: 'net.ipv4.tcp_rto_max_ms (1 s … 120 s; TCP_RTO_MAX 120 s)',
    doc: 'Upper bound of the RTO after exponential backoff (RFC 6298 2.5).',
  },
  synRetries: {
    kind: 'count',
    min: 0,
    max: 127,
    linux: 'net.ipv4.tcp_syn_retries (TCP_SYNCNT)',
    doc: 'SYN retransmissions before connect() fails with ETIMEDOUT (plus synLinearTimeouts), or sooner: Linux also gives up once the (2^(n+1) − 1) × initialRto that n retries model has passed since the first SYN (3 s for 1, 7 s for 2); 0 with synGiveUp set lets the time limit decide.',
  },
  synLinearTimeouts: {
    kind: 'count',
    min: 0,
    max: 127,
    linux: 'net.ipv4.tcp_syn_linear_timeouts (Linux >= 6.5)',
    doc: 'The first N SYN retransmissions use a fixed initial RTO instead of doubling it.',
  },
  synGiveUp: {
    ...timer(1 * MS, DAY, 'synRetries decides'),
    linux: '- (RFC 9293 3.8.3 R2)',
    doc: 'Give up on a SYN after this long (R2 for a SYN, "at least 3 minutes").',
  },
  synAckRetries: {
    kind: 'count',
    min: 0,
    max: 255,
    linux: 'net.ipv4.tcp_synack_retries',
    doc: "SYN-ACK retransmissions of a half-open request before it is dropped (the engine counts them in a byte, as Linux's u8 num_timeout).",
  },
  synAckGiveUp: {
    ...timer(1 * MS, DAY, 'synAckRetries decides'),
    linux: '-',
    doc: 'Give up on a SYN-RECEIVED request after this long (rfc9293 profile).',
  },
  dataRetries: {
    kind: 'count',
    min: 0,
    max: 255,
    linux: 'net.ipv4.tcp_retries2',
    doc: 'Data retransmissions before the connection fails with ETIMEDOUT.',
  },
  // backlog … invalidRateLimit: the listener's queues and defences (param-table-listener.ts)
  ...LISTENER_PARAMS,
  metricsSave: {
    ...flag,
    linux: 'net.ipv4.tcp_nometrics_save (inverse)',
    doc: 'Keep a per-host destination metrics cache (tcp_metrics): RTT, RTT variance and cwnd saved when a connection closes, read by the next one.',
  },
  timeWait: {
    ...timer(0, DAY),
    linux: 'TCP_TIMEWAIT_LEN (60 s, fixed)',
    doc: 'How long a connection stays in TIME-WAIT (2 MSL; RFC 9293 3.4.2: MSL 2 minutes).',
  },
  rfc1337: {
    ...flag,
    linux: 'net.ipv4.tcp_rfc1337',
    doc: 'Ignore RST in TIME-WAIT (RFC 1337 TIME-WAIT assassination hazards).',
  },
  maxTimeWait: {
    kind: 'count',
    min: 0,
    max: INT_MAX,
    linux: 'net.ipv4.tcp_max_tw_buckets',
    doc: 'TIME-WAIT sockets per host beyond this are closed at once.',
  },
  twReuse: {
    ...flag,
    linux: 'net.ipv4.tcp_tw_reuse',
    doc: 'connect() may reuse a port held in TIME-WAIT (with timestamps, after 1 s).',
  },
  finWait2Timeout: {
    ...timer(1 * MS, DAY, 'no limit'),
    linux: 'net.ipv4.tcp_fin_timeout / TCP_LINGER2',
    doc: "How long an orphaned connection waits in FIN-WAIT-2 for the peer's FIN.",
  },
  keepalive: {
    ...flag,
    linux: 'SO_KEEPALIVE',
    doc: 'Send keepalive probes on idle connections.',
  },
  keepaliveIdle: {
    ...timer(1 * SEC, 32_767 * SEC),
    linux: 'net.ipv4.tcp_keepalive_time / TCP_KEEPIDLE (1 … 32767 s)',
    doc: 'Idle time before the first keepalive probe.',
  },
  keepaliveInterval: {
    ...timer(1 * SEC, 32_767 * SEC),
    linux: 'net.ipv4.tcp_keepalive_intvl / TCP_KEEPINTVL (1 … 32767 s)',
    doc: 'Time between keepalive probes.',
  },
  keepaliveProbes: {
    kind: 'count',
    min: 1,
    max: 127,
    linux: 'net.ipv4.tcp_keepalive_probes / TCP_KEEPCNT (1 … 127)',
    doc: 'Unanswered probes before the connection is dropped.',
  },
  userTimeout: {
    ...timer(1 * MS, INT_MAX * MS, 'off'),
    linux: 'TCP_USER_TIMEOUT (ms, int)',
    doc: 'Drop the connection when sent data, or the SYN of a connect(), stays unacknowledged this long (RFC 5482; Linux applies it in SYN-SENT too).',
  },
  delayedAck: {
    ...flag,
    linux: 'TCP_QUICKACK (inverse)',
    doc: 'Delay ACKs of received data (RFC 9293 3.8.6.3).',
  },
  delayedAckMin: {
    ...timer(0, 500 * MS),
    linux: 'TCP_DELACK_MIN (40 ms)',
    doc: 'Shortest delayed-ACK timeout.',
  },
  delayedAckMax: {
    ...timer(0, 500 * MS),
    linux: 'TCP_DELACK_MAX (200 ms)',
    doc: 'Longest delayed-ACK timeout (RFC 9293 3.8.6.3: under 0.5 s).',
  },
  ephemeralLow: {
    kind: 'port',
    min: 1,
    max: 65_535,
    linux: 'net.ipv4.ip_local_port_range (low)',
    doc: 'Lowest local port connect() picks.',
  },
  ephemeralHigh: {
    kind: 'port',
    min: 1,
    max: 65_535,
    linux: 'net.ipv4.ip_local_port_range (high)',
    doc: 'Highest local port connect() picks.',
  },
  // mss … minTsoSegs: segment sizes, buffers, TSO (param-table-buffers.ts)
  ...SEGMENT_AND_BUFFER_PARAMS,
  slowStartAfterIdle: {
    ...flag,
    linux: 'net.ipv4.tcp_slow_start_after_idle',
    doc: "After an idle period longer than the RTO, restart from the initial window (RFC 5681 4.1, tcp_cwnd_restart). Off keeps cwnd across idle periods, as the packetdrill suite's defaults.sh sets it.",
  },
  ecn: {
    kind: 'count',
    min: 0,
    max: 2,
    linux: 'net.ipv4.tcp_ecn',
    doc: "Classic ECN (RFC 3168): 0 off, 1 request it on active opens (ECN-setup SYN, ECT(0) data, ECE/CWR) and accept it, 2 accept it only (Linux's default: a listener answers an ECN-setup SYN with ECE and the connection runs with ECN).",
  },
  fastOpen: {
    kind: 'count',
    min: 0,
    max: 0x607,
    bits: [0x1, 0x2, 0x4, 0x200, 0x400],
    linux: 'net.ipv4.tcp_fastopen',
    doc: "TCP Fast Open (RFC 7413) bits: 1 client (cookie request, then data in the SYN), 2 server, 4 client sends data without a cookie, 0x200 (512) server takes SYN data without a cookie, 0x400 (1024) every listener has a Fast Open queue of its backlog; 3 both ends. Linux's default 1. Client apps use it with `fastOpen: true` (or `tcp.fastOpenConnect`); a listener needs bit 2 and a Fast Open queue (`fastOpenQueue` here or on the server app).",
  },
  fastOpenQueue: {
    kind: 'count',
    min: 0,
    max: INT_MAX,
    linux: 'TCP_FASTOPEN (setsockopt on the listener)',
    doc: 'Fast Open queue of a listener: children created from a SYN with data that have not completed the handshake (Linux fastopenq); 0 = Fast Open off for the listener.',
  },
  fastOpenConnect: {
    ...flag,
    linux: 'TCP_FASTOPEN_CONNECT',
    doc: "Every connect() is a Fast Open one (as a client app's `fastOpen: true`): it returns at once when a cookie is cached and the first write goes out in the SYN; without a cookie the SYN asks for one. Needs bit 1 of `fastOpen`.",
  },
  fastOpenBlackholeTimeout: {
    ...timer(1 * SEC, DAY, 'off'),
    linux: 'net.ipv4.tcp_fastopen_blackhole_timeout_sec',
    doc: "Active Fast Open blackhole detection: after a connection that used Fast Open times out three times in a row (or gives up sooner), or ends with only a FIN received, out of order, connects send plain SYNs for this long, doubled per repeat up to 64 times; the first connection after a pause that receives data resets the doubling. 0 (Linux's default since 5.12) never pauses.",
  },
  windowScaling: {
    ...flag,
    linux: 'net.ipv4.tcp_window_scaling',
    doc: 'Offer the window scale option (RFC 7323 2).',
  },
  timestamps: {
    ...flag,
    linux: 'net.ipv4.tcp_timestamps',
    doc: 'Offer the timestamps option (RFC 7323 3).',
  },
  sack: {
    ...flag,
    linux: 'net.ipv4.tcp_sack',
    doc: 'Offer selective acknowledgements (RFC 2018).',
  },
  initCwnd: {
    kind: 'count',
    min: 1,
    max: 65_535,
    linux: 'ip route ... initcwnd (TCP_INIT_CWND 10)',
    doc: 'Initial congestion window in segments (RFC 6928: 10).',
  },
  congestion: {
    kind: { oneOf: ['cubic', 'reno'] },
    linux: 'net.ipv4.tcp_congestion_control',
    doc: "Congestion control: `cubic` (RFC 9438 as Linux's tcp_cubic.c, with HyStart) or `reno` (RFC 5681 / 6582 NewReno). With SACK, loss recovery is RFC 6675 with PRR (RFC 6937) for either.",
  },
  pacing: {
    kind: { oneOf: ['off', 'fq', 'internal'] },
    linux: 'tc qdisc ... fq (SK_PACING_FQ); SO_MAX_PACING_RATE (SK_PACING_NEEDED)',
    doc: "Packet pacing at sk_pacing_rate (tcp_update_pacing_rate): each packet gets an earliest departure time (tcp_wstamp_ns) and waits for it. `off` (the default) is a Linux host on its default qdisc (pfifo_fast, or fq_codel as systemd sets it) running CUBIC, which does not pace; `fq` is the fq qdisc honouring those times; `internal` is TCP's own pacing timer (tcp_pacing_check). Both hold each packet until its time; `fq` also keeps HyStart's ACK-train threshold unhalved as Linux does with a pacing qdisc.",
  },
  pacingSsRatio: {
    kind: 'count',
    min: 0,
    max: 1000,
    linux: 'net.ipv4.tcp_pacing_ss_ratio',
    doc: 'Pacing rate in the first half of slow start (cwnd below ssthresh/2), percent of cwnd·MSS/SRTT; also sizes TSO packets (about 1 ms at this rate).',
  },
  pacingCaRatio: {
    kind: 'count',
    min: 0,
    max: 1000,
    linux: 'net.ipv4.tcp_pacing_ca_ratio',
    doc: 'Pacing rate from then on, percent of cwnd·MSS/SRTT; also sizes TSO packets.',
  },
  nagle: {
    ...flag,
    linux: 'TCP_NODELAY (inverse)',
    doc: "Nagle's algorithm: hold small segments while data is unacknowledged (RFC 896).",
  },
  tailLossProbe: {
    ...flag,
    linux: 'net.ipv4.tcp_early_retrans = 3',
    doc: 'Tail loss probe (RFC 8985 7): resend the last segment when it goes unanswered for about two RTTs.',
  },
  frto: {
    kind: 'count',
    min: 0,
    max: 2,
    linux: 'net.ipv4.tcp_frto',
    doc: "F-RTO (RFC 5682, SACK-enhanced, tcp_process_loss): after a retransmission timeout the next ACK lets up to two new segments out instead of more retransmissions; if the ACK after them acknowledges or SACKs data never retransmitted, the timeout was spurious and cwnd and ssthresh go back (tcp_try_undo_loss). 0 off; 1 and 2 on (Linux's default 2). SACK connections only.",
  },
  timers: {
    kind: { oneOf: ['wheel', 'exact'] },
    linux: 'kernel/time/timer.c (the timer wheel)',
    doc: "When TCP timers fire: `wheel` rounds each expiry up to its jiffies bucket as Linux's timer wheel does and fires timers sharing a bucket together (docs/linux-timers.md); `exact` at the nanosecond.",
  },
  hz: {
    kind: 'hz',
    linux: 'CONFIG_HZ',
    doc: 'Jiffies per second of the timer wheel: 100, 250, 300 or 1000.',
  },
  jiffies: {
    kind: { oneOf: ['shared', 'perHost', 'zero'] },
    linux: 'jiffies (INITIAL_JIFFIES)',
    doc: "How hosts' jiffies line up: one clock for every host with a phase drawn from the seed (`shared`), a phase per host (`perHost`), or 0 at time 0 (`zero`).",
  },
};
