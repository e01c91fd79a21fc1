/**
 * Builds the simulated network from a resolved topology: nodes with addresses, links with their
 * two directions, forwarding tables. The result is plain objects wired together; nothing global.
 *
 * Randomness: each link direction draws from streams named after its endpoints
 * ("link:client1-r1:loss", "link:r1-client1:jitter"), so adding a node or a link leaves every
 * other link's losses and delays unchanged. A second link between the same two nodes gets "#2".
 */
import type { Sim } from '../sim/simulator.ts';
import type { Tracer } from '../sim/trace.ts';
import { assignAddresses } from './addressing.ts';
import { newNetCounters, type NetCounters } from './counters.ts';
import { Host } from './host.ts';
import { Link, LinkDirection } from './link.ts';
import { LinkConfigs } from './link-config.ts';
import type { NetNode, NodeShared } from './node.ts';
import { Router } from './router.ts';
import { computeRoutes } from './routing.ts';
import type { TopologyDef } from './topology-def.ts';
import { TopologyError, validateTopology } from './validate.ts';

export interface NetworkOptions {
  seed: number;
  tracer: Tracer;
}

export class Network {
  /** Every node, in topology order. */
  readonly nodes: readonly NetNode[];
  /** Hosts in topology order. */
  readonly hosts: readonly Host[];
  readonly routers: readonly Router[];
  readonly links: readonly Link[];
  /** Network-wide packet counters (always on). */
  readonly counters: NetCounters;

  constructor(
    nodes: NetNode[],
    links: Link[],
    counters: NetCounters,
    /** Address → node index: the map the forwarding tables share (a second one per node would cost ~46 bytes each). */
    private readonly indexByAddress: ReadonlyMap<number, number>,
    /** Name → node index, the one the builder made (a name → node map too would double it). */
    private readonly indexByName: ReadonlyMap<string, number>,
  ) {
    this.nodes = nodes;
    this.hosts = nodes.filter((n): n is Host => n instanceof Host);
    this.routers = nodes.filter((n): n is Router => n instanceof Router);
    this.links = links;
    this.counters = counters;
  }

  nodeByName(name: string): NetNode | undefined {
    const i = this.indexByName.get(name);
    return i === undefined ? undefined : this.nodes[i];
  }

  /** The host of that name, or undefined (also for a router of that name). */
  hostByName(name: string): Host | undefined {
    const n = this.nodeByName(name);
    return n instanceof Host ? n : undefined;
  }

  nodeByAddress(address: number): NetNode | undefined {
    const i = this.indexOfAddress(address);
    return i === undefined ? undefined : this.nodes[i];
  }

  /** The topology position of the node with that address, or undefined. */
  indexOfAddress(address: number): number | undefined {
    return this.indexByAddress.get(address >>> 0);
  }

  /** The node's address; throws for a name not in the topology (callers pass validated names). */
  addressOf(name: string): number {
    const n = this.nodeByName(name);
    if (n === undefined) throw new Error(`no node named "${name}" in the network`);
    return n.address;
  }
}

/**
 * Counts links per ordered node pair: the n-th link from a to b draws from the streams
 * "link:a-b#n" (no suffix for the first). Keyed by the stream's base name, so that names which
 * spell the same base ("a-b" + "c", "a" + "b-c") count together as they always have; by node
 * indices when no name contains a hyphen, which gives the same counts without a string per link
 * (an open-addressing table of index pairs: a Map keyed by a·n + b boxes every key above 2^31).
 */
function streamUses(nodes: readonly NetNode[], links: number): (from: NetNode, to: NetNode) => number {
  if (nodes.some((n) => n.name.includes('-'))) {
    const uses = new Map<string, number>();
    return (from, to) => {
      const key = `${from.name}-${to.name}`;
      const count = (uses.get(key) ?? 0) + 1;
      uses.set(key, count);
      return count;
    };
  }
  let size = 16;
  while (size < 4 * links) size *= 2; // two directions per link, load <= 1/2
  const mask = size - 1;
  const keyFrom = new Int32Array(size).fill(-1);
  const keyTo = new Int32Array(size);
  const counts = new Int32Array(size);
  return (from, to) => {
    const a = from.index,
      b = to.index;
    let i = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) & mask;
    while (keyFrom[i] !== -1 && (keyFrom[i] !== a || keyTo[i] !== b)) i = (i + 1) & mask;
    keyFrom[i] = a;
    keyTo[i] = b;
    return ++counts[i]!;
  };
}

/** Builds the network; throws a TopologyError (with every problem) if the topology is invalid. */
export function buildNetwork(sim: Sim, topo: TopologyDef, options: NetworkOptions): Network {
  const problems = validateTopology(topo);
  if (problems.length > 0) throw new TopologyError(problems);
  const { seed, tracer } = options;
  const counters = newNetCounters();
  const addresses = assignAddresses(topo.nodes);
  const indexByAddress = new Map<number, number>();
  addresses.forEach((a, i) => indexByAddress.set(a, i));

  // Interface lists sized exactly (a pushed-to array keeps room for 17): 10^5 hosts, 10^5 lists.
  const indexByName = new Map(topo.nodes.map((n, i) => [n.name, i]));
  const degree = new Int32Array(topo.nodes.length);
  for (const l of topo.links) {
    degree[indexByName.get(l.a)!]!++;
    degree[indexByName.get(l.b)!]!++;
  }
  const shared: NodeShared = { sim, tracer, counters, nodeIndexByAddress: indexByAddress };
  const nodes: NetNode[] = topo.nodes.map((def, i) =>
    def.kind === 'router'
      ? new Router(def.name, i, addresses[i]!, shared, degree[i])
      : new Host(def.name, i, addresses[i]!, shared, degree[i]),
  );
  degree.fill(0);

  const use = streamUses(nodes, topo.links.length);
  const configs = new LinkConfigs(shared, 2 * topo.links.length);
  const links = topo.links.map((def, i) => {
    const a = nodes[indexByName.get(def.a)!]!,
      b = nodes[indexByName.get(def.b)!]!;
    const config = configs.of(def);
    const ab = new LinkDirection(a, b, config, def, seed, 2 * i, use(a, b));
    const ba = new LinkDirection(b, a, config, def, seed, 2 * i + 1, use(b, a));
    a.interfaces[degree[a.index]!++] = ab;
    b.interfaces[degree[b.index]!++] = ba;
    return new Link(ab, ba);
  });

  computeRoutes(nodes);
  return new Network(nodes, links, counters, indexByAddress, indexByName);
}
