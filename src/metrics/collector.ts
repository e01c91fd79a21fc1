/**
 * Turns what applications observe (socket outcomes, via AppReporter) into the run's metrics
 * (docs/design.md part 2), and writes their notes to the trace stream. Counters from stacks
 * (TIME-WAIT among them), listeners and the network are read at the end through `finish` inputs;
 * nothing here reaches into the engine.
 */
import type { AppReporter } from '../apps/context.ts';
import type { AppNote, AppNoteFields, AppRecord } from '../schema/trace.ts';
import type { Tracer } from '../sim/trace.ts';
import { MS, type Nanos } from '../sim/time.ts';
import type { ListenerSnapshot, StackStats } from '../stack/socket-api.ts';
import type { Errno } from '../tcp/api.ts';
import type { MetricValues } from '../schema/results.ts';
import { Distribution, round } from './distribution.ts';

const COUNTED_ERRORS = ['ETIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'EADDRNOTAVAIL'] as const;
/** Errors that come only from ICMP (icmp-error.ts): reported when they happened, so runs without ICMP keep their metrics. */
const ICMP_ERRORS = ['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENONET', 'ENOPROTOOPT'] as const;

/** Network-wide packet counters (from src/net), read once at the end. */
export interface NetworkCounts {
  sent: number;
  droppedLoss: number;
  droppedQueue: number;
  droppedNoRoute: number;
}

/**
 * TIME-WAIT as the hosts counted it (src/tcp/host-tcp.ts HostTcp, the one place it is counted): each
 * node's most at once, and the most over all nodes at once.
 */
export interface TimeWaitPeaks {
  byNode: ReadonlyMap<string, number>;
  total: number;
}

export interface FinishInputs {
  stacks: StackStats[];
  timeWait: TimeWaitPeaks;
  listeners: ListenerSnapshot[];
  network: NetworkCounts;
  events: number;
  simTime: Nanos;
}

export class MetricsCollector implements AppReporter {
  private attempted = 0;
  private established = 0;
  private failed = 0;
  private reset = 0;
  /** Established connections that later died with an error (reset, or data/keepalive timeout). */
  private lost = 0;
  private errors = new Map<string, number>();
  readonly handshake = new Distribution();
  readonly request = new Distribution();
  readonly page = new Distribution();
  /** HTTP/2 streams' head-of-line delay. */
  readonly hol = new Distribution();
  readonly bulk = new Distribution();
  private goodputs = new Distribution();

  /** Apps whose outcomes count (clients, not attackers). */
  constructor(
    private readonly tracer: Tracer,
    private readonly countedApps: ReadonlySet<string>,
  ) {}

  /** Set by the run so `note` can stamp records with the simulated time. */
  now: () => Nanos = () => 0;

  connectAttempted(app: string, _node: string): void {
    if (this.countedApps.has(app)) this.attempted++;
  }
  connected(app: string, _node: string, handshake: Nanos): void {
    if (!this.countedApps.has(app)) return;
    this.established++;
    this.handshake.add(handshake / MS);
  }
  connectFailed(app: string, _node: string, errno: Errno): void {
    if (!this.countedApps.has(app)) return;
    this.failed++;
    this.errors.set(errno, (this.errors.get(errno) ?? 0) + 1);
  }
  connectionLost(app: string, _node: string, errno: Errno): void {
    if (!this.countedApps.has(app)) return;
    this.lost++;
    if (errno === 'ECONNRESET') this.reset++;
    this.errors.set(errno, (this.errors.get(errno) ?? 0) + 1);
  }
  requestCompleted(app: string, _node: string, duration: Nanos): void {
    if (this.countedApps.has(app)) this.request.add(duration / MS);
  }
  headOfLineDelay(app: string, _node: string, duration: Nanos): void {
    if (this.countedApps.has(app)) this.hol.add(duration / MS);
  }
  pageCompleted(app: string, _node: string, duration: Nanos): void {
    if (this.countedApps.has(app)) this.page.add(duration / MS);
  }
  bulkCompleted(app: string, _node: string, bytes: number, duration: Nanos): void {
    if (!this.countedApps.has(app)) return;
    this.bulk.add(duration / MS);
    this.goodputs.add((bytes * 8) / (duration / 1e3)); // bits per microsecond = Mbit/s
  }
  note<W extends AppNote>(app: string, node: string, what: W, fields?: AppNoteFields<W>): void {
    // AppNoteFields<W> is the AppRecord member named by `what`; TypeScript cannot follow a generic into the union.
    if (this.tracer.events) this.tracer.emit({ t: this.now(), node, ev: 'app', app, what, ...fields } as AppRecord);
  }

  finish(inputs: FinishInputs): MetricValues {
    const m: Record<string, number | null> = {};
    m['connections.attempted'] = this.attempted;
    m['connections.established'] = this.established;
    m['connections.failed'] = this.failed;
    m['connections.reset'] = this.reset;
    m['connections.lost'] = this.lost;
    // A success is a connection that was established and not later lost to an error: a client
    // whose handshake completed but whose half-open entry the server had already recycled gets a
    // RST on its first data (RFC 4987 3.5), and that is no service. Connections still opening
    // when the run ends count as not (yet) successful.
    m['connections.success_ratio'] = this.attempted > 0 ? round((this.established - this.lost) / this.attempted) : null;
    for (const e of COUNTED_ERRORS) m[`connect_errors.${e}`] = this.errors.get(e) ?? 0;
    for (const e of ICMP_ERRORS) if (this.errors.has(e)) m[`connect_errors.${e}`] = this.errors.get(e)!;
    this.handshake.summarize('handshake_ms', m);
    this.request.summarize('request_ms', m);
    if (this.page.count > 0) this.page.summarize('page_ms', m);
    if (this.hol.count > 0) this.hol.summarize('hol_ms', m);
    if (this.bulk.count > 0) {
      this.bulk.summarize('bulk_ms', m);
      this.goodputs.summarize('bulk_goodput_mbps', m);
    }

    const L = inputs.listeners;
    m['syn_queue.capacity'] = max(L.map((l) => l.synQueueCapacity));
    m['syn_queue.peak'] = max(L.map((l) => l.synQueuePeak));
    m['syn_queue.drops'] = sum(L.map((l) => l.synQueueDrops));
    m['accept_queue.capacity'] = max(L.map((l) => l.acceptQueueCapacity));
    m['accept_queue.peak'] = max(L.map((l) => l.acceptQueuePeak));
    m['accept_queue.drops'] = sum(L.map((l) => l.acceptQueueDrops));
    m['syn_cookies.sent'] = sum(L.map((l) => l.cookiesSent));
    m['syn_cookies.accepted'] = sum(L.map((l) => l.cookiesAccepted));
    // TCP Fast Open (RFC 7413): the clients' side from the stacks, the TFO queue from listeners.
    const S = inputs.stacks;
    m['tfo.requested'] = sum(S.map((s) => s.fastOpenRequested ?? 0));
    m['tfo.accepted'] = sum(S.map((s) => s.fastOpenAccepted ?? 0));
    m['tfo.fallback'] = sum(S.map((s) => s.fastOpenFallback ?? 0));
    m['tfo_queue.capacity'] = max(L.map((l) => l.fastOpenQueueCapacity ?? 0));
    m['tfo_queue.peak'] = max(L.map((l) => l.fastOpenQueuePeak ?? 0));
    m['tfo_queue.drops'] = sum(L.map((l) => l.fastOpenQueueDrops ?? 0));

    const tw = inputs.timeWait;
    m['time_wait.peak'] = max([...tw.byNode.values()]);
    m['time_wait.peak_total'] = tw.total;

    m['segments.sent'] = sum(inputs.stacks.map((s) => s.segmentsSent));
    m['segments.retransmitted'] = sum(inputs.stacks.map((s) => s.segmentsRetransmitted));
    m['segments.dropped_loss'] = inputs.network.droppedLoss;
    m['segments.dropped_queue'] = inputs.network.droppedQueue;
    m['sim.events'] = inputs.events;
    m['sim.sim_s'] = round(inputs.simTime / 1e9);
    return { ...m, 'time_wait.peak_node': peakNode(tw.byNode) };
  }
}

/** The node that held the most TIME-WAIT sockets at once (ties: first by name); '' when none did. */
function peakNode(byNode: ReadonlyMap<string, number>): string {
  let best = '';
  let bestValue = 0;
  for (const [node, v] of [...byNode].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (v > bestValue) {
      best = node;
      bestValue = v;
    }
  }
  return best;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
function max(xs: number[]): number {
  return xs.reduce((a, b) => Math.max(a, b), 0);
}
