/**
 * Network benchmark: packets through a 3-hop path (host – r1 – r2 – host) built by buildNetwork
 * with the real links (drop-tail queue, serialization, propagation, loss, forwarding), 1 Gbit/s
 * and 1 ms per link. Workloads:
 *   - paced:  one 1500 B datagram every 12 us (line rate, so no packet waits): one event per hop;
 *   - burst:  all datagrams at t = 0 into a big first queue: every packet waits once;
 *   - lossy:  paced, with 1 % loss and 100 us jitter on every link;
 *   - traced: paced, with a packet-trace subscriber (tx/rx records built and dropped).
 * Rates are delivered packets per wall-clock second, best of 3, and simulation events per second.
 */
import { buildNetwork } from '../src/net/network.ts';
import type { LinkDef, TopologyDef } from '../src/net/topology-def.ts';
import { Sim, type EventHandler } from '../src/sim/simulator.ts';
import { MS, US, type Nanos } from '../src/sim/time.ts';
import { Tracer } from '../src/sim/trace.ts';
import { PROTO_UDP, type Packet } from '../src/wire/segment.ts';
import type { Host } from '../src/net/host.ts';
import { bestOf, formatRate, registerSection } from './registry.ts';

const PACKETS = 200_000;

function pathTopology(extra: Partial<LinkDef>): TopologyDef {
  const link = (a: string, b: string): LinkDef => ({
    a,
    b,
    latency: 1 * MS,
    bandwidth: 1e9,
    loss: 0,
    queue: { packets: PACKETS + 1 },
    jitter: 0,
    reorder: false,
    ...extra,
  });
  return {
    name: 'path3',
    nodes: [
      { name: 'sender', kind: 'host', group: 'sender' },
      { name: 'r1', kind: 'router', group: 'r1' },
      { name: 'r2', kind: 'router', group: 'r2' },
      { name: 'receiver', kind: 'host', group: 'receiver' },
    ],
    links: [link('sender', 'r1'), link('r1', 'r2'), link('r2', 'receiver')],
  };
}

/** Sends `count` datagrams, `interval` apart (all at once if 0). */
class Source implements EventHandler {
  private sent = 0;
  constructor(
    private readonly host: Host,
    private readonly dst: number,
    private readonly count: number,
    private readonly interval: Nanos,
  ) {}
  onEvent(sim: Sim): void {
    const burst = this.interval === 0 ? this.count : 1;
    for (let i = 0; i < burst; i++) this.host.send(datagram(this.host.address, this.dst, this.sent++));
    if (this.sent < this.count) sim.after(this.interval, this);
  }
}

function datagram(src: number, dst: number, n: number): Packet {
  return { src, dst, ttl: 64, id: n & 0xffff, protocol: PROTO_UDP, tcp: null, dataBytes: 1480, annot: 0 };
}

interface Outcome {
  delivered: number;
  events: number;
  wallS: number;
}

function runPath(extra: Partial<LinkDef>, interval: Nanos, traced: boolean): Outcome {
  const sim = new Sim();
  const tracer = new Tracer();
  let records = 0;
  if (traced)
    tracer.subscribe(
      () => {
        records++;
      },
      { packets: true },
    );
  const net = buildNetwork(sim, pathTopology(extra), { seed: 1, tracer });
  const sender = net.hostByName('sender')!;
  const receiver = net.hostByName('receiver')!;
  let delivered = 0;
  receiver.transport = {
    receive: () => {
      delivered++;
    },
  };
  sim.at(0, new Source(sender, receiver.address, PACKETS, interval));
  const t0 = process.hrtime.bigint();
  sim.run();
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (traced && records === 0) throw new Error('trace subscriber saw nothing');
  return { delivered, events: sim.events, wallS };
}

const WORKLOADS: Array<{ name: string; extra: Partial<LinkDef>; interval: Nanos; traced: boolean }> = [
  { name: 'paced', extra: {}, interval: 12 * US, traced: false },
  { name: 'burst', extra: {}, interval: 0, traced: false },
  { name: 'lossy + jitter', extra: { loss: 0.01, jitter: 100 * US }, interval: 12 * US, traced: false },
  { name: 'paced, traced', extra: {}, interval: 12 * US, traced: true },
];

registerSection({
  name: 'network',
  description: 'packets through host – r1 – r2 – host with the real links (1 Gbit/s, 1 ms per link)',
  run(report) {
    const rows = WORKLOADS.map((w) => {
      let last: Outcome = { delivered: 0, events: 0, wallS: 0 };
      const [rate] = bestOf(3, [
        () => {
          last = runPath(w.extra, w.interval, w.traced);
          return last.delivered / last.wallS;
        },
      ]);
      const eventsPerPacket = last.events / PACKETS;
      return {
        workload: w.name,
        packets: PACKETS.toLocaleString('en-US'),
        delivered: last.delivered.toLocaleString('en-US'),
        'events/packet': eventsPerPacket.toFixed(2),
        'packets/s': formatRate(rate!),
        'events/s': formatRate(rate! * (last.events / last.delivered)),
      };
    });
    report.note(
      `${PACKETS.toLocaleString('en-US')} datagrams of 1500 B; packets/s counts delivered datagrams per wall second (best of 3)`,
    );
    report.table(rows);
  },
});
