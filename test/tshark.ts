/**
 * Whether tshark is installed, for the tests that hand our pcaps to it. Locally they skip without
 * it; in CI (`CI` set) they must run, so a missing tshark fails there instead of passing silently.
 */
import { execFileSync } from 'node:child_process';

function findTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const hasTshark = findTshark();
export const inCi = Boolean(process.env.CI);
/** Run the tshark tests: tshark is here, or CI is set and its absence must fail. */
export const mustRunTshark = hasTshark || inCi;
