/**
 * `apps:` validation (docs/design.md part 2, applications). Apps are keyed by id so that override and
 * sweep paths (`apps.flood.rate`) stay stable; every key but `kind`, `on` and `target` has a default.
 */
import { TCP_PARAM_TABLE } from '../tcp/param-table.ts';
import { formatDuration, type Nanos } from '../sim/time.ts';
import { parseCidr } from '../wire/ip.ts';
import type { TopologyDef } from '../net/topology-def.ts';
import { describeValue, SpecErrorCode, type PathSegments, type Problems } from './errors.ts';
import { MapReader, NAME_PATTERN, readMap, readOneOf } from './spec-readers.ts';
import { resolveNodeRef, type ValidatedTopology } from './topology-spec.ts';
import { readSteps } from './script-spec.ts';
import { DEFAULT_MAX_FRAME, DEFAULT_WINDOW, MAX_WINDOW } from '../apps/h2-frames.ts';
import type {
  AppKind,
  AppSpec,
  ArrivalProcess,
  CidrRange,
  ClientFastOpen,
  ClientMode,
  Closer,
  Endpoint,
} from './spec-types.ts';

export const APP_KINDS: readonly AppKind[] = ['server', 'client', 'synflood', 'bulk', 'script'];
const COMMON = ['kind', 'on', 'description'];
export const APP_KEYS: Record<AppKind, readonly string[]> = {
  server: [...COMMON, 'port', 'responseBytes', 'backlog', 'frameBytes', 'maxConcurrentStreams', 'fastOpenQueue'],
  client: [
    ...COMMON,
    'target',
    'start',
    'stagger',
    'stop',
    'rate',
    'arrival',
    'count',
    'mode',
    'requestBytes',
    'closer',
    'objects',
    'connections',
    'streamWindow',
    'connectionWindow',
    'fastOpen',
  ],
  synflood: [...COMMON, 'target', 'start', 'stagger', 'stop', 'rate', 'arrival', 'spoof', 'data'],
  bulk: [...COMMON, 'target', 'bytes', 'start', 'stagger'],
  script: [...COMMON, 'steps', 'autoRead'],
};
const ARRIVALS: readonly ArrivalProcess[] = ['periodic', 'poisson'];
const MODES: readonly ClientMode[] = ['http1.0', 'keepalive', 'pipelined', 'h2'];
const CLOSERS: readonly Closer[] = ['client', 'server'];
const CLIENT_FAST_OPEN: readonly ClientFastOpen[] = [false, true, 'first-visit'];
/** RFC 2544 benchmarking space: never a real host's address. */
const DEFAULT_SPOOF = '198.18.0.0/15';
const DEFAULT_PORT = 80;
/** A flood's SYN data: one segment of MSS 1460 less Linux's 40 bytes of option space (tcp_send_syn_data). */
const MAX_SYN_DATA = 1420;

export interface AppSpecContext {
  topology: ValidatedTopology;
  /** The experiment duration, when it is valid (default for `stop`, bound for `start`). */
  duration: Nanos | undefined;
  /** Connected components of the link graph, computed on first use. */
  components?: Map<string, number>;
}

export function readApps(
  p: Problems,
  path: PathSegments,
  v: unknown,
  ctx: AppSpecContext,
): Record<string, AppSpec> | undefined {
  if (v === undefined) return {};
  const obj = readMap(p, path, v);
  if (obj === undefined) return undefined;
  const before = p.count;
  const apps: Record<string, AppSpec> = {};
  for (const [id, raw] of Object.entries(obj)) {
    if (!NAME_PATTERN.test(id)) {
      p.add(
        SpecErrorCode.type,
        [...path, id],
        'an app id is a name of letters, digits, "_" or "-" (it is used in paths like apps.<id>.rate)',
      );
      continue;
    }
    const app = readApp(p, [...path, id], id, raw, ctx);
    if (app !== undefined) apps[id] = app;
  }
  checkListeners(p, path, apps, ctx.topology);
  return p.count === before ? apps : undefined;
}

function readApp(p: Problems, path: PathSegments, id: string, raw: unknown, ctx: AppSpecContext): AppSpec | undefined {
  const obj = readMap(p, path, raw);
  if (obj === undefined) return undefined;
  if (obj['kind'] === undefined) {
    p.add(SpecErrorCode.missing, [...path, 'kind'], `missing (one of ${APP_KINDS.join(', ')})`);
    return undefined;
  }
  const kind = readOneOf(p, [...path, 'kind'], obj['kind'], APP_KINDS);
  if (kind === undefined) return undefined;
  const before = p.count;
  const r = new MapReader(p, path, obj, APP_KEYS[kind]);
  r.require('on', 'the node or group that runs it');
  const on = r.has('on') ? readHosts(p, r.at('on'), obj['on'], ctx.topology) : undefined;
  const end = ctx.duration ?? 0;

  switch (kind) {
    case 'server': {
      const port = r.int('port', DEFAULT_PORT, 1, 65535);
      const responseBytes = r.bytes('responseBytes', 1000);
      const backlog = r.has('backlog') ? r.int('backlog', undefined, 0, TCP_PARAM_TABLE.backlog.max) : undefined;
      // RFC 9113 4.2: a DATA payload may not exceed the peer's SETTINGS_MAX_FRAME_SIZE, 16 384 unless raised.
      const frameBytes = bytesWithin(p, r, 'frameBytes', DEFAULT_MAX_FRAME, 1, DEFAULT_MAX_FRAME);
      const maxConcurrentStreams = r.int('maxConcurrentStreams', 100, 1, 1_000_000);
      const fastOpenQueue = r.has('fastOpenQueue')
        ? r.int('fastOpenQueue', undefined, 0, TCP_PARAM_TABLE.fastOpenQueue.max)
        : undefined;
      if (p.count !== before) return undefined;
      const app: AppSpec = {
        id,
        kind,
        on: on!.name,
        port: port!,
        responseBytes: responseBytes!,
        frameBytes: frameBytes!,
        maxConcurrentStreams: maxConcurrentStreams!,
      };
      if (backlog !== undefined) app.backlog = backlog;
      if (fastOpenQueue !== undefined) app.fastOpenQueue = fastOpenQueue;
      return app;
    }
    case 'client': {
      const target = readTargetField(p, r, on, ctx);
      const [start, stop] = readWindow(p, r, ctx);
      const stagger = readStagger(p, r, on, start, stop ?? end, 'stops');
      const rate = r.eventRate('rate', 10);
      const arrival = r.oneOf('arrival', ARRIVALS, 'periodic');
      const count = r.has('count') ? r.int('count', undefined, 0) : undefined;
      const mode = r.oneOf('mode', MODES, 'http1.0');
      const requestBytes = r.bytes('requestBytes', 200);
      const closer = r.oneOf('closer', CLOSERS, 'client');
      const objects = r.int('objects', 1, 1, 10_000);
      const connections = r.int('connections', 1, 1, 1000);
      // RFC 9113 6.9.1: windows from 1 to 2^31 - 1.
      const streamWindow = bytesWithin(p, r, 'streamWindow', DEFAULT_WINDOW, 1, MAX_WINDOW);
      const connectionWindow = bytesWithin(p, r, 'connectionWindow', DEFAULT_WINDOW, DEFAULT_WINDOW, MAX_WINDOW);
      if (mode === 'h2' && r.has('connections') && connections !== 1) {
        p.add(SpecErrorCode.range, r.at('connections'), `mode h2 uses one connection; got ${connections}`);
      }
      const fastOpen = r.oneOf('fastOpen', CLIENT_FAST_OPEN, false);
      if (p.count !== before) return undefined;
      const app: AppSpec = {
        id,
        kind,
        on: on!.name,
        target: target!,
        start: start!,
        stop: stop ?? end,
        rate: rate!,
        arrival: arrival!,
        mode: mode!,
        requestBytes: requestBytes!,
        closer: closer!,
        objects: objects!,
        connections: connections!,
        streamWindow: streamWindow!,
        connectionWindow: connectionWindow!,
        fastOpen: fastOpen!,
      };
      if (count !== undefined) app.count = count;
      if (stagger !== undefined) app.stagger = stagger;
      return app;
    }
    case 'synflood': {
      const target = readTargetField(p, r, on, ctx);
      const [start, stop] = readWindow(p, r, ctx);
      const stagger = readStagger(p, r, on, start, stop ?? end, 'stops');
      const rate = r.eventRate('rate', 1000);
      const arrival = r.oneOf('arrival', ARRIVALS, 'periodic');
      const spoof = r.read('spoof', readCidr, readCidr(p, [], DEFAULT_SPOOF));
      const data = r.bytes('data', 0);
      if (p.count !== before) return undefined;
      if (data! > MAX_SYN_DATA) {
        p.add(
          SpecErrorCode.range,
          [...path, 'data'],
          `at most ${MAX_SYN_DATA} bytes fit one SYN (MSS 1460 less 40 bytes of options), got ${data}`,
        );
        return undefined;
      }
      const app: AppSpec = {
        id,
        kind,
        on: on!.name,
        target: target!,
        start: start!,
        stop: stop ?? end,
        rate: rate!,
        arrival: arrival!,
        spoof: spoof!,
        data: data!,
      };
      if (stagger !== undefined) app.stagger = stagger;
      return app;
    }
    case 'bulk': {
      const target = readTargetField(p, r, on, ctx);
      const bytes = r.bytes('bytes', 10_000_000);
      const [start] = readWindow(p, r, ctx);
      const stagger = readStagger(p, r, on, start, ctx.duration, 'ends');
      if (p.count !== before) return undefined;
      const app: AppSpec = { id, kind, on: on!.name, target: target!, bytes: bytes!, start: start! };
      if (stagger !== undefined) app.stagger = stagger;
      return app;
    }
    case 'script': {
      r.require('steps', 'a list of socket calls, like [{at: 0s, connect: "server:80"}, {at: 1s, close: true}]');
      const readTarget = (at: PathSegments, v: unknown): Endpoint | undefined => checkTarget(p, at, v, on, ctx);
      const steps = r.has('steps')
        ? readSteps(p, r.at('steps'), obj['steps'], { duration: ctx.duration, readTarget })
        : undefined;
      const autoRead = r.bool('autoRead', true);
      if (p.count !== before) return undefined;
      return { id, kind, on: on!.name, steps: steps!, autoRead: autoRead! };
    }
  }
}

/** A size in bytes (`64KB`, `16384`) within [min, max]. */
function bytesWithin(
  p: Problems,
  r: MapReader,
  key: string,
  def: number,
  min: number,
  max: number,
): number | undefined {
  const v = r.bytes(key, def);
  if (v !== undefined && (v < min || v > max)) {
    p.add(SpecErrorCode.range, r.at(key), `${v} bytes is outside ${min}–${max}`);
    return undefined;
  }
  return v;
}

/** `on:` a node or group whose members are all hosts. */
function readHosts(
  p: Problems,
  path: PathSegments,
  v: unknown,
  t: ValidatedTopology,
): { name: string; members: string[] } | undefined {
  const members = resolveNodeRef(p, path, v, t);
  if (members === undefined) return undefined;
  const router = members.find((m) => t.byName.get(m)?.kind === 'router');
  if (router !== undefined) {
    p.add(SpecErrorCode.type, path, `${router} is a router; apps run on hosts`);
    return undefined;
  }
  return { name: v as string, members };
}

/** `start`/`stop` within the experiment: start ≤ stop, start before the end. */
function readWindow(p: Problems, r: MapReader, ctx: AppSpecContext): [Nanos | undefined, Nanos | undefined] {
  const start = r.duration('start', 0);
  const stop = r.has('stop') ? r.duration('stop') : undefined;
  if (start !== undefined && ctx.duration !== undefined && start > 0 && start >= ctx.duration) {
    p.add(
      SpecErrorCode.range,
      r.at('start'),
      `starts at ${formatDuration(start)}, after the experiment ends (duration ${formatDuration(ctx.duration)})`,
    );
  }
  if (start !== undefined && stop !== undefined && stop < start) {
    p.add(
      SpecErrorCode.range,
      r.at('stop'),
      `stops at ${formatDuration(stop)}, before it starts (${formatDuration(start)})`,
    );
  }
  return [start, stop];
}

/**
 * `stagger`: member i of the group starts at start + i × stagger (memberStart). Every member must
 * start before `bound` (the app's stop, or the experiment's end), or its instance would never run.
 */
function readStagger(
  p: Problems,
  r: MapReader,
  on: { name: string; members: string[] } | undefined,
  start: Nanos | undefined,
  bound: Nanos | undefined,
  ending: 'stops' | 'ends',
): Nanos | undefined {
  if (!r.has('stagger')) return undefined;
  const stagger = r.duration('stagger');
  if (stagger === undefined || on === undefined || start === undefined || bound === undefined || bound <= 0)
    return stagger;
  const n = on.members.length;
  const last = start + (n - 1) * stagger;
  if (n > 1 && last >= bound) {
    const fits = bound > start ? Math.floor((bound - 1 - start) / (n - 1)) : 0;
    const what =
      ending === 'stops'
        ? `the app stops (${formatDuration(bound)})`
        : `the experiment ends (duration ${formatDuration(bound)})`;
    p.add(
      SpecErrorCode.range,
      r.at('stagger'),
      `the last of ${on.name}'s ${n} members (${on.members[n - 1]}) would start at ${formatDuration(last)}, at or after ${what}; ` +
        (fits > 0
          ? `a stagger of at most ${formatDuration(fits)} fits`
          : 'no stagger fits: start earlier or stop later'),
    );
  }
  return stagger;
}

function readTargetField(
  p: Problems,
  r: MapReader,
  on: { name: string; members: string[] } | undefined,
  ctx: AppSpecContext,
): Endpoint | undefined {
  if (!r.require('target', 'like "server:80"')) return undefined;
  return checkTarget(p, r.at('target'), r.obj['target'], on, ctx);
}

/** A target the app's hosts can reach: another host, joined to each of them by links. */
function checkTarget(
  p: Problems,
  path: PathSegments,
  v: unknown,
  on: { name: string; members: string[] } | undefined,
  ctx: AppSpecContext,
): Endpoint | undefined {
  const target = readTarget(p, path, v, ctx.topology);
  // Reachability is only meaningful over a topology whose links all read correctly.
  if (target === undefined || on === undefined || !ctx.topology.complete) return target;
  if (on.members.includes(target.node)) {
    p.add(SpecErrorCode.reference, path, `${target.node} is the app's own node (on: ${on.name}); target another host`);
    return undefined;
  }
  const component = (ctx.components ??= components(ctx.topology.def));
  const unreachable = on.members.find((m) => component.get(m) !== component.get(target.node));
  if (unreachable !== undefined) {
    p.add(
      SpecErrorCode.unreachable,
      path,
      `${target.node} cannot be reached from ${unreachable}: no chain of links joins them`,
    );
    return undefined;
  }
  return target;
}

/** `"server:80"` (or `"server"`, port 80) → a single host and a port. */
function readTarget(p: Problems, path: PathSegments, v: unknown, t: ValidatedTopology): Endpoint | undefined {
  const m = typeof v === 'string' ? /^([^:\s]+)(?::(\d+))?$/.exec(v.trim()) : null;
  if (m === null) {
    p.add(SpecErrorCode.type, path, `expected a target like "server:80", got ${describeValue(v)}`);
    return undefined;
  }
  const port = m[2] === undefined ? DEFAULT_PORT : Number(m[2]);
  if (port < 1 || port > 65535) {
    p.add(SpecErrorCode.range, path, `port ${port} is outside 1–65535`);
    return undefined;
  }
  const members = resolveNodeRef(p, path, m[1], t);
  if (members === undefined) return undefined;
  if (members.length !== 1) {
    p.add(
      SpecErrorCode.type,
      path,
      `a target is one node, but "${m[1]}" is a group of ${members.length} (${members[0]} … ${members[members.length - 1]})`,
    );
    return undefined;
  }
  const node = members[0]!;
  if (t.byName.get(node)?.kind === 'router') {
    p.add(SpecErrorCode.type, path, `${node} is a router; target a host`);
    return undefined;
  }
  return { node, port };
}

function readCidr(p: Problems, path: PathSegments, v: unknown): CidrRange | undefined {
  const c = typeof v === 'string' ? parseCidr(v) : null;
  if (c === null) {
    p.add(SpecErrorCode.type, path, `expected an IPv4 range like "198.18.0.0/15", got ${describeValue(v)}`);
    return undefined;
  }
  return { base: c.base, prefixLength: c.prefix, text: (v as string).trim() };
}

/**
 * Connected components of the link graph: node name → component number. Union-find over node
 * indices in a typed array (a 100k-host star: one pass over the links, no string-keyed map per step).
 */
function components(t: TopologyDef): Map<string, number> {
  const index = new Map<string, number>();
  t.nodes.forEach((n, i) => index.set(n.name, i));
  const parent = new Int32Array(t.nodes.length);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[x] !== r) {
      const next = parent[x]!;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  for (const l of t.links) {
    const a = index.get(l.a),
      b = index.get(l.b);
    if (a !== undefined && b !== undefined) parent[find(a)] = find(b);
  }
  const ids = new Map<number, number>();
  const out = new Map<string, number>();
  t.nodes.forEach((n, i) => {
    const root = find(i);
    let id = ids.get(root);
    if (id === undefined) ids.set(root, (id = ids.size));
    out.set(n.name, id);
  });
  return out;
}

/** Two listeners (servers, or scripts' listen steps) on one node and port would fail with EADDRINUSE at listen(). */
function checkListeners(p: Problems, path: PathSegments, apps: Record<string, AppSpec>, t: ValidatedTopology): void {
  const bound = new Map<string, AppSpec>();
  for (const app of Object.values(apps)) {
    const ports: [number, PathSegments][] = [];
    if (app.kind === 'server') ports.push([app.port, [...path, app.id, 'port']]);
    else if (app.kind === 'script') {
      app.steps.forEach((s, i) => {
        if (s.op === 'listen') ports.push([s.port, [...path, app.id, 'steps', i, 'listen']]);
      });
    }
    for (const [port, at] of ports) {
      for (const node of t.groups.get(app.on) ?? [app.on]) {
        const key = `${node}:${port}`;
        const prev = bound.get(key);
        if (prev !== undefined && prev !== app) {
          p.add(SpecErrorCode.duplicate, at, `${node} already has ${prev.kind} "${prev.id}" on port ${port}`);
          break;
        }
        bound.set(key, app);
      }
    }
  }
}
