/**
 * The runner's packetdrill semantics, checked against a scripted fake engine (fake-stack.ts):
 * sequence and TS mapping, field-by-field matching, timing tolerance, unexpected packets, TSO
 * joining, blocking calls, TCP_INFO asserts and honest SKIPs.
 */
import { describe, expect, it } from 'vitest';
import { runScriptSource, type DrillResult } from '../../src/drill/drill.ts';
import { MS, SEC } from '../../src/sim/time.ts';
import { ACK, FIN, PSH, SYN, type Packet } from '../../src/wire/segment.ts';
import { FakeStack } from './fake-stack.ts';

function drill(src: string, setup: (fake: FakeStack) => void = () => {}): { result: DrillResult; fake: FakeStack } {
  let fake: FakeStack | null = null;
  const result = runScriptSource(src, '/nonexistent/x.pkt', {
    stackFactory: (port, params) => {
      fake = new FakeStack(port, params);
      setup(fake);
      return fake;
    },
  });
  return { result, fake: fake! };
}

const LISTEN = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
`;

const HANDSHAKE = `${LISTEN}+0 < S 0:0(0) win 32792 <mss 1000,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
`;

const ISN = 5000;

/** A server that answers a SYN with a SYN-ACK (ISN 5000) and completes on the ACK of it. */
function serve(fake: FakeStack, opts: { delay?: number; wscale?: number } = {}): void {
  fake.onPacket = (p: Packet, f) => {
    const s = p.tcp!;
    if (s.flags === SYN) {
      f.emit(
        {
          srcPort: s.dstPort,
          dstPort: s.srcPort,
          seq: ISN,
          ack: s.seq + 1,
          flags: SYN | ACK,
          options: { mss: 1460, wscale: opts.wscale ?? 8 },
        },
        opts.delay ?? 0,
      );
    } else if (s.flags === ACK && s.ack === ISN + 1 && s.len === 0 && f.sockets.length === 0) {
      f.establish(s.dstPort, s.srcPort);
    }
  };
}

describe('sequence numbers and options', () => {
  it('passes a handshake, using the peer numbers as written and the engine ISN for the ack it injects', () => {
    const { result, fake } = drill(HANDSHAKE, serve);
    expect(result).toEqual({ verdict: 'PASS', reason: '' });
    const [syn, ack] = fake.received.map((r) => r.packet.tcp!);
    expect(syn).toMatchObject({
      flags: SYN,
      seq: 0,
      window: 32792,
      options: { mss: 1000, wscale: 7 },
      srcPort: 40000,
      dstPort: 8080,
    });
    expect(ack).toMatchObject({ flags: ACK, seq: 1, ack: ISN + 1, window: 257, options: null });
    expect(fake.received[1]!.at).toBe(100 * MS);
  });

  it('reports the first field that differs, with both packets in script numbers', () => {
    const { result } = drill(HANDSHAKE, (f) => serve(f, { wscale: 7 }));
    expect(result).toEqual({
      verdict: 'FAIL',
      reason:
        'line 6: options: expected <mss 1460,nop,wscale 8>, got <mss 1460,nop,wscale 7> (expected S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>; engine sent S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7> at 0.000s)',
    });
  });

  it('checks win only when the line gives it', () => {
    const src = HANDSHAKE.replace('ack 1 <mss', 'ack 1 win 1000 <mss');
    expect(drill(src, serve).result.reason).toMatch(/^line 6: window: expected 1000, got 65535/);
  });

  it('accepts any options for <...>', () => {
    expect(
      drill(HANDSHAKE.replace('<mss 1460,nop,wscale 8>', '<...>'), (f) => serve(f, { wscale: 3 })).result.verdict,
    ).toBe('PASS');
  });

  it('rewrites an inbound TS ecr to the TS val the engine really sent, and fails on one it never sent', () => {
    const src = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
+.1 < S. 0:0(0) ack 1 win 5792 <mss 1460,sackOK,TS val 500 ecr 100,nop,wscale 2>
+0 < . 1:1(0) ack 1 win 5792 <nop,nop,TS val 501 ecr 123>
`;
    const { result, fake } = drill(src, (f) => {
      f.onConnect = (s, st) =>
        st.emit({
          srcPort: s.localPort,
          dstPort: 8080,
          seq: 9000,
          flags: SYN,
          options: { mss: 1460, sackPermitted: true, timestamp: { val: 777, ecr: 0 }, wscale: 7 },
        });
    });
    expect(fake.received[0]!.packet.tcp).toMatchObject({
      srcPort: 8080,
      dstPort: 50000,
      seq: 0,
      ack: 9001,
      options: { timestamp: { val: 500, ecr: 777 } },
    });
    expect(result).toEqual({
      verdict: 'FAIL',
      reason: 'line 6: unable to infer live TS ecr for script TS ecr 123; no matching or preceding outbound TS val',
    });
  });

  it('keeps one ISN per connection when lines name their ports', () => {
    const src = `${LISTEN}+0 < 40001>8080 S 0:0(0) win 1000
+0 > 8080>40001 S. 0:0(0) ack 1 <...>
+0 < 40002>8080 S 0:0(0) win 1000
+0 > 8080>40002 S. 0:0(0) ack 1 <...>
+0 < 40001>8080 . 1:1(0) ack 1 win 1000
`;
    const { result, fake } = drill(src, (f) => {
      let isn = 100;
      f.onPacket = (p, st) => {
        const s = p.tcp!;
        if (s.flags === SYN)
          st.emit({ srcPort: 8080, dstPort: s.srcPort, seq: (isn += 1000), ack: 1, flags: SYN | ACK });
      };
    });
    expect(result.verdict).toBe('PASS');
    expect(fake.received[2]!.packet.tcp).toMatchObject({ srcPort: 40001, ack: 1101 });
  });
});

describe('timing', () => {
  it('allows --tolerance_usecs (4 ms by default) around the expected time', () => {
    const late = drill(HANDSHAKE, (f) => serve(f, { delay: 10 * MS })).result;
    expect(late).toEqual({
      verdict: 'FAIL',
      reason:
        'line 6: timing error: expected S. 0:0(0) ack 1 <mss 1460,nop,wscale 8> at 0.000s but it was sent at 0.010s (tolerance 0.004s)',
    });
    expect(drill(`--tolerance_usecs=20000\n${HANDSHAKE}`, (f) => serve(f, { delay: 10 * MS })).result.verdict).toBe(
      'PASS',
    );
  });

  it('adds 12.5 % of the time since the previous event, as packetdrill does for long timers', () => {
    const src = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <...>
+1 > S 0:0(0) <...>
`;
    const retry =
      (delay: number) =>
      (f: FakeStack): void => {
        f.onConnect = (s, st) => {
          st.emit({ srcPort: s.localPort, dstPort: 8080, seq: 1, flags: SYN });
          st.emit({ srcPort: s.localPort, dstPort: 8080, seq: 1, flags: SYN }, delay);
        };
      };
    expect(drill(src, retry(1100 * MS)).result.verdict).toBe('PASS');
    expect(drill(src, retry(1200 * MS)).result.reason).toBe(
      'line 5: timing error: expected S 0:0(0) <...> at 1.000s but it was sent at 1.200s (tolerance 0.125s)',
    );
  });

  it('takes a packet at any time for *, and inside a window for a~b', () => {
    const star = HANDSHAKE.replace('+0 > S.', '* > S.').replace('+.1 < .', '+0 < .');
    expect(drill(star, (f) => serve(f, { delay: 5 * SEC })).result.verdict).toBe('PASS');
    const range = HANDSHAKE.replace('+0 > S.', '+.2~+.4 > S.');
    expect(drill(range, (f) => serve(f, { delay: 300 * MS })).result.verdict).toBe('PASS');
    expect(drill(range, (f) => serve(f, { delay: 500 * MS })).result.reason).toMatch(
      /^line 6: timing error: expected S\. .* in 0\.200s~0\.400s but it was sent at 0\.500s/,
    );
  });
});

describe('what the engine sends', () => {
  const CLOSE = `${HANDSHAKE}+0 close(4) = 0
+0 > F. 1:1(0) ack 1
`;

  it('fails the next outbound line on a packet the script does not expect', () => {
    const { result } = drill(CLOSE, (f) => {
      serve(f);
      f.onClose = (_s, st) => {
        st.emit({ seq: ISN + 1, ack: 1, flags: ACK });
        st.emit({ seq: ISN + 1, ack: 1, flags: FIN | ACK });
      };
    });
    expect(result.reason).toMatch(
      /^line 10: flags: expected F\., got \. \(expected F\. 1:1\(0\) ack 1; engine sent \. 1:1\(0\) ack 1 win 65535 at 0\.100s\)$/,
    );
  });

  it('does not examine packets sent after the last line, as packetdrill', () => {
    const { result } = drill(CLOSE, (f) => {
      serve(f);
      f.onClose = (_s, st) => {
        st.emit({ seq: ISN + 1, ack: 1, flags: FIN | ACK });
        st.emit({ seq: ISN + 2, ack: 1, flags: ACK }, 1 * SEC);
      };
    });
    expect(result.verdict).toBe('PASS');
  });

  it('says when the engine sends nothing', () => {
    expect(drill(CLOSE, serve).result.reason).toBe(
      'line 10: expected outbound F. 1:1(0) ack 1 at 0.100s, but the engine sent nothing more on that connection',
    );
  });

  it('joins consecutive segments to match a TSO-sized line, unless --strict_segments', () => {
    const src = `${HANDSHAKE}+0 write(4, ..., 3000) = 3000
+0 > P. 1:3001(3000) ack 1
`;
    const engine = (f: FakeStack): void => {
      serve(f);
      f.onSend = (_s, bytes, st) => {
        for (let off = 0; off < bytes; off += 1000)
          st.emit({ seq: ISN + 1 + off, ack: 1, len: 1000, flags: off + 1000 === bytes ? PSH | ACK : ACK });
      };
    };
    expect(drill(src, engine).result.verdict).toBe('PASS');
    expect(drill(`--strict_segments\n${src}`, engine).result.reason).toMatch(/^line 11: flags: expected P\., got \./);
    expect(
      drill(src.replace('3000) = 3000', '2500) = 2500'), (f) => {
        serve(f);
        f.onSend = (_s, _b, st) => {
          st.emit({ seq: ISN + 1, ack: 1, len: 1000, flags: ACK });
          st.emit({ seq: ISN + 1001, ack: 1, len: 500, flags: ACK });
          st.emit({ seq: ISN + 1501, ack: 1, len: 1000, flags: PSH | ACK });
        };
      }).result.reason,
    ).toBe('line 10: joining segments for a 3000-byte line: fragment of 500 bytes after one of 1000');
  });
});

describe('system calls', () => {
  it('lets a "...end" call block until the event, and checks when it returns', () => {
    const src = `${LISTEN}+0...0.200 accept(3, ..., ...) = 4
+.1 < S 0:0(0) win 1000
+0 > S. 0:0(0) ack 1 <...>
+.1 < . 1:1(0) ack 1 win 1000
`;
    expect(drill(src, serve).result.verdict).toBe('PASS');
    expect(drill(src.replace('0.200', '0.100'), serve).result.reason).toBe(
      'line 5: accept(): timing error: expected blocking system call return at 0.100s but it happened at 0.200s (tolerance 0.004s)',
    );
  });

  it('fails a call that blocks without a "...end" time', () => {
    expect(drill(`${LISTEN}+0 accept(3, ..., ...) = 4\n`, serve).result.reason).toBe(
      'line 5: accept() blocked, but a call without a "...end" time must return at once',
    );
  });

  it('compares return values and errno', () => {
    const src = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = RESULT
`;
    expect(drill(src.replace('RESULT', '0')).result.reason).toBe(
      'line 3: connect() returned -1 EINPROGRESS, expected 0',
    );
    expect(drill(src.replace('RESULT', '-1 EAGAIN (Resource temporarily unavailable)')).result.reason).toBe(
      'line 3: connect() returned -1 EINPROGRESS, expected -1 EAGAIN',
    );
    expect(drill(src.replace('RESULT', '-1 EINPROGRESS (Operation now in progress)')).result.verdict).toBe('PASS');
  });

  it('reads SO_ERROR once', () => {
    const src = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+1 getsockopt(3, SOL_SOCKET, SO_ERROR, [ETIMEDOUT], [4]) = 0
+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [ETIMEDOUT], [4]) = 0
`;
    const { result } = drill(src, (f) => {
      f.onConnect = (s, st) =>
        st.later(500 * MS, () => {
          s.error = 'ETIMEDOUT';
          s.state = 'CLOSED';
        });
    });
    expect(result.reason).toBe('line 5: getsockopt SO_ERROR: expected ETIMEDOUT, got 0');
  });

  it('doubles SO_SNDBUF as Linux and passes it to the engine', () => {
    const src = `${HANDSHAKE}+0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [21000], 4) = 0
+0 getsockopt(4, SOL_SOCKET, SO_SNDBUF, [42000], [4]) = 0
`;
    const { result, fake } = drill(src, serve);
    expect(result.verdict).toBe('PASS');
    expect(fake.sockets[0]!.options.sndBuf).toBe(42000);
  });

  it('checks TCP_INFO asserts on a snapshot, in packets of the send MSS', () => {
    const src = `${HANDSHAKE}+0 %{ assert tcpi_snd_cwnd == CWND, tcpi_snd_cwnd }%\n`;
    // The fake reports cwnd 14600 bytes; the peer's MSS is 1000 (min with our 1460): 14 packets.
    expect(drill(src.replace('CWND', '14'), serve).result.verdict).toBe('PASS');
    expect(drill(src.replace('CWND', '10'), serve).result.reason).toBe(
      'line 9: `assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd` failed: tcpi_snd_cwnd = 14',
    );
  });
});

describe('knobs and verdicts', () => {
  it('applies sysctl settings from the init command to the engine parameters', () => {
    const { fake } = drill(`\`sysctl -q net.ipv4.tcp_syn_retries=2 net.ipv4.tcp_syncookies=2\`\n${LISTEN}`);
    expect(fake.params.synRetries).toBe(2);
    expect(fake.params.synCookies).toBe('always');
    expect(fake.params.profile).toBe('linux');
  });

  it('SKIPs with the exact feature tcplab does not model', () => {
    const skip = (src: string): string => {
      const r = drill(src).result;
      expect(r.verdict).toBe('SKIP');
      return r.reason;
    };
    expect(skip(`--ip_version=ipv6\n${LISTEN}`)).toBe('IPv6 (line 1)');
    expect(skip(`${LISTEN}+0 splice(3, ..., 4, ..., 100, 0) = 0\n`)).toBe(
      'system call splice() not supported (line 5)',
    );
    expect(skip(`${LISTEN}+0 setsockopt(3, SOL_TCP, TCP_CONGESTION, "reno", 4) = 0\n`)).toBe(
      'setsockopt TCP_CONGESTION not modelled (line 5)',
    );
    expect(skip(`${LISTEN}+0 %{ assert tcpi_pmtu == 0 }%\n`)).toBe('TCP_INFO tcpi_pmtu not modelled (line 5)');
    expect(skip(`${LISTEN}+0 < (tos 0x10) S 0:0(0) win 1000\n`)).toBe(
      'IP header spec (tos 0x10) not modelled (line 5)',
    );
    expect(skip(`${LISTEN}+0 < S 0:0(0) win 1000 <mss 1000,FO OTHER_COOKIE>\n`)).toBe(
      'Fast Open cookie OTHER_COOKIE not understood (line 5)',
    );
    expect(skip(`${LISTEN}+0 \`sysctl -q net.ipv4.tcp_syn_retries=2\`\n`)).toBe(
      'sysctl changed during the script (line 5)',
    );
    expect(skip(`${LISTEN}+0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 4\n`)).toBe(
      'sockets other than SOCK_STREAM (line 5)',
    );
  });

  it('reports ERROR for a script that does not parse, as packetdrill refuses to run it', () => {
    expect(drill(`${LISTEN}+0 < S 0:0(0) <mss 1000>\n`).result).toEqual({
      verdict: 'ERROR',
      reason: 'line 5: window must be specified for inbound packets',
    });
    expect(drill(`${LISTEN}+0 < S 0:0(0) win 1000 <mss 1000> wat\n`).result).toEqual({
      verdict: 'ERROR',
      reason: "line 5: syntax: expected a time but found 'wat'",
    });
    expect(drill(`${LISTEN}+0 %{ assert tcpi_snd_cwnd === 1 }%\n`).result.verdict).toBe('ERROR');
  });

  it('FAILs with the error when the engine throws', () => {
    const { result } = drill(`${LISTEN}+0 < S 0:0(0) win 1000\n`, (f) => {
      f.onPacket = () => {
        throw new Error('boom');
      };
    });
    expect(result.verdict).toBe('FAIL');
    expect(result.reason).toMatch(/^engine error: boom/);
  });
});
