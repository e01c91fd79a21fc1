/** Topology generators: star, dumbbell and line expand to the plain form with the documented defaults. */
import { describe, expect, it } from 'vitest';
import { MS } from '../../src/sim/time.ts';
import { load, problems } from './spec-helpers.ts';

const pairs = (links: { a: string; b: string }[]) => links.map((l) => `${l.a}-${l.b}`);

describe('generator: star', () => {
  it('puts clients, attackers and the server around r1, with per-role link defaults', () => {
    const { spec } = load(`
topology: { generator: star, clients: 3, attackers: 1 }
duration: 10s
apps:
  web: { kind: server, on: server }
  users: { kind: client, on: client, target: server:80 }
`);
    const t = spec.topology;
    expect(t.name).toBe('star');
    expect(t.nodes.map((n) => `${n.name}/${n.kind}/${n.group}`)).toEqual([
      'client1/host/client',
      'client2/host/client',
      'client3/host/client',
      'attacker/host/attacker',
      'r1/router/r1',
      'server/host/server',
    ]);
    expect(pairs(t.links)).toEqual(['client1-r1', 'client2-r1', 'client3-r1', 'attacker-r1', 'r1-server']);
    expect(t.links[0]).toMatchObject({ latency: 10 * MS, bandwidth: 100e6, queue: { packets: 1000 }, loss: 0 });
    expect(t.links[3]).toMatchObject({ latency: 2 * MS, bandwidth: 1e9 });
    expect(t.links[4]).toMatchObject({ latency: 1 * MS, bandwidth: 1e9 });
  });

  it('applies top-level link keys to the client links and sub-maps to the others', () => {
    const { spec } = load(`
topology: { generator: star, name: wan, clients: 2, latency: 40ms, loss: 0.01, serverLink: { latency: 5ms, queue: 50 } }
duration: 10s
`);
    expect(spec.topology.name).toBe('wan');
    expect(spec.topology.links[0]).toMatchObject({ a: 'client1', latency: 40 * MS, loss: 0.01, bandwidth: 100e6 });
    expect(spec.topology.links[2]).toMatchObject({
      a: 'r1',
      b: 'server',
      latency: 5 * MS,
      bandwidth: 1e9,
      queue: { packets: 50 },
      loss: 0,
    });
  });

  it('makes a single client a plain node, and several servers a group', () => {
    const { spec } = load('topology: { generator: star, clients: 1, servers: 2 }\nduration: 10s\n');
    expect(spec.topology.nodes.map((n) => n.name)).toEqual(['client', 'r1', 'server1', 'server2']);
    expect(pairs(spec.topology.links)).toEqual(['client-r1', 'r1-server1', 'r1-server2']);
  });
});

describe('generator: dumbbell', () => {
  it('shares one r1–r2 bottleneck between both sides', () => {
    const { spec } = load(`
topology: { generator: dumbbell, clients: 2, servers: 2, attackers: 1, bottleneck: { bandwidth: 5Mbps } }
duration: 10s
`);
    expect(pairs(spec.topology.links)).toEqual([
      'client1-r1',
      'client2-r1',
      'attacker-r1',
      'r1-r2',
      'r2-server1',
      'r2-server2',
    ]);
    const b = spec.topology.links[3]!;
    expect(b).toMatchObject({ latency: 20 * MS, bandwidth: 5e6, queue: { packets: 100 } });
    expect(spec.topology.links[0]).toMatchObject({ latency: 1 * MS, bandwidth: 1e9 });
  });
});

describe('generator: line', () => {
  it('chains the routers between one client and one server', () => {
    const { spec } = load('topology: { generator: line, hops: 4, latency: 2ms }\nduration: 10s\n');
    expect(spec.topology.nodes.map((n) => n.name)).toEqual(['client', 'r1', 'r2', 'r3', 'r4', 'server']);
    expect(pairs(spec.topology.links)).toEqual(['client-r1', 'r1-r2', 'r2-r3', 'r3-r4', 'r4-server']);
    expect(spec.topology.links.every((l) => l.latency === 2 * MS && l.bandwidth === 100e6)).toBe(true);
  });

  it('can be swept by its options', () => {
    const { runs } = load(`
topology: { generator: line, hops: 1 }
duration: 10s
sweep: { topology.hops: [1, 3] }
`);
    expect(runs.map((r) => r.spec.topology.links.length)).toEqual([2, 4]);
  });
});

describe('generator problems', () => {
  it('reports the generator fields by their own paths', () => {
    expect(
      problems(`
topology: { generator: star, clients: 0, latency: 5, bottleneck: {}, serverLink: { bandwith: 1Gbps } }
duration: 10s
`),
    ).toEqual([
      'experiments/t.yaml: topology.bottleneck: unknown key',
      'experiments/t.yaml: topology.clients: expected a whole number from 1 to 100000, got 0',
      'experiments/t.yaml: topology.latency: expected a duration like "10ms", got 5 (add a unit: ns, us, ms or s)',
      'experiments/t.yaml: topology.serverLink.bandwith: unknown key (did you mean "bandwidth"?)',
    ]);
  });

  it('names an unknown generator with a suggestion', () => {
    expect(problems('topology: { generator: starr }\nduration: 10s\n')).toEqual([
      'experiments/t.yaml: topology.generator: expected one of star, dumbbell, line, got "starr" (did you mean "star"?)',
    ]);
  });
});
