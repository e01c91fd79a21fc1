/**
 * Links: full duplex, one independent LinkDirection per direction. A packet crossing a direction
 * goes through, in order:
 *
 *   drop-tail queue → serialization at the link's bandwidth → propagation latency + jitter → loss
 *   → delivery to the far node
 *
 * Queue: as Linux's pfifo / bfifo qdiscs, the limit counts what waits in the queue, not the packet
 * being serialized (that one has left the qdisc for the NIC). A limit of {packets: 0} therefore
 * still lets a packet onto an idle link. With a byte limit a packet is refused if it would take the
 * queued bytes past the limit.
 *
 * Jitter: a uniform integer delay in [0, jitter] ns per packet. Without `reorder` a packet never
 * arrives before the one sent ahead of it (its arrival is held back to its predecessor's; equal
 * times keep sending order); with `reorder: true` jitter may reorder packets.
 *
 * Loss is decided when the packet reaches the far end (loss.ts) and traced there, at the far node.
 *
 * Events: an idle link costs one event per packet (its arrival). A packet that has to wait adds
 * one "transmission done" event, scheduled only while the queue is non-empty. Handlers are this
 * object with a tag; the packet is the event's datum. No closure is created per packet.
 */
import { Rng } from '../sim/rng.ts';
import type { EventHandler, Sim } from '../sim/simulator.ts';
import { serializationTime, type Nanos } from '../sim/time.ts';
import type { Tracer } from '../sim/trace.ts';
import { packetBytes, type Packet } from '../wire/segment.ts';
import type { NetCounters } from './counters.ts';
import { LossModel } from './loss.ts';
import type { NetNode } from './node.ts';
import { packetRecord } from './packet-trace.ts';
import type { LinkDef } from './topology-def.ts';

const TX_DONE = 1;
const ARRIVE = 2;

export class LinkDirection implements EventHandler {
  /** "from->to", for messages and tables. */
  readonly name: string;
  readonly latency: Nanos;
  readonly bandwidth: number;
  readonly jitter: Nanos;
  readonly reorder: boolean;
  /** Queue limit: packets waiting, or bytes waiting (the other is Infinity). */
  readonly limitPackets: number;
  readonly limitBytes: number;

  // Always-on counters for this direction.
  /** Packets that were put on the wire (serialized), and their bytes. */
  sentPackets = 0;
  sentBytes = 0;
  droppedQueue = 0;
  droppedLoss = 0;
  /** Most packets / bytes waiting in the queue at once. */
  queuePeakPackets = 0;
  queuePeakBytes = 0;

  private readonly loss: LossModel;
  private readonly jitterRng: Rng | null;
  /** Waiting packets: a ring buffer (capacity a power of two). */
  private ring: (Packet | undefined)[] = new Array<Packet | undefined>(16);
  private head = 0;
  private count = 0;
  private queuedBytes = 0;
  /** The wire is busy serializing until this time. */
  private busyUntil: Nanos = 0;
  /** A TX_DONE event is pending (exactly when the queue is non-empty). */
  private draining = false;
  /** Arrival time of the last packet sent, to keep order under jitter. */
  private lastArrival: Nanos = 0;

  constructor(
    readonly from: NetNode,
    readonly to: NetNode,
    def: LinkDef,
    private readonly sim: Sim,
    private readonly tracer: Tracer,
    private readonly counters: NetCounters,
    seed: number,
    /** Stable RNG stream prefix, e.g. "link:client1-r1". */
    readonly streamPrefix: string,
  ) {
    this.name = `${from.name}->${to.name}`;
    this.latency = def.latency;
    this.bandwidth = def.bandwidth;
    this.jitter = def.jitter;
    this.reorder = def.reorder;
    if ('packets' in def.queue) {
      this.limitPackets = def.queue.packets;
      this.limitBytes = Infinity;
    } else {
      this.limitPackets = Infinity;
      this.limitBytes = def.queue.bytes;
    }
    this.loss = new LossModel(def.loss, def.burstLoss, seed, streamPrefix);
    this.jitterRng = def.jitter > 0 ? new Rng(seed, `${streamPrefix}:jitter`) : null;
  }

  /** Packets waiting in the queue (not counting the one being serialized). */
  get queueLength(): number {
    return this.count;
  }

  get queueBytes(): number {
    return this.queuedBytes;
  }

  /** Hands a packet to this direction at sim.now: it is sent, queued, or dropped (queue full). */
  enqueue(packet: Packet): void {
    const bytes = packetBytes(packet);
    const now = this.sim.now;
    if (this.count === 0 && now >= this.busyUntil) {
      this.transmit(packet, bytes, now);
      return;
    }
    if (this.count + 1 > this.limitPackets || this.queuedBytes + bytes > this.limitBytes) {
      this.droppedQueue++;
      this.counters.droppedQueue++;
      if (this.tracer.packets) this.tracer.emitPacket(packetRecord(now, this.from.name, 'drop', packet, 'queue'));
      return;
    }
    if (this.count === this.ring.length) this.growRing();
    this.ring[(this.head + this.count) & (this.ring.length - 1)] = packet;
    this.count++;
    this.queuedBytes += bytes;
    if (this.count > this.queuePeakPackets) this.queuePeakPackets = this.count;
    if (this.queuedBytes > this.queuePeakBytes) this.queuePeakBytes = this.queuedBytes;
    if (!this.draining) {
      this.draining = true;
      this.sim.at(this.busyUntil, this, TX_DONE);
    }
  }

  onEvent(_sim: Sim, tag: number, data: unknown): void {
    if (tag === ARRIVE) this.arrive(data as Packet);
    else this.nextFromQueue();
  }

  /** Serialization of the previous packet ended: the head of the queue goes on the wire. */
  private nextFromQueue(): void {
    const mask = this.ring.length - 1;
    const packet = this.ring[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) & mask;
    this.count--;
    const bytes = packetBytes(packet);
    this.queuedBytes -= bytes;
    this.transmit(packet, bytes, this.sim.now);
    if (this.count > 0) this.sim.at(this.busyUntil, this, TX_DONE);
    else this.draining = false;
  }

  /** Puts a packet on the wire at `start` and schedules its arrival at the far end. */
  private transmit(packet: Packet, bytes: number, start: Nanos): void {
    const end = start + serializationTime(bytes, this.bandwidth);
    this.busyUntil = end;
    this.sentPackets++;
    this.sentBytes += bytes;
    let arrival = end + this.latency;
    if (this.jitterRng !== null) arrival += this.jitterRng.int(this.jitter + 1);
    if (!this.reorder && arrival < this.lastArrival) arrival = this.lastArrival;
    this.lastArrival = arrival;
    this.sim.at(arrival, this, ARRIVE, packet);
  }

  private arrive(packet: Packet): void {
    if (!this.loss.lossless && this.loss.lose()) {
      this.droppedLoss++;
      this.counters.droppedLoss++;
      if (this.tracer.packets) this.tracer.emitPacket(packetRecord(this.sim.now, this.to.name, 'drop', packet, 'loss'));
      return;
    }
    this.to.receive(packet, this);
  }

  private growRing(): void {
    const old = this.ring;
    const ring = new Array<Packet | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) ring[i] = old[(this.head + i) & (old.length - 1)];
    this.ring = ring;
    this.head = 0;
  }
}

/** One full-duplex link: its definition and both directions. */
export class Link {
  constructor(
    readonly index: number,
    readonly def: LinkDef,
    /** a → b and b → a. */
    readonly ab: LinkDirection,
    readonly ba: LinkDirection,
  ) {}

  get a(): NetNode {
    return this.ab.from;
  }

  get b(): NetNode {
    return this.ab.to;
  }
}
