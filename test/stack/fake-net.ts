/**
 * A minimal two-or-more-host network for stack tests until src/net's buildNetwork is used:
 * every host hangs off one shared "wire" with a per-direction FIFO (serialization at `bandwidth`,
 * then `latency`). Packets to an address nobody owns vanish (no route), like spoofed SYN-ACKs.
 */
import { Sim, type EventHandler } from '../../src/sim/simulator.ts';
import { Tracer } from '../../src/sim/trace.ts';
import { MS, serializationTime, type Nanos } from '../../src/sim/time.ts';
import { packetBytes, type Packet } from '../../src/wire/segment.ts';
import { HostStack } from '../../src/stack/host-stack.ts';
import type { HostPort } from '../../src/net/host.ts';
import { tcpParams, type TcpParams } from '../../src/tcp/params.ts';

export class FakeNet implements EventHandler<Packet> {
  readonly sim = new Sim();
  readonly tracer = new Tracer();
  readonly stacks = new Map<number, HostStack>();
  /** Per (src, dst) direction: when the sender's line is free again. */
  private busyUntil = new Map<string, Nanos>();
  delivered: Packet[] = [];
  /** Keep delivered packets (off for floods). */
  record = true;
  lost = 0;

  constructor(
    readonly latency: Nanos = 5 * MS,
    readonly bandwidth = 100e6,
  ) {}

  addHost(name: string, address: number, params: Partial<TcpParams> = {}, seed = 1): HostStack {
    const net = this;
    const port: HostPort = {
      name,
      address,
      sim: this.sim,
      tracer: this.tracer,
      send(packet: Packet) {
        net.send(address, packet);
      },
    };
    const stack = new HostStack(port, tcpParams('linux', { timers: 'exact', ...params }), seed); // nominal times
    this.stacks.set(address, stack);
    return stack;
  }

  private send(from: number, packet: Packet): void {
    const key = `${from}>${packet.dst}`;
    const now = this.sim.now;
    const start = Math.max(now, this.busyUntil.get(key) ?? 0);
    const done = start + serializationTime(packetBytes(packet), this.bandwidth);
    this.busyUntil.set(key, done);
    this.sim.at(done + this.latency, this, 0, packet);
  }

  onEvent(_sim: Sim, _tag: number, packet: Packet): void {
    const stack = this.stacks.get(packet.dst);
    if (stack === undefined) {
      this.lost++;
      return;
    }
    if (this.record) this.delivered.push(packet);
    stack.receive(packet);
  }
}
