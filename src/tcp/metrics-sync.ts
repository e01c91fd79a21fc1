/**
 * A connection's two exchanges with its host's destination metrics (dst-metrics.ts), as Linux
 * net/ipv4/tcp_metrics.c does them: tcp_init_metrics when the handshake completes (the cached RTT
 * seeds the RTO; without any RTT, RFC 6298 5.7's 3 s) and tcp_update_metrics when the connection
 * ends (entering TIME-WAIT, a closed FIN-WAIT-2 becoming a timewait sock, or LAST-ACK done).
 *
 * Linux's default tcp_no_ssthresh_metrics_save = 1 (since 5.6) neither saves nor reads ssthresh;
 * tcplab does the same and has no knob for it. Reordering is not measured by this engine (it
 * keeps the fixed duplicate-ACK threshold), so that metric stays empty.
 */
import { MS, type Nanos } from '../sim/time.ts';
import { INFINITE_SSTHRESH } from './congestion/newreno.ts';
import { RTO_FALLBACK } from './rtt.ts';
import type { Tcb } from './tcb.ts';

/**
 * tcp_init_metrics, after the handshake's RTT sample (if any): a cached RTT above the sample
 * sets the RTO as tcp_rtt_estimator would from it, rtt + max(2·rtt, rto_min), in whole
 * milliseconds (jiffies at HZ 1000), leaving the estimator's own SRTT/RTTVAR alone so the first
 * data sample replaces it; with no sample and nothing cached, the RTO falls back to 3 s.
 */
export function initMetrics(t: Tcb, now: Nanos): void {
  const e = t.metrics !== null ? t.metrics.lookup(t.ep.localAddr, t.ep.remoteAddr, now) : null;
  const crtt = e !== null ? e.rtt : 0;
  const rtt = t.rtt;
  if (crtt > (rtt.measured ? rtt.srtt : 0)) {
    const c = Math.floor(crtt / MS) * MS;
    const floor = t.params.minRto;
    rtt.setRto(c + (2 * c > floor ? 2 * c : floor));
  } else if (!rtt.measured && t.params.profile === 'linux') {
    // (rfc9293 falls back only when the SYN or SYN-ACK was retransmitted, RFC 6298 5.7 to the letter)
    rtt.setRto(RTO_FALLBACK);
  }
}

/** tcp_update_metrics, once per connection (the timewait sock keeps no socket to update twice). */
export function updateMetrics(t: Tcb, now: Nanos): void {
  if (t.metricsSaved || t.metrics === null || !t.params.metricsSave) return;
  t.metricsSaved = true;
  const rtt = t.rtt;
  const saddr = t.ep.localAddr;
  const daddr = t.ep.remoteAddr;
  if (rtt.backoffs > 0 || !rtt.measured) {
    // "This session failed to estimate rtt. Why? Probably, no packets returned in time."
    const stale = t.metrics.lookup(saddr, daddr, now);
    if (stale !== null) stale.rtt = 0;
    return;
  }
  const e = t.metrics.getOrCreate(saddr, daddr, now);
  const srtt = rtt.srtt;
  let m = e.rtt - srtt;
  // A larger new RTT replaces the cached one, a smaller one moves it an eighth of the way:
  // "rtt overestimation is always better than underestimation".
  e.rtt = m <= 0 ? srtt : e.rtt - m / 8;
  if (m < 0) m = -m;
  if (m < rtt.rttvar) m = rtt.rttvar;
  e.rttvar = m >= e.rttvar ? m : e.rttvar - (e.rttvar - m) / 4;
  const cc = t.cc;
  if (cc.ssthresh === INFINITE_SSTHRESH) {
    // still in the initial slow start: remember the largest window reached
    if (cc.cwnd > e.cwnd) e.cwnd = cc.cwnd;
  } else if (cc.cwnd >= cc.ssthresh && !t.inRecovery && rtt.backoffs === 0) {
    // congestion avoidance in the Open state: cwnd is reliable
    e.cwnd = (e.cwnd + cc.cwnd) >> 1;
  } else {
    // slow start after a loss, or recovering: cwnd means little, ssthresh is the better guess
    e.cwnd = (e.cwnd + cc.ssthresh) >> 1;
  }
  e.stamp = now;
}
