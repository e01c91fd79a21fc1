/**
 * NewReno (RFC 5681 slow start and congestion avoidance, RFC 6582 fast recovery) counted in
 * segments, with Linux's appropriate byte counting in slow start: every acknowledged segment
 * grows the window by one (tcp_slow_start), and congestion avoidance adds one segment per window's
 * worth of acknowledged segments (tcp_cong_avoid_ai). Linux calls it "reno". The recovery window
 * arithmetic here is shared by CUBIC (cubic.ts), which overrides growth and the loss ssthresh.
 */
import type { Nanos } from '../../sim/time.ts';
import type { CcView, CongestionControl } from './cc.ts';

/** Linux snd_ssthresh starts "infinite" (TCP_INFINITE_SSTHRESH). */
export const INFINITE_SSTHRESH = 0x7fffffff;

export class NewReno implements CongestionControl {
  readonly name: string = 'reno';
  cwnd: number;
  ssthresh = INFINITE_SSTHRESH;
  /** Segments acknowledged towards the next congestion-avoidance increase (Linux snd_cwnd_cnt). */
  protected cwndCnt = 0;

  constructor(initialWindow: number) {
    this.cwnd = Math.max(1, initialWindow);
  }

  onAck(acked: number, cwndLimited: boolean, _now: Nanos): void {
    if (!cwndLimited || acked <= 0) return;
    if (this.cwnd < this.ssthresh) {
      acked = this.slowStart(acked);
      if (acked === 0) return;
    }
    this.congAvoidAi(this.cwnd, acked);
  }

  onAckSample(_v: CcView, _rtt: Nanos, _now: Nanos): void {}

  onTxStart(_idle: Nanos, _now: Nanos): void {}

  /** Linux tcp_slow_start: one segment per segment acknowledged, up to ssthresh; returns the rest. */
  protected slowStart(acked: number): number {
    const room = this.ssthresh - this.cwnd;
    const grow = acked < room ? acked : room;
    this.cwnd += grow;
    return acked - grow;
  }

  /** Linux tcp_cong_avoid_ai: one segment per `w` acknowledged. */
  protected congAvoidAi(w: number, acked: number): void {
    // Credits accumulated at a higher w are applied gently now.
    if (this.cwndCnt >= w) {
      this.cwndCnt = 0;
      this.cwnd++;
    }
    this.cwndCnt += acked;
    if (this.cwndCnt >= w) {
      const inc = Math.floor(this.cwndCnt / w);
      this.cwndCnt -= inc * w;
      this.cwnd += inc;
    }
  }

  /** RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2 * SMSS). */
  protected lossSsthresh(flight: number): number {
    return Math.max(Math.floor(flight / 2), 2);
  }

  enterRecovery(flight: number): void {
    // RFC 5681 3.2 step 2: cwnd = ssthresh + 3 * SMSS.
    this.ssthresh = this.lossSsthresh(flight);
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

  onTimeout(flight: number, _v: CcView, _now: Nanos, reduce = true): void {
    if (reduce) this.ssthresh = this.lossSsthresh(flight);
    this.cwnd = 1;
    this.cwndCnt = 0;
  }

  onIdleRestart(initialWindow: number): void {
    if (this.cwnd > initialWindow) this.cwnd = initialWindow;
  }
}
