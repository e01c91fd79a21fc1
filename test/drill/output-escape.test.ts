/**
 * `drill` output from hostile scripts (issue 13): a 100 130-character token and raw control bytes
 * used to be echoed whole. Every verdict line is now one bounded, printable line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runDrill } from '../../src/drill/command.ts';
import { MAX_TEXT, safeText } from '../../src/drill/safe-text.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tcplab-drill-escape-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOCKET = '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n';

async function drillLines(name: string, body: string): Promise<string[]> {
  const file = path.join(dir, name);
  writeFileSync(file, body);
  const out: string[] = [];
  await runDrill([file], { stdout: (s) => out.push(s) });
  return out
    .join('')
    .split('\n')
    .filter((l) => l !== '');
}

// Nothing a terminal would act on: C0 controls, DEL, C1 controls, bidirectional overrides.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

it('cuts a 100 130-character token to a bounded excerpt that says how much was left out', async () => {
  const lines = await drillLines('long.pkt', `${SOCKET}+0 ${'A'.repeat(100_130)}(3) = 0\n`);
  expect(lines[0]!.length).toBeLessThan(MAX_TEXT + 100);
  expect(lines[0]).toMatch(/ A{60}…\(100\d{3} more characters\)/);
});

it('shows control bytes and bidi overrides in a parse error as escapes', async () => {
  const lines = await drillLines('ctl.pkt', `${SOCKET}+0 bind(3, \x1b[31mred\x07\u202e, ...) = 0\n`);
  expect(lines[0]).toMatch(/^ERROR .*ctl\.pkt: /);
  expect(lines[0]).toContain('\\x1b');
  for (const line of lines) expect(line).not.toMatch(UNSAFE);
});

it('escapes every unsafe character, keeps plain text as it is, and bounds the whole line', () => {
  expect(safeText("expected '(' but found 'end of file'")).toBe("expected '(' but found 'end of file'");
  expect(safeText('a\tb\nc\u0000d\u009be\u202ef')).toBe('a\\x09b\\x0ac\\x00d\\x9be\\u202ef');
  const many = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
  expect(safeText(many).length).toBeLessThan(MAX_TEXT + 40);
  expect(safeText(many)).toMatch(/…\(\d+ more characters\)$/);
});
