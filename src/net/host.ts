/**
 * A host: an end node with one address. It sends what its transport (the TCP stack) gives it and
 * hands the transport every packet addressed to it; it never forwards (like Linux with
 * ip_forward=0). Taps see every packet the host sends or receives, for pcap capture.
 */
import type { EventHandler, Sim } from '../sim/simulator.ts';
import type { Nanos } from '../sim/time.ts';
import type { Tracer } from '../sim/trace.ts';
import type { Packet } from '../wire/segment.ts';
import type { LinkDirection } from './link.ts';
import { ForwardingTable, SingleLinkTable, type NetNode, type NodeShared } from './node.ts';
import { packetRecord } from './packet-trace.ts';

/** The layer above a host (the TCP stack). `receive` is called at sim.now. */
export interface Transport {
  receive(packet: Packet): void;
}

/** What a stack needs from its host. */
export interface HostPort {
  readonly name: string;
  readonly address: number;
  readonly sim: Sim;
  readonly tracer: Tracer;
  /** Routes the packet from this host (its source address may be anything: spoofing is allowed). */
  send(packet: Packet): void;
}

/** Sees every packet a host sends ('tx', when handed to the network) or receives ('rx'). */
export interface PacketTap {
  onPacket(timeNs: Nanos, packet: Packet, direction: 'tx' | 'rx'): void;
}

const LOOPBACK = 1;
/** The taps of every host nobody captures at (most of them); never written (addTap copies). */
const NO_TAPS: readonly PacketTap[] = Object.freeze([]);

export class Host implements HostPort, NetNode, EventHandler<Packet> {
  /** Filled by buildNetwork, which sizes the list exactly (`interfaceCount`). */
  readonly interfaces: LinkDirection[];
  /**
   * The forwarding table, made when first read (`routes`): routing fills it for multi-homed
   * hosts only, and a single-homed host (most of a star's) sends everything through its only
   * link without one.
   */
  private table: ForwardingTable | null = null;
  /** The stack above; packets arriving while it is null are counted as delivered and discarded. */
  transport: Transport | null = null;
  private taps = NO_TAPS as PacketTap[];

  constructor(
    readonly name: string,
    readonly index: number,
    readonly address: number,
    /** The world's Sim, tracer, counters and address map. */
    private readonly shared: NodeShared,
    interfaceCount = 0,
  ) {
    this.interfaces = new Array<LinkDirection>(interfaceCount);
  }

  get kind(): 'host' {
    return 'host';
  }

  get sim(): Sim {
    return this.shared.sim;
  }

  get tracer(): Tracer {
    return this.shared.tracer;
  }

  /** The forwarding table: computeRoutes fills a multi-homed host's; a single-homed host's is made when asked for. */
  get routes(): ForwardingTable {
    return (this.table ??=
      this.interfaces.length <= 1
        ? new SingleLinkTable(this.shared.nodeIndexByAddress, this.interfaces[0] ?? null)
        : new ForwardingTable(this.shared.nodeIndexByAddress));
  }

  addTap(tap: PacketTap): void {
    this.taps = [...this.taps, tap];
  }

  removeTap(tap: PacketTap): void {
    this.taps = this.taps.filter((t) => t !== tap);
  }

  send(packet: Packet): void {
    const k = this.shared;
    const now = k.sim.now;
    k.counters.sent++;
    for (let i = 0; i < this.taps.length; i++) this.taps[i]!.onPacket(now, packet, 'tx');
    if (k.tracer.packets) k.tracer.emitPacket(packetRecord(now, this.name, 'tx', packet));
    if (packet.dst === this.address) {
      // Loopback: delivered to ourselves as a separate event, never synchronously inside send().
      k.sim.at(now, this, LOOPBACK, packet);
      return;
    }
    const table = this.table;
    const out = table === null ? (this.interfaces[0] ?? null) : table.lookup(packet.dst);
    if (out === null) {
      k.counters.droppedNoRoute++;
      if (k.tracer.packets) k.tracer.emitPacket(packetRecord(now, this.name, 'drop', packet, 'no-route'));
      return;
    }
    out.enqueue(packet);
  }

  receive(packet: Packet): void {
    const k = this.shared;
    const now = k.sim.now;
    if (packet.dst !== this.address) {
      // Not ours and hosts do not forward: Linux drops it (counted as an address error).
      k.counters.droppedNoRoute++;
      if (k.tracer.packets) k.tracer.emitPacket(packetRecord(now, this.name, 'drop', packet, 'no-route'));
      return;
    }
    this.deliver(packet, now);
  }

  onEvent(sim: Sim, _tag: number, packet: Packet): void {
    this.deliver(packet, sim.now);
  }

  private deliver(packet: Packet, now: Nanos): void {
    const k = this.shared;
    k.counters.delivered++;
    for (let i = 0; i < this.taps.length; i++) this.taps[i]!.onPacket(now, packet, 'rx');
    if (k.tracer.packets) k.tracer.emitPacket(packetRecord(now, this.name, 'rx', packet));
    if (this.transport !== null) this.transport.receive(packet);
  }
}
