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

const LOSS_RECOVERY = 'Loss recovery and congestion control as Linux runs them: the engine has RACK-TLP, PRR, CUBIC, DSACK undo and SACK marks kept across an RTO; F-RTO, undo after an RTO or by timestamps (Eifel), cwnd moderation and TSO sizing of bursts are not modelled yet (issue 11).';
/** New data sent one segment per ACK from a larger write. */
const PSH_SPLIT = 'PSH: Linux marks the skb holding a write\'s tail (tcp_mark_push) and, when cwnd splits that skb, leaves the mark on the unsent remainder (tso_fragment), so segments sent one per ACK carry no PSH; the engine marks the last segment of every burst. With PSH ignored in the comparison the script passes (measured).';

const SYN_RETRIES_OLD = 'With TCP_SYNCNT 1 the script expects ETIMEDOUT 3 s after the SYN (one retry at 1 s, then a doubled RTO), as kernels before tcp_syn_linear_timeouts; the engine follows Linux 6.x, whose 4 linear timeouts come on top of tcp_syn_retries (timer work, its own issue).';
const PASSIVE_ECN = 'The last part sets tcp_ecn=2 and expects an ECN SYN-ACK (SE.): passive ECN is not modelled yet (tcp.ecn 2 runs as off).';
const FORCED_PUSH = 'Linux marks PSH on every TSO packet of a write larger than half the peer\'s largest window (tcp_sendmsg forced_push); the engine marks only the tail of each write.';

/** Why an in-scope script fails; out-of-scope scripts get OUT_OF_SCOPE_NOTE. */
export const UPSTREAM_NOTES: Readonly<Record<string, string>> = {
  'nagle/https_client.pkt': 'With TSO off Linux sends the second full segment of a 2002-byte write with PSH; the rule that marks it (not forced_push, not the write\'s tail) is not identified, so the engine marks only the tail.',
  'cubic/': LOSS_RECOVERY,
  'fast_recovery/': PSH_SPLIT,
  'cubic/cubic-rto-ss-ca-cwnd-bump.pkt': PSH_SPLIT,
  'fast_retransmit/fr-4pkt-fack-last-mss.pkt': 'RACK\'s reordering timer resends the head 28 ms after the SACK (RACK RTT 100 ms + min_rtt/4 + TCP_TIMEOUT_MIN, tcp_rack_reo_wnd); Linux took 40 ms, a difference not yet explained.',
  'fast_retransmit/': LOSS_RECOVERY,
  'limited_transmit/': PSH_SPLIT,
  'sack/': LOSS_RECOVERY,
  'slow_start/': LOSS_RECOVERY,
  'fastopen/client/blocking-connect-bypass-errno.pkt': SYN_RETRIES_OLD,
  'fastopen/client/blocking-sendto-errnos.pkt': SYN_RETRIES_OLD,
  'fastopen/client/cookie-less-sendto.pkt': FORCED_PUSH,
  'fastopen/client/synack-data.pkt': 'A SYN-ACK with data and FIN sets RCV_SHUTDOWN, and Linux\'s poll reports POLLRDHUP while the data is still unread; the runner reports POLLRDHUP only at end of stream (the socket API has no "FIN received" yet).',
  'fastopen/server/pure-syn-data.pkt': PASSIVE_ECN,
  'fastopen/server/opt34/pure-syn-data.pkt': PASSIVE_ECN,
  'fastopen/client/nonblocking-sendto-over-mss.pkt': 'After the SYN-data fallback Linux sends the rest of a large write as TSO bursts sized by its pacing rate (3580 bytes here); the engine sends MSS segments in bursts of the congestion window (TSO sizing belongs with loss recovery and congestion control).',
  'fastopen/client/syn-data-partial-or-over-ack.pkt': FORCED_PUSH,
  'fastopen/server/client-ack-dropped-then-recovery-ms-timestamps.pkt': FORCED_PUSH,
  'fastopen/server/opt34/simple3.pkt': FORCED_PUSH,
  'fastopen/': 'TCP Fast Open (RFC 7413) is modelled (src/tcp/fastopen.ts); SKIPs name what the runner lacks (timed sysctl changes, ICMP, tcpi_delivered).',
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
