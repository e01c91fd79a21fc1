/**
 * The last step of a batch or merge: ask src/report to draw figures from the results folder. The
 * report module is imported dynamically (the experiment layer must not depend on it statically:
 * it sits above, and may not exist in a checkout yet); when absent, a note says figures were skipped.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProgressStream } from './progress.ts';

const REPORT_URL = new URL('../report/index.ts', import.meta.url);

export async function drawReport(dir: string, stderr: ProgressStream): Promise<void> {
  if (!existsSync(fileURLToPath(REPORT_URL))) {
    stderr.write(`note: no report module (src/report/index.ts); figures skipped for ${dir}\n`);
    return;
  }
  const mod = (await import(REPORT_URL.href)) as { reportFolder?: (dir: string) => unknown };
  if (typeof mod.reportFolder !== 'function') {
    stderr.write(`note: src/report/index.ts has no reportFolder yet; figures skipped for ${dir}\n`);
    return;
  }
  await mod.reportFolder(dir);
}
