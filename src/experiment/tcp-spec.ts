/**
 * `tcp:` (every host) and `nodes.<name>.tcp` (one node or group): a profile plus overrides of any
 * TcpParams field (docs/design.md part 3). Keys are the TcpParams names, so paths like `tcp.synCookies`
 * and `nodes.server.tcp.backlog` name exactly the parameter they set.
 */
import { PROFILES, tcpParams, type ProfileName, type TcpParams } from '../tcp/params.ts';
import { HZ_VALUES } from '../tcp/timer-wheel.ts';
import { TCP_PARAM_TABLE } from '../tcp/param-table.ts';
import type { ParamInfo, SpecParamKey } from '../tcp/param-info.ts';
import type { NodeDef } from '../net/topology-def.ts';
import { formatDuration } from '../sim/time.ts';
import { describeValue, SpecErrorCode, type PathSegments, type Problems } from './errors.ts';
import { checkKeys, readBool, readBytes, readDuration, readInt, readMap, readOneOf } from './spec-readers.ts';
import type { ExperimentSpec, TcpSettings } from './spec-types.ts';

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];
export const TCP_KEYS = Object.keys(TCP_PARAM_TABLE) as SpecParamKey[];

/** One TcpParams value as written in a file, read by the parameter's kind and checked against its range (also for socket options). */
export function readTcpField(p: Problems, path: PathSegments, key: SpecParamKey, v: unknown): unknown {
  const info = TCP_PARAM_TABLE[key];
  const kind = info.kind;
  let value: unknown;
  switch (kind) {
    case 'duration':
      value = readDuration(p, path, v);
      break;
    case 'count':
    case 'port': {
      const bits = info.bits;
      if (bits === undefined) return readInt(p, path, v, info.min ?? 0, info.max);
      // a flags sysctl (tcp_fastopen): a sum of its known bits, nothing else
      const mask = bits.reduce((a, b) => a | b, 0);
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && (v & ~mask) === 0 && v <= mask) return v;
      p.add(
        SpecErrorCode.range,
        path,
        `expected a sum of the bits ${bits.join(', ')} (${info.linux}), got ${describeValue(v)}`,
      );
      return undefined;
    }
    case 'bytes':
      value = readBytes(p, path, v);
      break;
    case 'bool':
      return readBool(p, path, v);
    case 'hz': {
      if ((HZ_VALUES as readonly unknown[]).includes(v)) return v;
      p.add(
        SpecErrorCode.range,
        path,
        `expected one of ${HZ_VALUES.join(', ')} (Linux CONFIG_HZ), got ${describeValue(v)}`,
      );
      return undefined;
    }
    default:
      return readOneOf(p, path, v, kind.oneOf);
  }
  if (typeof value !== 'number') return undefined;
  const problem = rangeProblem(info, value);
  if (problem === undefined) return value;
  p.add(SpecErrorCode.range, path, problem);
  return undefined;
}

/** Why `value` is outside the parameter's range ("expected a duration from 1s to 32767s, got 0s"), or undefined. */
export function rangeProblem(info: ParamInfo, value: number): string | undefined {
  if (value === 0 && info.zero !== undefined) return undefined;
  const min = info.min ?? 0;
  const max = info.max ?? Number.MAX_SAFE_INTEGER;
  if (value >= min && value <= max) return undefined;
  const show = info.kind === 'duration' ? formatDuration : String;
  const what = info.kind === 'duration' ? 'a duration' : info.kind === 'bytes' ? 'a size in bytes' : 'a whole number';
  const zero = info.zero === undefined ? '' : ` (or 0s: ${info.zero})`;
  return `expected ${what} from ${show(min)} to ${show(max)}${zero}, got ${show(value)}`;
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
export function tcpParamsFor(
  spec: Pick<ExperimentSpec, 'tcp' | 'nodes'>,
  node: Pick<NodeDef, 'name' | 'group'>,
): TcpParams {
  const group = node.group !== node.name ? spec.nodes[node.group]?.tcp : undefined;
  const own = spec.nodes[node.name]?.tcp;
  // Hosts with the same settings share one TcpParams (nothing writes to it: a socket option or a
  // listener's MSS copies it first); a copy per host cost ~0.5 KB each in a 100k-host world.
  const key = own !== undefined ? `node:${node.name}` : group !== undefined ? `group:${node.group}` : '';
  let cache = sharedParams.get(spec);
  if (cache === undefined) sharedParams.set(spec, (cache = new Map()));
  let params = cache.get(key);
  if (params === undefined) {
    const profile = own?.profile ?? group?.profile ?? spec.tcp.profile;
    params = tcpParams(profile, { ...spec.tcp, ...group, ...own });
    cache.set(key, params);
  }
  return params;
}

/** tcpParamsFor's objects per spec, by the settings they merge ('' = the experiment's tcp: alone). */
const sharedParams = new WeakMap<object, Map<string, TcpParams>>();

/** Cross-field rules on the parameters a node ends up with (checked per node after merging). */
export function checkTcpConsistency(p: Problems, path: PathSegments, t: TcpParams): void {
  const pair = (lowKey: keyof TcpParams, highKey: keyof TcpParams, show: (v: number) => string): void => {
    const lo = t[lowKey] as number;
    const hi = t[highKey] as number;
    if (lo > hi)
      p.add(SpecErrorCode.range, [...path, lowKey], `${lowKey} (${show(lo)}) is above ${highKey} (${show(hi)})`);
  };
  pair('minRto', 'maxRto', formatDuration);
  pair('initialRto', 'maxRto', formatDuration);
  pair('delayedAckMin', 'delayedAckMax', formatDuration);
  pair('ephemeralLow', 'ephemeralHigh', String);
}
