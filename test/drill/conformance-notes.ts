/**
 * Why a corpus script does not pass, shown in docs/conformance.md beside its verdict: every FAIL
 * must have one (no FAIL unexplained), and a note on a script that passes is stale (the corpus
 * test fails on either). Keys are paths inside ../shared/conformance/packetdrill.
 */

export const CONFORMANCE_NOTES: Readonly<Record<string, string>> = {
};
