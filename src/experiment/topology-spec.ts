/**
 * Topology validation: a plain document (from YAML, possibly a generator form) → TopologyDef with
 * node groups expanded and units parsed (docs/design.md part 2, topology file).
 *
 *   nodes:
 *     - { name: client, count: 50 }      # a group: client1 … client50
 *     - { name: r1, kind: router }
 *     - server                           # shorthand for { name: server }
 *   links:                               # a group name links every member to the other end
 *     - { between: [client, r1], latency: 10ms, bandwidth: 100Mbps, loss: 0.001, queue: 1000 }
 */
import { formatIpv4, parseIpv4 } from '../wire/ip.ts';
import type { LinkDef, NodeDef, NodeKind, TopologyDef } from '../net/topology-def.ts';
import { describeValue, didYouMean, SpecErrorCode, type PathSegments, type Problems } from './errors.ts';
import { isMap, MapReader, readList, readMap, readName } from './spec-readers.ts';
import { LINK_PROP_KEYS, linkDef, readLinkProps } from './link-spec.ts';
import { expandGenerator, GENERATOR_KEY } from './generators.ts';

export const TOPOLOGY_KEYS = ['name', 'description', 'nodes', 'links'] as const;
export const NODE_KEYS = ['name', 'count', 'kind', 'address'] as const;
export const LINK_KEYS = ['between', ...LINK_PROP_KEYS] as const;
const NODE_KINDS: readonly NodeKind[] = ['host', 'router'];
/** A group larger than this is almost certainly a typo, and would make a run crawl. */
const MAX_GROUP = 100_000;

/** Name look-ups built once per topology, so resolving a reference never scans the node list. */
export interface NodeNames {
  /** Group or single-node name → member node names (a single node is its own one-member group). */
  groups: Map<string, string[]>;
  /** Every node (group members included) by name. */
  byName: Map<string, NodeDef>;
}

export interface ValidatedTopology extends NodeNames {
  def: TopologyDef;
  /**
   * False when the topology had problems: `def` then holds what could be read (every well-named
   * node, the good links), enough to check references from apps without cascading messages.
   */
  complete: boolean;
}

/**
 * Validates a topology document found at `path` (e.g. ['topology'] inside an experiment, [] in a
 * topology file). `defaultName` names it when it has no `name:`.
 */
export function readTopologySpec(
  p: Problems,
  path: PathSegments,
  raw: unknown,
  defaultName: string,
): ValidatedTopology | undefined {
  const obj = readMap(p, path, raw);
  if (obj === undefined) return undefined;
  if (obj[GENERATOR_KEY] !== undefined) {
    const expanded = expandGenerator(p, path, obj);
    return expanded === undefined ? undefined : readTopologySpec(p, path, expanded, defaultName);
  }
  const before = p.count;
  const r = new MapReader(p, path, obj, TOPOLOGY_KEYS);
  const name = r.has('name') ? readName(p, r.at('name'), obj['name'], 'topology') : defaultName;
  r.require('nodes', 'a list of nodes');
  const nodeList = r.has('nodes') ? readList(p, r.at('nodes'), obj['nodes']) : undefined;
  const linkList = r.has('links') ? readList(p, r.at('links'), obj['links']) : [];
  const { nodes, groups, byName } = expandNodes(p, r.at('nodes'), nodeList ?? []);
  const links = linkList === undefined ? [] : readLinks(p, r.at('links'), linkList, { groups, byName });
  return { def: { name: name ?? defaultName, nodes, links }, groups, byName, complete: p.count === before };
}

function expandNodes(p: Problems, path: PathSegments, list: unknown[]): NodeNames & { nodes: NodeDef[] } {
  const nodes: NodeDef[] = [];
  const groups = new Map<string, string[]>();
  const byName = new Map<string, NodeDef>();
  /** Every name taken (group or member) → where it was defined, for duplicate messages. */
  const taken = new Map<string, string>();
  const addresses = new Map<number, string>();
  const claim = (name: string, at: PathSegments, where: string): boolean => {
    const prev = taken.get(name);
    if (prev !== undefined) {
      p.add(SpecErrorCode.duplicate, at, `node name "${name}" is already used by ${prev}`);
      return false;
    }
    taken.set(name, where);
    return true;
  };

  list.forEach((entry, i) => {
    const at: PathSegments = [...path, i];
    const obj = typeof entry === 'string' ? { name: entry } : readMap(p, at, entry);
    if (obj === undefined) return;
    const r = new MapReader(p, at, obj, NODE_KEYS);
    if (!r.require('name')) return;
    const name = readName(p, r.at('name'), obj['name'], 'node');
    const kind = r.oneOf('kind', NODE_KINDS, 'host');
    const count = r.has('count') ? r.int('count', undefined, 1, MAX_GROUP) : undefined;
    let address: number | undefined;
    if (r.has('address')) {
      const a = obj['address'];
      address = typeof a === 'string' ? (parseIpv4(a) ?? undefined) : undefined;
      if (address === undefined)
        p.add(SpecErrorCode.type, r.at('address'), `expected an IPv4 address like "10.0.0.5", got ${describeValue(a)}`);
    }
    if (name === undefined) return;
    const where = `nodes[${i}]`;
    if (!claim(name, r.at('name'), where)) return;
    // A node with `count` is a group of numbered members; explicit addresses then run consecutively.
    const members = count === undefined ? [name] : Array.from({ length: count }, (_, k) => `${name}${k + 1}`);
    groups.set(name, members);
    members.forEach((member, k) => {
      if (member !== name && !claim(member, r.at('name'), `${where} (group ${name})`)) return;
      const def: NodeDef = { name: member, kind: kind ?? 'host', group: name };
      if (address !== undefined) {
        const addr = (address + k) >>> 0;
        const prev = addresses.get(addr);
        if (prev !== undefined)
          p.add(
            SpecErrorCode.duplicate,
            r.at('address'),
            `address ${formatIpv4(addr)} of ${member} is already used by ${prev}`,
          );
        addresses.set(addr, member);
        def.address = addr;
      }
      nodes.push(def);
      byName.set(member, def);
    });
  });
  return { nodes, groups, byName };
}

function readLinks(p: Problems, path: PathSegments, list: unknown[], names: NodeNames): LinkDef[] {
  const links: LinkDef[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry, i) => {
    const at: PathSegments = [...path, i];
    const obj = readMap(p, at, entry);
    if (obj === undefined) return;
    const r = new MapReader(p, at, obj, LINK_KEYS);
    const props = readLinkProps(r);
    if (!r.require('between', 'the two ends, e.g. [client, r1]')) return;
    const ends = readEnds(p, r.at('between'), obj['between'], names);
    if (ends === undefined || props === undefined) return;
    const [as, bs] = ends;
    for (const a of as) {
      for (const b of bs) {
        const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
        const prev = seen.get(key);
        if (prev !== undefined) {
          p.add(SpecErrorCode.duplicate, r.at('between'), `${a} and ${b} are already linked by links[${prev}]`);
          return;
        }
        seen.set(key, i);
        links.push(linkDef(a, b, props));
      }
    }
  });
  return links;
}

/** `between: [a, b]` → the member lists of each end; at most one end may be a group of several. */
function readEnds(p: Problems, path: PathSegments, v: unknown, names: NodeNames): [string[], string[]] | undefined {
  if (!Array.isArray(v) || v.length !== 2) {
    p.add(SpecErrorCode.type, path, `expected the two ends of the link, like [client, r1], got ${describeValue(v)}`);
    return undefined;
  }
  const ends: string[][] = [];
  for (let k = 0; k < 2; k++) {
    const members = resolveNodeRef(p, [...path, k], v[k], names);
    if (members === undefined) return undefined;
    ends.push(members);
  }
  const [a, b] = ends as [string[], string[]];
  if (v[0] === v[1]) {
    p.add(SpecErrorCode.type, path, `a link needs two different ends, got ${String(v[0])} twice`);
    return undefined;
  }
  if (a.length > 1 && b.length > 1) {
    p.add(
      SpecErrorCode.type,
      path,
      `both ends are groups (${v[0]} has ${a.length} members, ${v[1]} has ${b.length}): link each member to a single node such as a router`,
    );
    return undefined;
  }
  const small = a.length < b.length ? a : b;
  const large = new Set(small === a ? b : a);
  if (small.some((x) => large.has(x))) {
    p.add(
      SpecErrorCode.type,
      path,
      `a link needs two different ends, but ${String(v[0])} and ${String(v[1])} share a node`,
    );
    return undefined;
  }
  return [a, b];
}

/** A node or group name → its member names; reports an unknown name with a "did you mean". */
export function resolveNodeRef(p: Problems, path: PathSegments, v: unknown, names: NodeNames): string[] | undefined {
  if (typeof v !== 'string') {
    p.add(SpecErrorCode.type, path, `expected a node or group name, got ${describeValue(v)}`);
    return undefined;
  }
  const members = names.groups.get(v);
  if (members !== undefined) return members;
  if (names.byName.has(v)) return [v];
  p.add(
    SpecErrorCode.reference,
    path,
    `unknown node or group "${v}"${didYouMean(v, [...names.groups.keys(), ...names.byName.keys()])}`,
  );
  return undefined;
}

/**
 * True when the value looks like a topology document rather than an experiment: it has links, a
 * generator or a node list (an experiment's `nodes:` is a map of settings), and no experiment keys.
 */
export function looksLikeTopology(doc: unknown): boolean {
  if (!isMap(doc) || doc['apps'] !== undefined || doc['topology'] !== undefined || doc['duration'] !== undefined)
    return false;
  return Array.isArray(doc['nodes']) || doc['links'] !== undefined || doc[GENERATOR_KEY] !== undefined;
}
