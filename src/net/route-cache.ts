/**
 * A host's learned path MTUs (RFC 1191; Linux's route exceptions, fib_nh_exception): the MTU to a
 * destination, lowered by ICMP fragmentation-needed, forgotten after ip_rt_mtu_expires (600 s),
 * never below ip_rt_min_pmtu (552) (Linux __ip_rt_update_pmtu). A host that never got such an
 * error holds nothing (no map is made), and every destination then has the device MTU.
 */
import { SEC, type Nanos } from '../sim/time.ts';

/** Linux ip_rt_mtu_expires: 10 minutes. */
export const PMTU_EXPIRES: Nanos = 600 * SEC;
/** Linux ip_rt_min_pmtu: 512 + 20 + 20. */
export const MIN_PMTU = 552;

interface Exception {
  mtu: number;
  expires: Nanos;
}

export class RouteCache {
  private exceptions: Map<number, Exception> | null = null;

  /** The learned path MTU to `dst`, 0 for none (the device MTU applies). */
  mtu(dst: number, now: Nanos): number {
    const e = this.exceptions?.get(dst);
    if (e === undefined) return 0;
    if (now >= e.expires) {
      this.exceptions!.delete(dst);
      return 0;
    }
    return e.mtu;
  }

  /**
   * An ICMP fragmentation-needed said the next hop takes `mtu` bytes: the route's MTU drops to
   * it (never rises; below 552 it is 552). `deviceMtu`: the MTU with no exception. Returns the
   * route's MTU afterwards.
   */
  update(dst: number, mtu: number, deviceMtu: number, now: Nanos): number {
    const current = this.mtu(dst, now);
    const old = current > 0 ? current : deviceMtu;
    const next = reducedMtu(old, mtu);
    if (next === old && current > 0) return old;
    (this.exceptions ??= new Map()).set(dst, { mtu: next, expires: now + PMTU_EXPIRES });
    return next;
  }
}

/** The route MTU after an error reporting `mtu` (Linux __ip_rt_update_pmtu): never up, never below 552. */
export function reducedMtu(old: number, mtu: number): number {
  const next = mtu < MIN_PMTU ? Math.min(old, MIN_PMTU) : mtu;
  return next < old ? next : old;
}
