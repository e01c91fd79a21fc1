/**
 * The socket objects applications hold. A StackSocket is at once the application's TcpSocket,
 * the demultiplexer's value and the timer entity the stack keeps one wake-up for; a
 * StackListenSocket wraps a Listener the same way. Every user call runs inside the stack's
 * begin()/end() bracket, so the connection's wake-up is re-checked and the notifications it
 * caused reach the application after the engine call has returned (never re-entrantly).
 */
import type { EventId } from '../sim/simulator.ts';
import type { Nanos } from '../sim/time.ts';
import type { Segment } from '../wire/segment.ts';
import { STATE_NAMES, type Errno } from '../tcp/api.ts';
import type { Connection, HandshakeInfo } from '../tcp/connection.ts';
import { TimeWaitSock } from '../tcp/time-wait-sock.ts';
import type { FastOpenState, ListenerFastOpen } from '../tcp/fastopen.ts';
import type { Listener, ListenerHost } from '../tcp/listener.ts';
import type { TcpParams } from '../tcp/params.ts';
import type { OutOfOrderWatch } from '../tcp/recv-queue.ts';
import {
  SocketError, type ListenHandler, type ListenSocket, type ListenerStats, type SocketHandler, type TcpInfo,
  type TcpSocket, type TcpInfoFields,
} from './socket-api.ts';

/** What sockets need from their stack. */
export interface SocketOwner {
  readonly now: Nanos;
  begin(): void;
  end(): void;
  touch(entity: StackSocket | StackListenSocket): void;
  createChild(listener: StackListenSocket, h: HandshakeInfo, ack: Segment, now: Nanos): StackSocket | null;
  createFastOpenChild(listener: StackListenSocket, h: HandshakeInfo, syn: Segment, fo: FastOpenState, now: Nanos): StackSocket | null;
  removeListener(listener: StackListenSocket): void;
  initialSeq(laddr: number, lport: number, raddr: number, rport: number, now: Nanos): number;
  tsOffset(laddr: number, raddr: number): number;
}

const NO_HANDLER: SocketHandler = {};

/**
 * EAGAIN is thrown on every empty recv() of a read loop: one shared error object, because
 * building an Error captures a stack trace (it was a sixth of a handshake benchmark's time).
 */
const EAGAIN_ERROR = new SocketError('EAGAIN', 'nothing to read yet');

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
  freed = false;
  /** When the connection entered TIME-WAIT (for tcp_tw_reuse), or -1. */
  timeWaitSince: Nanos = -1;
  /** Over maxTimeWait: destroy once the current engine call returns. */
  destroyPending = false;
  /** SO_REUSEADDR was set (inherited from the listener by accepted sockets). */
  reuseAddr = false;
  /** accept() returned it (a Fast Open child then takes ICMP errors as a connected socket, tcp_v4_err). */
  accepted = false;

  constructor(private readonly owner: SocketOwner, handler: SocketHandler | null) {
    this.handler = handler ?? NO_HANDLER;
  }

  /** The live connection, for calls only a full one can answer. */
  private get live(): Connection {
    const c = this.conn;
    if (c instanceof TimeWaitSock) throw new SocketError('ENOTCONN', 'the socket was closed (its connection is in TIME-WAIT)');
    return c;
  }

  /** Replaces a closed TIME-WAIT connection by its compact record; the handler is let go (the user closed the socket). */
  compact(tw: TimeWaitSock): void {
    this.conn = tw;
    this.handler = NO_HANDLER;
  }

  get state(): string { return STATE_NAMES[this.conn.state]!; }
  get localAddr(): number { return this.conn.ep.localAddr; }
  get localPort(): number { return this.conn.ep.localPort; }
  get remoteAddr(): number { return this.conn.ep.remoteAddr; }
  get remotePort(): number { return this.conn.ep.remotePort; }
  get readable(): number { return this.conn instanceof TimeWaitSock ? 0 : this.conn.readable; }
  get eof(): boolean { return this.conn instanceof TimeWaitSock || this.conn.eof; }

  takeError(): Errno | null {
    // The stack's copy and the engine's SO_ERROR hold the same error: reading clears both,
    // so it is reported once (Linux sock_error).
    const e = this.conn instanceof TimeWaitSock ? null : this.conn.takeError();
    const mine = this.error;
    this.error = null;
    return mine ?? e;
  }

  get unacked(): number { return this.conn instanceof TimeWaitSock ? 0 : this.conn.unackedBytes; }
  get unsent(): number { return this.conn instanceof TimeWaitSock ? 0 : this.conn.unsentBytes; }
  get writable(): boolean { return this.conn instanceof TimeWaitSock || this.conn.pollWritable; }
  get mss(): number { return this.live.mss; }

  setCork(on: boolean): void {
    const o = this.owner;
    o.begin();
    this.live.setCork(on, o.now);
    o.touch(this);
    o.end();
  }

  setNotsentLowat(bytes: number): void {
    const o = this.owner;
    o.begin();
    this.live.setNotsentLowat(bytes);
    o.touch(this);
    o.end();
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

  send(bytes: number, flags = 0): number {
    const o = this.owner;
    o.begin();
    try {
      const n = this.live.send(bytes, o.now, flags);
      // Linux sk_stream_error: a pending error (ECONNRESET, ETIMEDOUT) is reported once, then EPIPE.
      if (n < 0) throw new SocketError(this.takeError() ?? this.live.sendErrno() ?? 'EPIPE');
      return n;
    } finally {
      o.touch(this);
      o.end();
    }
  }

  recv(max: number): number {
    const o = this.owner;
    o.begin();
    try {
      const n = this.live.recv(max, o.now);
      // Linux tcp_recvmsg: with nothing to copy, a pending error (ECONNRESET, ETIMEDOUT) is
      // returned before end-of-stream, unless the peer's FIN was read (SOCK_DONE).
      if (n <= 0 && !this.eof) {
        const err = this.readable > 0 ? null : this.takeError();
        if (err !== null) throw new SocketError(err);
      }
      if (n < 0) throw EAGAIN_ERROR;
      return n;
    } finally {
      o.touch(this);
      o.end();
    }
  }

  shutdown(how: 'rd' | 'wr' | 'rdwr'): void {
    const o = this.owner;
    o.begin();
    this.live.shutdown(how, o.now);
    o.touch(this);
    o.end();
  }

  close(): void {
    const o = this.owner;
    o.begin();
    const c = this.conn;
    if (!(c instanceof TimeWaitSock)) c.close(o.now); // closed already: close() in TIME-WAIT does nothing
    o.touch(this);
    o.end();
  }

  /** Sends RST and forgets the connection (used when a listener closes with unaccepted children). */
  abort(): void {
    const o = this.owner;
    o.begin();
    const c = this.conn;
    if (c instanceof TimeWaitSock) c.destroy(o.now); // as userAbort in TIME-WAIT: CLOSED, no RST
    else c.abort(o.now);
    o.touch(this);
    o.end();
  }

  setOption<K extends keyof TcpParams>(name: K, value: TcpParams[K]): void {
    const o = this.owner;
    o.begin();
    this.live.setOption(name, value, o.now);
    o.touch(this);
    o.end();
  }

  setNoDelay(on: boolean): void {
    const o = this.owner;
    o.begin();
    this.live.setNoDelay(on, o.now);
    o.touch(this);
    o.end();
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
      state: this.state, cwnd: c.cwnd, ssthresh: c.ssthresh, srtt: c.srtt, rto: c.rto,
      retransmits: c.retransmissions, bytesAcked: c.bytesAcked, bytesReceived: c.bytesReceived,
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
    if (s !== null) s.accepted = true;
    if (s !== null && handler !== undefined) s.handler = handler;
    return s;
  }

  setFastOpenQueue(qlen: number): void {
    this.params = { ...this.params, fastOpenQueue: qlen };
    this.listener.setFastOpenQueue(qlen);
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

  stats(): ListenerStats {
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
    return this.owner.initialSeq(laddr, lport, raddr, rport, now);
  }

  tsOffset(laddr: number, raddr: number): number {
    return this.owner.tsOffset(laddr, raddr);
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
function fastOpenQueueStats(fo: ListenerFastOpen | null): Pick<ListenerStats, 'fastOpenQueue' | 'fastOpenQueueCapacity' | 'fastOpenQueuePeak' | 'fastOpenQueueDrops'> {
  return fo === null
    ? { fastOpenQueue: 0, fastOpenQueueCapacity: 0, fastOpenQueuePeak: 0, fastOpenQueueDrops: 0 }
    : { fastOpenQueue: fo.queue.qlen, fastOpenQueueCapacity: fo.queue.max, fastOpenQueuePeak: fo.queue.peak, fastOpenQueueDrops: fo.overflow };
}
