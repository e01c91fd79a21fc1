/**
 * Stack tests that need the connection engine (src/tcp/connection.ts) to open and close
 * connections: handshake timing, refused connects, TIME-WAIT and the port range, wake-ups.
 * They run once the engine opens connections (SYN_SENT after connect()).
 */
import { describe, expect, it } from 'vitest';
import { MS, SEC, serializationTime } from '../../src/sim/time.ts';
import { SYN, packetBytes } from '../../src/wire/segment.ts';
import type { Errno } from '../../src/tcp/api.ts';
import { orThrow, type ListenSocket, type SocketHandler, type TcpSocket } from '../../src/stack/socket-api.ts';
import type { HostStack } from '../../src/stack/host-stack.ts';
import { FakeNet } from './fake-net.ts';

const A = 0x0a000002;
const B = 0x0a000001;

function engineReady(): boolean {
  const net = new FakeNet();
  return orThrow(net.addHost('a', A).connect(B, 80, {})).state === 'SYN_SENT';
}

/** Accepts, reads to end of stream, closes. */
class Server implements SocketHandler {
  onAcceptable(l: ListenSocket): void {
    for (let s = l.accept(this); s !== null; s = l.accept(this)) this.onReadable(s);
  }
  onReadable(s: TcpSocket): void {
    for (;;) {
      const n = s.recv(1 << 20);
      if (typeof n !== 'number') return; // EAGAIN
      if (n === 0) {
        s.close();
        return;
      }
    }
  }
}

/** Records what happened to one connect(). */
class Client implements SocketHandler {
  connectedAt = -1;
  errno: Errno | null = null;
  freed = false;
  constructor(
    private readonly net: FakeNet,
    private readonly sendAndClose = false,
  ) {}
  onConnected(s: TcpSocket): void {
    this.connectedAt = this.net.sim.now;
    if (this.sendAndClose) {
      s.send(1000);
      s.close();
    }
  }
  onError(_s: TcpSocket, errno: Errno): void {
    this.errno = errno;
  }
  onFreed(): void {
    this.freed = true;
  }
}

function pair(params = {}): { net: FakeNet; a: HostStack; b: HostStack } {
  const net = new FakeNet(5 * MS, 100e6);
  const a = net.addHost('a', A, params);
  const b = net.addHost('b', B, params);
  orThrow(b.listen(80, new Server()));
  return { net, a, b };
}

describe.runIf(engineReady())('host stack with the connection engine', () => {
  it('handshake time = 2 x latency + serialization of the SYN and the SYN-ACK, exactly', () => {
    const { net, a } = pair();
    const c = new Client(net);
    orThrow(a.connect(B, 80, c));
    net.sim.run({ until: 1 * SEC });
    const [syn, synAck] = net.delivered;
    expect(syn!.tcp!.flags).toBe(SYN);
    const expected =
      2 * 5 * MS + serializationTime(packetBytes(syn!), 100e6) + serializationTime(packetBytes(synAck!), 100e6);
    expect(c.connectedAt).toBe(expected);
    expect(a.stats().established).toBe(1);
  });

  it('connect() to a port nobody listens on fails with ECONNREFUSED', () => {
    const { net, a } = pair();
    const c = new Client(net);
    orThrow(a.connect(B, 81, c));
    net.sim.run({ until: 1 * SEC });
    expect(c.errno).toBe('ECONNREFUSED');
    expect(c.connectedAt).toBe(-1);
  });

  it('TIME-WAIT holds the port range: EADDRNOTAVAIL until it expires 60 s later', () => {
    const { net, a } = pair({ ephemeralLow: 50000, ephemeralHigh: 50009 });
    for (let i = 0; i < 10; i++) orThrow(a.connect(B, 80, new Client(net, true)));
    net.sim.run({ until: 5 * SEC });
    expect(a.stats().timeWait).toBe(10);
    expect(a.connect(B, 80, new Client(net))).toBe('EADDRNOTAVAIL');
    net.sim.run({ until: 66 * SEC });
    expect(a.stats().timeWait).toBe(0);
    expect(orThrow(a.connect(B, 80, new Client(net))).localPort).toBeGreaterThanOrEqual(50000);
  });

  it('tcp_tw_reuse lets connect() take over a TIME-WAIT tuple after 1 s (timestamps on)', () => {
    const { net, a } = pair({ ephemeralLow: 50000, ephemeralHigh: 50009, twReuse: true });
    for (let i = 0; i < 10; i++) orThrow(a.connect(B, 80, new Client(net, true)));
    net.sim.run({ until: 5 * SEC });
    const c = new Client(net);
    orThrow(a.connect(B, 80, c));
    net.sim.run({ until: 6 * SEC });
    expect(c.connectedAt).toBeGreaterThan(5 * SEC);
    expect(a.stats().timeWait).toBe(9);
  });

  it('keeps exactly one pending wake-up per TIME-WAIT connection', () => {
    const { net, a } = pair();
    for (let i = 0; i < 50; i++) orThrow(a.connect(B, 80, new Client(net, true)));
    net.sim.run({ until: 10 * SEC });
    expect(a.stats().timeWait).toBe(50);
    expect(net.sim.pending).toBe(50);
    net.sim.run();
    expect(net.sim.pending).toBe(0);
    expect(a.connectionCount).toBe(0);
  });

  it('wakes a TIME-WAIT connection once, at its expiry: none left from the timers TIME-WAIT cleared', () => {
    const { net, a } = pair();
    for (let i = 0; i < 50; i++) orThrow(a.connect(B, 80, new Client(net, true)));
    net.sim.run({ until: 200 * MS });
    expect(a.stats().timeWait).toBe(50);
    const before = net.sim.events;
    net.sim.run({ until: 59 * SEC });
    // One event: the server's listener waking for its SYN-ACK timer (cleared when the requests
    // completed). No TIME-WAIT connection wakes before its expiry.
    expect(net.sim.events - before).toBe(1);
    expect(net.sim.pending).toBe(50);
    expect(net.sim.nextEventTime()).toBeGreaterThanOrEqual(60 * SEC);
  });

  it('maxTimeWait: connections beyond the cap are destroyed at once (time wait bucket table overflow)', () => {
    const { net, a } = pair({ maxTimeWait: 5 });
    const clients = Array.from({ length: 10 }, () => new Client(net, true));
    for (const c of clients) orThrow(a.connect(B, 80, c));
    net.sim.run({ until: 10 * SEC });
    expect(a.stats().timeWait).toBe(5);
    expect(a.stats().timeWaitPeak).toBe(5);
    expect(clients.filter((c) => c.freed)).toHaveLength(5);
  });

  it('the world-wide TIME-WAIT total counts what the hosts count: no overflowed socket, a taken-over one leaves it', () => {
    const { net, a, b } = pair({ ephemeralLow: 50000, ephemeralHigh: 50009, twReuse: true, maxTimeWait: 8 });
    const total = { timeWait: 0, peak: 0 };
    a.tcp.timeWaitTotal = total;
    b.tcp.timeWaitTotal = total;
    for (let i = 0; i < 10; i++) orThrow(a.connect(B, 80, new Client(net, true)));
    net.sim.run({ until: 5 * SEC });
    expect(total).toEqual({ timeWait: 8, peak: 8 }); // two over maxTimeWait were destroyed, never counted
    orThrow(a.connect(B, 80, new Client(net))); // takes over a TIME-WAIT tuple (tcp_tw_reuse)
    net.sim.run({ until: 6 * SEC });
    expect(a.stats().timeWait).toBe(7);
    expect(total).toEqual({ timeWait: 7, peak: 8 });
    net.sim.run({ until: 80 * SEC });
    expect(total.timeWait).toBe(a.stats().timeWait + b.stats().timeWait);
  });
});
