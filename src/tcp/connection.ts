/**
 * One TCP connection: the public face of the engine (RFC 9293 with Linux behaviour). The engine
 * does no I/O: every entry point takes `now`, output goes through the EngineOutput, and after
 * each call the owner reads `deadline` and keeps one wake-up for it (docs/design.md part 1).
 *
 * Incoming segments pass a per-state handler (states/*.ts) chosen by an exhaustive switch; the
 * synchronized states share one first step (input.ts). Socket notifications are queued while a
 * call runs and delivered at its end, so callbacks may call back in safely.
 */
import type { Nanos } from '../sim/time.ts';
import type { Segment } from '../wire/segment.ts';
import { TcpState, type EngineOutput, type Endpoints, type Errno, type TimedEntity } from './api.ts';
import { ecnIncoming } from './ecn.ts';
import type { DstMetrics } from './dst-metrics.ts';
import { sendOowAck } from './output.ts';
import { tcpInfo, type TcpInfoFields } from './tcp-info.ts';
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
import { seqSub } from './seq.ts';
import { EV_WRITABLE, Tcb, TS_OPTION_BYTES } from './tcb.ts';
import { socketWritable } from './send-skbs.ts';
import { userAbort, userClose, userShutdown } from './teardown.ts';
import { runTimers } from './timers.ts';
import { timerExpiry } from './timer-wheel.ts';
import { clientOpen, type FastOpenState } from './fastopen.ts';
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
  /** The receive window offered in the SYN-ACK (Linux req->rsk_rcv_wnd); default initialWindow(params). */
  rcvWnd?: number;
  /** ECN agreed by the SYN and SYN-ACK (Linux tcp_ecn_openreq_child); default false. */
  ecnOk?: boolean;
}

export class Connection extends Tcb implements TimedEntity {
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

  /** Bytes the SYN carried (TCP Fast Open), 0 without. */
  get synDataBytes(): number {
    return this.fo !== null ? this.fo.synData : 0;
  }

  /** The connection waits for its first write to send a SYN with data (TCP_FASTOPEN_CONNECT). */
  get fastOpenDeferred(): boolean {
    return this.fo !== null && this.fo.deferred;
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

  /** Why send() would fail now (EPIPE after shutdown(wr) or close, ENOTCONN when closed, a pending error), or null. */
  sendErrno(): Errno | null {
    if (this.softError !== null) return this.softError;
    switch (this.state) {
      case TcpState.SYN_SENT:
      case TcpState.SYN_RCVD:
      case TcpState.ESTABLISHED:
      case TcpState.CLOSE_WAIT:
        return this.finQueued ? 'EPIPE' : null;
      case TcpState.CLOSED:
      case TcpState.LISTEN:
        // Linux sk_stream_wait_connect: any state but SYN-SENT/SYN-RECEIVED is EPIPE once the
        // pending error is read; a Fast Open child closed by an ICMP error before its handshake
        // ended counts too (fastopen/server/icmp-before-accept.pkt).
        return this.establishedAt >= 0 || this.fo !== null ? 'EPIPE' : 'ENOTCONN';
      default:
        return 'EPIPE';
    }
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

  /** With nothing readable: the pending error a Linux read() would return (and clear), or null. */
  recvErrno(): Errno | null {
    if (this.rcvq.readable > 0) return null;
    return this.takeError();
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

  get readable(): number {
    return this.rcvq.readable;
  }
  /** The peer's FIN has been read up to: recv() returns 0 from now on. */
  get eof(): boolean {
    return this.finReceived && this.rcvq.readable === 0;
  }
  /** Bytes send() would accept now. */
  get sendSpace(): number {
    const free = this.sndBuf - this.sendBuffered;
    return free > 0 ? free : 0;
  }
  /** Bytes queued and not yet acknowledged (Linux SIOCOUTQ: write_seq - snd_una). */
  get unackedBytes(): number {
    return this.sendBuffered;
  }
  /** Bytes queued and not yet sent (Linux SIOCOUTQNSD: write_seq - snd_nxt). */
  get unsentBytes(): number {
    const n = seqSub(this.writeSeq, this.sndNxt);
    return n > 0 ? n : 0;
  }
  /**
   * poll()'s POLLOUT (Linux tcp_poll, sk_stream_is_writeable): free send space at least half of
   * what is queued, and the unsent bytes, doubled, below TCP_NOTSENT_LOWAT (tcp_stream_memory_free
   * with wake = 1). The FIN queued (shutdown(wr)) makes the socket always writable (the write fails).
   */
  get pollWritable(): boolean {
    if (this.sendErrno() !== null) return true;
    const w = socketWritable(this);
    // Linux tcp_poll sets SOCK_NOSPACE when it finds no room: the ACK that makes room wakes it.
    if (!w && this.params.skbTruesize > 0) this.sendBlocked = true;
    return w;
  }
  /** Pending asynchronous error (SO_ERROR), cleared when read. */
  takeError(): Errno | null {
    const e = this.softError;
    this.softError = null;
    return e;
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

  /** getsockopt(TCP_INFO) as Linux fills it. */
  tcpInfo(now: Nanos): TcpInfoFields {
    return tcpInfo(this, now);
  }

  // --- Counters for metrics ---
  get segmentsSent(): number {
    return this.segsOut;
  }
  get retransmissions(): number {
    return this.retransSegs;
  }
  get bytesAcked(): number {
    return this.bytesAckedTotal;
  }
  get bytesReceived(): number {
    return this.bytesReceivedTotal;
  }
  /** Congestion window in bytes. */
  get cwnd(): number {
    return this.cc.cwnd * this.mss;
  }
  /** Slow-start threshold in bytes (huge before the first loss). */
  get ssthresh(): number {
    return this.cc.ssthresh * this.mss;
  }
  /** Smoothed RTT in ns (0 before the first sample). */
  get srtt(): Nanos {
    return Math.round(this.rtt.srtt);
  }
  get rto(): Nanos {
    return this.rtt.rto;
  }
  /** connect() to ESTABLISHED for active opens (first SYN-ACK to ESTABLISHED for passive ones), or -1. */
  get handshakeTime(): Nanos {
    return this.establishedAt >= 0 && this.openedAt >= 0 ? this.establishedAt - this.openedAt : -1;
  }

  private finish(): void {
    this.updateDeadline();
    this.flushEvents();
  }
}
