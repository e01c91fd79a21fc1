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
 * ends (`busyUntil`, in LinkConfig.clocks), so its arrival is known, and scheduled, the moment it is queued. No
 * "transmission done" event is needed: the queue remembers when each waiting packet starts, and a
 * packet whose start has come has left it (one that starts at the very instant a new packet comes
 * counts as gone, as if a transmission-done event had run first). Handlers are this object with a
 * tag; the packet is the event's datum. No closure is created per packet.
 */
import { Rng } from '../sim/rng.ts';
import type { EventHandler, Sim } from '../sim/simulator.ts';
import { serializationTime, type Nanos } from '../sim/time.ts';
import { packetBytes, type Packet } from '../wire/segment.ts';
import { CLOCKS, type LinkConfig } from './link-config.ts';
import { LossModel } from './loss.ts';
import type { NetNode } from './node.ts';
import { packetRecord } from './packet-trace.ts';
import type { LinkDef } from './topology-def.ts';

const ARRIVE = 2;

/** The queue of every direction that never queued a packet; never written (growQueue replaces it). */
const NO_QUEUE: number[] = [];

export class LinkDirection implements EventHandler<Packet> {
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
  // packet path reads and is its own. Settings are shared (LinkConfig), names are built on
  // demand, loss and jitter state exist only when configured, and the queue is allocated by the
  // first packet that has to wait.
  /** Which link between the same two nodes this is (1 = the first), for the RNG stream names. */
  private readonly streamUse: number;
  private readonly loss: LossModel | null;
  private readonly jitterRng: Rng | null;
  /**
   * The queue: `count` waiting packets (the packets themselves are already in their arrival
   * events), `queuedBytes` in all. The oldest is held in the direction itself, its bytes in
   * `firstBytes` and its start of serialization in `config.clocks` (below); the ones behind it in
   * `waiting`, a ring of (start, bytes) pairs, capacity a power of two, 0 until a second packet
   * waits, then one pair, doubling as needed. In a star nearly every direction queues a packet at
   * some point (a request and its FIN leave back to back) but rarely two: the ring (a plain array
   * of doubles, which V8 stores unboxed; a Float64Array would cost ~200 bytes more) would cost
   * ~70 bytes each.
   */
  private count = 0;
  private queuedBytes = 0;
  private firstBytes = 0;
  private waiting = NO_QUEUE;
  private head = 0;
  /**
   * Where this direction's three times sit in `config.clocks`: at `clock`, when the wire is done
   * serializing (busyUntil); at `clock + 1`, the arrival of the last packet sent (to keep order
   * under jitter); at `clock + 2`, when the oldest waiting packet starts serializing. Nanosecond
   * times pass 2^31 within seconds, and as fields each would be a boxed double of 16 bytes
   * besides its pointer.
   */
  private readonly clock: number;

  constructor(
    readonly from: NetNode,
    readonly to: NetNode,
    /** The link's settings, shared with every direction of the world that has the same. */
    readonly config: LinkConfig,
    def: LinkDef,
    seed: number,
    /** This direction's slot in `config.clocks` (each direction of a world has its own). */
    slot: number,
    /** 1 for the first link between these two nodes, 2 for a second one ("#2" in stream names). */
    streamUse = 1,
  ) {
    this.clock = CLOCKS * slot;
    this.streamUse = streamUse;
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

  /** Packets waiting in the queue (not counting the one being serialized). */
  get queueLength(): number {
    this.leaveQueue(this.config.sim.now);
    return this.count;
  }

  get queueBytes(): number {
    this.leaveQueue(this.config.sim.now);
    return this.queuedBytes;
  }

  /** Hands a packet to this direction at sim.now: it is sent, queued, or dropped (queue full). */
  enqueue(packet: Packet): void {
    const bytes = packetBytes(packet);
    const k = this.config;
    const now = k.sim.now;
    if (this.count !== 0) this.leaveQueue(now);
    const busyUntil = k.clocks[this.clock]!;
    if (this.count === 0 && now >= busyUntil) {
      this.transmit(packet, bytes, now);
      return;
    }
    if (k.limitInBytes ? this.queuedBytes + bytes > k.queueLimit : this.count + 1 > k.queueLimit) {
      this.droppedQueue++;
      k.counters.droppedQueue++;
      if (k.tracer.packets) k.tracer.emitPacket(packetRecord(now, this.from.name, 'drop', packet, 'queue'));
      return;
    }
    const start = busyUntil; // it starts when the wire is done with the packets ahead of it
    if (this.count === 0) {
      k.clocks[this.clock + 2] = start;
      this.firstBytes = bytes;
    } else {
      const behind = this.count - 1;
      if (2 * behind === this.waiting.length) this.growQueue();
      const i = 2 * ((this.head + behind) & ((this.waiting.length >> 1) - 1));
      this.waiting[i] = start;
      this.waiting[i + 1] = bytes;
    }
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
    const clocks = this.config.clocks,
      first = this.clock + 2;
    while (this.count !== 0 && clocks[first]! <= now) {
      this.queuedBytes -= this.firstBytes;
      if (--this.count !== 0) {
        // the next one becomes the oldest
        const waiting = this.waiting,
          i = 2 * this.head;
        clocks[first] = waiting[i]!;
        this.firstBytes = waiting[i + 1]! | 0; // a small integer field, not a boxed double
        this.head = (this.head + 1) & ((waiting.length >> 1) - 1);
      }
    }
  }

  /** Puts a packet on the wire at `start` (now, or when the packets ahead of it are sent) and schedules its arrival. */
  private transmit(packet: Packet, bytes: number, start: Nanos): void {
    const k = this.config;
    const clocks = k.clocks,
      at = this.clock;
    const end = start + serializationTime(bytes, k.bandwidth);
    clocks[at] = end;
    this.sentPackets++;
    this.sentBytes += bytes;
    let arrival = end + k.latency;
    if (this.jitterRng !== null) arrival += this.jitterRng.int(k.jitter + 1);
    if (!k.reorder && arrival < clocks[at + 1]!) arrival = clocks[at + 1]!;
    clocks[at + 1] = arrival;
    k.sim.at(arrival, this, ARRIVE, packet);
  }

  private arrive(packet: Packet): void {
    if (this.loss !== null && this.loss.lose()) {
      const k = this.config;
      this.droppedLoss++;
      k.counters.droppedLoss++;
      if (k.tracer.packets) k.tracer.emitPacket(packetRecord(k.sim.now, this.to.name, 'drop', packet, 'loss'));
      return;
    }
    this.to.receive(packet, this);
  }

  private growQueue(): void {
    const old = this.waiting;
    const oldMask = (old.length >> 1) - 1;
    const size = old.length === 0 ? 2 : 2 * old.length;
    // exactly `size` slots (pushing onto [] would reserve 17 for the first); holey, never read as such
    const waiting = new Array<number>(size).fill(0);
    for (let k = 0; k < this.count - 1; k++) {
      const from = 2 * ((this.head + k) & oldMask);
      waiting[2 * k] = old[from]!;
      waiting[2 * k + 1] = old[from + 1]!;
    }
    this.waiting = waiting;
    this.head = 0;
  }
}

/**
 * One full-duplex link: its two directions (its settings are theirs, `ab.config`; its definition
 * is the topology's, at the same position).
 */
export class Link {
  constructor(
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
