import { describe, expect, it } from 'vitest';
import { MS, SEC, serializationTime } from '../../src/sim/time.ts';
import type { TraceRecord } from '../../src/schema/trace.ts';
import { formatFlags } from '../../src/wire/flags.ts';
import { PROTO_TCP, SYN, type Packet, type Segment } from '../../src/wire/segment.ts';
import { orThrow, SocketError } from '../../src/stack/socket-api.ts';
import { FakeNet } from './fake-net.ts';
import { Sim } from '../../src/sim/simulator.ts';
import { Tracer } from '../../src/sim/trace.ts';
import { HostStack } from '../../src/stack/host-stack.ts';
import type { HostPort } from '../../src/net/host.ts';
import { tcpParams } from '../../src/tcp/params.ts';

const A = 0x0a000002; // 10.0.0.2 client
const B = 0x0a000001; // 10.0.0.1 server

function tcpPacket(src: number, dst: number, seg: Partial<Segment>): Packet {
  return {
    src,
    dst,
    ttl: 64,
    id: 1,
    protocol: PROTO_TCP,
    dataBytes: 0,
    annot: 0,
    tcp: {
      srcPort: 40000,
      dstPort: 80,
      seq: 1000,
      ack: 0,
      flags: SYN,
      window: 65535,
      urgent: 0,
      options: { mss: 1460 },
      len: 0,
      payload: null,
      ...seg,
    },
  };
}

function flags(net: FakeNet): string[] {
  return net.delivered.map((p) => `${p.src === A ? 'A>B' : 'B>A'} ${formatFlags(p.tcp!.flags)}`);
}

describe('host stack: demultiplexing and resets', () => {
  it('answers a SYN to a closed port with RST,ACK (ack = seq + 1)', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    net.addHost('b', B);
    a.openRaw().send(tcpPacket(A, B, {}));
    net.sim.run();
    expect(flags(net)).toEqual(['A>B S', 'B>A R.']);
    const rst = net.delivered[1]!;
    expect(rst.tcp).toMatchObject({ srcPort: 80, dstPort: 40000, seq: 0, ack: 1001 });
    expect(rst.ttl).toBe(64);
  });

  it('a host that receives a SYN-ACK for a connection it never opened answers RST, which ends the request', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    const b = net.addHost('b', B);
    const l = orThrow(b.listen(80, {}));
    a.openRaw().send(tcpPacket(A, B, {})); // forged-looking SYN: A's stack has no connection
    net.sim.run({ until: 500 * MS });
    expect(flags(net)).toEqual(['A>B S', 'B>A S.', 'A>B R']);
    expect(l.stats().synQueue).toBe(0);
  });

  it('listen() twice on one port fails with EADDRINUSE', () => {
    const net = new FakeNet();
    const b = net.addHost('b', B);
    orThrow(b.listen(80, {}));
    expect(b.listen(80, {})).toBe('EADDRINUSE');
  });

  it('writes state records with the connection named local>remote', () => {
    const net = new FakeNet();
    const records: TraceRecord[] = [];
    net.tracer.subscribe((r) => records.push(r));
    const a = net.addHost('a', A);
    const b = net.addHost('b', B);
    orThrow(b.listen(80, {}));
    a.openRaw().send(tcpPacket(A, B, {}));
    net.sim.run({ until: 100 * MS });
    expect(records[0]).toEqual({
      t: 5_000_000 + serializationTime(44, 100e6),
      node: 'b',
      ev: 'state',
      conn: '10.0.0.1:80>10.0.0.2:40000',
      from: 'LISTEN',
      to: 'SYN_RCVD',
    });
  });
});

describe('host stack: a SYN flood', () => {
  it('keeps pending sim events O(1) per listener and the SYN queue at backlog + 1', () => {
    const net = new FakeNet(1 * MS, 10e9);
    net.record = false;
    const a = net.addHost('a', A);
    const b = net.addHost('b', B, { synCookies: false, maxSynBacklog: 65536 }); // no proven-peer reserve below backlog + 1
    const l = orThrow(b.listen(80, {}, 4096));
    const raw = a.openRaw();
    let maxPending = 0;
    // 100k SYN/s from spoofed sources for 1 s, one injection event at a time
    const flood = {
      i: 0,
      onEvent() {
        raw.send(tcpPacket((0xc6120000 + this.i) >>> 0, B, { srcPort: 1024 + (this.i % 60000), seq: this.i * 7919 }));
        if (++this.i < 100_000) net.sim.after(10_000, flood);
        if (net.sim.pending > maxPending) maxPending = net.sim.pending;
      },
    };
    net.sim.at(0, flood);
    net.sim.run({ until: 2 * SEC });
    expect(l.stats().synQueue).toBe(4097);
    expect(l.stats().synQueueDrops).toBe(100_000 - 4097);
    // in flight on the 1 ms wire at 100k pkt/s: ~100 packets each way, + the flood tick + 1 listener wake-up
    expect(maxPending).toBeLessThan(400);
    expect(b.connectionCount).toBe(0);
  });
});

describe('host stack: ephemeral ports', () => {
  it('spreads connects over the range and fails with EADDRNOTAVAIL when every port toward that destination is held', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A, { ephemeralLow: 40000, ephemeralHigh: 40009 });
    net.addHost('b', B);
    const ports = new Set<number>();
    for (let i = 0; i < 10; i++) ports.add(orThrow(a.connect(B, 80, {})).localPort);
    expect([...ports].sort()).toEqual([40000, 40001, 40002, 40003, 40004, 40005, 40006, 40007, 40008, 40009]);
    expect(a.connect(B, 80, {})).toBe('EADDRNOTAVAIL');
    // another destination (port) is a different 4-tuple: the same local ports are usable again
    expect(orThrow(a.connect(B, 8080, {})).localPort).toBeGreaterThanOrEqual(40000);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const pick = (seed: number) => {
      const net = new FakeNet();
      const a = net.addHost('a', A, {}, seed);
      return [0, 1, 2, 3].map(() => orThrow(a.connect(B, 80, {})).localPort);
    };
    expect(pick(1)).toEqual(pick(1));
    expect(pick(1)).not.toEqual(pick(2));
    const p = pick(1);
    expect(p.every((x) => x >= 32768 && x <= 60999)).toBe(true);
  });

  it('an explicit local port already used toward that destination fails with EADDRINUSE', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    orThrow(a.connect(B, 80, {}, { localPort: 5000 }));
    expect(a.connect(B, 80, {}, { localPort: 5000 })).toBe('EADDRINUSE');
  });
});

describe('host state made on first use', () => {
  /** The stack's private Fast Open blackhole state (null until something reads it). */
  const blackholeOf = (s: object) => (s as { blackhole: unknown }).blackhole;

  it('plain connections that time out never make the Fast Open blackhole state; a Fast Open one then starts unpaused', () => {
    // a host whose every packet vanishes: each connection times out
    const sim = new Sim();
    const sent: Packet[] = [];
    const port: HostPort = { name: 'a', address: A, sim, tracer: new Tracer(), send: (p) => sent.push(p) };
    const a = new HostStack(port, tcpParams('linux', { timers: 'exact', fastOpenBlackholeTimeout: 60 * SEC }), 1);
    const plain = orThrow(a.connect(B, 80, {}));
    sim.run({ until: 300 * SEC }); // SYN retransmissions, then ETIMEDOUT
    expect(plain.state).toBe('CLOSED');
    expect(sent.length).toBeGreaterThan(3);
    expect(blackholeOf(a)).toBeNull();
    // made late, it is as an untouched one: the first Fast Open SYN asks for a cookie
    const first = sent.length;
    orThrow(a.connect(B, 81, {}, { fastOpen: 0 }));
    sim.run({ until: 301 * SEC });
    expect(sent[first]!.tcp!.options?.fastOpen).toEqual(new Uint8Array(0));
    // three timeouts of that SYN pause Fast Open (tcp_fastopen_active_detect_blackhole)
    sim.run({ until: 320 * SEC });
    expect(a.fastOpenBlackhole.events).toBe(1);
  });
});

describe('host counters', () => {
  it('stats() reads the counters as they are now, every one of them, in a fixed order', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    const b = net.addHost('b', B);
    orThrow(b.listen(80, {}));
    const before = a.stats();
    orThrow(a.connect(B, 80, {}));
    net.sim.run({ until: 1 * SEC });
    expect(Object.keys(before)).toEqual([
      'segmentsSent',
      'segmentsRetransmitted',
      'established',
      'timeWait',
      'timeWaitPeak',
      'fastOpenRequested',
      'fastOpenAccepted',
      'fastOpenFallback',
    ]);
    expect(before.segmentsSent).toBe(0); // a snapshot
    expect(a.stats()).toMatchObject({ segmentsSent: 2, established: 1, timeWait: 0 });
    expect(b.stats().established).toBe(1); // the server's child, established whether accepted or not
  });
});
