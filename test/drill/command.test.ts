/** `tcplab drill`: one line per script, the totals, and the exit code (docs/design.md part 2). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runDrill } from '../../src/drill/command.ts';
import { ACK, SYN } from '../../src/wire/segment.ts';
import { FakeStack } from './fake-stack.ts';

const LISTEN = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 1000
`;

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tcplab-drill-'));
  made.push(dir);
  return dir;
}

function folder(): string {
  const dir = tempFolder();
  mkdirSync(path.join(dir, 'sub'));
  writeFileSync(path.join(dir, 'a-pass.pkt'), `${LISTEN}+0 > S. 0:0(0) ack 1 <...>\n`);
  writeFileSync(path.join(dir, 'sub', 'b-fail.pkt'), `${LISTEN}+0 > S. 0:0(0) ack 2 <...>\n`);
  writeFileSync(path.join(dir, 'c-skip.pkt'), `--ip_version=ipv6\n${LISTEN}`);
  writeFileSync(path.join(dir, 'notes.txt'), 'not a script');
  return dir;
}

const options = {
  stackFactory: (
    port: ConstructorParameters<typeof FakeStack>[0],
    params: ConstructorParameters<typeof FakeStack>[1],
  ) => {
    const f = new FakeStack(port, params);
    f.onPacket = (p, st) => st.emit({ dstPort: p.tcp!.srcPort, seq: 7, ack: 1, flags: SYN | ACK });
    return f;
  },
};

it('prints a verdict per script, in name order through sub-folders, then the totals; exit 1 on a FAIL', async () => {
  const dir = folder();
  const out: string[] = [];
  const code = await runDrill([dir], { stdout: (s) => out.push(s) }, options);
  expect(out).toEqual([
    `PASS ${path.join(dir, 'a-pass.pkt')}\n`,
    `SKIP ${path.join(dir, 'c-skip.pkt')}: IPv6 (line 1)\n`,
    `FAIL ${path.join(dir, 'sub', 'b-fail.pkt')}: line 5: ack: expected 2, got 1 (expected S. 0:0(0) ack 2 <...>; engine sent S. 0:0(0) ack 1 win 65535 at 0.000s)\n`,
    '1 passed, 1 failed, 1 skipped\n',
  ]);
  expect(code).toBe(1);
});

it('exits 0 when nothing failed, and takes single files', async () => {
  const dir = folder();
  const out: string[] = [];
  const code = await runDrill(
    [path.join(dir, 'a-pass.pkt'), path.join(dir, 'c-skip.pkt')],
    { stdout: (s) => out.push(s) },
    options,
  );
  expect(out.at(-1)).toBe('1 passed, 0 failed, 1 skipped\n');
  expect(code).toBe(0);
});

it('exits 2 and runs nothing when a folder holds no scripts', async () => {
  const empty = tempFolder();
  writeFileSync(path.join(empty, 'notes.txt'), 'not a script');
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDrill([folder(), empty], { stdout: (s) => out.push(s), stderr: (s) => err.push(s) }, options);
  expect(code).toBe(2);
  expect(out).toEqual([]);
  expect(err).toEqual([`${empty}: no .pkt scripts in this folder or below\n`]);
});

it('exits 2 and runs nothing when a path does not exist', async () => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDrill(
    [folder(), '/no/such/dir'],
    { stdout: (s) => out.push(s), stderr: (s) => err.push(s) },
    options,
  );
  expect(code).toBe(2);
  expect(out).toEqual([]);
  expect(err).toEqual(['/no/such/dir: no such file or folder\n']);
});

// Issue 13 item 8: unparseable scripts were counted as SKIP, so a folder of broken scripts exited 0.
it('reports scripts that do not parse as ERROR, counts them, and exits 1 for a folder of nothing else', async () => {
  const dir = tempFolder();
  writeFileSync(path.join(dir, 'a-garbage.pkt'), `${LISTEN}+0 < S 0:0(0) win 1000 <mss 1000> wat\n`);
  writeFileSync(path.join(dir, 'b-nowin.pkt'), `${LISTEN}+0 < S 0:0(0) <mss 1000>\n`);
  const out: string[] = [];
  const code = await runDrill([dir], { stdout: (s) => out.push(s) }, options);
  expect(out).toEqual([
    `ERROR ${path.join(dir, 'a-garbage.pkt')}: line 5: syntax: expected a time but found 'wat'\n`,
    `ERROR ${path.join(dir, 'b-nowin.pkt')}: line 5: window must be specified for inbound packets\n`,
    '0 passed, 0 failed, 0 skipped, 2 errors\n',
  ]);
  expect(code).toBe(1);
});
