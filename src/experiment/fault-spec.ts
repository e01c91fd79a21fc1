/**
 * `faults:` validation: netfilter-like drop rules at hosts, between a host and its TCP stack, the
 * way one shows a lost SYN on a Linux box:
 *
 *   iptables -A OUTPUT -p tcp --tcp-flags ALL SYN -m statistic --mode nth --every 1000 --packet 0 -j DROP
 *   faults:
 *     - { node: client, chain: output, flags: "S", nth: 1 }     # the client's first SYN
 *     - { node: server, chain: input, from: 10s, to: 200s }     # the server deaf for a while
 *
 * `flags` are packetdrill's letters and match exactly (`--tcp-flags ALL …`); `nth` counts the
 * packets that match the rest of the rule (flags, len, time window), per host, 1-based.
 */
import { formatDuration, type Nanos } from '../sim/time.ts';
import { parseFlags } from '../wire/flags.ts';
import { describeValue, SpecErrorCode, type PathSegments, type Problems } from './errors.ts';
import { MapReader, readList, readMap } from './spec-readers.ts';
import { resolveNodeRef, type ValidatedTopology } from './topology-spec.ts';
import type { FaultRule } from './spec-types.ts';

export const FAULT_KEYS = ['node', 'chain', 'flags', 'len', 'nth', 'from', 'to', 'reject', 'description'] as const;
/** iptables' --reject-with names for ICMP destination unreachable, and their codes (RFC 792, RFC 1812). */
export const REJECT_WITH: Readonly<Record<string, number>> = {
  'icmp-net-unreachable': 0,
  'icmp-host-unreachable': 1,
  'icmp-proto-unreachable': 2,
  'icmp-port-unreachable': 3,
  'icmp-net-prohibited': 9,
  'icmp-host-prohibited': 10,
  'icmp-admin-prohibited': 13,
};
const CHAINS: readonly FaultRule['chain'][] = ['input', 'output'];

export function readFaults(
  p: Problems,
  path: PathSegments,
  v: unknown,
  t: ValidatedTopology,
  duration: Nanos | undefined,
): FaultRule[] | undefined {
  if (v === undefined) return [];
  const list = readList(p, path, v);
  if (list === undefined) return undefined;
  const before = p.count;
  const rules: FaultRule[] = [];
  list.forEach((entry, i) => {
    const rule = readFault(p, [...path, i], entry, t, duration);
    if (rule !== undefined) rules.push(rule);
  });
  return p.count === before ? rules : undefined;
}

function readFault(
  p: Problems,
  path: PathSegments,
  v: unknown,
  t: ValidatedTopology,
  duration: Nanos | undefined,
): FaultRule | undefined {
  const obj = readMap(p, path, v);
  if (obj === undefined) return undefined;
  const before = p.count;
  const r = new MapReader(p, path, obj, FAULT_KEYS);
  if (r.has('description')) r.string('description');
  let node: string | undefined;
  if (r.require('node', 'the host or group whose packets it drops')) {
    const members = resolveNodeRef(p, r.at('node'), obj['node'], t);
    const router = members?.find((m) => t.byName.get(m)?.kind === 'router');
    if (router !== undefined)
      p.add(
        SpecErrorCode.type,
        r.at('node'),
        `${router} is a router; fault rules sit between a host and its TCP stack`,
      );
    else if (members !== undefined) node = obj['node'] as string;
  }
  const chain = r.oneOf('chain', CHAINS, 'output');
  const flags = r.read('flags', readFlagLetters);
  const len = r.has('len') ? r.bytes('len') : undefined;
  const nth = r.has('nth') ? r.int('nth', undefined, 1) : undefined;
  const rejectName = r.has('reject') ? r.oneOf('reject', Object.keys(REJECT_WITH)) : undefined;
  const from = r.duration('from', 0);
  const to = r.has('to') ? r.duration('to') : undefined;
  if (from !== undefined && duration !== undefined && from > 0 && from >= duration) {
    p.add(
      SpecErrorCode.range,
      r.at('from'),
      `starts at ${formatDuration(from)}, after the experiment ends (duration ${formatDuration(duration)})`,
    );
  }
  if (from !== undefined && to !== undefined && to <= from) {
    p.add(
      SpecErrorCode.range,
      r.at('to'),
      `ends at ${formatDuration(to)}, not after it starts (${formatDuration(from)})`,
    );
  }
  if (p.count !== before) return undefined;
  const rule: FaultRule = { node: node!, chain: chain!, from: from! };
  if (flags !== undefined) rule.flags = flags;
  if (len !== undefined) rule.len = len;
  if (nth !== undefined) rule.nth = nth;
  if (rejectName !== undefined) rule.reject = REJECT_WITH[rejectName];
  if (to !== undefined) rule.to = to;
  return rule;
}

/** Packetdrill flag letters ("S", "S.", ".", "P.", "F.", "R."): the exact set of flags a packet must carry. */
function readFlagLetters(p: Problems, path: PathSegments, v: unknown): number | undefined {
  const bits = typeof v === 'string' && v !== '' ? parseFlags(v) : null;
  if (bits === null) {
    p.add(
      SpecErrorCode.type,
      path,
      `expected packetdrill flag letters like "S", "S.", ".", "P.", "F." or "R" (letters F S R P U E W and "." for ACK), got ${describeValue(v)}; leave flags out to match any`,
    );
    return undefined;
  }
  if ([...(v as string)].length !== new Set(v as string).size) {
    p.add(SpecErrorCode.type, path, `${describeValue(v)} names a flag twice`);
    return undefined;
  }
  return bits;
}
