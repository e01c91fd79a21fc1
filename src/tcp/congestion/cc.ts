/**
 * The congestion-control interface (in the spirit of Linux tcp_congestion_ops). Windows are in
 * segments, as Linux counts them (snd_cwnd, snd_ssthresh); the engine converts to bytes with the
 * effective MSS. Loss detection (duplicate ACKs, RTO) stays in the engine; the algorithm decides
 * how the window reacts. NewReno is the only algorithm today; CUBIC would implement the same
 * interface and be picked in `createCongestionControl`.
 */
import type { TcpParams } from '../params.ts';
import { NewReno } from './newreno.ts';

export interface CongestionControl {
  readonly name: string;
  /** Congestion window, in segments. */
  cwnd: number;
  /** Slow-start threshold, in segments. */
  ssthresh: number;
  /** New data acknowledged outside loss recovery: `acked` segments; `cwndLimited` as Linux tcp_is_cwnd_limited. */
  onAck(acked: number, cwndLimited: boolean): void;
  /** Fast retransmit (RFC 5681 3.2 step 2, RFC 6582 3.2): `flight` segments outstanding. */
  enterRecovery(flight: number): void;
  /** Another duplicate ACK during fast recovery (RFC 5681 3.2 step 4: inflate). */
  onRecoveryDupAck(): void;
  /** A partial ACK during fast recovery (RFC 6582 3.2 step 5: deflate by `acked`, add one). */
  onPartialAck(acked: number): void;
  /** The full ACK that ends fast recovery (RFC 6582 3.2 step 6). */
  exitRecovery(flight: number): void;
  /** Retransmission timeout (RFC 5681 3.1 eq. 4 and loss window). */
  onTimeout(flight: number): void;
  /** Restart after an idle period (RFC 5681 4.1). */
  onIdleRestart(initialWindow: number): void;
}

export function createCongestionControl(p: TcpParams, initialWindow: number): CongestionControl {
  switch (p.congestionControl) {
    case 'newreno':
      return new NewReno(initialWindow);
    default: {
      const never: never = p.congestionControl;
      throw new Error(`unknown congestion control ${String(never)}`);
    }
  }
}
