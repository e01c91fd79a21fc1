/**
 * `tcp:` (every host) and `nodes.<name>.tcp` (one node or group): a profile plus overrides of any
 * TcpParams field (DESIGN.md part 3). Keys are the TcpParams names, so paths like `tcp.synCookies`
 * and `nodes.server.tcp.backlog` name exactly the parameter they set.
 */
import { PROFILES, tcpParams, type ProfileName, type TcpParams } from '../tcp/params.ts';
import type { NodeDef } from '../net/topology-def.ts';
import { formatDuration } from '../sim/time.ts';
import { SpecErrorCode, type PathSegments, type Problems } from './errors.ts';
import { checkKeys, readBool, readBytes, readDuration, readInt, readMap, readOneOf } from './spec-readers.ts';
import type { ExperimentSpec, TcpSettings } from './spec-types.ts';

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];
export const TCP_KEYS = Object.keys(PROFILES.linux) as (keyof TcpParams)[];

type FieldKind = 'duration' | 'count' | 'port' | 'bytes' | 'bool' | { oneOf: readonly (string | boolean)[] };

/**
 * How each parameter is written in a file. A parameter missing here (added to TcpParams later)
 * is read by the type of its linux default: booleans as booleans, numbers as whole numbers.
 */
const FIELD_KINDS: Partial<Record<keyof TcpParams, FieldKind>> = {
  profile: { oneOf: PROFILE_NAMES },
  synCookies: { oneOf: [false, true, 'always'] },
  congestion: { oneOf: ['cubic', 'reno'] },
  initialRto: 'duration',
  minRto: 'duration',
  maxRto: 'duration',
  synGiveUp: 'duration',
  synAckGiveUp: 'duration',
  synRecvTimeout: 'duration',
  timeWait: 'duration',
  finWait2Timeout: 'duration',
  keepaliveIdle: 'duration',
  keepaliveInterval: 'duration',
  userTimeout: 'duration',
  delayedAckMin: 'duration',
  delayedAckMax: 'duration',
  ephemeralLow: 'port',
  ephemeralHigh: 'port',
  mss: 'bytes',
  rcvBuf: 'bytes',
  sndBuf: 'bytes',
  rcvBufMax: 'bytes',
  sndBufMax: 'bytes',
};

function kindOf(key: keyof TcpParams): FieldKind {
  return FIELD_KINDS[key] ?? (typeof PROFILES.linux[key] === 'boolean' ? 'bool' : 'count');
}

/** One TcpParams value as written in a file, read by the parameter's kind (also for socket options). */
export function readTcpField(p: Problems, path: PathSegments, key: keyof TcpParams, v: unknown): unknown {
  const kind = kindOf(key);
  switch (kind) {
    case 'duration':
      return readDuration(p, path, v);
    case 'count':
      return readInt(p, path, v, 0);
    case 'port':
      return readInt(p, path, v, 1, 65535);
    case 'bytes':
      return readBytes(p, path, v);
    case 'bool':
      return readBool(p, path, v);
    default:
      return readOneOf(p, path, v, kind.oneOf);
  }
}

/** Reads a `tcp:` map; every key optional. Undefined after recording problems. */
export function readTcpOverrides(p: Problems, path: PathSegments, v: unknown): Partial<TcpParams> | undefined {
  const obj = readMap(p, path, v);
  if (obj === undefined) return undefined;
  const before = p.count;
  checkKeys(p, path, obj, TCP_KEYS);
  const out: Record<string, unknown> = {};
  for (const key of TCP_KEYS) {
    if (obj[key] === undefined) continue;
    const value = readTcpField(p, [...path, key], key, obj[key]);
    if (value !== undefined) out[key] = value;
  }
  return p.count === before ? (out as Partial<TcpParams>) : undefined;
}

/** The `tcp:` section: profile defaults to linux. */
export function readTcpSettings(p: Problems, path: PathSegments, v: unknown): TcpSettings | undefined {
  if (v === undefined) return { profile: 'linux' };
  const o = readTcpOverrides(p, path, v);
  return o === undefined ? undefined : { ...o, profile: o.profile ?? 'linux' };
}

/**
 * The parameters one node runs with: its profile's defaults, then `tcp:`, then its group's
 * `nodes.<group>.tcp`, then its own `nodes.<name>.tcp`. A profile named at a narrower level
 * replaces the base defaults but keeps the broader levels' explicit overrides.
 */
export function tcpParamsFor(spec: Pick<ExperimentSpec, 'tcp' | 'nodes'>, node: Pick<NodeDef, 'name' | 'group'>): TcpParams {
  const group = node.group !== node.name ? spec.nodes[node.group]?.tcp : undefined;
  const own = spec.nodes[node.name]?.tcp;
  const profile = own?.profile ?? group?.profile ?? spec.tcp.profile;
  return tcpParams(profile, { ...spec.tcp, ...group, ...own });
}

/** Cross-field rules on the parameters a node ends up with (checked per node after merging). */
export function checkTcpConsistency(p: Problems, path: PathSegments, t: TcpParams): void {
  const pair = (lowKey: keyof TcpParams, highKey: keyof TcpParams, show: (v: number) => string): void => {
    const lo = t[lowKey] as number;
    const hi = t[highKey] as number;
    if (lo > hi) p.add(SpecErrorCode.range, [...path, lowKey], `${lowKey} (${show(lo)}) is above ${highKey} (${show(hi)})`);
  };
  pair('minRto', 'maxRto', formatDuration);
  pair('initialRto', 'maxRto', formatDuration);
  pair('delayedAckMin', 'delayedAckMax', formatDuration);
  pair('ephemeralLow', 'ephemeralHigh', String);
  if (t.mss < 88) p.add(SpecErrorCode.range, [...path, 'mss'], `mss ${t.mss} is below the 88-byte minimum Linux allows`);
}
