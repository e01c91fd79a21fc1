/**
 * Topology generators: a one-line topology for the common shapes, expanded to the plain
 * `nodes:`/`links:` form before validation. Usable inline in an experiment or as a topology file.
 *
 *   topology: { generator: star, clients: 50, attackers: 1, latency: 10ms, bandwidth: 100Mbps }
 *
 * star      clients, attackers and servers around one router r1.
 *             clients: 10, servers: 1, attackers: 0
 *             latency/bandwidth/loss/queue/jitter/reorder/burstLoss: the client links (10ms, 100Mbps)
 *             serverLink: { … }   the server links   (1ms, 1Gbps)
 *             attackerLink: { … } the attacker links (2ms, 1Gbps)
 * dumbbell  clients and attackers behind r1, servers behind r2, one shared bottleneck r1 ↔ r2.
 *             clients: 10, servers: 1, attackers: 0
 *             latency/bandwidth/…: every access link (1ms, 1Gbps)
 *             bottleneck: { … }   the r1 ↔ r2 link  (20ms, 10Mbps, queue 100)
 * line      clients — r1 — r2 — … — r<hops> — servers, a path of routers.
 *             hops: 3, clients: 1, servers: 1
 *             latency/bandwidth/…: every link (5ms, 100Mbps)
 *
 * Names: a role with one node is `client`, `server`, `attacker`; with N > 1 it is a group
 * (`client1` … `clientN`). Either way apps can say `on: client` and `target: server:80`.
 */
import { MS } from '../sim/time.ts';
import { type PathSegments, type Problems } from './errors.ts';
import { LINK_PROP_KEYS, readLinkProps, type LinkDefaults } from './link-spec.ts';
import { MapReader, readMap, readName, readOneOf } from './spec-readers.ts';

export const GENERATOR_KEY = 'generator';
export const GENERATORS = ['star', 'dumbbell', 'line'] as const;
export type GeneratorName = (typeof GENERATORS)[number];

const COMMON_KEYS = [GENERATOR_KEY, 'name', 'description', 'clients', 'servers', ...LINK_PROP_KEYS] as const;
export const GENERATOR_KEYS: Record<GeneratorName, readonly string[]> = {
  star: [...COMMON_KEYS, 'attackers', 'serverLink', 'attackerLink'],
  dumbbell: [...COMMON_KEYS, 'attackers', 'bottleneck'],
  line: [...COMMON_KEYS, 'hops'],
};

const ACCESS: Record<GeneratorName, LinkDefaults> = {
  star: { latency: 10 * MS, bandwidth: 100e6 },
  dumbbell: { latency: 1 * MS, bandwidth: 1e9 },
  line: { latency: 5 * MS, bandwidth: 100e6 },
};
const SERVER_LINK: LinkDefaults = { latency: 1 * MS, bandwidth: 1e9 };
const ATTACKER_LINK: LinkDefaults = { latency: 2 * MS, bandwidth: 1e9 };
const BOTTLENECK: LinkDefaults = { latency: 20 * MS, bandwidth: 10e6, queue: { packets: 100 } };

type RawLink = Record<string, unknown>;

/**
 * Validates the generator's options and returns the equivalent plain topology document (raw
 * values copied through, so the normal topology validation parses them), or undefined after
 * recording problems.
 */
export function expandGenerator(
  p: Problems,
  path: PathSegments,
  obj: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const gen = readOneOf(p, [...path, GENERATOR_KEY], obj[GENERATOR_KEY], GENERATORS);
  if (gen === undefined) return undefined;
  const before = p.count;
  const r = new MapReader(p, path, obj, GENERATOR_KEYS[gen]);
  if (r.has('name')) readName(p, r.at('name'), obj['name'], 'topology');
  const clients = r.int('clients', gen === 'line' ? 1 : 10, 1, 100_000);
  const servers = r.int('servers', 1, 1, 10_000);
  const attackers = gen === 'line' ? 0 : r.int('attackers', 0, 0, 10_000);
  const hops = gen === 'line' ? r.int('hops', 3, 1, 1000) : 0;

  // The access-link keys sit at the top level; check them against this generator's defaults.
  const access = pickLinkProps(obj);
  readLinkProps(new MapReader(p, path, access, LINK_PROP_KEYS), ACCESS[gen]);
  const sub = (key: string, defaults: LinkDefaults): RawLink => {
    const v = obj[key];
    if (v === undefined) return {};
    const m = readMap(p, r.at(key), v);
    if (m !== undefined) readLinkProps(new MapReader(p, r.at(key), m, LINK_PROP_KEYS), defaults);
    return m ?? {};
  };
  const serverLink = gen === 'star' ? sub('serverLink', SERVER_LINK) : {};
  const attackerLink = gen === 'star' ? sub('attackerLink', ATTACKER_LINK) : {};
  const bottleneck = gen === 'dumbbell' ? sub('bottleneck', BOTTLENECK) : {};
  if (
    p.count !== before ||
    clients === undefined ||
    servers === undefined ||
    attackers === undefined ||
    hops === undefined
  )
    return undefined;

  const nodes: Record<string, unknown>[] = [];
  const links: RawLink[] = [];
  const role = (name: string, n: number): void => {
    if (n > 0) nodes.push(n === 1 ? { name } : { name, count: n });
  };
  const link = (a: string, b: string, defaults: LinkDefaults, props: RawLink): void => {
    links.push({ between: [a, b], ...rawDefaults(defaults), ...props });
  };
  role('client', clients);
  role('attacker', attackers);
  if (gen === 'star') {
    nodes.push({ name: 'r1', kind: 'router' });
    link('client', 'r1', ACCESS.star, access);
    if (attackers > 0) link('attacker', 'r1', ATTACKER_LINK, attackerLink);
    link('r1', 'server', SERVER_LINK, serverLink);
  } else if (gen === 'dumbbell') {
    nodes.push({ name: 'r1', kind: 'router' }, { name: 'r2', kind: 'router' });
    link('client', 'r1', ACCESS.dumbbell, access);
    if (attackers > 0) link('attacker', 'r1', ACCESS.dumbbell, access);
    link('r1', 'r2', BOTTLENECK, bottleneck);
    link('r2', 'server', ACCESS.dumbbell, access);
  } else {
    for (let k = 1; k <= hops; k++) nodes.push({ name: `r${k}`, kind: 'router' });
    link('client', 'r1', ACCESS.line, access);
    for (let k = 1; k < hops; k++) link(`r${k}`, `r${k + 1}`, ACCESS.line, access);
    link(`r${hops}`, 'server', ACCESS.line, access);
  }
  role('server', servers);
  const doc: Record<string, unknown> = { name: obj['name'] ?? gen, nodes, links };
  if (obj['description'] !== undefined) doc['description'] = obj['description'];
  return doc;
}

function pickLinkProps(obj: Record<string, unknown>): RawLink {
  const out: RawLink = {};
  for (const k of LINK_PROP_KEYS) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

/** A generator's defaults written back as file values ("20ms", "10000000bps"), so its links read like hand-written ones. */
function rawDefaults(d: LinkDefaults): RawLink {
  const out: RawLink = { latency: `${d.latency}ns`, bandwidth: `${d.bandwidth}bps` };
  if (d.queue !== undefined) out['queue'] = 'packets' in d.queue ? d.queue.packets : `${d.queue.bytes}B`;
  return out;
}
