/**
 * A vitest reporter that ends the run with one line per group of skipped tests and the reason
 * given in their titles (e.g. "SKIP: ../shared/conformance not present (CI has it)", or
 * "(skipped: tshark not installed)"), so a run that skips something says what and why; vitest's
 * default reporter only counts skipped tests.
 */
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class SkipReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const groups = new Map<string, number>();
    for (const m of testModules) {
      const file = path.relative(process.cwd(), m.moduleId);
      for (const t of m.children.allTests('skipped')) {
        const names = t.fullName.split(' > ');
        const reason =
          names.find((n) => n.startsWith('SKIP:')) ?? names.find((n) => /\(skipped: /.test(n)) ?? t.fullName;
        const key = `${file}: ${reason}`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
    }
    if (groups.size === 0) return;
    process.stdout.write('\nSkipped:\n');
    for (const [key, n] of groups) process.stdout.write(`  ${key} (${n} test${n === 1 ? '' : 's'})\n`);
  }
}
