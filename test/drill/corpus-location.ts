/**
 * Where the packetdrill corpus is: ../shared/conformance/packetdrill beside the repository. A
 * clone has no ../shared, so tests that read it skip with a one-line reason that vitest prints
 * (the test title starts with SKIP:); under CI (CI set, as .ci/run runs) they run and fail when
 * the corpus is missing, so CI can never pass by skipping them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../..');
export const corpusDir = path.resolve(repoRoot, '../shared/conformance/packetdrill');
export const corpusPresent = existsSync(corpusDir);
const inCi = Boolean(process.env['CI']) && process.env['CI'] !== 'false';
/** True when corpus tests should skip: corpus absent and not in CI. */
export const corpusSkipped = !corpusPresent && !inCi;
const REASON = '../shared/conformance not present (CI has it)';

/** A describe/it title that says why it is skipped, or why it fails under CI. */
export function corpusTitle(what: string): string {
  if (corpusPresent) return what;
  return inCi ? `${what}: FAILS, ${REASON.replace(' (CI has it)', '')} and CI is set` : `SKIP: ${REASON}: ${what}`;
}

/** First statement of a corpus test: under CI without the corpus, fail with the reason. */
export function requireCorpus(): void {
  if (!corpusPresent)
    throw new Error(`${corpusDir} is missing but CI is set: the conformance corpus must be beside the repository`);
}
