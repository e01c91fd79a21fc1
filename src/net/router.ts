/**
 * A router: forwards every packet by destination address, instantly (no processing delay), onto
 * the next hop's link direction, whose queue may then drop it. Unknown destinations (e.g. replies
 * to spoofed sources outside the topology) are dropped with reason `no-route`. Routers do not
 * decrement the TTL: packets are shared records and shortest-path routes have no loops.
 *
 * Path MTU (RFC 1191, RFC 1812 5.2.6): a packet bigger than the next link's `mtu` with Don't
 * Fragment set is dropped (reason `mtu`) and its source gets ICMP fragmentation needed with that
 * MTU, which its TCP turns into a smaller MSS (icmp-error.ts). Without DF (IP_PMTUDISC_DONT) the
 * packet goes on: fragmentation and reassembly are not modelled, the record crosses whole.
 */
import { ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, buildIcmpError } from '../wire/icmp.ts';
import { packetBytes, type Packet } from '../wire/segment.ts';
import type { LinkDirection } from './link.ts';
import { ForwardingTable, type NetNode, type NodeShared } from './node.ts';
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
    /** The world's Sim, tracer, counters and address map. */
    private readonly shared: NodeShared,
    interfaceCount = 0,
  ) {
    this.interfaces = new Array<LinkDirection>(interfaceCount);
    this.routes = new ForwardingTable(shared.nodeIndexByAddress);
  }

  receive(packet: Packet): void {
    if (packet.dst === this.address) return; // addressed to the router itself: nothing listens
    const out = this.routes.lookup(packet.dst);
    if (out === null) {
      const k = this.shared;
      k.counters.droppedNoRoute++;
      if (k.tracer.packets) k.tracer.emitPacket(packetRecord(k.sim.now, this.name, 'drop', packet, 'no-route'));
      return;
    }
    const mtu = out.config.mtu;
    if (mtu > 0 && packet.df !== false && packetBytes(packet) > mtu) {
      this.fragNeeded(packet, mtu);
      return;
    }
    this.forwarded++;
    out.enqueue(packet);
  }

  /** Errors sent (ICMP fragmentation needed). */
  icmpSent = 0;
  private icmpId = 0;

  /** RFC 1191 4: drop the packet, tell its source the next hop's MTU. */
  private fragNeeded(packet: Packet, mtu: number): void {
    const k = this.shared;
    k.counters.droppedMtu++;
    if (k.tracer.packets) k.tracer.emitPacket(packetRecord(k.sim.now, this.name, 'drop', packet, 'mtu'));
    this.icmpId = (this.icmpId + 1) & 0xffff;
    const err = buildIcmpError(this.address, packet, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu, this.icmpId);
    if (err === null) return;
    const back = this.routes.lookup(err.dst);
    if (back === null) return;
    this.icmpSent++;
    if (k.tracer.packets) k.tracer.emitPacket(packetRecord(k.sim.now, this.name, 'tx', err));
    back.enqueue(err);
  }
}
