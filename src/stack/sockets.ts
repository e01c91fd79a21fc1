/**
 * The socket objects applications hold. A StackSocket is at once the application's TcpSocket,
 * the demultiplexer's value and the timer entity the stack keeps one wake-up for; a
 * StackListenSocket wraps a Listener the same way. Every user call that reaches the engine runs
 * inside the stack's begin()/end() bracket (StackSocket.call), so the connection's wake-up is
 * re-checked and the notifications it caused reach the application after the engine call has
 * returned (never re-entrantly).
 */
import type { EventId } from '../sim/simulator.ts';
import type { Nanos } from '../sim/time.ts';
import type { Segment } from '../wire/segment.ts';
import { STATE_NAMES, type Errno } from '../tcp/api.ts';
import type { Connection } from '../tcp/connection.ts';
import type { HandshakeInfo } from '../tcp/handshake.ts';
import { TimeWaitSock } from '../tcp/time-wait-sock.ts';
import type { FastOpenState, ListenerFastOpen } from '../tcp/fastopen.ts';
import { keyBytes } from '../tcp/fastopen-cookie.ts';
import type { Listener, ListenerHost } from '../tcp/listener.ts';
import type { HostTcp } from '../tcp/host-tcp.ts';
import type { TcpParams } from '../tcp/params.ts';
import type { OutOfOrderWatch } from '../tcp/recv-queue.ts';
import {
  SocketError,
  type ListenHandler,
  type ListenSocket,
  type ListenerSnapshot,
  type SocketHandler,
  type TcpInfo,
  type TcpSocket,
  type TcpInfoFields,
} from './socket-api.ts';

/** What sockets need from their stack. */
export interface SocketOwner {
  readonly now: Nanos;
  begin(): void;
  end(): void;
  touch(entity: StackSocket | StackListenSocket): void;
  createChild(listener: StackListenSocket, h: HandshakeInfo, ack: Segment, now: Nanos): StackSocket | null;
  createFastOpenChild(
    listener: StackListenSocket,
    h: HandshakeInfo,
    syn: Segment,
    fo: FastOpenState,
    now: Nanos,
  ): StackSocket | null;
  removeListener(listener: StackListenSocket): void;
  /** The host's TCP state: ISN and TSval offsets for the listeners' requests. */
  readonly tcp: HostTcp;
}

const NO_HANDLER: SocketHandler = {};

/** StackSocket's flag bits. */
const FREED = 1;
const REUSE_ADDR = 2;
const ACCEPTED = 4;
/** StackSocket.flags: the TIME-WAIT mark from this bit up. */
const MARK_SHIFT = 3;

/** A user call's work on a socket, run inside the stack's bracket by StackSocket.call. */
type SocketOp<A, B, R> = (s: StackSocket, now: Nanos, a: A, b: B) => R;

export class StackSocket implements TcpSocket {
  /**
   * The connection; once it is closed and in TIME-WAIT, its compact record (HostStack.touch, as
   * Linux tcp_time_wait). The user has closed the socket by then: calls that need a live
   * connection fail as on a closed descriptor (EBADF in Linux; ENOTCONN here).
   */
  conn!: Connection | TimeWaitSock;
  handler: SocketHandler;
  /** The scheduled wake-up: its time and event id (-1 = none). */
  wakeAt: Nanos = Infinity;
  wakeId: EventId = -1;
  /** SO_ERROR: the last asynchronous error, until read. */
  error: Errno | null = null;
  /**
   * Three flags (FREED, REUSE_ADDR, ACCEPTED) and the TIME-WAIT mark (from bit MARK_SHIFT) as bits
   * of one small integer: a busy client holds tens of thousands of sockets (TIME-WAIT ones
   * included), and each field costs 8 bytes.
   */
  private flags: number;

  constructor(
    private readonly owner: SocketOwner,
    handler: SocketHandler | null,
    /** SO_REUSEADDR (inherited from the listener by accepted sockets). */
    reuseAddr = false,
  ) {
    this.handler = handler ?? NO_HANDLER;
    this.flags = reuseAddr ? REUSE_ADDR : 0;
  }

  /** The connection is gone and the stack has forgotten the socket. */
  get freed(): boolean {
    return (this.flags & FREED) !== 0;
  }
  markFreed(): void {
    this.flags |= FREED;
  }
  /** accept() returned it (a Fast Open child then takes ICMP errors as a connected socket, tcp_v4_err). */
  get accepted(): boolean {
    return (this.flags & ACCEPTED) !== 0;
  }
  markAccepted(): void {
    this.flags |= ACCEPTED;
  }
  /** SO_REUSEADDR was set (inherited from the listener by accepted sockets). */
  get reuseAddr(): boolean {
    return (this.flags & REUSE_ADDR) !== 0;
  }
  /** Where its connection stands in TIME-WAIT accounting (HostTcp: TW_UNCOUNTED, TW_COUNTED, TW_DESTROY). */
  get timeWaitMark(): number {
    return this.flags >>> MARK_SHIFT;
  }
  set timeWaitMark(mark: number) {
    this.flags = (this.flags & ((1 << MARK_SHIFT) - 1)) | (mark << MARK_SHIFT);
  }

  /**
   * The live connection, for calls only a full one can answer. Calling those after close() is a
   * programming error: it throws ENOTCONN (the packetdrill runner reports it as that errno).
   */
  private get live(): Connection {
    const c = this.conn;
    if (c instanceof TimeWaitSock)
      throw new SocketError('ENOTCONN', 'the socket was closed (its connection is in TIME-WAIT)');
    return c;
  }

  /** Replaces a closed TIME-WAIT connection by its compact record; the handler is let go (the user closed the socket). */
  compact(tw: TimeWaitSock): void {
    this.conn = tw;
    this.handler = NO_HANDLER;
  }

  get state(): string {
    return STATE_NAMES[this.conn.state]!;
  }
  get localAddr(): number {
    return this.conn.ep.localAddr;
  }
  get localPort(): number {
    return this.conn.ep.localPort;
  }
  get remoteAddr(): number {
    return this.conn.ep.remoteAddr;
  }
  get remotePort(): number {
    return this.conn.ep.remotePort;
  }
  get readable(): number {
    return this.conn instanceof TimeWaitSock ? 0 : this.conn.readable;
  }
  get eof(): boolean {
    return this.conn instanceof TimeWaitSock || this.conn.eof;
  }

  takeError(): Errno | null {
    // The stack's copy and the engine's SO_ERROR hold the same error: reading clears both,
    // so it is reported once (Linux sock_error).
    const e = this.conn instanceof TimeWaitSock ? null : this.conn.takeError();
    const mine = this.error;
    this.error = null;
    return mine ?? e;
  }

  get unacked(): number {
    return this.conn instanceof TimeWaitSock ? 0 : this.conn.unackedBytes;
  }
  get unsent(): number {
    return this.conn instanceof TimeWaitSock ? 0 : this.conn.unsentBytes;
  }
  get writable(): boolean {
    return this.conn instanceof TimeWaitSock || this.conn.pollWritable;
  }
  get mss(): number {
    return this.live.mss;
  }

  /**
   * The one bracket of user calls: `op` runs inside the stack's begin()/end(), then the
   * connection's wake-up is re-checked (touch) and queued notifications are delivered, also when
   * `op` throws. `op` is a static method and its arguments are passed through: no closure per call.
   */
  private call<A, B, R>(op: SocketOp<A, B, R>, a: A, b: B): R {
    const o = this.owner;
    o.begin();
    try {
      return op(this, o.now, a, b);
    } finally {
      o.touch(this);
      o.end();
    }
  }

  setCork(on: boolean): void {
    this.call(StackSocket.setCorkOp, on, 0);
  }

  private static setCorkOp(s: StackSocket, now: Nanos, on: boolean): void {
    s.live.setCork(on, now);
  }

  setNotsentLowat(bytes: number): void {
    this.call(StackSocket.setNotsentLowatOp, bytes, 0);
  }

  private static setNotsentLowatOp(s: StackSocket, _now: Nanos, bytes: number): void {
    s.live.setNotsentLowat(bytes);
  }

  setIpTos(tos: number): void {
    this.live.setIpTos(tos);
  }

  setPmtuDisc(mode: number): void {
    this.live.setPmtuDisc(mode);
  }

  setUserMss(mss: number): void {
    this.live.setUserMss(mss);
  }

  get synDataBytes(): number {
    return this.conn instanceof TimeWaitSock ? 0 : this.conn.synDataBytes;
  }

  get fastOpenDeferred(): boolean {
    return this.conn instanceof TimeWaitSock ? false : this.conn.fastOpenDeferred;
  }

  watchOutOfOrder(watch: OutOfOrderWatch | null): void {
    // A connection in TIME-WAIT has no receive queue left to watch (no data arrives any more).
    if (!(this.conn instanceof TimeWaitSock)) this.conn.rcvq.watch = watch;
  }

  send(bytes: number, flags = 0): number | Errno {
    return this.call(StackSocket.sendOp, bytes, flags);
  }

  private static sendOp(s: StackSocket, now: Nanos, bytes: number, flags: number): number | Errno {
    const c = s.conn;
    if (c instanceof TimeWaitSock) return 'ENOTCONN'; // closed already (see `live`)
    const n = c.send(bytes, now, flags);
    // Linux sk_stream_error: a pending error (ECONNRESET, ETIMEDOUT) is reported once, then EPIPE.
    return n >= 0 ? n : (s.takeError() ?? c.sendErrno() ?? 'EPIPE');
  }

  recv(max: number): number | Errno {
    return this.call(StackSocket.recvOp, max, 0);
  }

  private static recvOp(s: StackSocket, now: Nanos, max: number): number | Errno {
    const c = s.conn;
    if (c instanceof TimeWaitSock) return 'ENOTCONN'; // closed already (see `live`)
    const n = c.recv(max, now);
    // Linux tcp_recvmsg: with nothing to copy, a pending error (ECONNRESET, ETIMEDOUT) is
    // returned before end-of-stream, unless the peer's FIN was read (SOCK_DONE).
    if (n <= 0 && !s.eof) {
      const err = s.readable > 0 ? null : s.takeError();
      if (err !== null) return err;
    }
    return n < 0 ? 'EAGAIN' : n;
  }

  shutdown(how: 'rd' | 'wr' | 'rdwr'): void {
    this.call(StackSocket.shutdownOp, how, 0);
  }

  private static shutdownOp(s: StackSocket, now: Nanos, how: 'rd' | 'wr' | 'rdwr'): void {
    s.live.shutdown(how, now);
  }

  close(): void {
    this.call(StackSocket.closeOp, 0, 0);
  }

  private static closeOp(s: StackSocket, now: Nanos): void {
    const c = s.conn;
    if (!(c instanceof TimeWaitSock)) c.close(now); // closed already: close() in TIME-WAIT does nothing
  }

  /** Sends RST and forgets the connection (used when a listener closes with unaccepted children). */
  abort(): void {
    this.call(StackSocket.abortOp, 0, 0);
  }

  private static abortOp(s: StackSocket, now: Nanos): void {
    const c = s.conn;
    if (c instanceof TimeWaitSock)
      c.destroy(now); // as userAbort in TIME-WAIT: CLOSED, no RST
    else c.abort(now);
  }

  setOption<K extends keyof TcpParams>(name: K, value: TcpParams[K]): void {
    this.call(StackSocket.setOptionOp, name, value);
  }

  private static setOptionOp<K extends keyof TcpParams>(
    s: StackSocket,
    now: Nanos,
    name: K,
    value: TcpParams[K],
  ): void {
    s.live.setOption(name, value, now);
  }

  setNoDelay(on: boolean): void {
    this.call(StackSocket.setNoDelayOp, on, 0);
  }

  private static setNoDelayOp(s: StackSocket, now: Nanos, on: boolean): void {
    s.live.setNoDelay(on, now);
  }

  setLingerZero(on: boolean): void {
    this.live.setLingerZero(on);
  }

  linuxInfo(): TcpInfoFields {
    return this.live.tcpInfo(this.owner.now);
  }

  info(): TcpInfo {
    const c = this.live;
    return {
      state: this.state,
      cwnd: c.cwnd,
      ssthresh: c.ssthresh,
      srtt: c.srtt,
      rto: c.rto,
      retransmits: c.retransmissions,
      bytesAcked: c.bytesAcked,
      bytesReceived: c.bytesReceived,
    };
  }
}

export class StackListenSocket implements ListenSocket, ListenerHost<StackSocket> {
  listener!: Listener<StackSocket>;
  wakeAt: Nanos = Infinity;
  wakeId: EventId = -1;
  closed = false;
  /** SO_REUSEADDR, passed on to accepted connections. */
  reuseAddr = false;

  constructor(
    private readonly owner: SocketOwner,
    readonly localPort: number,
    readonly backlog: number,
    public params: TcpParams,
    public handler: ListenHandler,
  ) {}

  accept(handler?: SocketHandler): TcpSocket | null {
    const s = this.listener.accept();
    if (s !== null) s.markAccepted();
    if (s !== null && handler !== undefined) s.handler = handler;
    return s;
  }

  setFastOpenQueue(qlen: number): void {
    this.params = { ...this.params, fastOpenQueue: qlen };
    this.listener.setFastOpenQueue(qlen);
  }

  setFastOpenKey(text: string): boolean {
    if (!this.listener.setFastOpenKey(text)) return false;
    this.params = { ...this.params, fastOpenKey: text };
    return true;
  }

  fastOpenKeyBytes(): Uint8Array | null {
    const fo = this.listener.fastOpen;
    return fo === null ? null : keyBytes(fo.currentKeys);
  }

  setUserMss(mss: number): void {
    // The children take the listener's parameters (host-stack createChild): copy, never share-mutate.
    this.params = { ...this.params, mss };
    this.listener.setUserMss(mss);
  }

  close(): void {
    if (this.closed) return;
    const o = this.owner;
    o.begin();
    this.closed = true;
    this.listener.close(o.now);
    o.touch(this);
    o.removeListener(this);
    o.end();
  }

  stats(): ListenerSnapshot {
    const s = this.listener.stats;
    return {
      synQueue: this.listener.synQueueLen,
      synQueueCapacity: s.synQueueCapacity,
      synQueuePeak: s.synQueuePeak,
      synQueueDrops: s.synQueueDrops,
      acceptQueue: s.acceptQueueLen,
      acceptQueueCapacity: s.acceptQueueCapacity,
      acceptQueuePeak: s.acceptQueuePeak,
      acceptQueueDrops: s.acceptQueueDrops,
      cookiesSent: s.cookiesSent,
      cookiesAccepted: s.cookiesAccepted,
      ...fastOpenQueueStats(this.listener.fastOpen),
    };
  }

  // ListenerHost: the listener's calls back into the stack
  initialSeq(laddr: number, lport: number, raddr: number, rport: number, now: Nanos): number {
    return this.owner.tcp.initialSeq(laddr, lport, raddr, rport, now);
  }

  tsOffset(laddr: number, raddr: number): number {
    return this.owner.tcp.tsOffset(laddr, raddr);
  }

  completeHandshake(h: HandshakeInfo, ack: Segment, now: Nanos): StackSocket | null {
    return this.owner.createChild(this, h, ack, now);
  }

  fastOpenChild(h: HandshakeInfo, syn: Segment, fo: FastOpenState, now: Nanos): StackSocket | null {
    return this.owner.createFastOpenChild(this, h, syn, fo, now);
  }

  abortChild(child: StackSocket): void {
    child.abort();
  }
}

/** A listener's Fast Open queue counters (zero without one). */
function fastOpenQueueStats(
  fo: ListenerFastOpen | null,
): Pick<ListenerSnapshot, 'fastOpenQueue' | 'fastOpenQueueCapacity' | 'fastOpenQueuePeak' | 'fastOpenQueueDrops'> {
  return fo === null
    ? { fastOpenQueue: 0, fastOpenQueueCapacity: 0, fastOpenQueuePeak: 0, fastOpenQueueDrops: 0 }
    : {
        fastOpenQueue: fo.queue.qlen,
        fastOpenQueueCapacity: fo.queue.max,
        fastOpenQueuePeak: fo.queue.peak,
        fastOpenQueueDrops: fo.overflow,
      };
}
