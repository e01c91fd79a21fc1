/**
 * A closed connection in TIME-WAIT, compact (Linux inet_timewait_sock / tcp_timewait_sock): what
 * answering the peer for 2 MSL needs and nothing else. Linux tcp_time_wait swaps the full socket
 * for one of these; the stack does the same (HostStack.touch) once an orphaned connection has
 * entered TIME-WAIT, so the tens of thousands a busy client holds cost a few dozen fields each
 * instead of a whole TCB with its queues, RTT estimator and congestion state.
 *
 * Segments go through the same handler as a full connection's (states/time-wait.ts), and its
 * ACKs are the segments the full connection would send: the window is the one it advertised
 * last (its receive state no longer changes, so tcp_select_window would give it again), the
 * timestamps as its own. Connections that hold more than this can express (ECN negotiated,
 * out-of-order data kept, a timer other than TIME-WAIT's armed, a user still holding the socket)
 * stay full.
 */
import type { Nanos } from '../sim/time.ts';
import { ACK, type Segment, type TcpOptions } from '../wire/segment.ts';
import { ConnEvent, TcpState, type EngineOutput, type LentEndpoints } from './api.ts';
import type { Connection } from './connection.ts';
import { oowAckAllowed, selectWindow } from './output.ts';
import type { TcpParams } from './params.ts';
import { timeWait, type TimeWaitState } from './states/time-wait.ts';
import { tsValue } from './window.ts';

/** What the owner does with a segment (SegmentVerdict's values: CONSUMED 0, REOPEN 1). */
const CONSUMED = 0;
const REOPEN = 1;

/** TimeWaitSock.bits: the state from this bit; timestamps on. */
const STATE_SHIFT = 16;
const TS_OK = 1 << 20;

export class TimeWaitSock implements TimeWaitState, LentEndpoints {
  // The 4-tuple is kept in the record, which is its own Endpoints (`ep`): a separate object would
  // cost 56 bytes more. Addresses as signed 32-bit integers, as the sequence numbers below; the
  // two ports in one (local << 16 | remote).
  private readonly localAddr32: number;
  private readonly remoteAddr32: number;
  private readonly ports32: number;
  readonly params: TcpParams;
  readonly out: EngineOutput;
  /**
   * The advertised window field, already scaled (Linux tw_rcv_wnd >> tw_rcv_wscale, 16 bits), the
   * state (4 bits from bit 16) and whether timestamps are on (bit 20), in one small integer: three
   * fields would cost 16 bytes more, and a busy client holds tens of thousands of these records.
   */
  private bits: number;
  /** The TIME-WAIT expiry while in TIME-WAIT, else Infinity: the one timer. */
  closeAt: Nanos;
  // Sequence numbers and timestamps are held as signed 32-bit integers (small integers, stored in
  // the object) and read back unsigned: as plain fields those at or above 2^31, about half, would
  // each be a boxed double of 16 bytes, and a busy client holds tens of thousands of these records.
  /** Our ACKs' SEQ (highest sent) and ACK fields (tw_snd_nxt, tw_rcv_nxt). */
  private readonly sndMax32: number;
  private readonly rcvNxt32: number;
  private tsRecent32: number;
  tsRecentAt: Nanos;
  private readonly tsOffset32: number;
  lastOowAckAt: Nanos;

  private constructor(c: Connection) {
    this.localAddr32 = c.ep.localAddr | 0;
    this.remoteAddr32 = c.ep.remoteAddr | 0;
    this.ports32 = (c.ep.localPort << 16) | c.ep.remotePort;
    this.params = c.params;
    this.out = c.out;
    this.bits = selectWindow(c) | (TcpState.TIME_WAIT << STATE_SHIFT) | (c.tsOk ? TS_OK : 0);
    this.closeAt = c.closeAt;
    this.sndMax32 = c.sndMax | 0;
    this.rcvNxt32 = c.rcvNxt | 0;
    this.tsRecent32 = c.tsRecent | 0;
    this.tsRecentAt = c.tsRecentAt;
    this.tsOffset32 = c.tsOffset | 0;
    this.lastOowAckAt = c.lastOowAckAt;
  }

  /** The connection's endpoints: the record itself. */
  get ep(): LentEndpoints {
    return this;
  }
  get localAddr(): number {
    return this.localAddr32 >>> 0;
  }
  get localPort(): number {
    return this.ports32 >>> 16;
  }
  get remoteAddr(): number {
    return this.remoteAddr32 >>> 0;
  }
  get remotePort(): number {
    return this.ports32 & 0xffff;
  }
  get state(): TcpState {
    return ((this.bits >>> STATE_SHIFT) & 0xf) as TcpState;
  }
  get tsOk(): boolean {
    return (this.bits & TS_OK) !== 0;
  }
  /** The advertised window field of our ACKs. */
  private get window(): number {
    return this.bits & 0xffff;
  }

  /** The owner's one wake-up: the TIME-WAIT expiry (closeAt), Infinity once closed. */
  get deadline(): Nanos {
    return this.closeAt;
  }
  get sndMax(): number {
    return this.sndMax32 >>> 0;
  }
  get rcvNxt(): number {
    return this.rcvNxt32 >>> 0;
  }
  get tsRecent(): number {
    return this.tsRecent32 >>> 0;
  }
  set tsRecent(v: number) {
    this.tsRecent32 = v | 0;
  }

  /**
   * The compact form of `c`, or null when `c` must stay full: not in TIME-WAIT, not orphaned
   * (the user may still call into it), ECN negotiated (ECE/CWR state), data held out of order
   * (SACK blocks), or a timer besides TIME-WAIT's armed.
   */
  static from(c: Connection): TimeWaitSock | null {
    if (c.state !== TcpState.TIME_WAIT || !c.orphan || c.ecnOk || c.events !== 0) return null;
    if (c.rcvq.readable !== 0 || c.rcvq.hasOutOfOrder || c.ackPending) return null;
    if (c.rtoAt !== Infinity || c.persistAt !== Infinity || c.delackAt !== Infinity || c.keepaliveAt !== Infinity)
      return null;
    return new TimeWaitSock(c);
  }

  /** Handles one segment (as Connection.onSegment in TIME-WAIT). */
  onSegment(seg: Segment, now: Nanos, _ecn = 0): number {
    if (this.state !== TcpState.TIME_WAIT) return CONSUMED; // freed: the owner forgets it
    return timeWait(this, seg, now) ? REOPEN : CONSUMED;
  }

  /** The TIME-WAIT timer (as runTimers: the connection goes quietly). */
  onTimer(now: Nanos): void {
    if (now >= this.closeAt) this.setState(TcpState.CLOSED);
  }

  /** Silently to CLOSED (TIME-WAIT over maxTimeWait, tcp_tw_reuse taking the tuple over). */
  destroy(_now: Nanos): void {
    this.setState(TcpState.CLOSED);
  }

  /** TimeWaitState: every transition is traced; CLOSED frees it (FREED after the state record). */
  setState(to: TcpState): void {
    const from = this.state;
    if (from === to) return;
    this.bits = (this.bits & ~(0xf << STATE_SHIFT)) | (to << STATE_SHIFT);
    this.out.stateChanged(this.ep, from, to);
    if (to === TcpState.CLOSED) {
      this.closeAt = Infinity;
      this.out.notify(this.ep, ConnEvent.FREED);
    }
  }

  /** TimeWaitState: the timer restarts (a bare ACK or a retransmitted FIN). */
  restartTimer(at: Nanos): void {
    this.closeAt = at;
  }

  /** TimeWaitState: the ACK a full connection would send (sendOowAck: rate-limited as Linux tcp_oow_rate_limited). */
  timeWaitAck(seg: Segment, now: Nanos): void {
    if (!oowAckAllowed(this, seg, now, false)) return;
    const options: TcpOptions | null = this.tsOk
      ? { timestamp: { val: tsValue(this.tsOffset32 >>> 0, now), ecr: this.tsRecent } }
      : null;
    this.out.transmit(
      this.ep,
      {
        srcPort: this.localPort,
        dstPort: this.remotePort,
        seq: this.sndMax,
        ack: this.rcvNxt,
        flags: ACK,
        window: this.window,
        urgent: 0,
        options,
        len: 0,
        payload: null,
      },
      false,
      0,
    );
  }
}
