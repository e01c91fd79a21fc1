/**
 * A datagram ping, to exercise links and routing end to end without TCP: a Pinger sends `count`
 * UDP datagrams at a fixed interval to a host running an Echoer, which sends each one straight
 * back; the pinger records round-trip times and losses.
 *
 * The datagram's sequence number travels in the IPv4 identification field (16 bits); a reply is
 * matched to the most recent request with that id, so up to 65 536 requests may be outstanding.
 */
import type { EventHandler, Sim } from '../sim/simulator.ts';
import type { Nanos } from '../sim/time.ts';
import { PROTO_UDP, type Packet } from '../wire/segment.ts';
import type { HostPort, Transport } from './host.ts';

/** UDP header bytes, carried in Packet.dataBytes with the payload. */
const UDP_HEADER_BYTES = 8;
const SEND = 1;

export interface PingOptions {
  /** Destination address (the echoing host's). */
  target: number;
  count: number;
  interval: Nanos;
  /** Payload bytes per datagram (default 56, as ping(8)). */
  bytes?: number;
  /** Time of the first datagram (default: when start() is called). */
  start?: Nanos;
}

export interface PingResult {
  sent: number;
  received: number;
  /** Requests without a reply (so far). */
  lost: number;
  /** Replies to a request already answered. */
  duplicates: number;
  /** Round-trip time per request in send order; NaN where no reply came. */
  rttNs: number[];
  minNs: number;
  avgNs: number;
  maxNs: number;
}

export class Pinger implements Transport, EventHandler {
  private readonly sentAt: Float64Array;
  private readonly rtt: Float64Array;
  private sent = 0;
  private received = 0;
  private duplicates = 0;
  private readonly dataBytes: number;

  constructor(
    private readonly host: HostPort,
    private readonly options: PingOptions,
  ) {
    this.sentAt = new Float64Array(options.count);
    this.rtt = new Float64Array(options.count).fill(Number.NaN);
    this.dataBytes = UDP_HEADER_BYTES + (options.bytes ?? 56);
  }

  /** Schedules the datagrams. */
  start(): void {
    if (this.options.count > 0) this.host.sim.at(this.options.start ?? this.host.sim.now, this, SEND);
  }

  onEvent(sim: Sim): void {
    const seq = this.sent++;
    this.sentAt[seq] = sim.now;
    this.host.send({
      src: this.host.address,
      dst: this.options.target,
      ttl: 64,
      id: seq & 0xffff,
      protocol: PROTO_UDP,
      tcp: null,
      dataBytes: this.dataBytes,
      annot: 0,
    });
    if (this.sent < this.options.count) sim.after(this.options.interval, this, SEND);
  }

  receive(packet: Packet): void {
    if (packet.protocol !== PROTO_UDP || packet.src !== this.options.target || this.sent === 0) return;
    // The latest request whose id matches.
    const last = this.sent - 1;
    const seq = last - ((last - packet.id) & 0xffff);
    if (seq < 0) return;
    if (!Number.isNaN(this.rtt[seq]!)) {
      this.duplicates++;
      return;
    }
    this.rtt[seq] = this.host.sim.now - this.sentAt[seq]!;
    this.received++;
  }

  result(): PingResult {
    const rttNs = Array.from(this.rtt.subarray(0, this.sent));
    let min = Infinity,
      max = -Infinity,
      sum = 0;
    for (const r of rttNs) {
      if (Number.isNaN(r)) continue;
      if (r < min) min = r;
      if (r > max) max = r;
      sum += r;
    }
    const none = this.received === 0;
    return {
      sent: this.sent,
      received: this.received,
      lost: this.sent - this.received,
      duplicates: this.duplicates,
      rttNs,
      minNs: none ? Number.NaN : min,
      avgNs: none ? Number.NaN : sum / this.received,
      maxNs: none ? Number.NaN : max,
    };
  }
}

/** Sends every UDP datagram it receives back to its source, at once. */
export class Echoer implements Transport {
  echoed = 0;

  constructor(private readonly host: HostPort) {}

  receive(packet: Packet): void {
    if (packet.protocol !== PROTO_UDP) return;
    this.echoed++;
    this.host.send({
      src: this.host.address,
      dst: packet.src,
      ttl: 64,
      id: packet.id,
      protocol: PROTO_UDP,
      tcp: null,
      dataBytes: packet.dataBytes,
      annot: 0,
    });
  }
}
