/**
 * What hosts and routers share: a name, an address, their outgoing link directions, and a
 * forwarding table consulted by destination address only (so spoofed sources route normally).
 */
import type { Sim } from '../sim/simulator.ts';
import type { Tracer } from '../sim/trace.ts';
import type { Packet } from '../wire/segment.ts';
import type { NetCounters } from './counters.ts';
import type { LinkDirection } from './link.ts';
import type { NodeKind } from './topology-def.ts';

export interface NetNode {
  readonly name: string;
  readonly kind: NodeKind;
  /** Position in the topology's node list. */
  readonly index: number;
  /** IPv4 address as an unsigned 32-bit integer. */
  readonly address: number;
  /** Outgoing link directions, in the order the links are listed in the topology. */
  readonly interfaces: LinkDirection[];
  /** The forwarding table (filled in once by computeRoutes; a single-homed host's is made when asked for). */
  readonly routes: ForwardingTable;
  /** A packet arrived over `via` at sim.now. */
  receive(packet: Packet, via: LinkDirection): void;
}

/**
 * What every node of a world uses, shared: one pointer per node instead of four (a star of 10^5
 * hosts has 10^5 nodes). The packet path reads it through that pointer; being shared it stays in
 * cache.
 */
export interface NodeShared {
  readonly sim: Sim;
  readonly tracer: Tracer;
  /** Network-wide packet counters. */
  readonly counters: NetCounters;
  /** Address → node index, for forwarding tables. */
  readonly nodeIndexByAddress: ReadonlyMap<number, number>;
}

/**
 * Destination address → outgoing link direction. Computed once (routing.ts); per packet one Map
 * lookup (address → node index) and one array read. A single-homed host has none: everything
 * leaves through its only link, as through a default gateway (Host.send).
 */
export class ForwardingTable {
  /** Next hop per destination node index; null when unreachable. */
  next: (LinkDirection | null)[] = [];
  /** Where packets for addresses not in the topology go (a host's default gateway); routers have none. */
  fallback: LinkDirection | null = null;

  constructor(private readonly nodeIndexByAddress: ReadonlyMap<number, number>) {}

  lookup(dst: number): LinkDirection | null {
    const index = this.nodeIndexByAddress.get(dst);
    if (index === undefined) return this.fallback;
    return this.next[index] ?? null;
  }
}

/**
 * The table of a single-homed host, made only if something asks for it (Host.routes): every
 * destination leaves through its one link (null: it has none), as Host.send sends without a table.
 */
export class SingleLinkTable extends ForwardingTable {
  constructor(
    nodeIndexByAddress: ReadonlyMap<number, number>,
    private readonly link: LinkDirection | null,
  ) {
    super(nodeIndexByAddress);
  }

  override lookup(): LinkDirection | null {
    return this.link;
  }
}
