/**
 * Parameter paths (`tcp.backlog`, `apps.flood.rate`, `topology.links.0.latency`), shared by
 * `--set` and `sweep:`. A path is checked against the document and the schema before anything is
 * changed, so a typo is reported as "no such parameter" with a "did you mean", not as an odd
 * validation error somewhere else.
 */
import { didYouMean, formatPath, type PathSegments } from './errors.ts';
import { isMap } from './spec-readers.ts';
import { isReservedKey, reservedKeyMessage } from './safe-keys.ts';
import { TCP_KEYS } from './tcp-spec.ts';
import { APP_KEYS, APP_KINDS } from './app-spec.ts';
import { LINK_KEYS, NODE_KEYS, TOPOLOGY_KEYS } from './topology-spec.ts';
import { BURST_LOSS_KEYS, LINK_PROP_KEYS } from './link-spec.ts';
import { GENERATOR_KEY, GENERATOR_KEYS, GENERATORS } from './generators.ts';
import { FAULT_KEYS } from './fault-spec.ts';

export const EXPERIMENT_KEYS = [
  'name',
  'description',
  'topology',
  'duration',
  'seed',
  'seeds',
  'tcp',
  'nodes',
  'apps',
  'faults',
  'sweep',
  'charts',
  'sampleInterval',
  'trace',
  'pcap',
] as const;

/** "topology.links.0.latency" → ['topology', 'links', 0, 'latency']; undefined if malformed. */
export function parsePath(text: string): PathSegments | undefined {
  const parts = text.trim().split('.');
  if (parts.some((s) => s === '')) return undefined;
  return parts.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * Sweep axes, and the overrides of a named axis's variants, are keyed by whole paths (`sweep:
 * {apps.flood.rate: [...]}`, `cookies: {tcp.synCookies: true}`), so `--set
 * sweep.apps.flood.rate=[1/s, 2/s]` names one key, not four levels. The segments after `sweep` are
 * joined up to an existing axis, or all of them for a new path axis; after a named axis come a
 * variant name and the path it overrides.
 */
export function sweepAxisSegments(doc: unknown, segments: PathSegments): PathSegments {
  if (segments[0] !== 'sweep' || segments.length < 3) return segments;
  const sweep = isMap(doc) && isMap(doc['sweep']) ? doc['sweep'] : {};
  for (let end = segments.length; end >= 2; end--) {
    const axis = segments.slice(1, end).join('.');
    if (!Object.hasOwn(sweep, axis)) continue;
    const rest = segments.slice(end);
    return isMap(sweep[axis]) && rest.length > 1
      ? ['sweep', axis, rest[0]!, rest.slice(1).join('.')]
      : ['sweep', axis, ...rest];
  }
  return ['sweep', segments.slice(1).join('.')];
}

/** Whether `segments` matches `pattern`, where '*' matches any single segment. */
function matches(segments: PathSegments, pattern: readonly string[]): boolean {
  return segments.length === pattern.length && pattern.every((p, i) => p === '*' || p === String(segments[i]));
}

/** Maps that may be absent from a file yet be set by path: `--set tcp.backlog=1024` on a file without `tcp:`. */
const OPTIONAL_MAPS = [
  ['tcp'],
  ['nodes'],
  ['apps'],
  ['nodes', '*'],
  ['nodes', '*', 'tcp'],
  ['sweep'],
  ['topology', 'links', '*', 'burstLoss'],
  ['topology', 'serverLink'],
  ['topology', 'attackerLink'],
  ['topology', 'bottleneck'],
];

/**
 * The keys the schema allows in the map at `prefix` of `doc`, or undefined where any key is
 * allowed (app ids, node names, charts) or the shape is unknown (validation then decides).
 */
function allowedKeysAt(doc: unknown, prefix: PathSegments, container: unknown): readonly string[] | undefined {
  if (matches(prefix, [])) return EXPERIMENT_KEYS;
  if (matches(prefix, ['tcp']) || matches(prefix, ['nodes', '*', 'tcp'])) return TCP_KEYS;
  if (matches(prefix, ['nodes', '*'])) return ['tcp'];
  if (matches(prefix, ['faults', '*'])) return FAULT_KEYS;
  if (matches(prefix, ['apps', '*'])) {
    const kind = isMap(container) ? container['kind'] : undefined;
    return APP_KINDS.find((k) => k === kind) === undefined ? undefined : APP_KEYS[kind as (typeof APP_KINDS)[number]];
  }
  const topology = isMap(doc) ? doc['topology'] : undefined;
  const generator = isMap(topology) ? topology[GENERATOR_KEY] : undefined;
  if (matches(prefix, ['topology'])) {
    if (generator === undefined) return TOPOLOGY_KEYS;
    return GENERATORS.find((g) => g === generator) === undefined
      ? undefined
      : GENERATOR_KEYS[generator as (typeof GENERATORS)[number]];
  }
  if (matches(prefix, ['topology', 'nodes', '*'])) return NODE_KEYS;
  if (matches(prefix, ['topology', 'links', '*'])) return LINK_KEYS;
  if (matches(prefix, ['topology', 'links', '*', 'burstLoss'])) return BURST_LOSS_KEYS;
  if (
    generator !== undefined &&
    ['serverLink', 'attackerLink', 'bottleneck'].includes(String(prefix[1])) &&
    prefix.length === 2
  )
    return LINK_PROP_KEYS;
  return undefined;
}

function where(prefix: PathSegments): string {
  return prefix.length === 0 ? 'the experiment' : formatPath(prefix);
}

/**
 * Checks that `segments` names a parameter of `doc`: every list index exists, every key is one the
 * schema allows there, and every missing map on the way is one that may be left out. Returns a
 * reason when it does not, else undefined.
 */
export function checkParamPath(doc: unknown, segments: PathSegments): string | undefined {
  const reserved = segments.find(isReservedKey);
  if (reserved !== undefined) return reservedKeyMessage(String(reserved));
  let cur: unknown = doc;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const prefix = segments.slice(0, i);
    const last = i === segments.length - 1;
    if (Array.isArray(cur)) {
      if (typeof seg !== 'number') return `${where(prefix)} is a list; pick an entry by number (0…${cur.length - 1})`;
      if (seg >= cur.length)
        return `${where(prefix)} has ${cur.length} entries (0…${cur.length - 1}), so no entry ${seg}`;
      cur = cur[seg];
      continue;
    }
    if (cur === undefined && OPTIONAL_MAPS.some((m) => matches(prefix, m))) cur = {};
    if (!isMap(cur))
      return `${where(prefix)} is ${cur === undefined ? 'not set' : `a single value`}, so it has no ${JSON.stringify(String(seg))}`;
    const key = String(seg);
    const allowed = allowedKeysAt(doc, prefix, cur);
    if (allowed !== undefined && !allowed.includes(key))
      return `${where(prefix)} has no parameter ${JSON.stringify(key)}${didYouMean(key, allowed)}`;
    if (
      (!Object.hasOwn(cur, key) || cur[key] === undefined) &&
      !last &&
      allowed === undefined &&
      !OPTIONAL_MAPS.some((m) => matches([...prefix, key], m))
    ) {
      return `${where(prefix)} has no ${JSON.stringify(key)}${didYouMean(key, Object.keys(cur))}`;
    }
    cur = Object.hasOwn(cur, key) ? cur[key] : undefined;
  }
  return undefined;
}
