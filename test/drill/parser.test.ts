import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScripts } from '../../src/drill/command.ts';
import { secondsToNanos } from '../../src/drill/parse-cursor.ts';
import { parseScript } from '../../src/drill/parser.ts';
import { readMsghdr } from '../../src/drill/msghdr.ts';
import type { PacketEvent, DrillScript, SyscallEvent } from '../../src/drill/script.ts';
import { MS, SEC, US } from '../../src/sim/time.ts';
import { ACK, FIN, PSH, RST, SYN } from '../../src/wire/segment.ts';
import { corpusDir as corpus, corpusPresent, corpusSkipped, corpusTitle, requireCorpus } from './corpus-location.ts';

function parse(src: string): DrillScript {
  const r = parseScript(src);
  if (!r.ok) throw new Error(`line ${r.error.line}: ${r.error.message}`);
  return r.script;
}

function parseError(src: string): string {
  const r = parseScript(src);
  if (r.ok) throw new Error('expected a parse error');
  return `${r.error.line}: ${r.error.message}`;
}

describe('times', () => {
  it('converts decimal seconds exactly', () => {
    expect(secondsToNanos('0.200')).toBe(200 * MS);
    expect(secondsToNanos('.1')).toBe(100 * MS);
    expect(secondsToNanos('4')).toBe(4 * SEC);
    expect(secondsToNanos('4.1')).toBe(4100 * MS);
    expect(secondsToNanos('0.000001')).toBe(1 * US);
  });

  it('reads absolute, relative, range and any times', () => {
    const s = parse(`0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+.1 > S 0:0(0) <...>
0.1~0.2 > S 0:0(0) <...>
+0~+.04 > . 1:1(0) ack 1002
* > R 1:1(0)
+1.5 close(3) = 0`);
    expect(s.events.map((e) => e.time)).toEqual([
      { kind: 'absolute', at: 0 },
      { kind: 'relative', at: 100 * MS },
      { kind: 'absolute-range', at: 100 * MS, end: 200 * MS },
      { kind: 'relative-range', at: 0, end: 40 * MS },
      { kind: 'any' },
      { kind: 'relative', at: 1500 * MS },
    ]);
  });
});

describe('packets', () => {
  it('reads an inbound SYN with options', () => {
    const s = parse('0 < S 0:0(0) win 32792 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>');
    const p = s.events[0] as PacketEvent;
    expect(p).toMatchObject({
      type: 'packet',
      direction: 'in',
      flags: SYN,
      flagsText: 'S',
      seq: 0,
      len: 0,
      ack: null,
      win: 32792,
    });
    expect(p.options).toEqual([
      { kind: 'mss', value: 1000 },
      { kind: 'sackOK' },
      { kind: 'TS', val: 100, ecr: 0 },
      { kind: 'nop' },
      { kind: 'wscale', value: 7 },
    ]);
  });

  it('reads outbound segments: flags, seq range, ack, no win, options or <...>', () => {
    const s = parse(`0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+0 > P. 1:2001(2000) ack 1
+0 > FP. 13001:20001(7000) ack 1
+0 > R 2:2(0)
+0 > R. 0:0(0) ack 1 <...>
+0 > . 1:1(0) ack 1 <nop,nop,sack 1001:2001 3001:4001>`);
    const ps = s.events as PacketEvent[];
    expect(ps[0]).toMatchObject({ flags: SYN | ACK, ack: 1, win: null });
    expect(ps[1]).toMatchObject({ flags: PSH | ACK, seq: 1, len: 2000, options: [] });
    expect(ps[2]).toMatchObject({ flags: FIN | PSH | ACK, seq: 13001, len: 7000 });
    expect(ps[3]).toMatchObject({ flags: RST, flagsText: 'R', seq: 2, ack: null });
    expect(ps[4]!.options).toBeNull();
    expect(ps[5]!.options).toEqual([
      { kind: 'nop' },
      { kind: 'nop' },
      {
        kind: 'sack',
        blocks: [
          [1001, 2001],
          [3001, 4001],
        ],
      },
    ]);
  });

  it('reads "-" (no flags) and explicit ports', () => {
    const s = parse(`0 < - 1:1001(1000) win 20000
+0 < 40001>8080 S 0:0(0) win 1000
+0 > 8080>40001 S. 0:0(0) ack 1 <...>`);
    const ps = s.events as PacketEvent[];
    expect(ps[0]).toMatchObject({ flags: 0, flagsText: '-', len: 1000, ack: null });
    expect(ps[1]!.ports).toEqual({ src: 40001, dst: 8080 });
    expect(ps[2]!.ports).toEqual({ src: 8080, dst: 40001 });
  });

  it('reads ECN IP specs and marks the IP-level specs it does not model', () => {
    const s = parse('0 < [ect0] S 0:0(0) win 1000\n+0 > [ce] . 1:1(0) ack 1\n+0 < (tos 0x10) . 1:1(0) ack 1 win 1');
    const ps = s.events as PacketEvent[];
    expect(ps.map((p) => p.ecn)).toEqual(['ect0', 'ce', null]);
    expect(ps[2]!.unsupported).toBe('IP header spec (tos 0x10)');
    expect(parseError('0 < [ect9] S 0:0(0) win 1000')).toMatch(/^1: unknown IP ECN spec \[ect9\]/);
  });

  it('reads Fast Open options with hex or symbolic cookies, and cookie requests', () => {
    const s = parse(
      '0 < S 0:0(0) win 1000 <mss 1000,FO 1234abcd5678dcba,nop,nop>\n+0 > S. 0:0(0) ack 1 <FOEXP TFO_COOKIE>\n+0 < S 0:0(0) win 1 <FO,nop>',
    );
    const ps = s.events as PacketEvent[];
    expect(ps[0]!.options![1]).toEqual({ kind: 'fastopen', exp: false, cookie: '1234abcd5678dcba' });
    expect(ps[1]!.options![0]).toEqual({ kind: 'fastopen', exp: true, cookie: 'TFO_COOKIE' });
    expect(ps[2]!.options![0]).toEqual({ kind: 'fastopen', exp: false, cookie: null });
  });

  it('reads struct msghdr members, iovecs and control messages', () => {
    const s = parse(`0 recvmsg(3, {msg_name(...)=..., msg_iov(2)=[{..., 1000}, {..., 24}], msg_flags=0,
      msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=9000}]}, 0) = 1024`);
    const call = s.events[0] as SyscallEvent;
    const msg = call.args[1]!;
    expect(msg.kind).toBe('struct');
    if (msg.kind !== 'struct') return;
    expect(msg.items.map((i) => (i.kind === 'assign' ? i.name : i.kind))).toEqual([
      'msg_name',
      'msg_iov',
      'msg_flags',
      'msg_control',
    ]);
    expect(readMsghdr(msg)).toEqual({
      iovBytes: 1024,
      control: [{ level: 'SOL_TCP', type: 'TCP_CM_INQ', data: { kind: 'int', value: 9000 } }],
    });
  });

  it('rejects what packetdrill rejects', () => {
    expect(parseError('0 < S 0:0(0) <mss 1000>')).toBe('1: window must be specified for inbound packets');
    expect(parseError('0 < S 0:0(0) win 1 <...>')).toBe(
      '1: <...> for TCP options can only be used with outbound packets',
    );
    expect(parseError('0 < . 1:5(3) ack 1 win 1')).toBe('1: inconsistent TCP sequence numbers and payload size');
    expect(parseError('0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n0.1~0.2 < . 1:1(0) ack 1 win 1')).toBe(
      '2: event time range can only be used with outbound packets',
    );
    expect(parseError('0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n* close(3) = 0')).toBe(
      '2: event time <star> can only be used with outbound packets',
    );
    expect(parseError('+1 close(3) = 0')).toBe('1: first event should be at time 0');
    expect(parseError('0 > S 0:0(0) <frob 1>')).toBe("1: unknown TCP option 'frob'");
    expect(parseError('0 > Q 0:0(0)')).toBe("1: bad TCP flags 'Q'");
  });
});

describe('system calls', () => {
  it('reads arguments, results, errno with its note, and the ... blocking form', () => {
    const s = parse(`0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+.1...0.200 accept(3, ..., ...) = 4
+4.1 getsockopt(3, SOL_SOCKET, SO_ERROR, [ETIMEDOUT], [4]) = 0
+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0
+0 recv(4, ..., 1000, 0) = 1000`);
    const c = s.events as SyscallEvent[];
    expect(c.map((e) => e.name)).toEqual(['socket', 'fcntl', 'connect', 'accept', 'getsockopt', 'setsockopt', 'recv']);
    expect(c[1]!.args[2]).toEqual({
      kind: 'or',
      lhs: { kind: 'word', name: 'O_RDWR' },
      rhs: { kind: 'word', name: 'O_NONBLOCK' },
    });
    expect(c[2]).toMatchObject({ result: { kind: 'int', value: -1 }, errno: 'EINPROGRESS', blockingEnd: null });
    expect(c[3]).toMatchObject({
      time: { kind: 'relative', at: 100 * MS },
      blockingEnd: 200 * MS,
      result: { kind: 'int', value: 4 },
    });
    expect(c[4]!.args[3]).toEqual({ kind: 'list', items: [{ kind: 'word', name: 'ETIMEDOUT' }] });
    expect(c[5]!.args[3]).toEqual({
      kind: 'struct',
      items: [
        { kind: 'assign', name: 'onoff', value: { kind: 'int', value: 1 } },
        { kind: 'assign', name: 'linger', value: { kind: 'int', value: 0 } },
      ],
    });
  });
});

describe('script structure', () => {
  it('reads flags, the init command, code blocks and the cleanup command', () => {
    const s = parse(`// comment
--tolerance_usecs=10000
--mss=1000
\`../common/defaults.sh
sysctl -q net.ipv4.tcp_tso_win_divisor=100\`
/* block
   comment */
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%
+0 \`echo hi\`
\`/tmp/sysctl_restore_\${PPID}.sh\``);
    expect(s.flags).toEqual([
      { name: 'tolerance_usecs', value: '10000', line: 2 },
      { name: 'mss', value: '1000', line: 3 },
    ]);
    expect(s.initCommand).toEqual({
      command: '../common/defaults.sh\nsysctl -q net.ipv4.tcp_tso_win_divisor=100',
      line: 4,
    });
    expect(s.events.map((e) => [e.type, e.line])).toEqual([
      ['syscall', 8],
      ['code', 9],
      ['command', 10],
    ]);
    expect(s.cleanupCommand?.command).toBe('/tmp/sysctl_restore_${PPID}.sh');
  });
});

describe.skipIf(corpusSkipped)(corpusTitle('the conformance corpus'), () => {
  const files = corpusPresent ? listScripts(corpus) : [];
  it('is where the project expects it', () => {
    requireCorpus();
    expect(files.length).toBeGreaterThan(20);
  });
  // An independent count: lines that start with a time (packetdrill scripts put one event per line).
  const timed = /^\s*(\+|[0-9.]+(\s|\.\.\.|~)|\*)/;
  for (const file of files) {
    it(`parses ${path.relative(corpus, file)}`, () => {
      const src = readFileSync(file, 'utf8');
      const s = parse(src);
      expect(s.events.length).toBe(src.split('\n').filter((l) => timed.test(l)).length);
    });
  }
});

describe('ICMP lines', () => {
  it('reads type, code, mtu and the quoted segment; a bare line quotes 0:0(0)', () => {
    const s = parse(`0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 < icmp unreachable frag_needed mtu 840 [0:1000(1000)]
+0 < icmp unreachable CODE
+0 < icmp time_exceeded [5000:6000(1000)]
`);
    const icmps = s.events.filter((e): e is PacketEvent => e.type === 'packet').map((e) => e.icmp);
    expect(icmps).toEqual([
      { type: 'unreachable', code: 'frag_needed', mtu: 840, seq: 0, len: 1000 },
      { type: 'unreachable', code: 'CODE', mtu: null, seq: 0, len: 0 },
      { type: 'time_exceeded', code: null, mtu: null, seq: 5000, len: 1000 },
    ]);
  });

  it('refuses an inconsistent quoted segment', () => {
    expect(parseError('0 < icmp unreachable [0:10(5)]\n')).toMatch(/inconsistent TCP sequence numbers/);
  });
});
