/**
 * A router: forwards every packet by destination address, instantly (no processing delay), onto
 * the next hop's link direction, whose queue may then drop it. Unknown destinations (e.g. replies
 * to spoofed sources outside the topology) are dropped with reason `no-route`. Routers do not
 * decrement the TTL: packets are shared records and shortest-path routes have no loops.
 */
import type { Sim } from '../sim/simulator.ts';
import type { Tracer } from '../sim/trace.ts';
import type { Packet } from '../wire/segment.ts';
import type { NetCounters } from './counters.ts';
import type { LinkDirection } from './link.ts';
import { ForwardingTable, type NetNode } from './node.ts';
import { packetRecord } from './packet-trace.ts';

export class Router implements NetNode {
  readonly kind = 'router' as const;
  /** Filled by buildNetwork, which sizes the list exactly (`interfaceCount`). */
  readonly interfaces: LinkDirection[];
  readonly routes: ForwardingTable;
  /** Packets forwarded onto a next hop. */
  forwarded = 0;

  constructor(
    readonly name: string,
    readonly index: number,
    readonly address: number,
    private readonly sim: Sim,
    private readonly tracer: Tracer,
    private readonly counters: NetCounters,
    nodeIndexByAddress: ReadonlyMap<number, number>,
    interfaceCount = 0,
  ) {
    this.interfaces = new Array<LinkDirection>(interfaceCount);
    this.routes = new ForwardingTable(nodeIndexByAddress);
  }

  receive(packet: Packet): void {
    if (packet.dst === this.address) return; // addressed to the router itself: nothing listens
    const out = this.routes.lookup(packet.dst);
    if (out === null) {
      this.counters.droppedNoRoute++;
      if (this.tracer.packets) this.tracer.emitPacket(packetRecord(this.sim.now, this.name, 'drop', packet, 'no-route'));
      return;
    }
    this.forwarded++;
    out.enqueue(packet);
  }
}
