/** The world's stacks by host name: an array by node index behind the network's name map. */
import { describe, expect, it } from 'vitest';
import { buildWorld } from '../../src/experiment/world.ts';
import { load, SMALL } from './spec-helpers.ts';

const spec = load(`name: stacks
${SMALL}
apps:
  web: { kind: server, on: server, port: 80 }
`).runs[0]!.spec;

describe('HostStacks', () => {
  it("finds each host's own stack by name, and none for a router or an unknown name", () => {
    const world = buildWorld(spec, 1);
    for (const h of world.network.hosts) expect(world.stacks.get(h.name)!.address).toBe(h.address);
    expect(world.stacks.get('r1')).toBeUndefined();
    expect(world.stacks.get('nowhere')).toBeUndefined();
    expect(world.stacks.size).toBe(3);
  });

  it('iterates as (name, stack) pairs in host order', () => {
    const world = buildWorld(spec, 1);
    const pairs = [...world.stacks].map(([name, s]) => [name, s.address]);
    expect(pairs).toEqual(world.network.hosts.map((h) => [h.name, h.address]));
    expect(pairs.map((p) => p[0])).toEqual(['client1', 'client2', 'server']);
  });

  it('gives a host one stack only', () => {
    const world = buildWorld(spec, 1);
    const h = world.network.hosts[0]!;
    expect(() => world.stacks.add(h, world.stacks.get(h.name)!)).toThrow(/has a stack already/);
  });
});
