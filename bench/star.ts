/**
 * The TCP benchmarks' world: a star built by the real network layer (`buildNetwork`: drop-tail
 * links with serialization and propagation, a router forwarding by table) with a real HostStack
 * on every host, exactly as the experiment layer wires them (src/experiment/world.ts), minus apps,
 * metrics and sampler. N clients on 100 Mbps / 5 ms access links to r1, the server on 1 Gbps /
 * 1 ms, and optionally an attacker on 1 Gbps / 2 ms.
 */
import { buildNetwork, type Network } from '../src/net/network.ts';
import type { Host } from '../src/net/host.ts';
import type { LinkDef, NodeDef, TopologyDef } from '../src/net/topology-def.ts';
import type { EventHandler, Sim as SimType } from '../src/sim/simulator.ts';
import { Sim } from '../src/sim/simulator.ts';
import { MS, SEC, type Nanos } from '../src/sim/time.ts';
import { Tracer } from '../src/sim/trace.ts';
import { HostStack } from '../src/stack/host-stack.ts';
import { tcpParams } from '../src/tcp/params.ts';

/** Linux's default txqueuelen: 1000 packets per interface. */
const QUEUE = { packets: 1000 };

function link(a: string, b: string, bandwidth: number, latency: Nanos): LinkDef {
  return { a, b, latency, bandwidth, loss: 0, queue: QUEUE, jitter: 0, reorder: false };
}

/** The star as a TopologyDef: server, r1, client1 … clientN, optionally attacker. */
export function starTopology(n: number, attacker: boolean): TopologyDef {
  const nodes: NodeDef[] = [
    { name: 'server', kind: 'host', group: 'server' },
    { name: 'r1', kind: 'router', group: 'r1' },
  ];
  const links: LinkDef[] = [link('server', 'r1', 1e9, 1 * MS)];
  if (attacker) {
    nodes.push({ name: 'attacker', kind: 'host', group: 'attacker' });
    links.push(link('attacker', 'r1', 1e9, 2 * MS));
  }
  for (let i = 1; i <= n; i++) {
    nodes.push({ name: `client${i}`, kind: 'host', group: 'client' });
    links.push(link(`client${i}`, 'r1', 100e6, 5 * MS));
  }
  return { name: 'bench-star', nodes, links };
}

export class Star {
  readonly sim = new Sim();
  readonly tracer = new Tracer();
  readonly network: Network;
  readonly server: HostStack;
  readonly serverAddr: number;
  readonly clients: HostStack[] = [];
  readonly attacker: Host | null;

  constructor(n: number, options: { attacker?: boolean; seed?: number } = {}) {
    const seed = options.seed ?? 1;
    this.network = buildNetwork(this.sim, starTopology(n, options.attacker ?? false), { seed, tracer: this.tracer });
    const params = tcpParams('linux');
    let server: HostStack | null = null;
    for (const host of this.network.hosts) {
      if (host.name === 'attacker') continue; // sends through its raw path only
      const stack = new HostStack(host, params, seed);
      host.transport = stack;
      if (host.name === 'server') server = stack;
      else this.clients.push(stack);
    }
    this.server = server!;
    this.serverAddr = this.network.addressOf('server');
    this.attacker = options.attacker ? this.network.hostByName('attacker')! : null;
  }

  segments(): { sent: number; retransmitted: number } {
    let sent = this.server.counters.segmentsSent;
    let retransmitted = this.server.counters.segmentsRetransmitted;
    for (const c of this.clients) {
      sent += c.counters.segmentsSent;
      retransmitted += c.counters.segmentsRetransmitted;
    }
    return { sent, retransmitted };
  }
}

/**
 * Memory of a run. Peak RSS is the kernel's high-water mark (getrusage maxrss: nothing is missed
 * between samples); peak heap is heapUsed sampled every simulated second (garbage included, so it
 * moves with GC timing); `live` is heapUsed right after a full GC at `liveAt` (the benchmark picks
 * the moment of peak occupancy), the stable figure for comparing object layouts. The full GC needs
 * node --expose-gc; without it `live` stays 0.
 */
export class MemorySampler implements EventHandler {
  heap = 0;
  live = 0;
  constructor(private readonly liveAt: Nanos = -1) {}
  sample(): void {
    const used = process.memoryUsage().heapUsed;
    if (used > this.heap) this.heap = used;
  }
  get rss(): number {
    return process.resourceUsage().maxRSS * 1024;
  }
  onEvent(sim: SimType, tag: number): void {
    if (tag === LIVE) {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc !== undefined) {
        gc();
        this.live = process.memoryUsage().heapUsed;
      }
      return;
    }
    this.sample();
    if (sim.pending > 0) sim.after(1 * SEC, this);
  }
  start(sim: SimType): void {
    sim.at(0, this);
    if (this.liveAt >= 0) sim.at(this.liveAt, this, LIVE);
  }
}

const LIVE = 1;

/** CPU seconds (user + system) of this process since `since` (process.cpuUsage()), GC threads included. */
export function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

export const MB = 2 ** 20;

/** The star scenario as a user writes it: N clients, one client app over the group. */
export function starScenario(n: number): string {
  return `# Generated by tcplab's benchmarks: the ns-3 comparison's star scenario with ${n} clients.
name: bench-cli-star-${n}
topology: { generator: star, clients: ${n}, latency: 5ms, bandwidth: 100Mbps }
duration: 70s
seed: 1
tcp: { profile: linux }
apps:
  web:   { kind: server, on: server, port: 80, responseBytes: 1000, backlog: 4096 }
  users: { kind: client, on: client, target: server:80, rate: 1/s, arrival: poisson, count: 1, requestBytes: 1000, mode: http1.0 }
`;
}
