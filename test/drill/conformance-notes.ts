/**
 * Why a corpus script does not pass, shown in docs/conformance.md beside its verdict: every FAIL
 * must have one (no FAIL unexplained), and a note on a script that passes is stale (the corpus
 * test fails on either). Keys are paths inside ../shared/conformance/packetdrill.
 */

export const CONFORMANCE_NOTES: Readonly<Record<string, string>> = {
  'linux-gtests/blocking/blocking-write.pkt':
    'Send-buffer accounting. Linux charges sk_wmem_queued per skb: the payload plus the skb\'s own truesize (about 1280 bytes for a TCP skb, SKB_TRUESIZE of a fclone with MAX_TCP_HEADER), against sk_sndbuf 42000, and wakes a blocked writer only when the free space is at least half of what is queued (28000 or less queued). Its skbs are not segments: a write fills skbs of size_goal (25 segments here, half the peer\'s 50000 window) and every transmission burst splits one (tso_fragment, 10 segments with tcp_min_tso_segs 10). So the write has 60000 bytes queued before it blocks; after the ACK of 30001 4 skbs hold 30000 bytes (35120, no wake-up), after the ACK of 36001 3 skbs hold 24000 (27840: the write finishes at 0.5 s), after 35001 it would be 28840. A flat per-segment overhead gives none of its values (0 to 2000 bytes tried) all three outcomes: acknowledged segments free their overhead with them, where Linux frees an skb\'s only with its last byte; and the skb boundaries depend on TSO autosizing from the pacing rate, so the engine keeps payload-byte accounting: the write completes on the ACK of 30001 at 0.4 s.',
};
