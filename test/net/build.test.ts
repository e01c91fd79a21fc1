/** buildNetwork: the structure it builds, and the problems it refuses to build. */
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../../src/net/network.ts';
import { TopologyError, validateTopology } from '../../src/net/validate.ts';
import { Sim } from '../../src/sim/simulator.ts';
import { Tracer } from '../../src/sim/trace.ts';
import { MS } from '../../src/sim/time.ts';
import { host, link, router, topology, world } from './fixtures.ts';

describe('buildNetwork', () => {
  it('builds hosts, routers and full-duplex links in topology order', () => {
    const w = world(
      topology(
        [host('c1', { group: 'c' }), host('c2', { group: 'c' }), router('r1'), host('s')],
        [link('c1', 'r1'), link('c2', 'r1'), link('r1', 's')],
      ),
    );
    expect(w.net.hosts.map((h) => h.name)).toEqual(['c1', 'c2', 's']);
    expect(w.net.routers.map((r) => r.name)).toEqual(['r1']);
    expect(w.net.links.map((l) => [l.a.name, l.b.name, l.ab.name, l.ba.name])).toEqual([
      ['c1', 'r1', 'c1->r1', 'r1->c1'],
      ['c2', 'r1', 'c2->r1', 'r1->c2'],
      ['r1', 's', 'r1->s', 's->r1'],
    ]);
    expect(w.net.nodeByName('r1')!.interfaces.map((d) => d.to.name)).toEqual(['c1', 'c2', 's']);
    expect(w.net.links[0]!.ab.streamPrefix).toBe('link:c1-r1');
    expect(w.net.links[0]!.ba.streamPrefix).toBe('link:r1-c1');
  });

  it("names a parallel link's streams apart", () => {
    const w = world(topology([router('a'), router('b')], [link('a', 'b'), link('a', 'b', { latency: 2 * MS })]));
    expect(w.net.links.map((l) => l.ab.streamPrefix)).toEqual(['link:a-b', 'link:a-b#2']);
  });

  it('refuses a broken topology with every problem and its path', () => {
    const bad = topology(
      [host('a'), host('a'), router('r', { address: 5 }), host('x', { address: 5 })],
      [
        link('a', 'nowhere'),
        link('r', 'r'),
        link('a', 'r', {
          latency: -1,
          bandwidth: 0,
          loss: 1.5,
          queue: { packets: -3 },
          burstLoss: { pGoodToBad: 2, pBadToGood: 0.1, lossGood: 0, lossBad: 1 },
        }),
      ],
    );
    const problems = validateTopology(bad);
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['duplicate-name', 'nodes.1.name'],
      ['duplicate-address', 'nodes.3.address'],
      ['unknown-node', 'links.0.b'],
      ['self-link', 'links.1.b'],
      ['bad-value', 'links.2.latency'],
      ['bad-value', 'links.2.bandwidth'],
      ['bad-value', 'links.2.loss'],
      ['bad-value', 'links.2.queue'],
      ['bad-value', 'links.2.burstLoss.pGoodToBad'],
    ]);
    let thrown: unknown;
    try {
      buildNetwork(new Sim(), bad, { seed: 1, tracer: new Tracer() });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TopologyError);
    expect((thrown as TopologyError).problems).toEqual(problems);
  });

  it('accepts a valid topology without problems', () => {
    expect(validateTopology(topology([host('a'), host('b')], [link('a', 'b', { queue: { bytes: 64_000 } })]))).toEqual(
      [],
    );
  });
});

describe('loopback', () => {
  it("a packet to the host's own address comes back as its own event at the same time", () => {
    const w = world(topology([host('a')], []), { trace: true });
    const a = w.net.hostByName('a')!;
    const got: number[] = [];
    a.transport = { receive: () => got.push(w.sim.now) };
    w.sim.run({ until: 3 * MS });
    a.send({ src: a.address, dst: a.address, ttl: 64, id: 1, protocol: 17, tcp: null, dataBytes: 10, annot: 0 });
    expect(got).toEqual([]); // not delivered inside send()
    w.sim.run();
    expect(got).toEqual([3 * MS]);
    expect(w.trace.map((r) => r.ev)).toEqual(['tx', 'rx']);
  });
});
