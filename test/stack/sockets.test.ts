/**
 * The socket API over two host stacks on a fake wire, checked at the packets and the errno each
 * call reports: resets for segments nobody owns (RFC 9293 3.10.7.1), ISNs from the host's seeded
 * stream (RFC 6528), ECONNRESET / ETIMEDOUT / EPIPE as Linux reports them (once, then EPIPE or
 * end of stream), data for a closed socket answered with RST, tcp_tw_reuse's new ISS, a TIME-WAIT
 * reopened by a new SYN, and simultaneous open and close between two stacks.
 */
import { describe, expect, it } from 'vitest';
import { MS, SEC } from '../../src/sim/time.ts';
import { formatFlags } from '../../src/wire/flags.ts';
import { ACK, FIN, PROTO_TCP, RST, SYN, type Packet, type Segment } from '../../src/wire/segment.ts';
import type { Errno } from '../../src/tcp/api.ts';
import {
  orThrow,
  SocketError,
  type ListenSocket,
  type SocketHandler,
  type TcpSocket,
} from '../../src/stack/socket-api.ts';
import { FakeNet } from './fake-net.ts';
import type { HostStack } from '../../src/stack/host-stack.ts';
import { StackSocket, type SocketOwner } from '../../src/stack/sockets.ts';
import { TW_COUNTED, TW_DESTROY, TW_UNCOUNTED } from '../../src/tcp/host-tcp.ts';

const A = 0x0a000002; // client
const B = 0x0a000001; // server

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
      options: null,
      len: 0,
      payload: null,
      ...seg,
    },
  };
}

/** "A>B R. 0:0 ack 1011" for every delivered packet (absolute numbers). */
function wire(net: FakeNet): string[] {
  return net.delivered.map((p) => {
    const s = p.tcp!;
    return `${p.src === A ? 'A>B' : 'B>A'} ${formatFlags(s.flags)} ${s.seq}:${(s.seq + s.len) >>> 0}${s.flags & ACK ? ` ack ${s.ack}` : ''}`;
  });
}

function thrown(f: () => unknown): Errno | 'none' {
  try {
    f();
  } catch (e) {
    return (e as SocketError).code;
  }
  return 'none';
}

/** recv() until EAGAIN or end of stream. */
function readAll(s: TcpSocket): void {
  for (let n = s.recv(1 << 16); typeof n === 'number' && n > 0; n = s.recv(1 << 16));
}

/** A server on port 80 of `b` that reads each connection to its end and then closes it. */
function listenReadingToEnd(b: HostStack): void {
  orThrow(
    b.listen(
      80,
      new Acceptor({
        onReadable: (s) => {
          readAll(s);
          if (s.eof) s.close();
        },
      }),
    ),
  );
}

/** Records errors and keeps accepted sockets. */
class Recorder implements SocketHandler {
  errors: Errno[] = [];
  connected = false;
  onConnected(): void {
    this.connected = true;
  }
  onError(_s: TcpSocket, e: Errno): void {
    this.errors.push(e);
  }
}

class Acceptor {
  socks: TcpSocket[] = [];
  constructor(readonly handler: SocketHandler = {}) {}
  onAcceptable(l: ListenSocket): void {
    for (let s = l.accept(this.handler); s !== null; s = l.accept(this.handler)) this.socks.push(s);
  }
}

describe('segments nobody owns (RFC 9293 3.10.7.1)', () => {
  it('ACK → <SEQ=SEG.ACK><CTL=RST>; no ACK → <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; a RST → nothing', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    net.addHost('b', B);
    const raw = a.openRaw();
    raw.send(tcpPacket(A, B, { flags: ACK | FIN, seq: 500, ack: 7777 }));
    raw.send(tcpPacket(A, B, { flags: FIN, seq: 500, len: 10 }));
    raw.send(tcpPacket(A, B, { flags: RST | ACK, seq: 500, ack: 7777 }));
    net.sim.run({ until: 1 * SEC });
    expect(wire(net)).toEqual([
      'A>B F. 500:500 ack 7777',
      'A>B F 500:510',
      'A>B R. 500:500 ack 7777',
      'B>A R 7777:7777',
      'B>A R. 0:0 ack 511',
    ]);
  });
});

describe('initial sequence numbers (RFC 6528, Linux secure_tcp_seq)', () => {
  function iss(seed: number, port: number, at = 0): number {
    const net = new FakeNet();
    const a = net.addHost('a', A, {}, seed);
    net.addHost('b', B);
    net.sim.run({ until: at });
    orThrow(a.connect(B, 80, {}, { localPort: port }));
    net.sim.run({ until: at + 20 * MS });
    return net.delivered[0]!.tcp!.seq;
  }

  it('a keyed hash of the tuple from the host seed: the same for a seed, different across seeds and tuples', () => {
    expect(iss(1, 5000)).toBe(iss(1, 5000));
    expect(iss(2, 5000)).not.toBe(iss(1, 5000));
    expect(iss(1, 5001)).not.toBe(iss(1, 5000));
  });

  it('advances with the clock, one per 64 ns (4 ms → 62500)', () => {
    expect((iss(1, 5000, 4 * MS) - iss(1, 5000, 0)) >>> 0).toBe(62500);
  });
});

describe('errors through the socket API', () => {
  function established(): { net: FakeNet; client: TcpSocket; rec: Recorder; server: () => TcpSocket } {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    const b = net.addHost('b', B);
    const acc = new Acceptor();
    orThrow(b.listen(80, acc));
    const rec = new Recorder();
    const client = orThrow(a.connect(B, 80, rec));
    net.sim.run({ until: 100 * MS });
    expect(rec.connected).toBe(true);
    return { net, client, rec, server: () => acc.socks[0]! };
  }

  it('ECONNRESET after the peer aborts: onError once, recv() returns it once then reads end of stream, send() returns it once then EPIPE', () => {
    const { net, client, rec, server } = established();
    server().setLingerZero(true);
    server().close();
    net.sim.run({ until: 200 * MS });
    expect(client.state).toBe('CLOSED');
    expect(rec.errors).toEqual(['ECONNRESET']);
    expect(client.recv(100)).toBe('ECONNRESET');
    expect(client.recv(100)).toBe(0);
    expect(client.send(10)).toBe('EPIPE');
    expect(client.takeError()).toBeNull();
  });

  it('send() after a reset reports ECONNRESET first, then EPIPE', () => {
    const { net, client, server } = established();
    server().setLingerZero(true);
    server().close();
    net.sim.run({ until: 200 * MS });
    expect(client.send(10)).toBe('ECONNRESET');
    expect(client.send(10)).toBe('EPIPE');
  });

  it('data for a socket its owner closed is answered with RST: the sender sees ECONNRESET', () => {
    const { net, client, rec, server } = established();
    server().close(); // FIN; the client has not closed
    net.sim.run({ until: 200 * MS });
    expect(client.state).toBe('CLOSE_WAIT');
    net.delivered.length = 0;
    client.send(100);
    net.sim.run({ until: 300 * MS });
    expect(wire(net).map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['A>B P.', 'B>A R']);
    expect(rec.errors).toEqual(['EPIPE']); // Linux tcp_reset in CLOSE_WAIT
    expect(client.state).toBe('CLOSED');
  });

  it('ETIMEDOUT when nobody answers: SYNs until 131 s, then onError and a closed socket', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    const rec = new Recorder();
    const s = orThrow(a.connect(0x0a0000ff, 80, rec)); // no such host: every SYN vanishes
    net.sim.run({ until: 130 * SEC });
    expect(s.state).toBe('SYN_SENT');
    net.sim.run({ until: 132 * SEC });
    expect(rec.errors).toEqual(['ETIMEDOUT']);
    expect(s.state).toBe('CLOSED');
    expect(net.lost).toBe(11);
  });

  it('EAGAIN while nothing is readable, the bytes once they are, 0 at end of stream; EPIPE after shutdown(wr)', () => {
    const { net, client, server } = established();
    expect(server().recv(100)).toBe('EAGAIN');
    expect(client.send(300)).toBe(300);
    net.sim.run({ until: 200 * MS });
    expect(server().recv(100)).toBe(100);
    expect(server().recv(1000)).toBe(200);
    client.shutdown('wr');
    expect(client.send(1)).toBe('EPIPE');
    net.sim.run({ until: 300 * MS });
    expect(server().recv(1000)).toBe(0);
    expect(server().eof).toBe(true);
    expect(server().state).toBe('CLOSE_WAIT');
    expect(server().send(10)).toBe(10); // half-close: the other direction still flows
    net.sim.run({ until: 400 * MS });
    expect(client.recv(100)).toBe(10);
  });

  it('a call on a closed socket throws ENOTCONN and still leaves the stack call: later notifications arrive', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    const b = net.addHost('b', B);
    listenReadingToEnd(b);
    const first = orThrow(a.connect(B, 80, { onConnected: (s) => s.close() }));
    net.sim.run({ until: 1 * SEC });
    expect(first.state).toBe('TIME_WAIT'); // closed by its user: the compact record
    expect(thrown(() => first.setCork(true))).toBe('ENOTCONN');
    expect(first.recv(10)).toBe('ENOTCONN');
    expect(first.send(10)).toBe('ENOTCONN');
    const rec = new Recorder();
    orThrow(a.connect(B, 80, rec));
    net.sim.run({ until: 2 * SEC });
    expect(rec.connected).toBe(true);
  });

  it('EADDRINUSE for an explicit local port a listener holds', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    orThrow(a.listen(5000, {}));
    expect(a.connect(B, 80, {}, { localPort: 5000 })).toBe('EADDRINUSE');
  });
});

describe('TIME-WAIT and the next connection on the same tuple', () => {
  it('tcp_tw_reuse: the new connection starts at the old SND.NXT + 65537 (tcp_twsk_unique)', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A, { twReuse: true, ephemeralLow: 50000, ephemeralHigh: 50000 });
    const b = net.addHost('b', B);
    listenReadingToEnd(b);
    const first = orThrow(a.connect(B, 80, { onConnected: (s) => s.close() }));
    net.sim.run({ until: 2 * SEC });
    expect(first.state).toBe('TIME_WAIT');
    const oldIss = net.delivered[0]!.tcp!.seq;
    net.delivered.length = 0;
    orThrow(a.connect(B, 80, {}));
    net.sim.run({ until: 3 * SEC });
    expect(net.delivered[0]!.tcp!.flags).toBe(SYN);
    expect(net.delivered[0]!.tcp!.seq).toBe((oldIss + 2 + 65537) >>> 0);
  });

  it('without timestamps on that connection the tuple cannot be reused: EADDRNOTAVAIL', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A, { twReuse: true, timestamps: false, ephemeralLow: 50000, ephemeralHigh: 50000 });
    const b = net.addHost('b', B);
    listenReadingToEnd(b);
    orThrow(a.connect(B, 80, { onConnected: (s) => s.close() }));
    net.sim.run({ until: 5 * SEC });
    expect(a.connect(B, 80, {})).toBe('EADDRNOTAVAIL');
  });

  it("a server in TIME-WAIT takes the same client port's new SYN and reopens (RFC 6191): ISS = old SND.NXT + 65537", () => {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    const b = net.addHost('b', B);
    // The server closes first, so the server holds TIME-WAIT and the client's port is free again.
    const acc = new Acceptor();
    orThrow(
      b.listen(80, {
        onAcceptable: (l) => {
          acc.onAcceptable(l);
          for (const s of acc.socks) if (s.state === 'ESTABLISHED') s.close();
        },
      }),
    );
    orThrow(
      a.connect(
        B,
        80,
        {
          onReadable: (s) => {
            s.recv(100);
            if (s.eof) s.close();
          },
        },
        { localPort: 45000 },
      ),
    );
    net.sim.run({ until: 1 * SEC });
    expect(acc.socks[0]!.state).toBe('TIME_WAIT');
    const serverIss = net.delivered.find((p) => p.src === B && p.tcp!.flags === (SYN | ACK))!.tcp!.seq;
    net.delivered.length = 0;
    const rec = new Recorder();
    orThrow(a.connect(B, 80, rec, { localPort: 45000 }));
    net.sim.run({ until: 2 * SEC });
    expect(rec.connected).toBe(true);
    expect(
      wire(net)
        .map((l) => l.split(' ')[1])
        .slice(0, 3),
    ).toEqual(['S', 'S.', '.']);
    expect(net.delivered[1]!.tcp!.seq).toBe((serverIss + 2 + 65537) >>> 0);
  });
});

describe('simultaneous open and close between two stacks', () => {
  it('crossed SYNs on fixed ports: SYN_SENT → SYN_RCVD → ESTABLISHED on both, then crossed FINs: CLOSING → TIME_WAIT', () => {
    const net = new FakeNet();
    const a = net.addHost('a', A);
    const b = net.addHost('b', B);
    const ra = new Recorder();
    const rb = new Recorder();
    const sa = orThrow(a.connect(B, 6000, ra, { localPort: 5000 }));
    const sb = orThrow(b.connect(A, 5000, rb, { localPort: 6000 }));
    net.sim.run({ until: 100 * MS });
    const pairs = wire(net).map((l) => l.split(' ').slice(0, 2).join(' '));
    // Each pair crosses on the wire: SYNs, then SYN-ACKs, then ACKs.
    expect(pairs.slice(0, 2).sort()).toEqual(['A>B S', 'B>A S']);
    expect(pairs.slice(2, 4).sort()).toEqual(['A>B S.', 'B>A S.']);
    expect(pairs.slice(4).sort()).toEqual(['A>B .', 'B>A .']);
    expect([sa.state, sb.state, ra.connected, rb.connected]).toEqual(['ESTABLISHED', 'ESTABLISHED', true, true]);
    net.delivered.length = 0;
    sa.close();
    sb.close();
    net.sim.run({ until: 200 * MS });
    const fins = wire(net).map((l) => l.split(' ').slice(0, 2).join(' '));
    expect(fins.slice(0, 2).sort()).toEqual(['A>B F.', 'B>A F.']);
    expect(fins.slice(2).sort()).toEqual(['A>B .', 'B>A .']);
    expect([sa.state, sb.state]).toEqual(['TIME_WAIT', 'TIME_WAIT']);
  });
});

describe('the compact TIME-WAIT record', () => {
  it('keeps the 4-tuple itself: addresses at or above 2^31 read back unsigned, and its ACKs reach the peer', () => {
    const HA = 0xc0a80002; // 192.168.0.2
    const HB = 0xc0a80001;
    const net = new FakeNet();
    const a = net.addHost('a', HA);
    const b = net.addHost('b', HB);
    listenReadingToEnd(b);
    const s = orThrow(a.connect(HB, 80, { onConnected: (x) => x.close() }));
    const port = s.localPort;
    net.sim.run({ until: 1 * SEC });
    expect(s.state).toBe('TIME_WAIT');
    expect((s as unknown as { conn: object }).conn.constructor.name).toBe('TimeWaitSock');
    expect([s.localAddr, s.localPort, s.remoteAddr, s.remotePort]).toEqual([HA, port, HB, 80]);
    // the peer's FIN again: the record answers it, from and to the right addresses and ports
    const fin = net.delivered.filter((p) => p.src === HB && (p.tcp!.flags & FIN) !== 0).at(-1)!;
    const before = net.delivered.length;
    a.receive(fin);
    net.sim.run({ until: 2 * SEC });
    const ack = net.delivered.slice(before).find((p) => p.src === HA)!;
    expect([ack.src, ack.dst, ack.tcp!.srcPort, ack.tcp!.dstPort]).toEqual([HA, HB, port, 80]);
    expect(formatFlags(ack.tcp!.flags)).toBe('.');
  });
});

describe('StackSocket flags', () => {
  it('freed, reuseAddr, accepted and the TIME-WAIT mark share one field: none changes another', () => {
    for (const reuse of [false, true]) {
      const s = new StackSocket({} as SocketOwner, null, reuse);
      const read = () => [s.freed, s.reuseAddr, s.accepted];
      expect(read()).toEqual([false, reuse, false]);
      s.markAccepted();
      expect(read()).toEqual([false, reuse, true]);
      s.markFreed();
      expect(read()).toEqual([true, reuse, true]);
      expect(s.timeWaitMark).toBe(TW_UNCOUNTED);
      for (const mark of [TW_DESTROY, TW_COUNTED, TW_UNCOUNTED, TW_DESTROY]) {
        s.timeWaitMark = mark;
        expect([s.timeWaitMark, ...read()]).toEqual([mark, true, reuse, true]);
      }
    }
  });
});
