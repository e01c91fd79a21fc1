/**
 * Why a corpus script does not pass, shown in docs/conformance.md beside its verdict: every FAIL
 * must have one (no FAIL unexplained), and a note on a script that passes is stale (the corpus
 * test fails on either). Keys are paths inside ../shared/conformance/packetdrill.
 */

export const CONFORMANCE_NOTES: Readonly<Record<string, string>> = {
  'tcplab/syn-retries-linear.pkt':
    'Linux 6.18 does not do what this script (written from the sysctl documentation) expects. Measured on a 6.18 kernel, HZ 250, tcp_syn_retries=2 and tcp_syn_linear_timeouts=4 (experiments/linux/measure/silent-connect.py, docs/linux-fidelity.md): SYNs at 0, 1.0, 2.0, 3.1, 4.1, 5.1 s and ETIMEDOUT at 7.1 s, not a 7th SYN at 7 s and ETIMEDOUT at 11 s. tcp_write_timeout gives up at the retry count (2 + 4) or, whichever comes first, once retransmits_timed_out finds the (2^3 − 1) s = 7 s that tcp_syn_retries=2 models have passed since the first SYN. The engine follows the kernel (src/tcp/retransmit.ts).',
};
