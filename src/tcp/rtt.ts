/**
 * Round-trip estimation and the retransmission timeout (RFC 6298). The linux profile computes the
 * timeout as Linux does (tcp_set_rto: SRTT + max(4·RTTVAR, rto_min), so min RTO is a floor on the
 * variance term); rfc9293 uses RFC 6298 2.3 (max(SRTT + 4·RTTVAR, min RTO)). Karn's algorithm
 * lives with the caller: it only feeds samples from unambiguous acknowledgments, and a backed-off
 * RTO stays until the next sample (RFC 6298 5.5 and 5.7).
 */
import { SEC, type Nanos } from '../sim/time.ts';

/** Linux TCP_TIMEOUT_MIN: 2 jiffies (HZ = 1000), the shortest retransmission timer it arms. */
export const TIMEOUT_MIN: Nanos = 2_000_000;

/** RFC 6298 5.7: RTO when the SYN or SYN-ACK was retransmitted and no sample exists. */
export const RTO_FALLBACK: Nanos = 3 * SEC;

export class RttEstimator {
  srtt: Nanos = 0;
  rttvar: Nanos = 0;
  rto: Nanos;
  /** A sample has been taken. */
  measured = false;
  /**
   * Smallest sample seen (Linux tcp_min_rtt; its windowed filter keeps 300 s, longer than most
   * runs, so a plain minimum): RACK's reordering window is a quarter of it (rack.ts).
   */
  minRtt: Nanos = Infinity;
  /** Timeouts since the last sample (Linux icsk_backoff). */
  backoffs = 0;

  constructor(
    initialRto: Nanos,
    private readonly minRto: Nanos,
    private readonly maxRto: Nanos,
    private readonly linuxStyle: boolean,
  ) {
    this.rto = Math.min(initialRto, maxRto);
  }

  /** Feeds one RTT measurement (RFC 6298 2.2 and 2.3) and recomputes the RTO (clearing backoff). */
  sample(r: Nanos): void {
    if (r < 0) r = 0;
    if (r < this.minRtt) this.minRtt = r;
    if (!this.measured) {
      this.srtt = r;
      this.rttvar = r / 2;
      this.measured = true;
    } else {
      const err = this.srtt > r ? this.srtt - r : r - this.srtt;
      this.rttvar = 0.75 * this.rttvar + 0.25 * err;
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.backoffs = 0;
    this.rto = this.computeRto();
  }

  /** The timeout from the current estimates, without backoff. */
  computeRto(): Nanos {
    const varTerm = 4 * this.rttvar;
    const rto = this.linuxStyle
      ? this.srtt + Math.max(varTerm, this.minRto)
      : Math.max(this.srtt + varTerm, this.minRto);
    return Math.min(Math.round(rto), this.maxRto);
  }

  /** RFC 6298 5.5: double the RTO after a timeout, up to the maximum. */
  backoff(): void {
    this.backoffs++;
    this.rto = Math.min(this.rto * 2, this.maxRto);
  }

  /**
   * RFC 6069 7.1 / Linux tcp_ld_RTO_revert: one backoff undone, the RTO recomputed from the
   * estimates (`initialRto` with no sample yet) and backed off by what remains.
   */
  revertBackoff(initialRto: Nanos): void {
    if (this.backoffs === 0) return;
    this.backoffs--;
    const base = this.measured ? this.computeRto() : Math.min(initialRto, this.maxRto);
    this.rto = Math.min(base * 2 ** this.backoffs, this.maxRto);
  }

  /** Sets the timeout directly (SYN linear timeouts, the 3 s fallback). */
  setRto(rto: Nanos): void {
    this.rto = Math.min(rto, this.maxRto);
  }
}
