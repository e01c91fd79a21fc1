/**
 * A rough cost estimate of a batch, made before it runs, so a spec that would take hours
 * (`duration: 2000h`, `rate: 1e9/s`, `sampleInterval: 1us`) says so instead of silently working.
 * The estimate counts packets and what each costs: a link carries a packet in one event, so a
 * packet costs one event per link on its path. A connection is its handshake and teardown (seven
 * packets), each request its request and response segments and about one ACK per two segments; a
 * flood SYN costs about 4 events, a bulk transfer's segment one event per link plus half an ACK's,
 * one sample one event. Checked against real runs within a factor of 2 (test/security/cost.test.ts);
 * throughput is taken as 100 000 events per second of wall time, the low end of what was measured
 * (55 000 - 350 000).
 */
import { SEC, formatDuration, type Nanos } from '../sim/time.ts';
import type { ClientApp } from '../apps/app-specs.ts';
import type { TopologyDef } from '../net/topology-def.ts';
import { NodeIndex, serverFor } from './node-index.ts';
import type { ExperimentSpec, RunSpec } from './spec-types.ts';

/** SYN, SYN-ACK, ACK; FIN, ACK each way. */
const PACKETS_PER_CONNECTION = 7;
/** HTTP/2 adds its preface and SETTINGS exchange to a connection. */
const PACKETS_PER_H2_CONNECTION = 4;
/** Payload bytes per segment (a 1500-byte MTU with timestamps). */
const SEGMENT_BYTES = 1448;
const EVENTS_PER_FLOOD_SYN = 4;
export const EVENTS_PER_WALL_SECOND = 100_000;
/** About one trace line per event, ~120 bytes each. */
const TRACE_BYTES_PER_EVENT = 120;
/** Bytes per timeseries.csv row. */
const ROW_BYTES = 30;

/** Part of a run's estimated events, taken as spread evenly over simulated time [from, to] (ns). */
export interface WorkSpan {
  from: Nanos;
  to: Nanos;
  events: number;
}

export interface CostEstimate {
  runs: number;
  events: number;
  timeseriesRows: number;
  traceBytes: number;
  wallSeconds: number;
  /** The largest contributions, for the message: "apps.flood: 3.6e12 SYNs". */
  drivers: string[];
}

/**
 * What the estimate reads off a topology: its nodes by name and group, and the links between pairs
 * of nodes found so far. Kept per topology, since the runs of a sweep usually share theirs: one
 * index and one path search for the batch, not one per run.
 */
interface TopologyFacts {
  topology: TopologyDef;
  nodes: NodeIndex;
  /** Links on the path, by `from` and `to` joined with a newline. */
  pathLinks: Map<string, number>;
}
const topologies = new WeakMap<TopologyDef, TopologyFacts>();

function factsOf(topology: TopologyDef): TopologyFacts {
  let facts = topologies.get(topology);
  if (facts === undefined)
    topologies.set(topology, (facts = { topology, nodes: new NodeIndex(topology.nodes), pathLinks: new Map() }));
  return facts;
}

/**
 * Links from the first node of `from` (a node or a group) to node `to`, breadth first through any
 * node (routing's least-latency path may be longer; the estimate is rough); 1 when there is no path
 * (the run then fails on it, and costs little).
 */
function linksBetween(facts: TopologyFacts, from: string, to: string): number {
  const key = `${from}\n${to}`;
  let links = facts.pathLinks.get(key);
  if (links === undefined)
    facts.pathLinks.set(key, (links = searchLinks(facts.topology, facts.nodes.members(from)[0], to)));
  return links;
}

/** Breadth first, a pass over the link list per hop (a path is a few links; no adjacency built). */
function searchLinks(topology: TopologyDef, start: string | undefined, to: string): number {
  if (start === undefined || start === to) return 1;
  const seen = new Set([start]);
  let frontier = new Set([start]);
  for (let hops = 1; frontier.size > 0 && hops <= MAX_PATH_LINKS; hops++) {
    const ahead = new Set<string>();
    for (const { a, b } of topology.links) {
      const next = frontier.has(a) ? b : frontier.has(b) ? a : undefined;
      if (next === undefined || seen.has(next)) continue;
      if (next === to) return hops;
      seen.add(next);
      ahead.add(next);
    }
    frontier = ahead;
  }
  return 1;
}
/** Paths longer than this are counted as one link (the estimate is rough; such paths are rare). */
const MAX_PATH_LINKS = 64;

const segments = (bytes: number): number => Math.max(1, Math.ceil(bytes / SEGMENT_BYTES));

/**
 * One client instance's connections and the events they cost: http1.0 opens a connection per
 * object, keepalive and pipelined a pool of `connections` reused across pages, h2 one.
 */
function clientCost(
  spec: ExperimentSpec,
  facts: TopologyFacts,
  app: ClientApp,
  pages: number,
): { connections: number; events: number } {
  const server = serverFor(spec, facts.nodes, app);
  const requests = pages * app.objects;
  const connections =
    app.mode === 'http1.0' ? requests : app.mode === 'h2' ? Math.min(1, requests) : Math.min(app.connections, requests);
  const exchange = segments(app.requestBytes) + segments(server?.responseBytes ?? 1000);
  const packets =
    connections * (PACKETS_PER_CONNECTION + (app.mode === 'h2' ? PACKETS_PER_H2_CONNECTION : 0)) +
    requests * Math.ceil(1.5 * exchange);
  return { connections, events: packets * linksBetween(facts, app.on, app.target.node) + pages };
}

/**
 * Events, time-series rows and trace bytes of one run, and when in simulated time its events fall:
 * samples over the whole run, a client's connections over its arrivals (from its start to its last
 * member's last page), a flood over its start to stop, a bulk transfer from its start on.
 */
export function runCost(
  spec: ExperimentSpec,
  trace: boolean,
): { events: number; rows: number; traceBytes: number; drivers: [string, number][]; spans: WorkSpan[] } {
  const drivers: [string, number][] = [];
  const samples = Math.floor(spec.duration / spec.sampleInterval) + 1;
  const spans: WorkSpan[] = [{ from: 0, to: spec.duration, events: samples }];
  const gauges = 2 * Object.keys(spec.apps).length + 2;
  drivers.push([
    `sampleInterval ${formatDuration(spec.sampleInterval)} over ${formatDuration(spec.duration)}: ${fmt(samples)} samples`,
    samples,
  ]);
  let events = samples;
  const facts = factsOf(spec.topology);
  const members = (on: string): number => Math.max(1, facts.nodes.members(on).length);
  for (const [id, app] of Object.entries(spec.apps)) {
    if (app.kind === 'client' || app.kind === 'synflood') {
      const active = Math.max(0, Math.min(app.stop, spec.duration) - app.start) / SEC;
      // A client's `count` caps its pages (one connection each under http1.0's default).
      const perInstance =
        app.kind === 'client' && app.count !== undefined ? Math.min(app.count, app.rate * active) : app.rate * active;
      const n = members(app.on);
      const client = app.kind === 'client' ? clientCost(spec, facts, app, perInstance) : undefined;
      const count = (client ? client.connections : perInstance) * n;
      const cost = client ? client.events * n : count * EVENTS_PER_FLOOD_SYN;
      events += cost;
      // Member i starts i staggers after the first and makes its pages at `rate` from there.
      if (cost > 0) {
        const last = app.start + (app.stagger ?? 0) * (n - 1) + (perInstance / app.rate) * SEC;
        const end = Math.min(app.stop, spec.duration, last);
        spans.push({ from: app.start, to: Math.max(app.start, end), events: cost });
      }
      const how =
        perInstance < app.rate * active
          ? `count ${fmt(perInstance)} each`
          : `${fmt(app.rate)}/s for ${formatDuration(Math.round(active * SEC))}`;
      drivers.push([`apps.${id}: ${fmt(count)} ${client ? 'connections' : 'SYNs'} (${how})`, cost]);
    } else if (app.kind === 'bulk') {
      const segs = (app.bytes / SEGMENT_BYTES) * members(app.on);
      // Each segment crosses every link, and about one ACK per two segments comes back.
      const cost = 1.5 * segs * linksBetween(facts, app.on, app.target.node);
      events += cost;
      drivers.push([`apps.${id}: ${fmt(segs)} segments`, cost]);
      spans.push({ from: Math.min(app.start, spec.duration), to: spec.duration, events: cost });
    }
  }
  return { events, rows: samples * gauges, traceBytes: trace ? events * TRACE_BYTES_PER_EVENT : 0, drivers, spans };
}

/**
 * The share of a run's estimated events that fall before simulated time `t` (ns): how far the run
 * is when its simulation has reached t. A run whose connections all open in its first seconds and
 * then wait out TIME-WAIT is mostly done long before its simulated time is.
 */
export function workDoneAt(spans: readonly WorkSpan[], t: Nanos): number {
  let done = 0;
  let all = 0;
  for (const s of spans) {
    all += s.events;
    if (t >= s.to) done += s.events;
    else if (t > s.from) done += (s.events * (t - s.from)) / (s.to - s.from);
  }
  return all > 0 ? done / all : 0;
}

/**
 * The runs, costliest first (by runCost's events; equal costs keep their batch order): handed out
 * in this order to several threads, the long runs start early and short ones fill the gaps at the
 * end, instead of one thread finishing a long run alone while the others wait (longest processing
 * time first). Results do not depend on the order: runs are stored and assembled by id.
 */
export function longestFirst<T extends { run: RunSpec }>(
  tasks: readonly T[],
  costOf: (task: T) => number = (t) => runEvents(t.run),
): T[] {
  const cost = new Map(tasks.map((t) => [t, costOf(t)]));
  return [...tasks].sort((a, b) => cost.get(b)! - cost.get(a)!);
}

/** A run's estimated simulator events (untraced): its weight in run ordering and in the progress ETA. */
export function runEvents(run: RunSpec): number {
  return runCost(run.spec, false).events;
}

export function estimateCost(runs: readonly RunSpec[], trace: boolean): CostEstimate {
  let events = 0;
  let rows = 0;
  let traceBytes = 0;
  const drivers = new Map<string, number>();
  for (const r of runs) {
    const c = runCost(r.spec, trace);
    events += c.events;
    rows += c.rows;
    traceBytes += c.traceBytes;
    for (const [what, weight] of c.drivers) drivers.set(what, Math.max(drivers.get(what) ?? 0, weight));
  }
  const top = [...drivers]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([what]) => what);
  return {
    runs: runs.length,
    events,
    timeseriesRows: rows,
    traceBytes,
    wallSeconds: events / EVENTS_PER_WALL_SECOND,
    drivers: top,
  };
}

/** Above this the batch needs --yes: hours of CPU, or more output than a disk holds. */
export const CONFIRM_WALL_SECONDS = 3600;
export const CONFIRM_BYTES = 20e9;
/** Above this a one-line estimate is printed before running. */
export const WARN_WALL_SECONDS = 300;

export function costBytes(c: CostEstimate): number {
  return c.timeseriesRows * ROW_BYTES + c.traceBytes;
}

/** "about 4.2e9 events (~12h of CPU), 3.1 GB of time series; largest: apps.flood: ..." */
export function describeCost(c: CostEstimate): string {
  const parts = [
    `${c.runs} run${c.runs === 1 ? '' : 's'}, about ${fmt(c.events)} simulator events (~${formatWall(c.wallSeconds)} of CPU)`,
  ];
  const bytes = costBytes(c);
  if (bytes >= 1e8) parts.push(`~${fmtBytes(bytes)} of ${c.traceBytes > 0 ? 'trace and time series' : 'time series'}`);
  return `${parts.join(', ')}; from ${c.drivers.join('; ')}`;
}

function fmt(n: number): string {
  return n >= 1e6 ? n.toExponential(1).replace('e+', 'e') : String(Math.round(n));
}
function fmtBytes(b: number): string {
  return b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : `${Math.round(b / 1e6)} MB`;
}
function formatWall(s: number): string {
  if (s >= 86400 * 365) return `${fmt(s / (86400 * 365))} years`;
  if (s >= 86400) return `${(s / 86400).toFixed(1)} days`;
  if (s >= 3600) return `${(s / 3600).toFixed(1)} h`;
  if (s >= 60) return `${Math.round(s / 60)} min`;
  return `${Math.max(1, Math.round(s))} s`;
}
