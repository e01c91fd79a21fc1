/** The world's stacks by host name: an array by node index behind the network's name map. */
import { describe, expect, it } from 'vitest';
import { buildWorld } from '../../src/experiment/world.ts';
import { specRuns } from './world-helpers.ts';

const spec = specRuns(`name: stacks
topology:
  nodes: [{ name: client, count: 3 }, { name: r1, kind: router }, server]
  links:
    - { between: [client, r1], latency: 5ms, bandwidth: 100Mbps }
    - { between: [r1, server], latency: 1ms, bandwidth: 1Gbps }
duration: 1s
apps:
  web:   { kind: server, on: server, port: 80 }
  users: { kind: client, on: client, target: server:80, count: 1 }
`)[0]!.spec;

describe('HostStacks', () => {
  it("finds each host's own stack by name, and none for a router or an unknown name", () => {
    const world = buildWorld(spec, 1);
    for (const h of world.network.hosts) expect(world.stacks.get(h.name)!.address).toBe(h.address);
    expect(world.stacks.get('r1')).toBeUndefined();
    expect(world.stacks.get('nowhere')).toBeUndefined();
    expect(world.stacks.size).toBe(4);
  });

  it('iterates as (name, stack) pairs in host order', () => {
    const world = buildWorld(spec, 1);
    const pairs = [...world.stacks].map(([name, s]) => [name, s.address]);
    expect(pairs).toEqual(world.network.hosts.map((h) => [h.name, h.address]));
    expect(pairs.map((p) => p[0])).toEqual(['client1', 'client2', 'client3', 'server']);
  });

  it('gives a host one stack only', () => {
    const world = buildWorld(spec, 1);
    const h = world.network.hosts[0]!;
    expect(() => world.stacks.add(h, world.stacks.get(h.name)!)).toThrow(/has a stack already/);
  });
});
