/**
 * How docs/conformance.md reads Linux's whole packetdrill suite (../shared/conformance/upstream/
 * gtests): which scripts are out of scope (the corpus README's list), which folders issue 10
 * answers for, and why each in-scope script that fails does not pass. Keys are paths inside
 * upstream/gtests; a key ending in '/' covers its folder.
 */

/** The corpus README: out of scope, SKIP is the honest answer there. */
export const OUT_OF_SCOPE_FOLDERS: readonly string[] = ['zerocopy', 'timestamping', 'md5', 'gro', 'splice', 'sendfile', 'mtu_probe'];

/** Scripts for IPv6 only (out of scope too). */
export function ipv6Only(script: string): boolean {
  return /[-_](ipv6|v6)\.pkt$/.test(script);
}

export function inScope(script: string): boolean {
  return !OUT_OF_SCOPE_FOLDERS.includes(script.split('/')[0]!) && !ipv6Only(script);
}

/** The folders issue 10 (runner and socket surface) is measured on. */
export const SOCKET_FOLDERS: readonly string[] = [
  'close', 'shutdown', 'blocking', 'validate', 'user_timeout', 'ioctl', 'eor', 'inq', 'notsent_lowat', 'epoll',
  'tcp_info', 'mss', 'nagle', 'ts_recent', 'syscall_bad_arg', 'ecn',
];

/** The folders issue 11 (loss recovery and congestion control) is measured on. */
export const RECOVERY_FOLDERS: readonly string[] = [
  'sack', 'fast_recovery', 'cubic', 'slow_start', 'limited_transmit', 'fast_retransmit', 'blocking',
];

const LOSS_RECOVERY = 'Loss recovery and congestion control as Linux runs them: the engine has RACK-TLP, PRR, CUBIC with HyStart, DSACK undo, SACK marks kept across an RTO and Linux\'s TSO packet sizes; F-RTO, undo after an RTO or by timestamps (Eifel) and pacing are not modelled yet (issue 11).';
/** Scripts that put the fq qdisc on the path: its pacing decides when packets leave. */
const FQ_PACING = 'Pacing (tc qdisc fq, earliest departure times at sk_pacing_rate, 200 % of cwnd/SRTT in slow start) is not modelled: the engine sends each burst at once, so its segments wait longer for their ACKs than paced ones do; in the cubic-bulk scripts HyStart\'s delay test then ends slow start at cwnd 36 where Linux\'s ends it at 48 (measured: ssthresh 36 at the first failing assert).';

/** Why an in-scope script fails; out-of-scope scripts get OUT_OF_SCOPE_NOTE. */
export const UPSTREAM_NOTES: Readonly<Record<string, string>> = {
  'cubic/': LOSS_RECOVERY,
  'fast_recovery/': LOSS_RECOVERY,
  'fast_retransmit/fr-4pkt-fack-last-mss.pkt': 'RACK\'s reordering timer resends the head 27 ms after the SACK (the 25 ms reordering window, min_rtt/4, plus TCP_TIMEOUT_MIN, tcp_rack_mark_lost, at HZ 1000 as the runner runs); Linux took 40 ms, what a HZ 250 kernel gives (7 + 2 jiffies of 4 ms, plus up to one tick of phase).',
  'cubic/cubic-bulk-166k.pkt': FQ_PACING,
  'cubic/cubic-bulk-166k-idle-restart.pkt': FQ_PACING,
  'slow_start/slow-start-fq-ack-per-2pkt.pkt': FQ_PACING,
  'sack/sack-route-refresh-ip-tos.pkt': 'IP_MTU_DISCOVER and IP_TOS: the simulated IP layer carries no TOS byte and no DF policy, and a socket has no cached route to refresh.',
  'fast_retransmit/': LOSS_RECOVERY,
  'limited_transmit/': LOSS_RECOVERY,
  'sack/': LOSS_RECOVERY,
  'slow_start/': LOSS_RECOVERY,
  'fastopen/': 'TCP Fast Open (RFC 7413) is its own issue: the runner parses its options and the MSG_FASTOPEN hook is in place.',
};

export const OUT_OF_SCOPE_NOTE = 'out of scope (corpus README)';

/** The note for a script: its own, else its folder's (longest prefix). */
export function upstreamNote(script: string): string | undefined {
  if (!inScope(script)) return OUT_OF_SCOPE_NOTE;
  if (UPSTREAM_NOTES[script] !== undefined) return UPSTREAM_NOTES[script];
  let best: string | undefined;
  for (const key of Object.keys(UPSTREAM_NOTES)) {
    if (key.endsWith('/') && script.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : UPSTREAM_NOTES[best];
}
