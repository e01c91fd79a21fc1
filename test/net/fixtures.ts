/**
 * Builders for network tests: TopologyDef objects written directly (the experiment layer that
 * reads YAML is not involved), packets, and small handlers that send and record.
 */
import { buildNetwork, type Network } from '../../src/net/network.ts';
import type { LinkDef, NodeDef, TopologyDef } from '../../src/net/topology-def.ts';
import type { PacketTap, Transport } from '../../src/net/host.ts';
import type { EventHandler, Sim } from '../../src/sim/simulator.ts';
import { Sim as SimClass } from '../../src/sim/simulator.ts';
import { MS, type Nanos } from '../../src/sim/time.ts';
import type { TraceRecord } from '../../src/schema/trace.ts';
import { Tracer } from '../../src/sim/trace.ts';
import { ACK, PROTO_TCP, PROTO_UDP, type Packet } from '../../src/wire/segment.ts';

export function host(name: string, extra: Partial<NodeDef> = {}): NodeDef {
  return { name, kind: 'host', group: name, ...extra };
}

export function router(name: string, extra: Partial<NodeDef> = {}): NodeDef {
  return { name, kind: 'router', group: name, ...extra };
}

/** A link with defaults: 10 ms, 100 Mbps, lossless, 1000-packet queue, no jitter. */
export function link(a: string, b: string, extra: Partial<LinkDef> = {}): LinkDef {
  return {
    a,
    b,
    latency: 10 * MS,
    bandwidth: 100e6,
    loss: 0,
    queue: { packets: 1000 },
    jitter: 0,
    reorder: false,
    ...extra,
  };
}

export function topology(nodes: NodeDef[], links: LinkDef[], name = 'test'): TopologyDef {
  return { name, nodes, links };
}

export interface World {
  sim: Sim;
  tracer: Tracer;
  net: Network;
  /** Packet trace records, if `trace` was asked for. */
  /** Records as emitted, read loosely: a test asks any record for any field. */
  trace: (TraceRecord & Record<string, unknown>)[];
}

export function world(topo: TopologyDef, opts: { seed?: number; trace?: boolean } = {}): World {
  const sim = new SimClass();
  const tracer = new Tracer();
  const trace: (TraceRecord & Record<string, unknown>)[] = [];
  if (opts.trace) tracer.subscribe((r) => trace.push(r as TraceRecord & Record<string, unknown>), { packets: true });
  const net = buildNetwork(sim, topo, { seed: opts.seed ?? 1, tracer });
  return { sim, tracer, net, trace };
}

/** A UDP packet with `payload` bytes after the IP header (so 20 + payload on the wire). */
export function udp(src: number, dst: number, payload: number, id = 0): Packet {
  return { src, dst, ttl: 64, id, protocol: PROTO_UDP, tcp: null, dataBytes: payload, annot: 0 };
}

/** A TCP segment without options: 40 + len bytes on the wire. */
export function tcp(
  src: number,
  dst: number,
  f: {
    sport: number;
    dport: number;
    flags?: number;
    seq?: number;
    ack?: number;
    len?: number;
    win?: number;
    annot?: number;
  },
): Packet {
  return {
    src,
    dst,
    ttl: 64,
    id: 0,
    protocol: PROTO_TCP,
    dataBytes: 0,
    annot: f.annot ?? 0,
    tcp: {
      srcPort: f.sport,
      dstPort: f.dport,
      seq: f.seq ?? 0,
      ack: f.ack ?? 0,
      flags: f.flags ?? ACK,
      window: f.win ?? 65535,
      urgent: 0,
      options: null,
      len: f.len ?? 0,
      payload: null,
    },
  };
}

/** A transport that records what arrives, with the time. */
export class Sink implements Transport {
  got: Array<{ t: Nanos; packet: Packet }> = [];
  constructor(private readonly sim: Sim) {}
  receive(packet: Packet): void {
    this.got.push({ t: this.sim.now, packet });
  }
}

/** A tap that records every packet a host sends and receives. */
export class Recorder implements PacketTap {
  seen: Array<{ t: Nanos; packet: Packet; dir: 'tx' | 'rx' }> = [];
  onPacket(t: Nanos, packet: Packet, dir: 'tx' | 'rx'): void {
    this.seen.push({ t, packet, dir });
  }
}

/** Sends `count` packets made by `make(i)` through `send`, one every `interval` from `start`. */
export class Sender implements EventHandler {
  private i = 0;
  constructor(
    private readonly send: (p: Packet) => void,
    private readonly make: (i: number) => Packet,
    private readonly count: number,
    private readonly interval: Nanos,
  ) {}
  start(sim: Sim, at: Nanos = 0): void {
    if (this.count > 0) sim.at(at, this);
  }
  onEvent(sim: Sim): void {
    this.send(this.make(this.i++));
    if (this.i < this.count) sim.after(this.interval, this);
  }
}
