/**
 * Memory per connection (issue 14 targets: ≤ 2 KB per established connection, ≤ 1 KB per
 * TIME-WAIT one). One client host opens N connections to one server (the star of bench/star.ts
 * with a single client, so per-host state is paid once and cancels out); the live heap after a
 * full GC, minus the live heap of the same world before the first connection, divided by N:
 *
 * - `established`: every connection ESTABLISHED and idle on both ends (a client socket and a server
 *   socket per connection, one shared handler each side): the figure is per connection, both ends;
 *   half of it per endpoint.
 * - `timewait`: each client sends 1000 B and closes, the server reads to end of stream and closes:
 *   every client endpoint in TIME-WAIT, every server endpoint gone. The figure is one TIME-WAIT
 *   endpoint (its record, socket, flow-table and port-index entries, its one timer event).
 * - `host`: per client host of an experiment world, bench/scenarios/star-10k.yaml (10 000 clients):
 *   the live heap of the built world (host, its link's two directions, stack, client app) and of
 *   the world at 1 s, every connection made and closed (each client then holds one TIME-WAIT
 *   endpoint and what its host learned from it), both over the 10 002 nodes. This is the state a
 *   10k or 100k-host run keeps whatever it does, so it sets much of their peak memory.
 *
 * Run: `npm run bench -- conn-memory` (both, N = 20 000, each in a fresh process, with the targets),
 * or `node --expose-gc --import tsx bench/conn-memory.ts [established|timewait] [N]` (N ≤ 28 000:
 * one host's ephemeral ports toward one server port) or `... bench/conn-memory.ts host`, which
 * prints one JSON line.
 */
import { fileURLToPath } from 'node:url';
import { loadExperiment } from '../src/experiment/load.ts';
import { buildWorld } from '../src/experiment/world.ts';
import type { EventHandler } from '../src/sim/simulator.ts';
import { SEC } from '../src/sim/time.ts';
import type { ListenSocket, SocketHandler, TcpSocket } from '../src/stack/socket-api.ts';
import { Star } from './star.ts';
import { childJson, type BenchReport } from './registry.ts';

type Mode = 'established' | 'timewait' | 'host';

/** Accepts everything; reads to end of stream and closes (timewait), or just holds (established). */
class Server implements SocketHandler {
  constructor(private readonly closeOnEof: boolean) {}
  onAcceptable(l: ListenSocket): void {
    for (let s = l.accept(this); s !== null; s = l.accept(this)) this.onReadable(s);
  }
  onReadable(s: TcpSocket): void {
    for (;;) {
      const n = s.recv(65536);
      if (typeof n !== 'number') return; // EAGAIN
      if (n === 0) {
        if (this.closeOnEof) s.close();
        return;
      }
    }
  }
}

/** Opens one connection per event; holds it (established) or sends 1000 B and closes (timewait). */
class Opener implements SocketHandler, EventHandler {
  opened = 0;
  connected = 0;
  constructor(
    private readonly star: Star,
    private readonly n: number,
    private readonly close: boolean,
  ) {}
  onEvent(): void {
    this.star.clients[0]!.connect(this.star.serverAddr, 80, this);
    if (++this.opened < this.n) this.star.sim.after(100_000, this); // 10 000 connections per simulated second
  }
  onConnected(s: TcpSocket): void {
    this.connected++;
    if (!this.close) return;
    s.send(1000);
    s.close();
  }
}

function liveHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function measure(mode: Mode, n: number): Record<string, number | string> {
  const star = new Star(1);
  star.server.listen(80, new Server(mode === 'timewait'), 65535);
  const opener = new Opener(star, n, mode === 'timewait');
  const before = liveHeap();
  star.sim.at(0, opener);
  // All opened by n / 10 000 s; the last handshake and teardown take a few ms more. TIME-WAIT lasts 60 s.
  const at = Math.ceil(n / 10_000) * SEC + 1 * SEC;
  star.sim.run({ until: at });
  const after = liveHeap();
  const stats = star.clients[0]!.stats();
  const bytes = (after - before) / n;
  return {
    mode,
    n,
    connected: opener.connected,
    established: stats.established,
    time_wait: stats.timeWait,
    bytes_per_connection: Math.round(bytes),
    ...(mode === 'established' ? { bytes_per_endpoint: Math.round(bytes / 2) } : {}),
  };
}

const STAR_10K = fileURLToPath(new URL('scenarios/star-10k.yaml', import.meta.url));

/** Live heap per node of the star-10k world: built, and at 1 s (every client in TIME-WAIT). */
function measureHosts(): Record<string, number | string> {
  const loaded = loadExperiment(STAR_10K);
  if (!loaded.ok) throw new Error(`${STAR_10K} did not load`);
  const spec = loaded.value.runs[0]!.spec;
  const nodes = spec.topology.nodes.length;
  const before = liveHeap();
  const world = buildWorld(spec, 1);
  const built = liveHeap();
  world.sim.run({ until: 1 * SEC });
  const after = liveHeap();
  return {
    mode: 'host',
    n: nodes,
    bytes_per_host_built: Math.round((built - before) / nodes),
    bytes_per_host_at_1s: Math.round((after - before) / nodes),
    events: world.sim.events,
  };
}

/** One measurement in a fresh node process with the collector exposed (`n` connections, not for `host`); its JSON line. */
function inChild(mode: Mode, n?: number): Record<string, string | number> {
  return childJson(fileURLToPath(import.meta.url), n === undefined ? [mode] : [mode, String(n)], true);
}

/** For bench/run.ts: `npm run bench -- conn-memory`. */
export const connMemorySection = {
  name: 'conn-memory',
  description:
    'live heap per connection, 20 000 of them: ESTABLISHED (per endpoint) and TIME-WAIT; per host of star-10k',
  run(report: BenchReport) {
    const est = inChild('established', 20_000);
    const tw = inChild('timewait', 20_000);
    report.table([est, tw]);
    report.table([inChild('host')]);
    const perEndpoint = Number(est.bytes_per_endpoint);
    const perTimeWait = Number(tw.bytes_per_connection);
    const verdict = (b: number, limit: number): string => (b <= limit ? 'met' : 'MISSED');
    report.note(
      `established endpoint ${perEndpoint} B (target <= 2048 B: ${verdict(perEndpoint, 2048)}); ` +
        `TIME-WAIT endpoint ${perTimeWait} B (target <= 1024 B: ${verdict(perTimeWait, 1024)})`,
    );
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = (process.argv[2] ?? 'timewait') as Mode;
  if (mode === 'host') console.log(JSON.stringify(measureHosts()));
  else if (mode === 'established' || mode === 'timewait')
    console.log(JSON.stringify(measure(mode, Number(process.argv[3] ?? 20_000))));
  else throw new Error('mode: established, timewait or host');
}
