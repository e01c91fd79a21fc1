/**
 * When a TCP timer really fires: Linux's jiffies and the timer wheel of kernel/time/timer.c, in
 * one place. Every TCP timer Linux keeps on the wheel (timer_list: the retransmission timer with
 * its SYN, SYN-ACK, TLP, zero-window-probe and user-timeout uses, the delayed-ACK timer, the
 * keepalive timer, the request timer reqsk_timer_handler, the TIME-WAIT / FIN_WAIT_2 timer of
 * inet_twsk_schedule) is armed through `timerExpiry`; with `timers: exact` it fires at its
 * nominal nanosecond instead (the RFC reading). Linux's hrtimers (pacing, compressed SACK) are
 * not modelled by tcplab, so nothing here is ever an hrtimer.
 *
 * The model, as timer.c does it (see docs/linux-timers.md):
 * - jiffies = floor((now + offset) / TICK_NSEC); a timeout is a whole number of jiffies,
 *   rounded up (msecs_to_jiffies, usecs_to_jiffies), so expires = jiffies + ceil(delay / tick);
 * - calc_wheel_index: the level is chosen from delta = expires - clk (clk = jiffies): level n
 *   holds deltas below LVL_START(n + 1) = 63 << 3n, with granularity 8^n jiffies (LVL_CLK_SHIFT 3,
 *   LVL_BITS 6; 9 levels above HZ 100, 8 at HZ 100; deltas past the last level are capped);
 * - calc_index: the expiry is rounded UP to the next multiple of the level's granularity,
 *   strictly after `expires` (expires >> shift) + 1) << shift: the bucket's expiry;
 * - the timer fires when jiffies reaches the bucket expiry, i.e. at that tick's edge. Timers in
 *   one bucket get the same nanosecond, so they fire together (batched expiry) with no list kept;
 * - a timer re-armed from its own callback sees clk = jiffies + 1: __run_timers increments
 *   base->clk before expire_timers runs the bucket, and forward_timer_base leaves a clk that is
 *   ahead of jiffies alone (`rearm`). Outside callbacks __mod_timer forwards clk to jiffies first,
 *   so an idle base never lags when a timer is armed;
 * - within one tick, expire_timers runs the highest level's bucket first and each bucket's list
 *   newest first (hlist_add_head): `expiryOrder` gives that order for timers that share a tick.
 *
 * Pure integer arithmetic on the arguments: no state, no allocation, a handful of operations.
 */
import { SEC, type Nanos } from '../sim/time.ts';
import type { TcpParams } from './params.ts';

/** The HZ values Linux offers (CONFIG_HZ_100/250/300/1000). */
export const HZ_VALUES = [100, 250, 300, 1000] as const;

/** kernel/time/timer.c */
const LVL_CLK_SHIFT = 3;
const LVL_CLK_DIV = 1 << LVL_CLK_SHIFT;
const LVL_SIZE = 1 << 6; // LVL_BITS 6

/** Linux TICK_NSEC: (NSEC_PER_SEC + HZ/2) / HZ. */
export function tickNs(hz: number): Nanos {
  return Math.floor((SEC + Math.floor(hz / 2)) / hz);
}

/** calc_wheel_index: the level of a timer `delta` jiffies ahead of the wheel's clock. */
function levelOf(delta: number, depth: number): number {
  let lvl = 0;
  let start = LVL_SIZE - 1; // LVL_START(lvl + 1)
  while (delta >= start && lvl < depth - 1) {
    lvl++;
    start *= LVL_CLK_DIV;
  }
  return lvl;
}

/**
 * calc_wheel_index + calc_index: the jiffy at which a timer with expiry `expires`, armed when
 * the wheel's clock reads `clk`, fires (its bucket's expiry).
 */
export function bucketExpiry(expires: number, clk: number, hz: number): number {
  const delta = expires - clk;
  if (delta < 0) return clk;
  const depth = hz > 100 ? 9 : 8; // LVL_DEPTH
  let lvl = 0; // levelOf, with the granularity kept in the same loop (this runs on every arming)
  let gran = 1; // LVL_GRAN(lvl)
  let start = LVL_SIZE - 1; // LVL_START(lvl + 1)
  while (delta >= start && lvl < depth - 1) {
    lvl++;
    gran *= LVL_CLK_DIV;
    start *= LVL_CLK_DIV;
  }
  let e = expires;
  // WHEEL_TIMEOUT_CUTOFF = LVL_START(LVL_DEPTH): longer timeouts are capped at WHEEL_TIMEOUT_MAX.
  if (lvl === depth - 1 && delta >= start) e = clk + start - gran;
  return (Math.floor(e / gran) + 1) * gran;
}

/** The host's jiffies at `now`. */
function jiffiesAt(p: TcpParams, now: Nanos, tick: number): number {
  return Math.floor((now + (p.jiffiesOffset ?? 0)) / tick);
}

/**
 * The absolute time a timer armed at `now` for `delay` fires: `now + delay` with `timers: exact`,
 * the wheel's bucket edge with `timers: wheel`. Infinity stays Infinity. `rearm`: the timer is
 * re-armed from its own callback (tcp_retransmit_timer, reqsk_timer_handler, tcp_keepalive_timer,
 * tcp_probe_timer, the loss probe), where the wheel's clk is one ahead of jiffies.
 */
export function timerExpiry(p: TcpParams, now: Nanos, delay: Nanos, rearm = false): Nanos {
  if (p.timers === 'exact' || delay === Infinity) return now + delay;
  const tick = tickNs(p.hz);
  const jiffies = jiffiesAt(p, now, tick);
  const expires = jiffies + Math.ceil(delay / tick);
  return bucketExpiry(expires, rearm ? jiffies + 1 : jiffies, p.hz) * tick - (p.jiffiesOffset ?? 0);
}

/**
 * Where a timer armed like `timerExpiry(p, now, delay, rearm)` runs among the timers of its
 * host that fire in the same tick, as a sort key (smaller runs first): expire_timers empties the
 * highest level's bucket first, and each bucket newest first (enqueue_timer uses
 * hlist_add_head). `seq` counts arming in order. With `timers: exact` it is `seq`: first armed,
 * first run.
 */
export function expiryOrder(p: TcpParams, now: Nanos, delay: Nanos, rearm: boolean, seq: number): number {
  if (p.timers === 'exact' || delay === Infinity) return seq;
  const tick = tickNs(p.hz);
  const delta = Math.ceil(delay / tick) - (rearm ? 1 : 0);
  const lvl = delta < 0 ? 0 : levelOf(delta, p.hz > 100 ? 9 : 8);
  return -(lvl * 2 ** 44 + seq);
}

/**
 * The jiffies clock's phase for one host: `zero` starts jiffies at 0 at simulated time 0 (every
 * level's boundaries line up with the start); `shared` draws one phase per run (every host reads
 * the same clock, as network namespaces on one kernel do); `perHost` draws one per host (separate
 * machines). The phase covers a whole top-level rotation (8^8 jiffies) plus a fraction of a tick,
 * so every level's boundaries fall anywhere relative to the experiment.
 */
export function jiffiesOffset(p: TcpParams, draw: (scope: 'run' | 'host') => number): Nanos {
  if (p.timers === 'exact' || p.jiffies === 'zero') return 0;
  const u = draw(p.jiffies === 'shared' ? 'run' : 'host'); // uniform in [0, 1)
  const tick = tickNs(p.hz);
  return Math.floor(u * 2 ** 24 * tick);
}
