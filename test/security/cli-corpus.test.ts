/**
 * Issue 13: the CLI bad-input corpus. Every case through the real command-line entry: its exit
 * status, each expected stderr line, nothing on stdout, no stack trace, no file written where
 * the case ran, and bounded lines (no file contents or 100 kB tokens echoed).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_CASES } from './cli-corpus.ts';

const DRIVER = fileURLToPath(new URL('./cli-corpus-driver.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'tcplab-corpus-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Outcome {
  name: string;
  code: number;
  stdout: string;
  stderr: string;
  wrote: string[];
}

describe('CLI bad-input corpus', () => {
  const outcomes = JSON.parse(
    execFileSync(process.execPath, ['--no-warnings', '--import', 'tsx', DRIVER, scratch], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
    }),
  ) as Outcome[];

  it('has at least 60 cases', () => {
    expect(CLI_CASES.length).toBeGreaterThanOrEqual(60);
    expect(outcomes).toHaveLength(CLI_CASES.length);
  });

  for (const [i, c] of CLI_CASES.entries()) {
    it(`${c.name}: exit ${c.code}`, () => {
      const o = outcomes[i]!;
      const lines = o.stderr.split('\n').filter((l) => l !== '');
      expect(o.code, o.stderr).toBe(c.code);
      for (const re of c.err)
        expect(
          lines.some((l) => re.test(l)),
          `${re} in:\n${o.stderr}`,
        ).toBe(true);
      if (c.notErr) expect(o.stderr).not.toMatch(c.notErr);
      expect(o.stderr).not.toMatch(/THREW|internal error|\n\s+at /);
      for (const l of lines) expect(l.length, l.slice(0, 200)).toBeLessThan(600);
      expect(o.stdout).toBe('');
      expect(o.wrote).toEqual([]);
    });
  }
});
