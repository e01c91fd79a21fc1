/**
 * One TCP connection (RFC 9293 TCB plus Linux behaviour). The engine does no I/O: every entry
 * point takes `now`, output goes through the EngineOutput, and after each call the owner reads
 * `deadline` and keeps one wake-up for it (DESIGN.md part 1).
 *
 * SKELETON: the public API is final; handlers are being filled in.
 */
import type { Nanos } from '../sim/time.ts';
import type { Segment } from '../wire/segment.ts';
import { TcpState, type EngineOutput, type Endpoints, type Errno, type TimedEntity } from './api.ts';
import type { TcpParams } from './params.ts';

/** What the owner does with a segment after `onSegment`. */
export const SegmentVerdict = {
  /** The connection handled the segment (including answering or dropping it). */
  CONSUMED: 0,
  /**
   * A TIME-WAIT connection accepted a new SYN (RFC 6191, RFC 9293 3.10.7.4, Linux TCP_TW_SYN) and
   * closed itself (FREED already emitted): the owner hands the SYN to the listener, which may use
   * `reopenIsn` as the new connection's ISS (Linux: tw_snd_nxt + 65537).
   */
  REOPEN: 1,
} as const;
export type SegmentVerdict = (typeof SegmentVerdict)[keyof typeof SegmentVerdict];

/** What the listener knows when the handshake's final ACK arrives (or a SYN cookie validates). */
export interface HandshakeInfo {
  ep: Endpoints;
  /** Our initial send sequence number (the SYN-ACK's sequence number). */
  iss: number;
  /** The peer's initial sequence number (the SYN's sequence number). */
  irs: number;
  /** The window field of the peer's SYN (never scaled). */
  peerWindow: number;
  /** The peer's MSS option (536 when it sent none, RFC 9293 3.7.1). */
  peerMss: number;
  /** The peer's window-scale shift, -1 when its SYN had no wscale option. */
  peerWscale: number;
  /** Our window-scale shift as offered in the SYN-ACK, -1 when we offered none. */
  ourWscale: number;
  /** Both sides offered SACK-permitted. */
  sackOk: boolean;
  /** Both sides sent timestamps. */
  tsOk: boolean;
  /** The TSval of the peer's latest segment (TS.Recent). */
  tsRecent: number;
  /** Our timestamp offset (TSval = offset + ms clock). */
  tsOffset: number;
  /** When the (first, unretransmitted) SYN-ACK was sent: gives an RTT sample. */
  synAckSentAt?: Nanos;
  /** The SYN-ACK was retransmitted (RFC 6298 5.7: RTO 3 s when no sample). */
  synAckRetransmitted?: boolean;
}

export class Connection implements TimedEntity {
  readonly ep: Endpoints;
  state: TcpState = TcpState.CLOSED;
  deadline: Nanos = Infinity;
  /** After a REOPEN verdict: the ISS Linux would pick for the new incarnation. */
  reopenIsn = 0;

  protected constructor(ep: Endpoints, readonly params: TcpParams, protected readonly out: EngineOutput) {
    this.ep = ep;
  }

  /** Active open: sends a SYN and enters SYN_SENT. `tsOffset` is the per-connection TSval offset. */
  static connect(ep: Endpoints, params: TcpParams, iss: number, now: Nanos, out: EngineOutput, tsOffset = 0): Connection {
    void iss; void now; void tsOffset;
    return new Connection(ep, params, out);
  }

  /**
   * Created by the listener when the handshake's final ACK arrives (or a SYN cookie validates):
   * emits SYN_RCVD → ESTABLISHED; the listener then passes that ACK to onSegment so data on the
   * third ACK is received.
   */
  static fromHandshake(h: HandshakeInfo, params: TcpParams, now: Nanos, out: EngineOutput): Connection {
    void now;
    return new Connection(h.ep, params, out);
  }

  onSegment(seg: Segment, now: Nanos): SegmentVerdict { void seg; void now; return SegmentVerdict.CONSUMED; }
  onTimer(now: Nanos): void { void now; }

  /** Queues up to `bytes`; returns how many were accepted, or -1 when sending is not allowed (see `sendErrno`). */
  send(bytes: number, now: Nanos): number { void bytes; void now; return 0; }
  /** Why send() would fail now (EPIPE after shutdown(wr) or close, ENOTCONN when closed, a pending error), or null. */
  sendErrno(): Errno | null { return null; }
  /** Reads up to `max` bytes: the count, 0 at end of stream, -1 when nothing is there yet (EAGAIN). */
  recv(max: number, now: Nanos): number { void max; void now; return -1; }
  shutdown(how: 'rd' | 'wr' | 'rdwr', now: Nanos): void { void how; void now; }
  close(now: Nanos): void { void now; }
  /** Sends RST and goes to CLOSED (ECONNABORTED-style abort by the user). */
  abort(now: Nanos): void { void now; }
  /** Silently to CLOSED (e.g. TIME-WAIT over maxTimeWait); emits FREED. */
  destroy(now: Nanos): void { void now; }

  get readable(): number { return 0; }
  get eof(): boolean { return false; }
  get sendSpace(): number { return 0; }
  takeError(): Errno | null { return null; }

  setOption<K extends keyof TcpParams>(name: K, value: TcpParams[K], now: Nanos): void { void name; void value; void now; }
  setNoDelay(on: boolean, now: Nanos): void { void on; void now; }
  setLingerZero(on: boolean): void { void on; }

  // Counters for metrics.
  get segmentsSent(): number { return 0; }
  get retransmissions(): number { return 0; }
  get bytesAcked(): number { return 0; }
  get bytesReceived(): number { return 0; }
  /** Congestion window in bytes. */
  get cwnd(): number { return 0; }
  get ssthresh(): number { return 0; }
  /** Smoothed RTT in ns (0 before the first sample). */
  get srtt(): Nanos { return 0; }
  get rto(): Nanos { return 0; }
  /** connect() to ESTABLISHED in ns (active opens), or -1. */
  get handshakeTime(): Nanos { return -1; }
}
