/**
 * A spoofed-source SYN flood (RFC 4987 section 2), as tools like hping3 send it: SYNs (bare, or
 * with `data` bytes: a Fast Open flood, RFC 7413 5.1) from
 * random addresses in `spoof`, random source ports and ISNs, through a raw socket, at a fixed
 * rate (`periodic`) or with exponential gaps (`poisson`, as many bots together: no SYN lines up
 * with the listener's timers, which a perfectly periodic flood and exact timers can). SYN-ACKs to forged addresses go nowhere (no route), except where a forged address
 * belongs to a real host: that host's stack answers with RST, as on a real network.
 */
import type { SynFloodApp } from './app-specs.ts';
import type { EventHandler, Sim } from '../sim/simulator.ts';
import { SEC, type Nanos } from '../sim/time.ts';
import type { RawSocket } from '../stack/socket-api.ts';
import { PROTO_TCP, SYN, type Packet } from '../wire/segment.ts';
import type { AppContext } from './context.ts';

const TICK = 1;

export class SynFlood implements EventHandler {
  private raw: RawSocket | null = null;
  private readonly targetAddr: number;
  private sent = 0;
  private ipId = 0;
  private readonly interval: Nanos;

  /** This instance's start (the app's, or its member's when staggered). */
  private readonly start0: Nanos;

  constructor(
    private readonly ctx: AppContext,
    private readonly spec: SynFloodApp,
    start = spec.start,
  ) {
    this.start0 = start;
    this.targetAddr = ctx.addressOf(spec.target.node);
    this.interval = spec.rate > 0 ? SEC / spec.rate : Infinity;
  }

  /** SYNs sent so far. */
  get count(): number {
    return this.sent;
  }

  start(): void {
    if (!(this.interval < Infinity) || this.spec.stop <= this.start0) return;
    this.raw = this.ctx.stack.openRaw();
    this.ctx.sim.at(this.start0, this, TICK);
  }

  onEvent(sim: Sim, _tag: number): void {
    this.sendSyn();
    // Periodic: exact average rate with integer times, the k-th SYN at start + round(k * interval).
    const next =
      this.spec.arrival === 'poisson'
        ? sim.now + Math.round(this.ctx.rng.exponential(this.interval))
        : this.start0 + Math.round(this.sent * this.interval);
    if (next < this.spec.stop) sim.at(Math.max(next, sim.now), this, TICK);
  }

  private sendSyn(): void {
    const rng = this.ctx.rng;
    const spoof = this.spec.spoof;
    const size = 2 ** (32 - spoof.prefixLength);
    const packet: Packet = {
      src: (spoof.base + rng.int(size)) >>> 0,
      dst: this.targetAddr,
      ttl: 64,
      id: (this.ipId = (this.ipId + 1) & 0xffff),
      protocol: PROTO_TCP,
      tcp: {
        srcPort: rng.range(1024, 65535),
        dstPort: this.spec.target.port,
        seq: rng.nextU32(),
        ack: 0,
        flags: SYN,
        window: 64240,
        urgent: 0,
        options: { mss: 1460 },
        len: this.spec.data,
        payload: null,
      },
      dataBytes: 0,
      annot: 0,
    };
    this.sent++;
    this.raw!.send(packet);
  }
}
