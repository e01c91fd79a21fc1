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

const LOSS_RECOVERY = 'Loss recovery and congestion control as Linux runs them: the engine has RACK-TLP, PRR, CUBIC, DSACK undo and SACK marks kept across an RTO; F-RTO, undo after an RTO or by timestamps (Eifel), cwnd moderation and TSO sizing of bursts are not modelled yet (issue 11).';

/** Why an in-scope script fails; out-of-scope scripts get OUT_OF_SCOPE_NOTE. */
export const UPSTREAM_NOTES: Readonly<Record<string, string>> = {
  'cubic/': LOSS_RECOVERY,
  'fast_recovery/': LOSS_RECOVERY,
  'fast_retransmit/fr-4pkt-fack-last-mss.pkt': 'RACK\'s reordering timer resends the head 28 ms after the SACK (RACK RTT 100 ms + min_rtt/4 + TCP_TIMEOUT_MIN, tcp_rack_reo_wnd); Linux took 40 ms, a difference not yet explained.',
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
