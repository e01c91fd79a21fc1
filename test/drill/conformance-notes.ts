/**
 * Why a corpus script does not pass, shown in docs/conformance.md beside its verdict: every FAIL
 * must have one (no FAIL unexplained), and a note on a script that passes is stale (the corpus
 * test fails on either). Keys are paths inside ../shared/conformance/packetdrill.
 */

const TLP = 'Linux sends a Tail Loss Probe (RFC 8985; tcp_early_retrans = 4 in defaults.sh) before its RTO fires; the engine has no TLP';

export const CONFORMANCE_NOTES: Readonly<Record<string, string>> = {
  'linux-gtests/blocking/blocking-write.pkt':
    'Send-buffer accounting: Linux charges each queued skb\'s truesize (payload plus sk_buff overhead) against sk_sndbuf (42000 after SO_SNDBUF 21000) and wakes a blocked writer only when the write queue has fallen to 2/3 of sk_sndbuf (sk_stream_write_space); the engine\'s sndBuf counts payload bytes and takes more as soon as ACKs free room, so the 61000-byte write() completes on the ACK of 30001 (0.4 s) instead of the ACK of 36001 (0.5 s).',
  'linux-gtests/shutdown/shutdown-rdwr-send-queue-ack-close.pkt':
    `${TLP}: the script expects the probe 2·SRTT after the last send, new data 12001:13001 at 0.017 s; the engine's first retransmission is its RTO's (200 ms minimum), 1001:2001 at 0.213 s.`,
  'linux-gtests/shutdown/shutdown-rdwr-write-queue-close.pkt':
    `${TLP}: the script expects the FIN probed 2·SRTT after it was sent (0.05–0.055 s); the engine's first retransmission is its RTO's, 1:1001 at 0.230 s.`,
  'linux-gtests/user_timeout/user_timeout.pkt':
    `${TLP}: Linux probes the FIN at min(PTO, RTO) = 0.3 s after close() (2.4 s), rearms the RTO (2.7 s) and only then backs off (3.3 s); the engine's RTO fires at 2.4 s and backs off at once, so the third FIN comes at 3.0 s instead of 2.7–2.8 s.`,
};
