/**
 * Active Fast Open blackhole detection as Linux does it (net/ipv4/tcp_fastopen.c,
 * tcp_fastopen_active_disable / _should_disable / _detect_blackhole / _disable_ofo_check).
 * Middleboxes that drop SYNs with data, or the connection after them, make Fast Open worse than
 * none; Linux therefore pauses active Fast Open host-wide (per network namespace) when:
 * - a connection that used it (its SYN carried the option or data, or its SYN data was
 *   acknowledged) hits its third consecutive retransmission timeout, or gives up before that;
 * - such a connection ends having received no data and only a FIN, held out of order.
 * Each pause counts in LINUX_MIB_TCPFASTOPENBLACKHOLE and lasts
 * net.ipv4.tcp_fastopen_blackhole_timeout_sec × 2^min(pauses − 1, 6) (0 s, Linux's default since
 * 5.12, never pauses). While paused a connect() sends a plain SYN: no option, no data. The first
 * connection after a pause that receives data resets the back-off.
 *
 * Runs once per Fast Open connect and once per timeout or end of a connection that used Fast
 * Open: never on the data path.
 */
import type { Nanos } from '../sim/time.ts';
import type { Tcb } from './tcb.ts';

/** Linux caps the back-off at 2^6 times the configured timeout. */
const MAX_BACKOFF_SHIFT = 6;

/** One host's (network namespace's) state: net->ipv4.tfo_active_disable_stamp / _times. */
export class FastOpenBlackhole {
  /** When Fast Open was last paused (tfo_active_disable_stamp). */
  stamp: Nanos = 0;
  /** Pauses since the last success (tfo_active_disable_times): the back-off exponent. */
  times = 0;
  /** LINUX_MIB_TCPFASTOPENBLACKHOLE: pauses ever. */
  events = 0;

  /** tcp_fastopen_active_disable: pause (again), from now. */
  disable(now: Nanos): void {
    this.stamp = now;
    this.times++;
    this.events++;
  }

  /**
   * tcp_fastopen_active_should_disable: whether a connect() at `now` must not use Fast Open
   * (`timeout`: the sysctl, ns). A connect that may use it after a pause is marked to reset the
   * back-off once it receives data (syn_fastopen_ch): returned as 'check'.
   */
  verdict(timeout: Nanos, now: Nanos): 'off' | 'check' | 'on' {
    if (timeout <= 0 || this.times === 0) return 'on';
    const multiplier = 2 ** Math.min(this.times - 1, MAX_BACKOFF_SHIFT);
    if (now < this.stamp + multiplier * timeout) return 'off';
    return 'check';
  }
}

/** The connection used Fast Open as tcp_fastopen_active_detect_blackhole counts it. */
function usedFastOpen(t: Tcb): boolean {
  const fo = t.fo;
  return fo !== null && (fo.synFastOpen || fo.synData > 0 || fo.dataAcked);
}

/**
 * tcp_fastopen_active_detect_blackhole, from the retransmission timer (tcp_write_timeout):
 * `timeouts` retransmissions had gone out when the timer fired, `expired` it gave up.
 * Returns whether Fast Open was paused (LINUX_MIB_TCPFASTOPENACTIVEFAIL counts it too).
 */
export function detectBlackhole(t: Tcb, timeouts: number, expired: boolean, now: Nanos): boolean {
  const bh = t.out.fastOpenBlackhole;
  if (bh === undefined || !usedFastOpen(t)) return false;
  if (timeouts === 2 || (timeouts < 2 && expired)) {
    bh.disable(now);
    return true;
  }
  return false;
}

/**
 * tcp_fastopen_active_disable_ofo_check, when the connection ends (tcp_v4_destroy_sock): no data
 * received and a lone FIN held out of order pauses Fast Open; data received on a connection
 * marked after a pause resets the back-off.
 */
export function blackholeOnEnd(t: Tcb, now: Nanos): void {
  const fo = t.fo;
  const bh = t.out.fastOpenBlackhole;
  if (fo === null || bh === undefined || !fo.synFastOpen || fo.ended) return;
  fo.ended = true;
  if (t.bytesReceivedTotal === 0) {
    if (t.rcvq.oooFin >= 0 && !t.rcvq.hasOutOfOrder) bh.disable(now);
  } else if (fo.blackholeCheck && bh.times > 0) {
    bh.times = 0;
  }
}
