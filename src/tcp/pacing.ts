/**
 * Packet pacing as Linux does it since the earliest-departure-time model (4.20): every data packet
 * gets a departure time, tp->tcp_wstamp_ns, and the next one may leave len/sk_pacing_rate later
 * (tcp_update_skb_after_send). With the fq qdisc (SK_PACING_FQ) TCP stamps the skb and fq holds
 * it until then; with internal pacing (SK_PACING_NEEDED) tcp_write_xmit stops at tcp_pacing_check
 * and an hrtimer sends the next packet then. The engine holds the packet in TCP in both cases (a
 * timer at the departure time, `paceAt`), so a packet leaves when Linux's would reach the wire;
 * what it does not model is fq committing the packet early (TCP Small Queues lets about two
 * packets wait in fq), which moves when a packet counts as in flight, not when it leaves.
 *
 * Off (`tcp.pacing: off`, the linux profile's default: CUBIC on pfifo_fast or fq_codel does not
 * pace) nothing here runs: the send paths test one boolean.
 */
import type { Nanos } from '../sim/time.ts';
import type { Tcb } from './tcb.ts';
import { pacingRate } from './tso.ts';

/** Linux's sch_fq does not pace a flow's first 10 segments (tcp_update_skb_after_send: data_segs_out >= 10). */
const UNPACED_SEGS = 10;

/**
 * Linux tcp_pacing_check (and fq's wait for skb->tstamp): the next packet's departure time is
 * still ahead; the pacing timer is armed for it. Only called with pacing on.
 */
export function pacingHolds(t: Tcb, now: Nanos): boolean {
  if (t.wstamp <= now) return false;
  t.paceAt = t.wstamp;
  return true;
}

/**
 * A data packet of `bytes` in `segs` segments left at `now` (Linux __tcp_transmit_skb then
 * tcp_update_skb_after_send): the departure clock catches up with now, then advances by the
 * packet's time at the pacing rate, less up to half of it as credit for time the clock lagged
 * ("take into account OS jitter"). Only called with pacing on.
 */
export function pacingSent(t: Tcb, bytes: number, segs: number, now: Nanos): void {
  const prior = t.wstamp;
  if (t.wstamp < now) t.wstamp = now;
  t.dataSegsOut += segs;
  if (t.dataSegsOut < UNPACED_SEGS) return;
  const rate = Math.floor(pacingRate(t));
  if (!(rate > 0) || rate === Infinity) return;
  let lenNs = Math.floor((bytes * 1e9) / rate);
  const credit = t.wstamp - prior;
  const half = Math.floor(lenNs / 2);
  lenNs -= half < credit ? half : credit;
  t.wstamp += lenNs;
}
