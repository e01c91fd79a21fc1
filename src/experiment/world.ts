/**
 * One simulated world built from a validated spec: the network, a TCP stack on every host, the
 * applications, the metrics collector, the gauge sampler and (on request) trace and pcap capture.
 * `executeRun` (run.ts) builds one, runs it to the experiment's duration and reads it out.
 */
import { memberStart } from '../apps/app-specs.ts';
import { Bulk } from '../apps/bulk.ts';
import { Client } from '../apps/client.ts';
import type { AppContext } from '../apps/context.ts';
import { Server, type PeerProfile } from '../apps/server.ts';
import { SynFlood } from '../apps/synflood.ts';
import { Script } from '../apps/script.ts';
import { MetricsCollector } from '../metrics/collector.ts';
import { Sampler, type Gauge } from '../metrics/sampler.ts';
import { buildNetwork, type Network } from '../net/network.ts';
import { Rng } from '../sim/rng.ts';
import { Sim } from '../sim/simulator.ts';
import { Tracer } from '../sim/trace.ts';
import { HostStack } from '../stack/host-stack.ts';
import type { GroupCounts, TimeWaitTotal } from '../tcp/host-tcp.ts';
import type { ListenSocket } from '../stack/socket-api.ts';
import type { AppSpec, ExperimentSpec } from './spec-types.ts';
import { NodeIndex, serverFor } from './node-index.ts';
import { HostStacks } from './host-stacks.ts';
import { H2Rendezvous } from '../apps/h2-frames.ts';
import { tcpParamsFor } from './tcp-spec.ts';
import { FilteredDelivery, FilteredPort, type PacketFilter } from '../net/packet-filter.ts';
import { faultFilters } from './fault-filters.ts';

/** Defaults for a peer that no client app describes (e.g. a stray connection). */
const UNKNOWN_PEER: PeerProfile = { requestBytes: 200, closeAfterResponse: false };

export interface World {
  sim: Sim;
  tracer: Tracer;
  network: Network;
  stacks: HostStacks;
  /** TIME-WAIT sockets over all hosts, as the stacks count them (time_wait.peak_total). */
  timeWaitTotal: TimeWaitTotal;
  collector: MetricsCollector;
  sampler: Sampler;
  /** Listening sockets of server and script apps and their nodes (queue statistics), in opening order. */
  listeners: { node: string; socket: ListenSocket }[];
  /** The same, by node (read by the syn_queue / accept_queue time series). */
  listenersByNode: Map<string, ListenSocket[]>;
  bulks: Bulk[];
  /** Server apps by node (the cwnd time series of the connections they answer on). */
  servers: { node: string; server: Server }[];
  /** Fault-rule filters (`faults:`), only at hosts that have rules. */
  filters: PacketFilter[];
}

export function buildWorld(spec: ExperimentSpec, seed: number): World {
  const nodes = new NodeIndex(spec.topology.nodes);
  const sim = new Sim();
  const tracer = new Tracer();
  const network = buildNetwork(sim, spec.topology, { seed, tracer });

  const stacks = new HostStacks(network);
  const timeWaitTotal: TimeWaitTotal = { timeWait: 0, peak: 0 };
  // Fault rules sit between a host and its stack: output wraps the port the stack sends through,
  // input wraps the host's transport. Hosts without rules are not wrapped.
  const filtersByHost = faultFilters(spec, sim, tracer);
  const filters: PacketFilter[] = [];
  for (const host of network.hosts) {
    const def = nodes.def(host.name);
    const f = filtersByHost.get(host.name);
    const stack = new HostStack(f?.output ? new FilteredPort(host, f.output) : host, tcpParamsFor(spec, def), seed);
    host.transport = f?.input ? new FilteredDelivery(stack, f.input) : stack;
    // REJECT rules answer with ICMP: from the input chain onto the network, from the output chain to the stack.
    if (f?.input) {
      f.input.address = host.address;
      f.input.rejectTo = (p) => host.send(p);
    }
    if (f?.output) {
      f.output.address = host.address;
      f.output.rejectTo = (p) => stack.receive(p);
    }
    if (f?.output) filters.push(f.output);
    if (f?.input) filters.push(f.input);
    stack.tcp.timeWaitTotal = timeWaitTotal;
    stacks.add(host, stack);
  }

  // Scripts that connect count like clients (their connect outcomes are the scenario's result).
  const counts = (a: AppSpec): boolean =>
    a.kind === 'client' || a.kind === 'bulk' || (a.kind === 'script' && a.steps.some((s) => s.op === 'connect'));
  const counted = new Set(
    Object.values(spec.apps)
      .filter(counts)
      .map((a) => a.id),
  );
  const collector = new MetricsCollector(tracer, counted);
  collector.now = () => sim.now;

  const world: World = {
    sim,
    tracer,
    network,
    stacks,
    timeWaitTotal,
    collector,
    sampler: null as unknown as Sampler,
    listeners: [],
    listenersByNode: new Map(),
    bulks: [],
    servers: [],
    filters,
  };
  startApps(world, spec, nodes, seed);
  world.sampler = new Sampler(gauges(world, spec, nodes), spec.sampleInterval, spec.duration);
  world.sampler.start(sim);
  return world;
}

function startApps(world: World, spec: ExperimentSpec, nodes: NodeIndex, seed: number): void {
  const apps = Object.values(spec.apps);
  // Servers listen first so that a client starting at t=0 finds them.
  const ordered = [...apps.filter((a) => a.kind === 'server'), ...apps.filter((a) => a.kind !== 'server')];
  const rendezvous = new H2Rendezvous();
  for (const app of ordered) {
    const target = app.kind === 'client' ? serverFor(spec, nodes, app) : undefined;
    const responseBytes = target?.responseBytes ?? 1000;
    const members = nodes.members(app.on);
    for (let i = 0; i < members.length; i++) {
      const node = members[i]!;
      const ctx = appContext(world, app, node, seed);
      switch (app.kind) {
        case 'server': {
          const server = Server.fromSpec(ctx, app, peerProfiles(world, spec, nodes, node, app.port), rendezvous);
          server.start();
          world.servers.push({ node, server });
          const socket = server.listenSocket;
          if (socket !== null) addListener(world, node, socket);
          break;
        }
        case 'client':
          new Client(ctx, {
            spec: app,
            responseBytes,
            start: memberStart(app, i),
            maxConcurrentStreams: target?.maxConcurrentStreams ?? 100,
            rendezvous,
          }).start();
          break;
        case 'synflood':
          new SynFlood(ctx, app, memberStart(app, i)).start();
          break;
        case 'bulk': {
          const bulk = new Bulk(ctx, app, memberStart(app, i));
          world.bulks.push(bulk);
          bulk.start();
          break;
        }
        case 'script':
          new Script(ctx, app).start();
          break;
        default:
          assertNever(app);
      }
    }
  }
}

function addListener(world: World, node: string, socket: ListenSocket): void {
  world.listeners.push({ node, socket });
  const ls = world.listenersByNode.get(node);
  if (ls) ls.push(socket);
  else world.listenersByNode.set(node, [socket]);
}

function appContext(world: World, app: AppSpec, node: string, seed: number): AppContext {
  return new WorldAppContext(world, app, node, seed);
}

/**
 * An app instance's view of the world. One object per instance, no closures: a 100k-member client
 * group makes 100k of these. The random stream is made on first use (its name fixes its numbers,
 * so when it is made does not matter): apps that start by a rule (`stagger`) never draw from it,
 * and seeding one costs a 128-bit hash.
 */
class WorldAppContext implements AppContext {
  readonly sim: Sim;
  readonly stack: HostStack;
  readonly app: string;
  readonly report: MetricsCollector;
  readonly listening: ((socket: ListenSocket) => void) | undefined;
  private stream: Rng | undefined;

  constructor(
    private readonly world: World,
    spec: AppSpec,
    readonly node: string,
    private readonly seed: number,
  ) {
    this.sim = world.sim;
    this.stack = world.stacks.get(node)!;
    this.app = spec.id;
    this.report = world.collector;
    // a script's listen() step opens its listener mid-run: it counts from then on
    this.listening = spec.kind === 'script' ? (socket) => addListener(world, node, socket) : undefined;
  }

  get rng(): Rng {
    return (this.stream ??= new Rng(this.seed, `app:${this.app}:${this.node}`));
  }

  addressOf(name: string): number {
    return this.world.network.addressOf(name);
  }
}

/**
 * How a server on `node:port` frames each peer's byte stream (see src/apps/server.ts): request
 * sizes and closing rules come from the client apps that target it.
 */
function peerProfiles(
  world: World,
  spec: ExperimentSpec,
  nodes: NodeIndex,
  node: string,
  port: number,
): (addr: number) => PeerProfile {
  // By node index, through the network's address map: a Map of its own would cost ~46 bytes per
  // client for as long as the server lives. Made only for a server some client app targets, so
  // servers nobody names cost nothing.
  const network = world.network;
  let byIndex: (PeerProfile | undefined)[] | undefined;
  for (const app of Object.values(spec.apps)) {
    if ((app.kind !== 'client' && app.kind !== 'bulk') || app.target.node !== node || app.target.port !== port)
      continue;
    const profile: PeerProfile =
      app.kind === 'bulk'
        ? { requestBytes: 0, closeAfterResponse: false }
        : {
            requestBytes: app.requestBytes,
            closeAfterResponse: app.mode === 'http1.0' && app.closer === 'server',
            h2: app.mode === 'h2',
          };
    byIndex ??= new Array<PeerProfile | undefined>(network.nodes.length).fill(undefined);
    for (const m of nodes.members(app.on)) byIndex[network.nodeByName(m)!.index] = profile;
  }
  if (byIndex === undefined) return () => UNKNOWN_PEER;
  const profiles = byIndex;
  return (addr) => {
    const i = network.indexOfAddress(addr);
    return (i === undefined ? undefined : profiles[i]) ?? UNKNOWN_PEER;
  };
}

/**
 * The time series: per server node its SYN and accept queues (and Fast Open queue); per host established and TIME-WAIT
 * counts. Hosts of a group with several members are summed under the group's name, so a
 * 1000-client star gives a few series, not thousands.
 */
function gauges(world: World, spec: ExperimentSpec, nodes: NodeIndex): Gauge[] {
  const out: Gauge[] = [];
  // Server nodes (listening already), then nodes whose script apps will listen later.
  const queueNodes = [...world.listenersByNode.keys()];
  for (const app of Object.values(spec.apps)) {
    if (app.kind !== 'script' || !app.steps.some((s) => s.op === 'listen')) continue;
    for (const m of nodes.members(app.on)) if (!queueNodes.includes(m)) queueNodes.push(m);
  }
  const byNode = world.listenersByNode;
  const sum = (node: string, pick: (l: ListenSocket) => number) => (): number => {
    const ls = byNode.get(node);
    return ls === undefined ? 0 : ls.reduce((a, l) => a + pick(l), 0);
  };
  for (const node of queueNodes) {
    out.push({ node, metric: 'syn_queue', read: sum(node, (l) => l.stats().synQueue) });
    out.push({ node, metric: 'accept_queue', read: sum(node, (l) => l.stats().acceptQueue) });
    // TCP Fast Open queue, only where a listener has one (runs without Fast Open keep their series)
    if ((byNode.get(node) ?? []).some((l) => (l.stats().fastOpenQueueCapacity ?? 0) > 0)) {
      out.push({ node, metric: 'tfo_queue', read: sum(node, (l) => l.stats().fastOpenQueue ?? 0) });
    }
  }

  // Hosts running a client or server app, grouped under their group's name when it has several members.
  const withApps = hostsWithApps(spec, nodes);
  const labelled = new Map<string, HostStack[]>();
  for (const node of spec.topology.nodes) {
    if (!withApps.has(node.name)) continue;
    const label = nodes.label(node.name);
    const stacks = labelled.get(label);
    if (stacks) stacks.push(world.stacks.get(node.name)!);
    else labelled.set(label, [world.stacks.get(node.name)!]);
  }
  for (const [label, stacks] of labelled) {
    // The group's counts are kept as its hosts change state: a sample reads one object (reading
    // 10k hosts' counters at every sample was 0.75 s of a 10k-client run, cache misses all).
    const counts: GroupCounts = { established: 0, timeWait: 0 };
    for (const s of stacks) {
      counts.established += s.established;
      counts.timeWait += s.timeWait;
      s.groupCounts = counts;
    }
    out.push({ node: label, metric: 'established', read: () => counts.established });
    out.push({ node: label, metric: 'time_wait', read: () => counts.timeWait });
  }

  world.bulks.forEach((bulk, i) => {
    out.push({
      node: world.bulks.length > 1 ? `bulk${i + 1}` : 'bulk',
      metric: 'cwnd',
      read: () => bulk.socket?.info().cwnd ?? 0,
    });
  });
  // HTTP/1.x and h2 servers move the data: the mean cwnd of the connections they answer on, per
  // server node or group (the servers track their open connections only when sampled).
  const serverGroups = new Map<string, Server[]>();
  for (const { node, server } of world.servers) {
    server.trackConnections();
    const label = nodes.label(node);
    const g = serverGroups.get(label);
    if (g) g.push(server);
    else serverGroups.set(label, [server]);
  }
  for (const [label, servers] of serverGroups) {
    out.push({ node: label, metric: 'cwnd', read: () => meanCwnd(servers) });
  }
  return out;
}

/**
 * The nodes running an app other than a SYN flood. Apart from gauges() so that no closure there
 * refers to `nodes`: the gauges' closures keep their function's context, and the node index (a
 * Map entry per node) would live as long as the world.
 */
function hostsWithApps(spec: ExperimentSpec, nodes: NodeIndex): Set<string> {
  const out = new Set<string>();
  for (const a of Object.values(spec.apps)) {
    if (a.kind === 'synflood') continue;
    for (const m of nodes.members(a.on)) out.add(m);
  }
  return out;
}

/** Mean congestion window over the open connections of some servers; 0 when none is open. */
function meanCwnd(servers: readonly Server[]): number {
  let sum = 0;
  let n = 0;
  for (const s of servers) {
    const c = s.cwndSum();
    sum += c.sum;
    n += c.count;
  }
  return n === 0 ? 0 : Math.round(sum / n);
}

function assertNever(x: never): never {
  throw new Error(`unknown app kind ${(x as { kind: string }).kind}`);
}
