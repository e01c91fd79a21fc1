/**
 * TCP benchmarks on the whole model: the star of bench/star.ts (real links, router and HostStacks
 * from `buildNetwork`, as experiments build them), no apps or metrics layer.
 *
 * `tcp-handshakes`: N clients (100 Mbps / 5 ms access links) each connect once to one server
 * (1 Gbps / 1 ms link), arrivals spread over the first second, send 1000 B and close; the server
 * reads to end of stream and closes; the run lasts until every TIME-WAIT has expired. Wall time,
 * sim events, segments and peak memory for N = 1k, 10k, 100k, each in its own node process.
 * Reference: ns-3.48 needs 97–103 s and 596 MB for N = 10k.
 *
 * `tcp-synflood`: 60 s of spoofed SYNs at 100k/s from an attacker host (1 Gbps / 2 ms) against
 * listen(4096), Linux defaults (SYN cookies on): wall time, events and memory, which must be
 * bounded by the backlog, not the attack volume.
 *
 * Run: `npx tsx bench/tcp.ts [handshakes|synflood] [N...]`, or through bench/run.ts (tcpSections).
 */
import { fileURLToPath } from 'node:url';
import type { Host } from '../src/net/host.ts';
import { Rng } from '../src/sim/rng.ts';
import type { EventHandler, Sim } from '../src/sim/simulator.ts';
import { MS, SEC, type Nanos } from '../src/sim/time.ts';
import type { HostStack } from '../src/stack/host-stack.ts';
import { orThrow, type ListenSocket, type SocketHandler, type TcpSocket } from '../src/stack/socket-api.ts';
import { PROTO_TCP, SYN } from '../src/wire/segment.ts';
import { MB, MemorySampler, Star, cpuSeconds } from './star.ts';
import { childJson, type BenchReport } from './registry.ts';

/** The server: accepts everything, reads to end of stream, closes. One handler for all sockets. */
class SinkServer implements SocketHandler {
  completed = 0;
  onAcceptable(l: ListenSocket): void {
    for (let s = l.accept(this); s !== null; s = l.accept(this)) this.onReadable(s);
  }
  onReadable(s: TcpSocket): void {
    for (;;) {
      const n = s.recv(65536);
      if (typeof n !== 'number') return; // EAGAIN
      if (n === 0) {
        s.close();
        this.completed++;
        return;
      }
    }
  }
}

/** A client: connect at its start time, send 1000 B, close. One object per client, no closures. */
class OneShotClient implements SocketHandler, EventHandler {
  connected = false;
  constructor(
    private readonly stack: HostStack,
    private readonly server: number,
  ) {}
  onEvent(): void {
    orThrow(this.stack.connect(this.server, 80, this));
  }
  onConnected(s: TcpSocket): void {
    this.connected = true;
    s.send(1000);
    s.close();
  }
}

export interface HandshakeResult {
  n: number;
  wall_s: number;
  cpu_s: number;
  build_s: number;
  events: number;
  segments: number;
  retransmitted: number;
  connected: number;
  served: number;
  time_wait_peak: number;
  rss_mb: number;
  heap_mb: number;
  live_mb: number;
  sim_s: number;
}

export function runHandshakes(n: number): HandshakeResult {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const star = new Star(n);
  const server = new SinkServer();
  orThrow(star.server.listen(80, server, 4096));
  const clients = star.clients.map((c) => new OneShotClient(c, star.serverAddr));
  // arrivals spread evenly over the first second
  for (let i = 0; i < n; i++) star.sim.at(Math.floor((i * SEC) / n), clients[i]!);
  // Live heap at 30 s: every connection has ended, every client is in TIME-WAIT (peak occupancy).
  const mem = new MemorySampler(30 * SEC);
  mem.start(star.sim);
  const built = process.hrtime.bigint();
  star.sim.run();
  mem.sample();
  const t1 = process.hrtime.bigint();
  const seg = star.segments();
  let twPeak = 0;
  for (const c of star.clients) twPeak += c.timeWaitPeak;
  return {
    n,
    wall_s: +(Number(t1 - t0) / 1e9).toFixed(2),
    cpu_s: +cpuSeconds(cpu0).toFixed(2),
    build_s: +(Number(built - t0) / 1e9).toFixed(2),
    events: star.sim.events,
    segments: seg.sent,
    retransmitted: seg.retransmitted,
    connected: clients.filter((c) => c.connected).length,
    served: server.completed,
    time_wait_peak: twPeak,
    rss_mb: Math.round(mem.rss / MB),
    heap_mb: Math.round(mem.heap / MB),
    live_mb: Math.round(mem.live / MB),
    sim_s: +(star.sim.now / SEC).toFixed(1),
  };
}

/** Spoofed SYNs (sources in 198.18.0.0/15) sent by the attacker host, one sim event per SYN. */
class Flood implements EventHandler {
  sent = 0;
  private readonly rng = new Rng(1, 'bench:flood');
  constructor(
    private readonly host: Host,
    private readonly target: number,
    private readonly interval: Nanos,
    private readonly count: number,
  ) {}
  onEvent(sim: Sim): void {
    const rng = this.rng;
    this.host.send({
      src: (0xc6120000 + rng.int(0x20000)) >>> 0,
      dst: this.target,
      ttl: 64,
      id: this.sent & 0xffff,
      protocol: PROTO_TCP,
      tcp: {
        srcPort: rng.range(1024, 65535),
        dstPort: 80,
        seq: rng.nextU32(),
        ack: 0,
        flags: SYN,
        window: 64240,
        urgent: 0,
        options: { mss: 1460 },
        len: 0,
        payload: null,
      },
      dataBytes: 0,
      annot: 0,
    });
    if (++this.sent < this.count) sim.after(this.interval, this);
  }
}

export interface FloodResult {
  syn_per_s: number;
  sim_s: number;
  wall_s: number;
  cpu_s: number;
  events: number;
  syns: number;
  syn_queue_peak: number;
  cookies_sent: number;
  no_route: number;
  max_pending: number;
  rss_mb: number;
  heap_mb: number;
}

export function runFlood(rate = 100_000, seconds = 60): FloodResult {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const star = new Star(0, { attacker: true });
  const listener = orThrow(star.server.listen(80, new SinkServer(), 4096));
  const flood = new Flood(star.attacker!, star.serverAddr, SEC / rate, rate * seconds);
  star.sim.at(0, flood);
  const mem = new MemorySampler();
  mem.start(star.sim);
  let maxPending = 0;
  const probe: EventHandler = {
    onEvent(sim) {
      if (sim.pending > maxPending) maxPending = sim.pending;
      if (sim.now < seconds * SEC) sim.after(10 * MS, probe);
    },
  };
  star.sim.at(0, probe);
  star.sim.run({ until: (seconds + 1) * SEC });
  mem.sample();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const st = listener.stats();
  return {
    syn_per_s: rate,
    sim_s: seconds,
    wall_s: +wall.toFixed(2),
    cpu_s: +cpuSeconds(cpu0).toFixed(2),
    events: star.sim.events,
    syns: flood.sent,
    syn_queue_peak: st.synQueuePeak,
    cookies_sent: st.cookiesSent,
    no_route: star.network.counters.droppedNoRoute,
    max_pending: maxPending,
    rss_mb: Math.round(mem.rss / MB),
    heap_mb: Math.round(mem.heap / MB),
  };
}

/** Runs one measurement in a fresh node process (so its memory is its own) and returns its JSON line. */
function inChild(kind: 'handshakes' | 'synflood', arg: number): Record<string, string | number> {
  return childJson(fileURLToPath(import.meta.url), ['--child', kind, String(arg)], true);
}

/**
 * The sections for bench/run.ts's registry:
 * `import { tcpSections } from './tcp.ts'; tcpSections.forEach(registerSection);`
 */
export const tcpSections = [
  {
    name: 'tcp-handshakes',
    description:
      'N clients connect once, send 1000 B, close; run until TIME-WAIT expires (ns-3.48: 97–103 s, 596 MB at N = 10k)',
    run(report: BenchReport) {
      const rows = [1_000, 10_000, 100_000].map((n) => inChild('handshakes', n));
      report.table(rows);
      const w10k = Number(rows[1]!.wall_s),
        w100k = Number(rows[2]!.wall_s);
      report.note(
        `N = 10k: ${w10k} s (target <= 2 s), ${rows[1]!.rss_mb} MB RSS (target <= 200 MB); N = 100k / N = 10k: ${(w100k / w10k).toFixed(1)}x (target <= 12x)`,
      );
    },
  },
  {
    name: 'tcp-synflood',
    description: '60 s of spoofed SYNs at 100k/s against listen(4096), SYN cookies on (memory bounded by the backlog)',
    run(report: BenchReport) {
      report.table([inChild('synflood', 100_000)]);
    },
  },
];

// Direct use: `tsx bench/tcp.ts [handshakes|synflood] [N]`, and the child-process protocol.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const arg = Number(args[2]);
    const result = args[1] === 'synflood' ? runFlood(arg) : runHandshakes(arg);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const which = args[0] ?? 'synflood';
    const ns = args.slice(1).map(Number);
    const rows =
      which === 'synflood'
        ? [inChild('synflood', ns[0] ?? 100_000)]
        : (ns.length > 0 ? ns : [1_000, 10_000]).map((n) => inChild('handshakes', n));
    for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
  }
}
