/**
 * Why a corpus script does not pass, shown in docs/conformance.md beside its verdict: every FAIL
 * must have one (no FAIL unexplained), and a note on a script that passes is stale (the corpus
 * test fails on either). Keys are paths inside ../shared/conformance/packetdrill.
 */

export const CONFORMANCE_NOTES: Readonly<Record<string, string>> = {
  'linux-gtests/blocking/blocking-write.pkt':
    'Send-buffer accounting: Linux charges each queued skb\'s truesize (payload plus sk_buff overhead) against sk_sndbuf (42000 after SO_SNDBUF 21000) and wakes a writer blocked in sk_stream_wait_memory only when the free space is at least half of what is queued (sk_stream_write_space); the engine\'s sndBuf counts payload bytes and takes more as soon as ACKs free room, so the 61000-byte write() completes on the ACK of 30001 at 0.4 s, where Linux needs the ACK of 36001 at 0.5 s.',
};
