/**
 * IPv4 addresses for the nodes: an explicit `address` is kept; the others get 10.0.0.1, 10.0.0.2, …
 * in node order, skipping addresses taken explicitly and host parts .0 and .255 (which look like
 * network and broadcast addresses in a /24). Deterministic: the same node list gives the same
 * addresses, whatever else changes.
 */
import type { NodeDef } from './topology-def.ts';

export const FIRST_AUTO_ADDRESS = 0x0a000001; // 10.0.0.1

export function assignAddresses(nodes: readonly NodeDef[]): number[] {
  const taken = new Set<number>();
  for (const n of nodes) if (n.address !== undefined) taken.add(n.address >>> 0);
  let next = FIRST_AUTO_ADDRESS;
  return nodes.map((n) => {
    if (n.address !== undefined) return n.address >>> 0;
    while (taken.has(next) || (next & 255) === 0 || (next & 255) === 255) next++;
    taken.add(next);
    return next++;
  });
}
