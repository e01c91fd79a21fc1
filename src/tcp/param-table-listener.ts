/**
 * The TCP parameter table's entries for the listener (param-table.ts has the rest, and why the
 * table is the one place a parameter is described): listen() backlog and somaxconn, the SYN and
 * accept queues, SYN cookies, the RFC 4987 defences, the SYN cache, the reserve for proven peers
 * and the rate limit on answers to half-open requests (listener.ts, listener-requests.ts).
 * TCP_PARAM_TABLE spreads them in at their place, so the table's order is unchanged.
 */
import { MS } from '../sim/time.ts';
import { DAY, flag, INT_MAX, timer, type ParamInfo, type SpecParamKey } from './param-info.ts';

export const LISTENER_PARAMS = {
  backlog: {
    kind: 'count',
    min: 0,
    max: INT_MAX,
    linux: 'listen(fd, backlog)',
    doc: 'The listen() backlog of servers that set none; capped by somaxconn. The queues hold min(backlog, somaxconn) + 1 (Linux tests len > backlog).',
  },
  somaxconn: {
    kind: 'count',
    min: 0,
    max: 1_000_000,
    linux: 'net.core.somaxconn',
    doc: 'Cap on every listen backlog. Queues are allocated at listen() from it, so it is limited to a million entries here (Linux: INT_MAX).',
  },
  separateQueues: {
    ...flag,
    linux: 'Linux: SYN queue and accept queue apart',
    doc: '`true`: half-open requests and completed connections have separate limits (Linux); `false`: one queue for both (RFC 793 / BSD style).',
  },
  abortOnOverflow: {
    ...flag,
    linux: 'net.ipv4.tcp_abort_on_overflow',
    doc: 'Answer a final ACK that finds the accept queue full with RST instead of ignoring it (and retransmitting the SYN-ACK).',
  },
  synCookies: {
    kind: { oneOf: [false, true, 'always'] },
    linux: 'net.ipv4.tcp_syncookies (0, 1, 2)',
    doc: 'SYN cookies: `true` when the SYN queue is full, `always` for every SYN, `false` never (RFC 4987 3.6).',
  },
  synQueuePruning: {
    ...flag,
    linux: 'reqsk_timer_handler young/old pruning',
    doc: 'When the SYN queue is over half full, requests that never got an ACK get fewer SYN-ACK retries.',
  },
  synRecvTimeout: {
    ...timer(1 * MS, DAY, 'off'),
    linux: '- (RFC 4987 3.2)',
    doc: 'A shorter SYN-RECEIVED timer: half-open requests are dropped after this long.',
  },
  recycleOldest: {
    ...flag,
    linux: '- (RFC 4987 3.5)',
    doc: 'A SYN that finds the SYN queue full evicts the oldest half-open request instead of being dropped.',
  },
  synCache: {
    ...flag,
    linux: '- (FreeBSD syncache, RFC 4987 3.3)',
    doc: 'Keep half-open requests in a hash-bucketed cache of 512 buckets instead of the backlog-sized SYN queue.',
  },
  synCacheBucketSize: {
    kind: 'count',
    min: 1,
    max: 2048,
    linux: 'FreeBSD net.inet.tcp.syncache.bucketlimit',
    doc: 'Entries per SYN-cache bucket (512 buckets, so at most about a million half-open requests); a full bucket evicts its oldest entry.',
  },
  maxSynBacklog: {
    kind: 'count',
    min: 0,
    max: INT_MAX,
    linux: 'net.ipv4.tcp_max_syn_backlog',
    doc: 'With cookies off, once fewer than a quarter of this many request slots are free, only proven peers (a cached RTT in the destination metrics) get a SYN-ACK (tcp_conn_request); 0 = no reserve.',
  },
  invalidRateLimit: {
    ...timer(1 * MS, DAY, 'answer every one'),
    linux: 'net.ipv4.tcp_invalid_ratelimit',
    doc: 'Least time between answers to duplicate SYNs and out-of-window segments (tcp_oow_rate_limited).',
  },
} satisfies { readonly [K in SpecParamKey]?: ParamInfo };
