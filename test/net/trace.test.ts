/**
 * Trace records (tx at the sender, rx at the receiver, drop where dropped) with docs/design.md's exact
 * fields; taps; always-on counters; same seed → identical trace.
 */
import { describe, expect, it } from 'vitest';
import { MS, US } from '../../src/sim/time.ts';
import { ACK, ANNOT_RETRANSMIT, FIN, PSH, SYN } from '../../src/wire/segment.ts';
import { Echoer, Pinger } from '../../src/net/ping.ts';
import { Recorder, Sender, Sink, host, link, router, tcp, topology, udp, world } from './fixtures.ts';

function clientServer(extra: Parameters<typeof link>[2] = {}) {
  const w = world(
    topology(
      [host('client'), router('r1'), host('server')],
      [link('client', 'r1', { latency: 1 * MS, ...extra }), link('r1', 'server', { latency: 2 * MS })],
    ),
    { trace: true },
  );
  return { ...w, client: w.net.hostByName('client')!, server: w.net.hostByName('server')! };
}

describe('packet trace records', () => {
  it('a TCP segment: tx at the sender, rx at the receiver, with exactly these fields', () => {
    const { sim, trace, client, server } = clientServer();
    client.send(
      tcp(client.address, server.address, { sport: 40001, dport: 80, flags: SYN, seq: 1000, ack: 0, win: 64240 }),
    );
    sim.run();
    const t = 2 * 3200 + 3 * MS; // 40 B is 3.2 us per link
    expect(trace).toEqual([
      {
        t: 0,
        node: 'client',
        ev: 'tx',
        flags: 'S',
        seq: 1000,
        ack: 0,
        len: 0,
        win: 64240,
        src: '10.0.0.1:40001',
        dst: '10.0.0.3:80',
      },
      {
        t,
        node: 'server',
        ev: 'rx',
        flags: 'S',
        seq: 1000,
        ack: 0,
        len: 0,
        win: 64240,
        src: '10.0.0.1:40001',
        dst: '10.0.0.3:80',
      },
    ]);
    // Key order is part of the format (trace.jsonl lines are compared as text).
    expect(Object.keys(trace[0]!)).toEqual(['t', 'node', 'ev', 'flags', 'seq', 'ack', 'len', 'win', 'src', 'dst']);
  });

  it('a retransmission carries retx: true; flags as packetdrill writes them', () => {
    const { sim, trace, client, server } = clientServer();
    client.send(
      tcp(client.address, server.address, {
        sport: 5,
        dport: 80,
        flags: PSH | ACK,
        seq: 1,
        ack: 1,
        len: 100,
        annot: ANNOT_RETRANSMIT,
      }),
    );
    client.send(tcp(client.address, server.address, { sport: 5, dport: 80, flags: FIN | ACK, seq: 101, ack: 1 }));
    sim.run({ until: 0 });
    expect(trace.map((r) => [r.flags, r.len, r.retx])).toEqual([
      ['P.', 100, true],
      ['F.', 0, undefined],
    ]);
    expect(Object.keys(trace[0]!)).toEqual([
      't',
      'node',
      'ev',
      'flags',
      'seq',
      'ack',
      'len',
      'win',
      'src',
      'dst',
      'retx',
    ]);
  });

  it('a queue drop is traced at the node whose queue was full, with reason "queue"', () => {
    const { sim, trace, client, server } = clientServer({ queue: { packets: 0 } });
    const seg = (seq: number) => tcp(client.address, server.address, { sport: 7, dport: 80, flags: SYN, seq });
    client.send(seg(1));
    client.send(seg(2));
    sim.run();
    expect(trace.map((r) => [r.node, r.ev, r.seq])).toEqual([
      ['client', 'tx', 1],
      ['client', 'tx', 2],
      ['client', 'drop', 2],
      ['server', 'rx', 1],
    ]);
    expect(trace[2]).toEqual({
      t: 0,
      node: 'client',
      ev: 'drop',
      reason: 'queue',
      flags: 'S',
      seq: 2,
      ack: 0,
      len: 0,
      win: 65535,
      src: '10.0.0.1:7',
      dst: '10.0.0.3:80',
    });
  });

  it('a loss is traced at the far end of the link, when the packet would have arrived', () => {
    const { sim, trace, client, server } = clientServer({ loss: 1 });
    client.send(tcp(client.address, server.address, { sport: 7, dport: 80, flags: SYN, seq: 9 }));
    sim.run();
    expect(trace.at(-1)).toEqual({
      t: 1 * MS + 3200,
      node: 'r1',
      ev: 'drop',
      reason: 'loss',
      flags: 'S',
      seq: 9,
      ack: 0,
      len: 0,
      win: 65535,
      src: '10.0.0.1:7',
      dst: '10.0.0.3:80',
    });
  });

  it('a non-TCP packet gets proto and len instead of TCP fields', () => {
    const { sim, trace, client, server } = clientServer();
    client.send(udp(client.address, server.address, 64));
    sim.run();
    expect(trace[0]).toEqual({ t: 0, node: 'client', ev: 'tx', proto: 17, len: 64, src: '10.0.0.1', dst: '10.0.0.3' });
    expect(trace[1]).toMatchObject({ node: 'server', ev: 'rx', proto: 17, len: 64 });
  });

  it('nothing is built without a packet subscriber', () => {
    const w = world(topology([host('a'), host('b')], [link('a', 'b')]));
    const events: unknown[] = [];
    w.tracer.subscribe((r) => events.push(r)); // state/app records only
    const a = w.net.hostByName('a')!;
    a.send(udp(a.address, w.net.addressOf('b'), 10));
    w.sim.run();
    expect(events).toEqual([]);
  });
});

describe('taps', () => {
  it('see every packet a host sends and receives, with the time', () => {
    const { sim, client, server } = clientServer();
    const atClient = new Recorder();
    const atServer = new Recorder();
    client.addTap(atClient);
    server.addTap(atServer);
    server.transport = new Echoer(server);
    const p = udp(client.address, server.address, 100);
    client.send(p);
    sim.run();
    const oneWay = 3 * MS + 2 * 9600; // 120 B: 9.6 us per link
    expect(atClient.seen.map((s) => [s.t, s.dir])).toEqual([
      [0, 'tx'],
      [2 * oneWay, 'rx'],
    ]);
    expect(atClient.seen[0]!.packet).toBe(p);
    expect(atServer.seen.map((s) => [s.t, s.dir])).toEqual([
      [oneWay, 'rx'],
      [oneWay, 'tx'],
    ]);
    client.removeTap(atClient);
    client.send(udp(client.address, server.address, 100));
    sim.run();
    expect(atClient.seen).toHaveLength(2);
  });
});

describe('counters', () => {
  it('add up: every packet sent is delivered or dropped for one reason', () => {
    const w = world(
      topology(
        [host('a'), router('r1'), host('b')],
        [link('a', 'r1', { loss: 0.1, bandwidth: 10e6, queue: { packets: 5 } }), link('r1', 'b', { loss: 0.1 })],
      ),
      { seed: 3 },
    );
    const a = w.net.hostByName('a')!;
    const b = w.net.hostByName('b')!;
    b.transport = new Sink(w.sim);
    new Sender(
      (p) => a.send(p),
      (i) => udp(a.address, i % 10 === 0 ? 0xc6120001 : b.address, 1000),
      5000,
      500 * US,
    ).start(w.sim);
    w.sim.run();
    const c = w.net.counters;
    expect(c.sent).toBe(5000);
    expect(c.droppedLoss).toBeGreaterThan(0);
    expect(c.droppedQueue).toBeGreaterThan(0);
    expect(c.droppedNoRoute).toBeGreaterThan(0);
    expect(c.delivered + c.droppedLoss + c.droppedQueue + c.droppedNoRoute).toBe(c.sent);
    const up = w.net.links[0]!.ab;
    expect(up.droppedQueue).toBe(c.droppedQueue);
    expect(up.sentPackets + up.droppedQueue).toBe(5000);
  });
});

describe('determinism', () => {
  /** A lossy, jittery dumbbell with pings both ways (l1 → s1, s2 → l2); returns the whole packet trace. */
  function run(seed: number) {
    const w = world(
      topology(
        [host('l1'), host('l2'), router('rl'), router('rr'), host('s1'), host('s2')],
        [
          link('l1', 'rl', { jitter: 300 * US, loss: 0.02 }),
          link('l2', 'rl', { jitter: 300 * US, reorder: true }),
          link('rl', 'rr', {
            latency: 20 * MS,
            bandwidth: 2e6,
            queue: { bytes: 20_000 },
            burstLoss: { pGoodToBad: 0.02, pBadToGood: 0.3, lossGood: 0, lossBad: 0.6 },
          }),
          link('rr', 's1', { loss: 0.01 }),
          link('rr', 's2', { jitter: 1 * MS }),
        ],
      ),
      { seed, trace: true },
    );
    const pingers: Pinger[] = [];
    for (const [from, to] of [
      ['l1', 's1'],
      ['s2', 'l2'],
    ] as const) {
      const a = w.net.hostByName(from)!;
      const b = w.net.hostByName(to)!;
      b.transport = new Echoer(b);
      const p = new Pinger(a, { target: b.address, count: 300, interval: 2 * MS, bytes: 1000 });
      a.transport = p;
      p.start();
      pingers.push(p);
    }
    w.sim.run();
    return { trace: JSON.stringify(w.trace), results: pingers.map((p) => p.result()), counters: { ...w.net.counters } };
  }

  it('the same seed gives an identical trace', () => {
    const first = run(42);
    const second = run(42);
    expect(first.trace.length).toBeGreaterThan(10_000);
    expect(second.trace).toBe(first.trace);
    expect(second.results).toEqual(first.results);
    expect(first.counters.droppedLoss).toBeGreaterThan(0);
    expect(first.counters.droppedQueue).toBeGreaterThan(0);
  });

  it('another seed gives another trace', () => {
    expect(run(43).trace).not.toBe(run(42).trace);
  });
});
