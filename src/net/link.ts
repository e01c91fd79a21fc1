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
 * Events: one per packet, its arrival at the far end. A FIFO queue in front of a wire of fixed
 * rate is deterministic: a packet that has to wait starts serializing when the one ahead of it
 * ends (`busyUntil`), so its arrival is known, and scheduled, the moment it is queued. No
 * "transmission done" event is needed: the queue remembers when each waiting packet starts, and a
 * packet whose start has come has left it (one that starts at the very instant a new packet comes
 * counts as gone, as if a transmission-done event had run first). Handlers are this object with a
 * tag; the packet is the event's datum. No closure is created per packet.
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

const ARRIVE = 2;

/** The queue of every direction that never queued a packet; never written (growQueue replaces it). */
const NO_QUEUE: number[] = [];

export class LinkDirection implements EventHandler<Packet> {
  readonly latency: Nanos;
  readonly bandwidth: number;
  readonly jitter: Nanos;
  readonly reorder: boolean;
  /** Largest IP packet a router may forward onto this direction (0 = no limit; router.ts). */
  readonly mtu: number;

  // Always-on counters for this direction.
  /** Packets put on the wire (counted when their serialization is scheduled), and their bytes. */
  sentPackets = 0;
  sentBytes = 0;
  droppedQueue = 0;
  droppedLoss = 0;
  /** Most packets / bytes waiting in the queue at once. */
  queuePeakPackets = 0;
  queuePeakBytes = 0;

  // Memory: a star of 10^5 clients has 2·10^5 directions, so a direction keeps only what the
  // packet path reads. Names are built on demand, loss and jitter state exist only when
  // configured, the queue limit is one small integer (Infinity would be a boxed double), and
  // the queue is allocated by the first packet that has to wait.
  /** Queue limit: waiting packets, or waiting bytes when `limitInBytes`. */
  private readonly queueLimit: number;
  private readonly limitInBytes: boolean;
  /** Which link between the same two nodes this is (1 = the first), for the RNG stream names. */
  private readonly streamUse: number;
  private readonly loss: LossModel | null;
  private readonly jitterRng: Rng | null;
  /**
   * Waiting packets, as a ring of (start of serialization, bytes) pairs: capacity a power of two,
   * 0 until the first packet waits. The packets themselves are already in their arrival events.
   * A plain array of doubles (V8 stores them unboxed): a Float64Array of 4 pairs costs ~260 bytes
   * in its object, buffer and store, the array ~110, and in a star nearly every direction queues
   * a packet at some point (a request and its FIN leave back to back).
   */
  private waiting = NO_QUEUE;
  private head = 0;
  private count = 0;
  private queuedBytes = 0;
  /** The wire is busy serializing until this time. */
  private busyUntil: Nanos = 0;
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
    /** 1 for the first link between these two nodes, 2 for a second one ("#2" in stream names). */
    streamUse = 1,
  ) {
    this.latency = def.latency;
    this.bandwidth = def.bandwidth;
    this.jitter = def.jitter;
    this.reorder = def.reorder;
    this.mtu = def.mtu ?? 0;
    this.streamUse = streamUse;
    if ('packets' in def.queue) {
      this.queueLimit = def.queue.packets;
      this.limitInBytes = false;
    } else {
      this.queueLimit = def.queue.bytes;
      this.limitInBytes = true;
    }
    const lossy = def.loss > 0 || def.burstLoss !== undefined;
    const prefix = lossy || def.jitter > 0 ? this.streamPrefix : '';
    this.loss = lossy ? new LossModel(def.loss, def.burstLoss, seed, prefix) : null;
    this.jitterRng = def.jitter > 0 ? new Rng(seed, `${prefix}:jitter`) : null;
  }

  /** "from->to", for messages and tables. */
  get name(): string {
    return `${this.from.name}->${this.to.name}`;
  }

  /** Stable RNG stream prefix, e.g. "link:client1-r1" ("link:a-b#2" for a second a–b link). */
  get streamPrefix(): string {
    const base = `link:${this.from.name}-${this.to.name}`;
    return this.streamUse === 1 ? base : `${base}#${this.streamUse}`;
  }

  /** Queue limit in packets (Infinity when the limit is in bytes). */
  get limitPackets(): number {
    return this.limitInBytes ? Infinity : this.queueLimit;
  }

  /** Queue limit in bytes (Infinity when the limit is in packets). */
  get limitBytes(): number {
    return this.limitInBytes ? this.queueLimit : Infinity;
  }

  /** Packets waiting in the queue (not counting the one being serialized). */
  get queueLength(): number {
    this.leaveQueue(this.sim.now);
    return this.count;
  }

  get queueBytes(): number {
    this.leaveQueue(this.sim.now);
    return this.queuedBytes;
  }

  /** Hands a packet to this direction at sim.now: it is sent, queued, or dropped (queue full). */
  enqueue(packet: Packet): void {
    const bytes = packetBytes(packet);
    const now = this.sim.now;
    if (this.count !== 0) this.leaveQueue(now);
    if (this.count === 0 && now >= this.busyUntil) {
      this.transmit(packet, bytes, now);
      return;
    }
    if (this.limitInBytes ? this.queuedBytes + bytes > this.queueLimit : this.count + 1 > this.queueLimit) {
      this.droppedQueue++;
      this.counters.droppedQueue++;
      if (this.tracer.packets) this.tracer.emitPacket(packetRecord(now, this.from.name, 'drop', packet, 'queue'));
      return;
    }
    const start = this.busyUntil;
    if (2 * this.count === this.waiting.length) this.growQueue();
    const i = 2 * ((this.head + this.count) & ((this.waiting.length >> 1) - 1));
    this.waiting[i] = start;
    this.waiting[i + 1] = bytes;
    this.count++;
    this.queuedBytes += bytes;
    if (this.count > this.queuePeakPackets) this.queuePeakPackets = this.count;
    if (this.queuedBytes > this.queuePeakBytes) this.queuePeakBytes = this.queuedBytes;
    this.transmit(packet, bytes, start);
  }

  /** Its one event: ARRIVE, with the packet. */
  onEvent(_sim: Sim, _tag: number, packet: Packet): void {
    this.arrive(packet);
  }

  /** Waiting packets whose serialization has started by `now` have left the queue. */
  private leaveQueue(now: Nanos): void {
    const waiting = this.waiting;
    const mask = (waiting.length >> 1) - 1;
    while (this.count !== 0 && waiting[2 * this.head]! <= now) {
      this.queuedBytes -= waiting[2 * this.head + 1]! | 0; // a small integer field, not a boxed double
      this.head = (this.head + 1) & mask;
      this.count--;
    }
  }

  /** Puts a packet on the wire at `start` (now, or when the packets ahead of it are sent) and schedules its arrival. */
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
    if (this.loss !== null && this.loss.lose()) {
      this.droppedLoss++;
      this.counters.droppedLoss++;
      if (this.tracer.packets) this.tracer.emitPacket(packetRecord(this.sim.now, this.to.name, 'drop', packet, 'loss'));
      return;
    }
    this.to.receive(packet, this);
  }

  private growQueue(): void {
    const old = this.waiting;
    const oldMask = (old.length >> 1) - 1;
    const size = old.length === 0 ? 8 : 2 * old.length;
    // exactly `size` slots (pushing onto [] would reserve 17 for the first); holey, never read as such
    const waiting = new Array<number>(size).fill(0);
    for (let k = 0; k < this.count; k++) {
      const from = 2 * ((this.head + k) & oldMask);
      waiting[2 * k] = old[from]!;
      waiting[2 * k + 1] = old[from + 1]!;
    }
    this.waiting = waiting;
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
