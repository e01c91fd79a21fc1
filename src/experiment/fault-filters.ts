/**
 * The `faults:` rules of a spec as packet filters per host (src/net/packet-filter.ts). A rule on a
 * group gives every member its own copy (its own nth counter, as each Linux box has its own
 * iptables). Hosts without rules get no entry, so world.ts leaves them unwrapped.
 */
import { hostFilters, type FilterRule, type PacketFilter } from '../net/packet-filter.ts';
import type { Sim } from '../sim/simulator.ts';
import type { Tracer } from '../sim/trace.ts';
import type { ExperimentSpec, FaultRule } from './spec-types.ts';

export interface HostFilters {
  input: PacketFilter | null;
  output: PacketFilter | null;
}

function toFilterRule(f: FaultRule): FilterRule {
  const rule: FilterRule = {
    chain: f.chain,
    flags: f.flags ?? -1,
    len: f.len ?? -1,
    nth: f.nth ?? 0,
    from: f.from,
    to: f.to ?? Infinity,
  };
  if (f.reject !== undefined) rule.reject = f.reject;
  return rule;
}

/** Host name → its filters, for hosts that have rules. */
export function faultFilters(
  spec: Pick<ExperimentSpec, 'faults' | 'topology'>,
  sim: Sim,
  tracer: Tracer,
): Map<string, HostFilters> {
  const byHost = new Map<string, FilterRule[]>();
  for (const f of spec.faults) {
    for (const n of spec.topology.nodes) {
      if (n.name !== f.node && n.group !== f.node) continue;
      let list = byHost.get(n.name);
      if (list === undefined) byHost.set(n.name, (list = []));
      list.push(toFilterRule(f));
    }
  }
  const out = new Map<string, HostFilters>();
  for (const [host, rules] of byHost) out.set(host, hostFilters(host, rules, sim, tracer));
  return out;
}
