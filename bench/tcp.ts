/**
 * TCP stack benchmarks.
 *
 * `tcp-handshakes`: a star, N clients (100 Mbps / 5 ms access links) each connect once to one
 * server (1 Gbps / 1 ms link), send 1000 B and close; the run lasts until every TIME-WAIT has
 * expired. Reports wall time, sim events, segments and memory for N = 1k, 10k, 100k (100k in a
 * child process so its memory is measured alone). Reference: ns-3.48 needs 97–103 s and 596 MB
 * for N = 10k.
 *
 * `tcp-synflood`: 60 s of spoofed SYNs at 100k/s against a 4096 backlog (Linux defaults, SYN
 * cookies on): wall time, events and memory, which must be bounded by the backlog.
 *
 * The star is modelled here by a minimal store-and-forward wire (FIFO serialization + latency per
 * link direction, no loss) so the numbers measure the TCP stack and engine, not the link model.
 *
 * Run: `npx tsx bench/tcp.ts [handshakes|synflood] [N...]`, or through bench/run.ts (tcpSections).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Sim, type EventHandler } from '../src/sim/simulator.ts';
import { Tracer } from '../src/sim/trace.ts';
import { MS, SEC, serializationTime, type Nanos } from '../src/sim/time.ts';
import { PROTO_TCP, SYN, packetBytes, type Packet } from '../src/wire/segment.ts';
import { HostStack } from '../src/stack/host-stack.ts';
import type { ListenSocket, SocketHandler, TcpSocket } from '../src/stack/socket-api.ts';
import { tcpParams, type TcpParams } from '../src/tcp/params.ts';

const SERVER_ADDR = 0x0a000001;
const CLIENT_BASE = 0x0a010000;
const ATTACKER_ADDR = 0x0a000002;

interface Receiver { receive(packet: Packet): void }

/** One direction of a link: FIFO serialization, then propagation; one event per packet. */
class LinkDir implements EventHandler {
  private busyUntil: Nanos = 0;
  constructor(private readonly sim: Sim, private readonly bps: number, private readonly latency: Nanos, private readonly far: Receiver) {}
  send(packet: Packet): void {
    const now = this.sim.now;
    const start = this.busyUntil > now ? this.busyUntil : now;
    this.busyUntil = start + serializationTime(packetBytes(packet), this.bps);
    this.sim.at(this.busyUntil + this.latency, this, 0, packet);
  }
  onEvent(_sim: Sim, _tag: number, data: unknown): void {
    this.far.receive(data as Packet);
  }
}

/** The star's router: forwards by destination address; unknown destinations (spoofed) vanish. */
class Router implements Receiver {
  serverDown!: LinkDir;
  clientDown: LinkDir[] = [];
  dropped = 0;
  receive(packet: Packet): void {
    if (packet.dst === SERVER_ADDR) this.serverDown.send(packet);
    else {
      const i = packet.dst - CLIENT_BASE; // bounds first: an out-of-range index is a slow lookup
      if (i >= 0 && i < this.clientDown.length) this.clientDown[i]!.send(packet);
      else this.dropped++;
    }
  }
}

class Star {
  readonly sim = new Sim();
  readonly tracer = new Tracer();
  readonly router = new Router();
  readonly server: HostStack;
  readonly clients: HostStack[] = [];

  constructor(n: number, params: TcpParams) {
    const { sim, router } = this;
    this.server = this.host('server', SERVER_ADDR, 1e9, 1 * MS, params, (s) => { router.serverDown = new LinkDir(sim, 1e9, 1 * MS, s); });
    for (let i = 0; i < n; i++) {
      this.clients.push(this.host(`client${i + 1}`, CLIENT_BASE + i, 100e6, 5 * MS, params, (s) => { router.clientDown[i] = new LinkDir(sim, 100e6, 5 * MS, s); }));
    }
  }

  host(name: string, address: number, bps: number, latency: Nanos, params: TcpParams, attach: (s: HostStack) => void): HostStack {
    const up = new LinkDir(this.sim, bps, latency, this.router);
    const stack = new HostStack({ name, address, sim: this.sim, tracer: this.tracer, send: (p) => up.send(p) }, params, 1);
    attach(stack);
    return stack;
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

/** The server: accepts everything, reads to end of stream, closes. One handler for all sockets. */
class SinkServer implements SocketHandler {
  completed = 0;
  onAcceptable(l: ListenSocket): void {
    for (let s = l.accept(this); s !== null; s = l.accept(this)) this.onReadable(s);
  }
  onReadable(s: TcpSocket): void {
    for (;;) {
      let n: number;
      try { n = s.recv(65536); } catch { return; } // EAGAIN
      if (n === 0) { s.close(); this.completed++; return; }
    }
  }
}

/** A client: connect at its start time, send 1000 B, close. One object per client, no closures. */
class OneShotClient implements SocketHandler, EventHandler {
  connected = false;
  constructor(private readonly stack: HostStack) {}
  onEvent(): void {
    this.stack.connect(SERVER_ADDR, 80, this);
  }
  onConnected(s: TcpSocket): void {
    this.connected = true;
    s.send(1000);
    s.close();
  }
}

/** Peak RSS / heap sampled every simulated second. */
class MemorySampler implements EventHandler {
  rss = 0;
  heap = 0;
  constructor(private readonly sim: Sim) {}
  sample(): void {
    const m = process.memoryUsage();
    if (m.rss > this.rss) this.rss = m.rss;
    if (m.heapUsed > this.heap) this.heap = m.heapUsed;
  }
  onEvent(): void {
    this.sample();
    if (this.sim.pending > 0) this.sim.after(1 * SEC, this);
  }
}

export interface HandshakeResult { n: number; wall_s: number; events: number; segments: number; retransmitted: number; connected: number; served: number; time_wait_peak: number; rss_mb: number; heap_mb: number; sim_s: number }

export function runHandshakes(n: number): HandshakeResult {
  const params = tcpParams('linux');
  const t0 = process.hrtime.bigint();
  const star = new Star(n, params);
  const server = new SinkServer();
  star.server.listen(80, server, 4096);
  const clients = star.clients.map((c) => new OneShotClient(c));
  // arrivals spread evenly over the first second
  clients.forEach((c, i) => star.sim.at(Math.floor((i * SEC) / n), c));
  const mem = new MemorySampler(star.sim);
  star.sim.at(0, mem);
  star.sim.run();
  mem.sample();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const seg = star.segments();
  let twPeak = 0;
  for (const c of star.clients) twPeak += c.counters.timeWaitPeak;
  return {
    n, wall_s: +wall.toFixed(2), events: star.sim.events, segments: seg.sent, retransmitted: seg.retransmitted,
    connected: clients.filter((c) => c.connected).length, served: server.completed, time_wait_peak: twPeak,
    rss_mb: Math.round(mem.rss / 2 ** 20), heap_mb: Math.round(mem.heap / 2 ** 20), sim_s: +(star.sim.now / SEC).toFixed(1),
  };
}

/** Spoofed SYNs through the attacker's raw socket, one sim event per SYN. */
class Flood implements EventHandler {
  sent = 0;
  private seed = 12345;
  constructor(private readonly sim: Sim, private readonly send: (p: Packet) => void, private readonly interval: Nanos, private readonly count: number) {}
  onEvent(): void {
    const r = (this.seed = (Math.imul(this.seed, 1664525) + 1013904223) >>> 0);
    this.send({
      src: (0xc6120000 + (r & 0x1ffff)) >>> 0, dst: SERVER_ADDR, ttl: 64, id: this.sent & 0xffff, protocol: PROTO_TCP,
      tcp: { srcPort: 1024 + (r >>> 17) % 64000, dstPort: 80, seq: Math.imul(r, 2654435761) >>> 0, ack: 0, flags: SYN, window: 64240, urgent: 0, options: { mss: 1460 }, len: 0, payload: null },
      dataBytes: 0, annot: 0,
    });
    if (++this.sent < this.count) this.sim.after(this.interval, this);
  }
}

export interface FloodResult { syn_per_s: number; sim_s: number; wall_s: number; events: number; syns: number; syn_queue_peak: number; cookies_sent: number; max_pending: number; rss_mb: number; heap_mb: number }

export function runFlood(rate = 100_000, seconds = 60): FloodResult {
  const params = tcpParams('linux');
  const t0 = process.hrtime.bigint();
  const star = new Star(0, params);
  const attackerUp = new LinkDir(star.sim, 1e9, 2 * MS, star.router);
  const listener = star.server.listen(80, new SinkServer(), 4096);
  const flood = new Flood(star.sim, (p) => attackerUp.send(p), SEC / rate, rate * seconds);
  star.sim.at(0, flood);
  const mem = new MemorySampler(star.sim);
  star.sim.at(0, mem);
  let maxPending = 0;
  const probe: EventHandler = { onEvent(sim) { if (sim.pending > maxPending) maxPending = sim.pending; if (sim.now < seconds * SEC) sim.after(10 * MS, probe); } };
  star.sim.at(0, probe);
  star.sim.run({ until: (seconds + 1) * SEC });
  mem.sample();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const st = listener.stats();
  return {
    syn_per_s: rate, sim_s: seconds, wall_s: +wall.toFixed(2), events: star.sim.events, syns: flood.sent,
    syn_queue_peak: st.synQueuePeak, cookies_sent: st.cookiesSent, max_pending: maxPending,
    rss_mb: Math.round(mem.rss / 2 ** 20), heap_mb: Math.round(mem.heap / 2 ** 20),
  };
}

/** Runs one measurement in a fresh node process (so its memory is its own) and returns its JSON line. */
function inChild(kind: 'handshakes' | 'synflood', arg: number): Record<string, string | number> {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', kind, String(arg)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, string | number>;
}

function engineReady(): boolean {
  const star = new Star(1, tcpParams('linux'));
  const s = star.clients[0]!.connect(SERVER_ADDR, 80, {});
  return s.state === 'SYN_SENT';
}

/** What bench/registry.ts's BenchReport offers (structural, so this file stands on its own). */
interface BenchReport {
  table(rows: Array<Record<string, string | number>>): void;
  note(text: string): void;
}

/**
 * The sections for bench/run.ts's registry:
 * `import { tcpSections } from './tcp.ts'; tcpSections.forEach(registerSection);`
 */
export const tcpSections = [{
  name: 'tcp-handshakes',
  description: 'N clients connect once, send 1000 B, close; run until TIME-WAIT expires (ns-3.48: 97–103 s, 596 MB at N = 10k)',
  run(report: BenchReport) {
    if (!engineReady()) {
      report.note('skipped: the connection engine (src/tcp/connection.ts) does not open connections yet');
      return;
    }
    report.table([1_000, 10_000, 100_000].map((n) => inChild('handshakes', n)));
  },
}, {
  name: 'tcp-synflood',
  description: '60 s of spoofed SYNs at 100k/s against listen(4096), SYN cookies on (memory bounded by the backlog)',
  run(report: BenchReport) {
    report.table([inChild('synflood', 100_000)]);
  },
}];

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
    const rows = which === 'synflood'
      ? [inChild('synflood', ns[0] ?? 100_000)]
      : (ns.length > 0 ? ns : [1_000, 10_000]).map((n) => inChild('handshakes', n));
    for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
  }
}
