/**
 * A host's destination metrics (Linux tcp_metrics) end to end, and bind()/connect() from a port
 * held in TIME-WAIT: what a closing connection saves, what the next connection to the same host
 * starts with (tcp_init_metrics: the RTO from the cached RTT), `ip tcp_metrics flush`, and the
 * errno Linux gives (bind EADDRINUSE; with SO_REUSEADDR, connect EADDRNOTAVAIL).
 */
import { describe, expect, it } from 'vitest';
import { MS, SEC } from '../../src/sim/time.ts';
import {
  orThrow,
  SocketError,
  type ListenSocket,
  type SocketHandler,
  type TcpSocket,
} from '../../src/stack/socket-api.ts';
import { chainOf, DstMetrics } from '../../src/tcp/dst-metrics.ts';
import { FakeNet } from './fake-net.ts';

const A = 0x0a000002;
const B = 0x0a000001;

class Server implements SocketHandler {
  accepted: TcpSocket[] = [];
  onAcceptable(l: ListenSocket): void {
    for (let s = l.accept(this); s !== null; s = l.accept(this)) {
      this.accepted.push(s);
      this.onReadable(s);
    }
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

/** Sends 1000 bytes and closes once connected (so the client ends in TIME-WAIT). */
const sendAndClose: SocketHandler = {
  onConnected(s) {
    s.send(1000);
    s.close();
  },
};
/**
 * The same exchange with the socket kept open (shutdown(wr) instead of close()), so that its
 * tcp_info can still be read in TIME-WAIT: a closed socket's TIME-WAIT is a compact record
 * (src/tcp/time-wait-sock.ts, as Linux's inet_timewait_sock) with no RTT or cwnd to report.
 */
const sendAndShutdown: SocketHandler = {
  onConnected(s) {
    s.send(1000);
    s.shutdown('wr');
  },
};

function pair(params = {}) {
  const net = new FakeNet(5 * MS, 100e6);
  const a = net.addHost('a', A, params);
  const b = net.addHost('b', B, params);
  const server = new Server();
  orThrow(b.listen(80, server));
  return { net, a, b, server };
}

function errnoOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SocketError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('destination metrics (tcp_metrics)', () => {
  it('a closing connection saves its RTT on both hosts (tcp_time_wait, LAST-ACK done)', () => {
    const { net, a, b } = pair();
    const s = orThrow(a.connect(B, 80, sendAndShutdown));
    net.sim.run({ until: 5 * SEC });
    expect(s.state).toBe('TIME_WAIT');
    const e = a.metrics.lookup(A, B, net.sim.now)!;
    const info = s.info();
    expect(Math.round(e.rtt)).toBe(info.srtt);
    expect(info.srtt).toBeGreaterThan(10 * MS); // 2 × 5 ms plus serialization
    // the first entry: RTT variance = |cached − srtt| = srtt (above the connection's own deviation)
    expect(e.rttvar).toBe(e.rtt);
    // still in the initial slow start: the largest cwnd is kept
    expect(e.cwnd * 1448).toBe(info.cwnd);
    expect(e.ssthresh).toBe(0); // tcp_no_ssthresh_metrics_save = 1
    expect(b.metrics.lookup(B, A, net.sim.now)!.rtt).toBeGreaterThan(10 * MS);
    expect(a.metrics.size).toBe(1);
  });

  it('a connection that never measured an RTT saves nothing', () => {
    const { net, a } = pair();
    orThrow(a.connect(0x0a0000ff, 80, {})); // nobody there: SYNs until ETIMEDOUT
    net.sim.run({ until: 200 * SEC });
    expect(a.metrics.size).toBe(0);
  });

  it('the next connect starts its RTO from the cached RTT: rtt + max(2 rtt, 200 ms), both sides', () => {
    const fresh = pair();
    const plain = orThrow(fresh.a.connect(B, 80, {}));
    fresh.net.sim.run({ until: 1 * SEC });
    const srtt = plain.info().srtt;
    expect(plain.info().rto).toBe(Math.round(srtt + 200 * MS)); // from the handshake sample alone

    const { net, a, b, server } = pair();
    a.metrics.getOrCreate(A, B, 0).rtt = 300 * MS;
    b.metrics.getOrCreate(B, A, 0).rtt = 300 * MS;
    const s = orThrow(a.connect(B, 80, {}));
    net.sim.run({ until: 1 * SEC });
    expect(s.state).toBe('ESTABLISHED');
    expect(s.info().srtt).toBe(srtt); // the estimator itself is left alone
    expect(s.info().rto).toBe(900 * MS);
    expect(server.accepted[0]!.info().rto).toBe(900 * MS);
  });

  it('a cached RTT below the handshake sample changes nothing', () => {
    const { net, a } = pair();
    a.metrics.getOrCreate(A, B, 0).rtt = 1 * MS;
    const s = orThrow(a.connect(B, 80, {}));
    net.sim.run({ until: 1 * SEC });
    expect(s.info().rto).toBe(Math.round(s.info().srtt + 200 * MS));
  });

  it('a second connection updates the entry: a smaller RTT moves it an eighth of the way', () => {
    const { net, a } = pair();
    const entry = a.metrics.getOrCreate(A, B, 0);
    entry.rtt = 90 * MS;
    entry.rttvar = 1 * MS;
    const s = orThrow(a.connect(B, 80, sendAndShutdown));
    net.sim.run({ until: 5 * SEC });
    const srtt = s.info().srtt;
    expect(entry.rtt).toBeCloseTo(90 * MS - (90 * MS - srtt) / 8, -1);
    expect(entry.rttvar).toBeCloseTo(90 * MS - srtt, -1); // a larger deviation replaces the old one
  });

  it('flushMetrics (ip tcp_metrics flush) forgets every destination', () => {
    const { net, a } = pair();
    a.metrics.getOrCreate(A, B, 0).rtt = 300 * MS;
    a.flushMetrics();
    expect(a.metrics.size).toBe(0);
    const s = orThrow(a.connect(B, 80, {}));
    net.sim.run({ until: 1 * SEC });
    expect(s.info().rto).toBe(Math.round(s.info().srtt + 200 * MS));
  });

  it('the rfc9293 profile keeps no metrics (metricsSave false)', () => {
    const net = new FakeNet(5 * MS, 100e6);
    const a = net.addHost('a', A, {});
    const b = net.addHost('b', B, {});
    orThrow(b.listen(80, new Server()));
    const c = net.addHost('c', 0x0a000003, { metricsSave: false });
    orThrow(c.connect(B, 80, sendAndClose));
    orThrow(a.connect(B, 80, sendAndClose));
    net.sim.run({ until: 5 * SEC });
    expect(c.metrics.size).toBe(0);
    expect(a.metrics.size).toBe(1);
  });
});

describe('connect() from a fixed port held in TIME-WAIT', () => {
  function inTimeWait(reuseAddr: boolean, params = {}) {
    const p = pair(params);
    const s = orThrow(p.a.connect(B, 80, sendAndClose, { localPort: 40000, reuseAddr }));
    p.net.sim.run({ until: 2 * SEC });
    expect(s.state).toBe('TIME_WAIT');
    return p;
  }

  it('bind fails with EADDRINUSE without SO_REUSEADDR', () => {
    const { a } = inTimeWait(true);
    expect(a.connect(B, 80, {}, { localPort: 40000 })).toBe('EADDRINUSE');
  });

  it('with SO_REUSEADDR on both sockets bind succeeds and connect fails with EADDRNOTAVAIL', () => {
    const { a } = inTimeWait(true);
    expect(a.connect(B, 80, {}, { localPort: 40000, reuseAddr: true })).toBe('EADDRNOTAVAIL');
    expect(a.stats().timeWait).toBe(1); // the TIME-WAIT socket is untouched
  });

  it('SO_REUSEADDR on the new socket only: the old one did not share its port, so bind fails', () => {
    const { a } = inTimeWait(false);
    expect(a.connect(B, 80, {}, { localPort: 40000, reuseAddr: true })).toBe('EADDRINUSE');
  });

  it('tcp_tw_reuse: connect takes the TIME-WAIT tuple over once a second has passed since its last timestamp', () => {
    const { net, a } = inTimeWait(true, { twReuse: true });
    const s = orThrow(a.connect(B, 80, {}, { localPort: 40000, reuseAddr: true }));
    net.sim.run({ until: 3 * SEC });
    expect(s.state).toBe('ESTABLISHED');
    expect(a.stats().timeWait).toBe(0);
  });

  it('a listening port is never shared (EADDRINUSE even with SO_REUSEADDR)', () => {
    const { b } = pair();
    expect(b.connect(A, 5000, {}, { localPort: 80, reuseAddr: true })).toBe('EADDRINUSE');
  });
});

describe('the cache is bounded like Linux tcp_metrics', () => {
  it('16384 chains of at most 6: a full chain recycles its least recently stamped entry', () => {
    const m = new DstMetrics();
    for (let i = 0; i < 200_000; i++) m.getOrCreate(A, (0x0b000000 + i) >>> 0, i).rtt = 1;
    expect(m.size).toBeLessThanOrEqual(16384 * 6);
    expect(m.size).toBeGreaterThan(16384 * 5);
    expect(m.lookup(A, (0x0b000000 + 199_999) >>> 0, 200_000)).not.toBeNull(); // the newest stays
    expect(m.lookup(A, 0x0b000000, 200_000)).toBeNull(); // the oldest went first
    m.delete((0x0b000000 + 199_999) >>> 0);
    expect(m.lookup(A, (0x0b000000 + 199_999) >>> 0, 200_000)).toBeNull();
  });

  it('the first chain a host uses (held apart from the others) recycles, deletes and flushes as any other', () => {
    const m = new DstMetrics();
    const same: number[] = []; // addresses in B's chain
    for (let a = 0x0b000000; same.length < 6; a++) if (chainOf(a) === chainOf(B)) same.push(a);
    m.getOrCreate(A, B, 0).rtt = 1;
    for (let i = 0; i < 6; i++) m.getOrCreate(A, same[i]!, i + 1);
    expect(m.size).toBe(6); // a seventh entry in a chain of at most 6: the least recently stamped (B) went
    expect(m.lookup(A, B, 10)).toBeNull();
    expect(m.lookup(A, same[5]!, 10)).not.toBeNull();
    m.delete(same[5]!);
    expect(m.lookup(A, same[5]!, 10)).toBeNull();
    expect(m.size).toBe(5);
    m.flush();
    expect(m.size).toBe(0);
    expect(m.lookup(A, same[0]!, 10)).toBeNull();
    // after a flush any chain can be the first again, and the one used before is a second one
    const other = 0x0c000001;
    expect(chainOf(other)).not.toBe(chainOf(B));
    m.getOrCreate(A, other, 20);
    m.getOrCreate(A, same[0]!, 21);
    expect(m.lookup(A, other, 22)?.stamp).toBe(20);
    expect(m.lookup(A, same[0]!, 22)?.stamp).toBe(21);
    expect(m.size).toBe(2);
  });
});

/** The cache as it was kept before its chains were linked lists: an array per chain. */
class ArrayChains {
  private chains = new Map<number, { daddr: number; stamp: number }[]>();
  get size(): number {
    let n = 0;
    for (const c of this.chains.values()) n += c.length;
    return n;
  }
  lookup(daddr: number): { daddr: number; stamp: number } | null {
    return this.chains.get(chainOf(daddr))?.find((e) => e.daddr === daddr) ?? null;
  }
  getOrCreate(daddr: number, now: number): void {
    if (this.lookup(daddr) !== null) return;
    const h = chainOf(daddr);
    let chain = this.chains.get(h);
    if (chain === undefined) this.chains.set(h, (chain = []));
    if (chain.length > 5) {
      let oldest = 0;
      for (let i = 1; i < chain.length; i++) if (chain[i]!.stamp < chain[oldest]!.stamp) oldest = i;
      chain.splice(oldest, 1);
    }
    chain.unshift({ daddr, stamp: now });
  }
  delete(daddr: number): void {
    const chain = this.chains.get(chainOf(daddr));
    if (chain === undefined) return;
    for (let i = chain.length - 1; i >= 0; i--) if (chain[i]!.daddr === daddr) chain.splice(i, 1);
  }
  /** Every chain's destinations, head first. */
  order(): number[][] {
    return [...this.chains.values()].map((c) => c.map((e) => e.daddr)).filter((c) => c.length > 0);
  }
}

describe('linked chains', () => {
  it('recycle, delete and look up as chains kept in arrays did (random operations over 3 busy chains)', () => {
    // 8 addresses in each of 3 chains: more than a chain holds, so recycling happens
    const pool: number[] = [];
    for (const base of [0x0b000000, 0x0c000000, 0x0d000000]) {
      const h = chainOf(base);
      for (let a = base; pool.filter((x) => chainOf(x) === h).length < 8; a++) if (chainOf(a) === h) pool.push(a);
    }
    let seed = 12345;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const m = new DstMetrics();
    const ref = new ArrayChains();
    for (let step = 0; step < 5000; step++) {
      const daddr = pool[next(pool.length)]!;
      const op = next(10);
      const now = step * 1000 + next(3) * 1000; // ties in stamps happen
      if (op < 6) {
        m.getOrCreate(A, daddr, now).stamp = now;
        ref.getOrCreate(daddr, now);
        ref.lookup(daddr)!.stamp = now;
      } else if (op < 9) {
        expect(m.lookup(A, daddr, now) !== null).toBe(ref.lookup(daddr) !== null);
      } else {
        m.delete(daddr);
        ref.delete(daddr);
      }
      expect(m.size).toBe(ref.size);
    }
    for (const chain of ref.order()) for (const d of chain) expect(m.lookup(A, d, 5e6)).not.toBeNull();
  });
});
