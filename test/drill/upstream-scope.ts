/**
 * How docs/conformance.md reads Linux's whole packetdrill suite (../shared/conformance/upstream/
 * gtests): which scripts are out of scope (the corpus README's list), which folders issue 10
 * answers for, and why each in-scope script that fails does not pass. Keys are paths inside
 * upstream/gtests; a key ending in '/' covers its folder.
 */

/** The corpus README: out of scope, SKIP is the honest answer there. */
export const OUT_OF_SCOPE_FOLDERS: readonly string[] = [
  'zerocopy',
  'timestamping',
  'md5',
  'gro',
  'splice',
  'sendfile',
  'mtu_probe',
];

/** Scripts for IPv6 only (out of scope too). */
export function ipv6Only(script: string): boolean {
  return /[-_](ipv6|v6)\.pkt$/.test(script);
}

export function inScope(script: string): boolean {
  return !OUT_OF_SCOPE_FOLDERS.includes(script.split('/')[0]!) && !ipv6Only(script);
}

/** The folders issue 10 (runner and socket surface) is measured on. */
export const SOCKET_FOLDERS: readonly string[] = [
  'close',
  'shutdown',
  'blocking',
  'validate',
  'user_timeout',
  'ioctl',
  'eor',
  'inq',
  'notsent_lowat',
  'epoll',
  'tcp_info',
  'mss',
  'nagle',
  'ts_recent',
  'syscall_bad_arg',
  'ecn',
];

/** The folders issue 11 (loss recovery and congestion control) is measured on. */
export const RECOVERY_FOLDERS: readonly string[] = [
  'sack',
  'fast_recovery',
  'cubic',
  'slow_start',
  'limited_transmit',
  'fast_retransmit',
  'blocking',
];

const LOSS_RECOVERY =
  "Loss recovery and congestion control as Linux runs them: the engine has RACK-TLP, PRR, CUBIC with HyStart, DSACK undo, SACK marks kept across an RTO, Linux's TSO packet sizes and tcp_slow_start_after_idle, and pacing (the fq qdisc's departure times, tcp.pacing); F-RTO and undo after an RTO or by timestamps (Eifel) are not modelled yet (issue 11).";
/** cubic-bulk-166k*: HyStart round starts before and after Linux 25c1a9ca53db. */
const HYSTART_ROUNDS =
  'The script encodes HyStart as Linux ran it before commit 25c1a9ca53db ("tcp_cubic: fix incorrect HyStart round start detection"): a new round started only once cwnd had reached hystart_low_window (16), so (by hand from tcp_cubic.c) the delay test first had 8 samples in the round starting at ACK 12 and ended slow start at cwnd 48. The engine follows the fixed code (a round starts whatever cwnd is) and ends slow start at cwnd 36 (measured). With the old order swapped in, both scripts pass whole (measured, with the fq pacing the scripts set, tcp.pacing fq).';

const SYN_RETRIES_OLD =
  "The script encodes kernels before tcp_syn_linear_timeouts (6.5): with TCP_SYNCNT 1 it expects one SYN retransmission at 1 s and ETIMEDOUT 3 s after the SYN. Linux 6.18, measured (TCP_SYNCNT 1, tcp_syn_linear_timeouts 4, HZ 250; experiments/linux/measure/silent-connect.py): SYNs at 0, 1.0 and 2.0 s and ETIMEDOUT at 3.06 s. The engine does the same, a third SYN at 2 s and ETIMEDOUT at the first retransmission timer after the 3 s one retry models (on the runner's HZ 1000 wheel, 3.09 s after the SYN, where the script allows 3.000 ± 0.004 s), so the script fails where 6.18 would.";

/** Why an in-scope script fails; out-of-scope scripts get OUT_OF_SCOPE_NOTE. */
export const UPSTREAM_NOTES: Readonly<Record<string, string>> = {
  'cubic/': LOSS_RECOVERY,
  'fast_recovery/': LOSS_RECOVERY,
  'fast_retransmit/fr-4pkt-fack-last-mss.pkt':
    "RACK's reordering timer resends the head 27 ms after the SACK (the 25 ms reordering window, min_rtt/4, plus TCP_TIMEOUT_MIN, tcp_rack_mark_lost, at HZ 1000 as the runner runs); Linux took 40 ms, what a HZ 250 kernel gives (7 + 2 jiffies of 4 ms, plus up to one tick of phase). Measured: with the runner at HZ 250 this script passes while sack-shift-sacked-7-5-6-8-9-fack (whose timer fires 27 ms after its SACK) and eor/no-coalesce-retrans fail, so the corpus was recorded on kernels of both HZ.",
  'cubic/cubic-bulk-166k.pkt': HYSTART_ROUNDS,
  'cubic/cubic-bulk-166k-idle-restart.pkt': HYSTART_ROUNDS,
  'fast_retransmit/': LOSS_RECOVERY,
  'limited_transmit/': LOSS_RECOVERY,
  'sack/': LOSS_RECOVERY,
  'slow_start/': LOSS_RECOVERY,
  'fastopen/client/blocking-connect-bypass-errno.pkt': SYN_RETRIES_OLD,
  'fastopen/client/blocking-sendto-errnos.pkt': SYN_RETRIES_OLD,
  'fastopen/': 'TCP Fast Open (RFC 7413) is modelled (src/tcp/fastopen.ts); SKIPs name what the runner lacks.',
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
