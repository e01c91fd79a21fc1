/**
 * NewReno (RFC 5681 slow start and congestion avoidance, RFC 6582 fast recovery) counted in
 * segments, with Linux's appropriate byte counting in slow start: every acknowledged segment
 * grows the window by one (tcp_slow_start), and congestion avoidance adds one segment per window's
 * worth of acknowledged segments (tcp_cong_avoid_ai).
 */
import type { CongestionControl } from './cc.ts';

/** Linux snd_ssthresh starts "infinite" (TCP_INFINITE_SSTHRESH). */
export const INFINITE_SSTHRESH = 0x7fffffff;

export class NewReno implements CongestionControl {
  readonly name = 'newreno';
  cwnd: number;
  ssthresh = INFINITE_SSTHRESH;
  /** Segments acknowledged towards the next congestion-avoidance increase (Linux snd_cwnd_cnt). */
  private cwndCnt = 0;

  constructor(initialWindow: number) {
    this.cwnd = Math.max(1, initialWindow);
  }

  onAck(acked: number, cwndLimited: boolean): void {
    if (!cwndLimited || acked <= 0) return;
    if (this.cwnd < this.ssthresh) {
      // Slow start: one segment per segment acknowledged, up to ssthresh; the rest goes to CA.
      const room = this.ssthresh - this.cwnd;
      const grow = acked < room ? acked : room;
      this.cwnd += grow;
      acked -= grow;
      if (acked === 0) return;
    }
    this.cwndCnt += acked;
    if (this.cwndCnt >= this.cwnd) {
      const inc = Math.floor(this.cwndCnt / this.cwnd);
      this.cwndCnt -= inc * this.cwnd;
      this.cwnd += inc;
    }
  }

  enterRecovery(flight: number): void {
    // RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2 * SMSS); cwnd = ssthresh + 3 * SMSS.
    this.ssthresh = Math.max(Math.floor(flight / 2), 2);
    this.cwnd = this.ssthresh + 3;
    this.cwndCnt = 0;
  }

  onRecoveryDupAck(): void {
    this.cwnd += 1;
  }

  onPartialAck(acked: number): void {
    // RFC 6582 3.2 step 5: deflate by the amount acknowledged, add back one SMSS.
    this.cwnd = Math.max(this.cwnd - acked + 1, 1);
  }

  exitRecovery(flight: number): void {
    // RFC 6582 3.2 step 6, option (1): min(ssthresh, max(FlightSize, SMSS) + SMSS).
    this.cwnd = Math.min(this.ssthresh, Math.max(flight, 1) + 1);
    this.cwndCnt = 0;
  }

  onTimeout(flight: number): void {
    this.ssthresh = Math.max(Math.floor(flight / 2), 2);
    this.cwnd = 1;
    this.cwndCnt = 0;
  }

  onIdleRestart(initialWindow: number): void {
    if (this.cwnd > initialWindow) this.cwnd = initialWindow;
  }
}
