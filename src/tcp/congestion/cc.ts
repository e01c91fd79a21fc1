/**
 * The congestion-control interface (in the spirit of Linux tcp_congestion_ops). Windows are in
 * segments, as Linux counts them (snd_cwnd, snd_ssthresh); the engine converts to bytes with the
 * effective MSS. Loss detection (duplicate ACKs, RTO) stays in the engine; the algorithm decides
 * how the window reacts. `tcp.congestion` picks one: cubic (Linux's default, RFC 9438) or reno
 * (RFC 5681 / 6582 NewReno).
 */
import type { Nanos } from '../../sim/time.ts';
import type { TcpParams } from '../params.ts';
import { Cubic } from './cubic.ts';
import { NewReno } from './newreno.ts';

/** What an algorithm may read of the connection (the Tcb satisfies it). */
export interface CcView {
  readonly sndUna: number;
  readonly sndNxt: number;
  readonly mss: number;
  readonly packetsOut: number;
  readonly rtt: { readonly srtt: Nanos };
}

export interface CongestionControl {
  readonly name: string;
  /** Congestion window, in segments. */
  cwnd: number;
  /** Slow-start threshold, in segments. */
  ssthresh: number;
  /** New data acknowledged outside loss recovery: `acked` segments; `cwndLimited` as Linux tcp_is_cwnd_limited (cong_avoid). */
  onAck(acked: number, cwndLimited: boolean, now: Nanos): void;
  /** Every ACK of new data, before onAck: the RTT of the newest segment it covers, or -1 (pkts_acked). */
  onAckSample(v: CcView, rtt: Nanos, now: Nanos): void;
  /** Data goes out with nothing in flight after `idle` since the last send (CA_EVENT_TX_START). */
  onTxStart(idle: Nanos, now: Nanos): void;
  /** Fast retransmit (RFC 5681 3.2 step 2, RFC 6582 3.2): `flight` segments outstanding. */
  enterRecovery(flight: number): void;
  /** Another duplicate ACK during fast recovery (RFC 5681 3.2 step 4: inflate). */
  onRecoveryDupAck(): void;
  /** A partial ACK during fast recovery (RFC 6582 3.2 step 5: deflate by `acked`, add one). */
  onPartialAck(acked: number): void;
  /** The full ACK that ends fast recovery (RFC 6582 3.2 step 6). */
  exitRecovery(flight: number): void;
  /**
   * Retransmission timeout (RFC 5681 3.1 eq. 4 and loss window). `reduce` false: a backed-off RTO
   * of an episode already reduced keeps ssthresh (Linux tcp_enter_loss).
   */
  onTimeout(flight: number, v: CcView, now: Nanos, reduce?: boolean): void;
  /** Restart after an idle period (RFC 5681 4.1). */
  onIdleRestart(initialWindow: number): void;
}

export const CONGESTION_CONTROLS = ['cubic', 'reno'] as const;
export type CongestionName = (typeof CONGESTION_CONTROLS)[number];

export function createCongestionControl(p: TcpParams, initialWindow: number): CongestionControl {
  switch (p.congestion) {
    case 'cubic':
      // Linux counts CUBIC's time in the host's jiffies; `timers: exact` keeps millisecond ones.
      return p.timers === 'wheel'
        ? new Cubic(initialWindow, p.hz, p.jiffiesOffset ?? 0, p.pacing !== 'off')
        : new Cubic(initialWindow, 1000, 0, p.pacing !== 'off');
    case 'reno':
      return new NewReno(initialWindow);
    default: {
      const never: never = p.congestion;
      throw new Error(`unknown congestion control ${String(never)}`);
    }
  }
}
