/**
 * One TCP connection: the public face of the engine (RFC 9293 with Linux behaviour). The engine
 * does no I/O: every entry point takes `now`, output goes through the EngineOutput, and after
 * each call the owner reads `deadline` and keeps one wake-up for it (docs/design.md part 1).
 *
 * Incoming segments pass a per-state handler (states/*.ts) chosen by an exhaustive switch; the
 * synchronized states share one first step (input.ts). Socket notifications are queued while a
 * call runs and delivered at its end, so callbacks may call back in safely. The calls that act are
 * here; the socket's read-only queries (readable, sendSpace, pollWritable, tcpInfo, counters …)
 * are in the base class, ConnectionStatus (connection-status.ts).
 */
import type { Nanos } from '../sim/time.ts';
import type { Segment } from '../wire/segment.ts';
import { TcpState, type EngineOutput, type Endpoints, type TimedEntity } from './api.ts';
import { ConnectionStatus } from './connection-status.ts';
import { ecnIncoming } from './ecn.ts';
import type { DstMetrics } from './dst-metrics.ts';
import { sendOowAck } from './output.ts';
import type { TcpParams } from './params.ts';
import { afterRead } from './receive.ts';
import { rcvSpaceAdjust } from './buffers.ts';
import { output } from './send.ts';
import { closedSegment } from './states/closed.ts';
import { closing, finWait1, finWait2, lastAck } from './states/closing.ts';
import { closeWait, established } from './states/established.ts';
import { synRcvd } from './states/syn-rcvd.ts';
import { synSent } from './states/syn-sent.ts';
import { timeWait } from './states/time-wait.ts';
import { EV_WRITABLE, TS_OPTION_BYTES } from './tcb.ts';
import { userAbort, userClose, userShutdown } from './teardown.ts';
import { runTimers } from './timers.ts';
import { timerExpiry } from './timer-wheel.ts';
import { clientOpen, type FastOpenState } from './fastopen.ts';
import type { HandshakeInfo } from './handshake.ts';
import { blackholeOnEnd } from './fastopen-blackhole.ts';
import { icmpError, type IcmpVerdict } from './icmp-error.ts';
import { activeOpen, fastOpenChildOpen, handshakeChildOpen, queueBytes, routeRefresh, sendFirstSyn } from './open.ts';
import { checkSpace, userWrite } from './write.ts';

/** Connection.connect fastOpenFlags: TCP_FASTOPEN_CONNECT (wait for data when a cookie is cached); a non-blocking sendto. */
export const FO_DEFER = 1;
export const FO_NONBLOCK = 2;

/** What the owner does with a segment after `onSegment`. */
export const SegmentVerdict = {
  /** The connection handled the segment (including answering or dropping it). */
  CONSUMED: 0,
  /**
   * A TIME-WAIT connection accepted a new SYN (RFC 6191, RFC 9293 3.10.7.4, Linux TCP_TW_SYN) and
   * closed itself (FREED already emitted): the owner hands the SYN to the listener with the ISS
   * HostTcp.takeOverTimeWait gives the new incarnation (Linux: tw_snd_nxt + 65537).
   */
  REOPEN: 1,
} as const;
export type SegmentVerdict = (typeof SegmentVerdict)[keyof typeof SegmentVerdict];

export class Connection extends ConnectionStatus implements TimedEntity {
  private constructor(ep: Endpoints, params: TcpParams, out: EngineOutput) {
    super(ep, params, out);
  }

  /** Active open: sends a SYN and enters SYN_SENT. `tsOffset` is the per-connection TSval offset. */
  /**
   * `fastOpen` >= 0: a TCP Fast Open connect (sendto MSG_FASTOPEN with that many bytes, or
   * TCP_FASTOPEN_CONNECT with 0 and `fastOpenFlags` FO_DEFER): the bytes are queued and, with a
   * cookie, the SYN carries what fits (fastopen.ts). FO_NONBLOCK keeps only what the SYN carries
   * (a non-blocking sendto returns that count, `synDataBytes`).
   */
  static connect(
    ep: Endpoints,
    params: TcpParams,
    iss: number,
    now: Nanos,
    out: EngineOutput,
    tsOffset = 0,
    metrics: DstMetrics | null = null,
    fastOpen = -1,
    fastOpenFlags = 0,
    ipTos = 0,
    pmtuDisc = 1,
  ): Connection {
    const c = new Connection(ep, params, out);
    c.setPmtuDisc(pmtuDisc);
    activeOpen(c, iss, now, tsOffset, metrics, ipTos);
    if (fastOpen >= 0) {
      if (clientOpen(c, now, (fastOpenFlags & FO_DEFER) !== 0)) {
        c.finish(); // TCP_FASTOPEN_CONNECT with a cookie: the SYN waits for the first write
        return c;
      }
      queueBytes(c, fastOpen);
    }
    sendFirstSyn(c, now);
    if (fastOpen >= 0 && (fastOpenFlags & FO_NONBLOCK) !== 0)
      c.writeSeq = c.pushSeq = (c.iss + 1 + c.fo!.synData) >>> 0;
    c.finish();
    return c;
  }

  /**
   * A Fast Open child (fastopen.ts): made by the listener from a SYN with a valid cookie, in
   * SYN_RCVD, the SYN's data readable at once (Linux tcp_fastopen_create_child, tcp_fastopen_add_skb);
   * sends its SYN-ACK acknowledging the data and retransmits it on its own timer.
   */
  static fromFastOpen(
    h: HandshakeInfo,
    syn: Segment,
    fo: FastOpenState,
    params: TcpParams,
    now: Nanos,
    out: EngineOutput,
    metrics: DstMetrics | null = null,
  ): Connection {
    const c = new Connection(h.ep, params, out);
    c.metrics = metrics;
    c.fo = fo;
    fastOpenChildOpen(c, h, syn, now);
    c.finish();
    return c;
  }

  /**
   * Created by the listener when the handshake's final ACK arrives (or a SYN cookie validates):
   * emits SYN_RCVD → ESTABLISHED; the listener then passes that ACK to onSegment so data on the
   * third ACK is received.
   */
  static fromHandshake(
    h: HandshakeInfo,
    params: TcpParams,
    now: Nanos,
    out: EngineOutput,
    metrics: DstMetrics | null = null,
    ack: Segment | null = null,
  ): Connection {
    const c = new Connection(h.ep, params, out);
    c.metrics = metrics;
    handshakeChildOpen(c, h, now, ack);
    c.finish();
    return c;
  }

  /** Handles one segment addressed to this connection; `ecn` is its IP ECN codepoint (ecn.ts). */
  onSegment(seg: Segment, now: Nanos, ecn = 0): SegmentVerdict {
    let verdict: SegmentVerdict = SegmentVerdict.CONSUMED;
    const s = this.state;
    if (this.ecnOk && s !== TcpState.SYN_SENT) ecnIncoming(this, seg, ecn);
    switch (s) {
      case TcpState.CLOSED:
      case TcpState.LISTEN:
        closedSegment(this, seg);
        break;
      case TcpState.SYN_SENT:
        synSent(this, seg, now);
        break;
      case TcpState.SYN_RCVD:
        synRcvd(this, seg, now);
        break;
      case TcpState.ESTABLISHED:
        established(this, seg, now);
        break;
      case TcpState.CLOSE_WAIT:
        closeWait(this, seg, now);
        break;
      case TcpState.FIN_WAIT_1:
        finWait1(this, seg, now);
        break;
      case TcpState.FIN_WAIT_2:
        finWait2(this, seg, now);
        break;
      case TcpState.CLOSING:
        closing(this, seg, now);
        break;
      case TcpState.LAST_ACK:
        lastAck(this, seg, now);
        break;
      case TcpState.TIME_WAIT:
        if (timeWait(this, seg, now)) verdict = SegmentVerdict.REOPEN;
        break;
      default: {
        const never: never = s;
        throw new Error(`unknown TCP state ${String(never)}`);
      }
    }
    if (this.sendBlocked && this.params.skbTruesize > 0) checkSpace(this, now);
    this.finish();
    return verdict;
  }

  onTimer(now: Nanos): void {
    if (now >= this.deadline) runTimers(this, now);
    this.finish();
  }

  /** TimeWaitState (states/time-wait.ts): the TIME-WAIT timer restarts. */
  restartTimer(at: Nanos): void {
    this.closeAt = at;
  }

  /** TimeWaitState: acknowledges an unacceptable segment in TIME-WAIT. */
  timeWaitAck(seg: Segment, now: Nanos): void {
    sendOowAck(this, seg, now, false);
  }

  /**
   * Queues up to `bytes`; returns how many were accepted, or -1 when sending is not allowed (see
   * `sendErrno`). `flags`: SEND_EOR ends a record here (MSG_EOR: later data never joins its last
   * segment), SEND_MORE holds a partial tail segment for this push (MSG_MORE).
   */
  send(bytes: number, now: Nanos, flags = 0): number {
    if (this.sendErrno() !== null) return -1;
    const n = userWrite(this, bytes, now, flags);
    this.finish();
    return n;
  }

  /** TCP_NOTSENT_LOWAT on the socket (0: the sysctl's value); a lower mark may wake a writer. */
  setNotsentLowat(bytes: number): void {
    this.userNotsentLowat = bytes;
    if (this.sendBlocked && this.pollWritable) this.notify(EV_WRITABLE);
    this.finish();
  }

  /** TCP_CORK: on holds partial segments; off sends what waits (Linux tcp_push_pending_frames). */
  setCork(on: boolean, now: Nanos): void {
    this.cork = on;
    if (!on) {
      // Linux __tcp_sock_set_cork: uncorking with TCP_NODELAY on pushes past any later cork too.
      if (this.noDelay) this.pushOverCork = true;
      output(this, now);
    }
    this.finish();
  }

  /**
   * TCP_MAXSEG on a connection (Linux tp->rx_opt.user_mss): caps the MSS; the effective send MSS
   * shrinks at once when it is smaller.
   */
  setUserMss(mss: number): void {
    this.advMss = Math.min(this.advMss, mss);
    const optionBytes = this.tsOk ? TS_OPTION_BYTES : 0;
    if (mss - optionBytes < this.mss) this.mss = mss - optionBytes;
  }

  /** An ICMP error quoting this connection (icmp-error.ts, Linux tcp_v4_err); `mtu`: a fragmentation-needed's next-hop MTU. */
  onIcmpError(type: number, code: number, mtu: number, seq: number, accepted: boolean, now: Nanos): IcmpVerdict {
    const v = icmpError(this, type, code, mtu, seq, accepted, now);
    this.finish();
    return v;
  }

  /**
   * The socket's cached route is dropped and looked up again (Linux sk_dst_reset, then
   * tcp_current_mss: a route MTU other than icsk_pmtu_cookie re-syncs the MSS). IP_TOS does this.
   */
  routeRefresh(): void {
    routeRefresh(this);
  }

  /** IP_TOS (Linux do_ip_setsockopt): the DSCP bits, ECN bits kept for TCP; the route is refreshed. */
  setIpTos(tos: number): void {
    this.ipTos = tos & 0xfc;
    this.routeRefresh();
  }

  /** IP_MTU_DISCOVER: IP_PMTUDISC_DONT (0), WANT (1), DO (2), PROBE (3); Linux's INTERFACE and OMIT count as PROBE. */
  setPmtuDisc(mode: number): void {
    this.pmtuDisc = mode >= 3 ? 3 : mode;
  }

  /**
   * Reads up to `max` bytes: the count, 0 at end of stream (or once the connection is gone), -1
   * when nothing is there yet (EAGAIN). Linux reports a pending error (ECONNRESET, ETIMEDOUT)
   * before end of stream: callers wanting that ask `recvErrno()` first.
   */
  recv(max: number, now: Nanos): number {
    const avail = this.rcvq.readable;
    if (avail > 0 && max > 0) {
      const n = max < avail ? max : avail;
      this.rcvq.readable -= n;
      rcvSpaceAdjust(this, n, now);
      afterRead(this, n, now);
      this.finish();
      return n;
    }
    if (avail > 0) return -1;
    if (this.finReceived || this.rcvShut || this.state === TcpState.CLOSED) return 0;
    return -1;
  }

  shutdown(how: 'rd' | 'wr' | 'rdwr', now: Nanos): void {
    userShutdown(this, how, now);
    this.finish();
  }

  /** close(): FIN after queued data, or RST when unread data remains or linger is zero (Linux tcp_close). */
  close(now: Nanos): void {
    if (this.fo !== null) blackholeOnEnd(this, now); // Linux at tcp_v4_destroy_sock: what arrived until close
    userClose(this, now);
    this.finish();
  }

  /** Sends RST where the peer holds state and goes to CLOSED (RFC 9293 3.10.5 ABORT). */
  abort(now: Nanos): void {
    if (this.fo !== null) blackholeOnEnd(this, now);
    userAbort(this, now);
    this.finish();
  }

  /** Silently to CLOSED (e.g. TIME-WAIT over maxTimeWait); emits FREED. */
  destroy(now: Nanos): void {
    void now;
    if (this.state !== TcpState.CLOSED) {
      this.orphan = true;
      this.setState(TcpState.CLOSED);
    }
    this.finish();
  }

  /** setsockopt-style change of one parameter (keepalive, userTimeout, buffers, …). */
  setOption<K extends keyof TcpParams>(name: K, value: TcpParams[K], now: Nanos): void {
    if (!this.ownParams) {
      this.params = { ...this.params };
      this.ownParams = true;
    }
    this.params[name] = value;
    if (name === 'nagle') this.noDelay = !value;
    if (name === 'keepalive' || name === 'keepaliveIdle') {
      const sync =
        this.state !== TcpState.CLOSED && this.state !== TcpState.SYN_SENT && this.state !== TcpState.TIME_WAIT;
      this.keepaliveAt =
        this.params.keepalive && sync ? timerExpiry(this.params, now, this.params.keepaliveIdle) : Infinity;
    }
    // SO_RCVBUF / SO_SNDBUF: the size is the application's from now on (Linux sk_userlocks).
    if (name === 'rcvBuf') {
      this.rcvBuf = value as number;
      this.params.rcvBufLock = true;
    }
    if (name === 'sndBuf') {
      this.sndBuf = value as number;
      this.params.sndBufLock = true;
      if (this.sendSpace > 0 && this.sendBlocked) output(this, now);
    }
    this.finish();
  }

  /** TCP_NODELAY: send small segments at once; queued data goes out now (Linux tcp_push_pending_frames). */
  setNoDelay(on: boolean, now: Nanos): void {
    this.noDelay = on;
    if (on) {
      this.pushOverCork = true;
      output(this, now);
    }
    this.finish();
  }

  /** SO_LINGER with l_linger = 0: close() sends RST. */
  setLingerZero(on: boolean): void {
    this.lingerZero = on;
  }

  private finish(): void {
    this.updateDeadline();
    this.flushEvents();
  }
}
