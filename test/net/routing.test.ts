/**
 * Routing by destination on line, star and dumbbell topologies; least latency first, then fewest
 * hops, then the first-listed link; no-route drops; hosts that do not forward; address assignment.
 */
import { describe, expect, it } from 'vitest';
import { assignAddresses } from '../../src/net/addressing.ts';
import { MS, US } from '../../src/sim/time.ts';
import { parseIpv4 } from '../../src/wire/ip.ts';
import { Sink, host, link, router, topology, udp, world } from './fixtures.ts';

const ip = (text: string) => parseIpv4(text)!;

describe('addresses', () => {
  it('are assigned 10.0.0.1, 10.0.0.2, … in node order', () => {
    const w = world(topology([host('a'), router('r1'), host('b')], [link('a', 'r1'), link('r1', 'b')]));
    expect(w.net.nodes.map((n) => [n.name, n.address])).toEqual([
      ['a', ip('10.0.0.1')],
      ['r1', ip('10.0.0.2')],
      ['b', ip('10.0.0.3')],
    ]);
    expect(w.net.addressOf('b')).toBe(ip('10.0.0.3'));
    expect(w.net.nodeByAddress(ip('10.0.0.2'))?.name).toBe('r1');
    expect(w.net.nodeByName('a')?.kind).toBe('host');
    expect(w.net.hostByName('r1')).toBeUndefined();
    expect(() => w.net.addressOf('nobody')).toThrow(/nobody/);
  });

  it('keep explicit addresses and skip them, .0 and .255 when assigning the rest', () => {
    const nodes = [host('a'), host('b', { address: ip('10.0.0.2') }), host('c')];
    expect(assignAddresses(nodes)).toEqual([ip('10.0.0.1'), ip('10.0.0.2'), ip('10.0.0.3')]);
    const many = Array.from({ length: 300 }, (_, i) => host(`h${i}`));
    const addrs = assignAddresses(many);
    expect(addrs[253]).toBe(ip('10.0.0.254'));
    expect(addrs[254]).toBe(ip('10.0.1.1'));
    expect(new Set(addrs).size).toBe(300);
  });
});

describe('routing', () => {
  it('line: host – r1 – r2 – r3 – host, delay is the sum of the hops', () => {
    const w = world(
      topology(
        [host('h1'), router('r1'), router('r2'), router('r3'), host('h2')],
        [
          link('h1', 'r1', { latency: 1 * MS }),
          link('r1', 'r2', { latency: 2 * MS }),
          link('r2', 'r3', { latency: 3 * MS }),
          link('r3', 'h2', { latency: 4 * MS }),
        ],
      ),
    );
    const h1 = w.net.hostByName('h1')!,
      h2 = w.net.hostByName('h2')!;
    const sink = new Sink(w.sim);
    h2.transport = sink;
    h1.send(udp(h1.address, h2.address, 1480));
    w.sim.run();
    // Store and forward: 1500 B at 100 Mbit/s is 120 us on each of the 4 links.
    expect(sink.got.map((g) => g.t)).toEqual([10 * MS + 4 * 120 * US]);
    expect(w.net.routers.map((r) => r.forwarded)).toEqual([1, 1, 1]);
  });

  it('star: clients reach the server and each other through the hub', () => {
    const clients = Array.from({ length: 5 }, (_, i) => host(`client${i + 1}`, { group: 'client' }));
    const w = world(
      topology(
        [...clients, router('r1'), host('server')],
        [...clients.map((c) => link(c.name, 'r1', { latency: 5 * MS })), link('r1', 'server', { latency: 1 * MS })],
      ),
    );
    const server = w.net.hostByName('server')!;
    const atServer = new Sink(w.sim);
    server.transport = atServer;
    const c3 = w.net.hostByName('client3')!;
    const atC3 = new Sink(w.sim);
    c3.transport = atC3;
    for (const c of w.net.hosts) if (c.name.startsWith('client')) c.send(udp(c.address, server.address, 80));
    const c1 = w.net.hostByName('client1')!;
    c1.send(udp(c1.address, c3.address, 80));
    w.sim.run();
    expect(atServer.got.map((g) => g.packet.src)).toHaveLength(5);
    // All five 100 B datagrams meet at r1 at once and leave one after another (8 us each).
    expect(atServer.got.map((g) => g.t)).toEqual([1, 2, 3, 4, 5].map((k) => 6 * MS + 8 * US + k * 8 * US));
    // client1's second datagram waits 8 us behind its first, then crosses two 5 ms links.
    expect(atC3.got.map((g) => [g.packet.src, g.t])).toEqual([[c1.address, 10 * MS + 24 * US]]);
  });

  it('dumbbell: left hosts reach right hosts over the bottleneck, and back', () => {
    const w = world(
      topology(
        [host('l1'), host('l2'), router('rl'), router('rr'), host('s1'), host('s2')],
        [
          link('l1', 'rl'),
          link('l2', 'rl'),
          link('rl', 'rr', { latency: 20 * MS, bandwidth: 10e6 }),
          link('rr', 's1'),
          link('rr', 's2'),
        ],
      ),
    );
    const sinks = new Map(
      w.net.hosts.map((h) => {
        const s = new Sink(w.sim);
        h.transport = s;
        return [h.name, s] as const;
      }),
    );
    const send = (from: string, to: string) => {
      const a = w.net.hostByName(from)!,
        b = w.net.hostByName(to)!;
      a.send(udp(a.address, b.address, 80));
    };
    send('l1', 's2');
    send('l2', 's1');
    send('s1', 'l1');
    w.sim.run();
    expect(sinks.get('s2')!.got.map((g) => g.packet.src)).toEqual([w.net.addressOf('l1')]);
    expect(sinks.get('s1')!.got.map((g) => g.packet.src)).toEqual([w.net.addressOf('l2')]);
    expect(sinks.get('l1')!.got.map((g) => g.packet.src)).toEqual([w.net.addressOf('s1')]);
    expect(sinks.get('l2')!.got).toEqual([]);
    // The bottleneck serializes 100 B in 80 us; l2's datagram waits behind l1's.
    expect(sinks.get('s2')!.got[0]!.t).toBe(40 * MS + 8 * US + 80 * US + 8 * US);
    expect(sinks.get('s1')!.got[0]!.t).toBe(40 * MS + 8 * US + 160 * US + 8 * US);
  });

  /** r0 and r3 joined by two paths: via r1 (two links) and via r2 (two links). */
  function diamond(viaR1: number[], viaR2: number[], listR2First = false) {
    const l1 = [link('r0', 'r1', { latency: viaR1[0]! }), link('r1', 'r3', { latency: viaR1[1]! })];
    const l2 = [link('r0', 'r2', { latency: viaR2[0]! }), link('r2', 'r3', { latency: viaR2[1]! })];
    const w = world(
      topology(
        [host('src'), router('r0'), router('r1'), router('r2'), router('r3'), host('dst')],
        [
          link('src', 'r0', { latency: 0 }),
          ...(listR2First ? [...l2, ...l1] : [...l1, ...l2]),
          link('r3', 'dst', { latency: 0 }),
        ],
      ),
    );
    const r0 = w.net.nodeByName('r0')!;
    return r0.routes.lookup(w.net.addressOf('dst'))!.to.name;
  }

  it('prefers the least total latency', () => {
    expect(diamond([5 * MS, 5 * MS], [2 * MS, 2 * MS])).toBe('r2');
    expect(diamond([1 * MS, 1 * MS], [2 * MS, 2 * MS])).toBe('r1');
  });

  it('breaks latency ties by hop count', () => {
    // r0 – r3 directly (4 ms) vs r0 – r1 – r3 (2 + 2 ms): equal latency, the direct link wins.
    const w = world(
      topology(
        [host('src'), router('r0'), router('r1'), router('r3'), host('dst')],
        [
          link('src', 'r0'),
          link('r0', 'r1', { latency: 2 * MS }),
          link('r1', 'r3', { latency: 2 * MS }),
          link('r0', 'r3', { latency: 4 * MS }),
          link('r3', 'dst'),
        ],
      ),
    );
    expect(w.net.nodeByName('r0')!.routes.lookup(w.net.addressOf('dst'))!.to.name).toBe('r3');
  });

  it('breaks full ties by the link listed first', () => {
    expect(diamond([1 * MS, 1 * MS], [1 * MS, 1 * MS])).toBe('r1');
    expect(diamond([1 * MS, 1 * MS], [1 * MS, 1 * MS], true)).toBe('r2');
  });

  it('never routes through a host', () => {
    // h1 – mid(host) – r1 – h2 and h1 – r2 – r1 (slower): the only usable path avoids mid.
    const w = world(
      topology(
        [host('h1'), host('mid'), router('r1'), router('r2'), host('h2')],
        [
          link('h1', 'mid', { latency: 1 * MS }),
          link('mid', 'r1', { latency: 1 * MS }),
          link('h1', 'r2', { latency: 50 * MS }),
          link('r2', 'r1', { latency: 50 * MS }),
          link('r1', 'h2', { latency: 1 * MS }),
        ],
      ),
    );
    const h1 = w.net.hostByName('h1')!;
    expect(h1.routes.lookup(w.net.addressOf('h2'))!.to.name).toBe('r2');
    const sink = new Sink(w.sim);
    w.net.hostByName('h2')!.transport = sink;
    h1.send(udp(h1.address, w.net.addressOf('h2'), 80));
    w.sim.run();
    expect(sink.got).toHaveLength(1);
    expect(sink.got[0]!.t).toBeGreaterThan(100 * MS);
  });

  it('routes by destination only: a spoofed source is forwarded like any packet', () => {
    const w = world(
      topology([host('attacker'), router('r1'), host('server')], [link('attacker', 'r1'), link('r1', 'server')]),
    );
    const attacker = w.net.hostByName('attacker')!;
    const sink = new Sink(w.sim);
    w.net.hostByName('server')!.transport = sink;
    attacker.send(udp(ip('198.18.7.9'), w.net.addressOf('server'), 40));
    w.sim.run();
    expect(sink.got.map((g) => g.packet.src)).toEqual([ip('198.18.7.9')]);
  });
});

describe('no-route', () => {
  it('a router drops a packet for an address outside the topology', () => {
    const w = world(
      topology(
        [host('server'), router('r1'), host('client')],
        [link('server', 'r1', { latency: 1 * MS }), link('r1', 'client')],
      ),
      { trace: true },
    );
    const server = w.net.hostByName('server')!;
    server.send(udp(server.address, ip('198.18.0.5'), 40)); // a reply to a spoofed source
    w.sim.run();
    expect(w.trace.map((r) => [r.t, r.node, r.ev, r.reason])).toEqual([
      [0, 'server', 'tx', undefined],
      [1 * MS + 4800, 'r1', 'drop', 'no-route'], // 60 B at 100 Mbit/s: 4.8 us
    ]);
    expect(w.net.counters.droppedNoRoute).toBe(1);
  });

  it('a router drops a packet for a node it cannot reach', () => {
    const w = world(topology([host('a'), router('r1'), host('island')], [link('a', 'r1')]), { trace: true });
    const a = w.net.hostByName('a')!;
    a.send(udp(a.address, w.net.addressOf('island'), 40));
    w.sim.run();
    expect(w.trace.at(-1)).toMatchObject({ node: 'r1', ev: 'drop', reason: 'no-route' });
  });

  it('a host without links drops at once', () => {
    const w = world(topology([host('lonely'), host('b')], []), { trace: true });
    const h = w.net.hostByName('lonely')!;
    h.send(udp(h.address, w.net.addressOf('b'), 40));
    expect(w.trace.map((r) => [r.node, r.ev, r.reason])).toEqual([
      ['lonely', 'tx', undefined],
      ['lonely', 'drop', 'no-route'],
    ]);
    expect(w.net.counters).toMatchObject({ sent: 1, droppedNoRoute: 1 });
  });

  it('a host does not forward a packet addressed to someone else', () => {
    // h1 – h2 – h3: h1's only link leads to h2, which is not a router.
    const w = world(topology([host('h1'), host('h2'), host('h3')], [link('h1', 'h2'), link('h2', 'h3')]), {
      trace: true,
    });
    const h1 = w.net.hostByName('h1')!;
    h1.send(udp(h1.address, w.net.addressOf('h3'), 40));
    w.sim.run();
    expect(w.trace.at(-1)).toMatchObject({ node: 'h2', ev: 'drop', reason: 'no-route' });
  });
});

describe('single-homed hosts', () => {
  it('send everything through their only link with no table; a table read later says the same', () => {
    const w = world(topology([host('a'), router('r1'), host('b')], [link('a', 'r1'), link('r1', 'b')]));
    const a = w.net.hostByName('a')!;
    expect((a as unknown as { table: unknown }).table).toBeNull(); // routing made none
    const sink = new Sink(w.sim);
    w.net.hostByName('b')!.transport = sink;
    a.send(udp(a.address, w.net.addressOf('b'), 80));
    a.send(udp(a.address, ip('192.0.2.1'), 80)); // outside the topology: through the only link too
    w.sim.run();
    expect(sink.got).toHaveLength(1);
    expect(w.net.counters.droppedNoRoute).toBe(1); // at r1, which has no route to 192.0.2.1
    const only = a.interfaces[0]!;
    expect(a.routes.lookup(w.net.addressOf('b'))).toBe(only);
    expect(a.routes.lookup(ip('192.0.2.1'))).toBe(only);
  });

  it('a host with no link has nowhere to send', () => {
    const w = world(topology([host('lone'), host('a'), host('b')], [link('a', 'b')]));
    const lone = w.net.hostByName('lone')!;
    lone.send(udp(lone.address, w.net.addressOf('a'), 80));
    expect(w.net.counters.droppedNoRoute).toBe(1);
    expect(lone.routes.lookup(w.net.addressOf('a'))).toBeNull();
  });
});
