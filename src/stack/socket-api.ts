/**
 * The socket API applications (src/apps) and the packetdrill runner use. It follows BSD sockets
 * in non-blocking mode, turned inside out for a discrete-event world: calls return at once, and the
 * stack calls the socket's handler when something changes (connected, readable, writable, error,
 * acceptable, freed). Failures are errno values (src/tcp/api.ts): returned by the calls whose
 * failure is part of the normal path (recv with nothing to read: EAGAIN; send after a reset), thrown
 * as SocketError by connect/listen and by calls on a socket that was closed already, and reported
 * through `onError` for asynchronous ones.
 */
import type { Errno } from '../tcp/api.ts';
import type { TcpParams } from '../tcp/params.ts';
import type { TcpInfoFields } from '../tcp/tcp-info.ts';
import type { OutOfOrderWatch } from '../tcp/recv-queue.ts';
import type { Packet } from '../wire/segment.ts';

export class SocketError extends Error {
  constructor(
    readonly code: Errno,
    message?: string,
  ) {
    super(message ?? code);
    this.name = 'SocketError';
  }
}

/**
 * For callers to whom a failed connect() or listen() is a bug (tests, one-off tools): the socket,
 * or a SocketError thrown with the errno. Applications check the value instead.
 */
export function orThrow<T extends object>(r: T | Errno, call = 'socket call'): T {
  if (typeof r === 'string') throw new SocketError(r, `${call} failed: ${r}`);
  return r;
}

/** Callbacks an application registers; all optional. Called at the simulated time of the change. */
export interface SocketHandler {
  /** An active open completed (connect() succeeded). */
  onConnected?(sock: TcpSocket): void;
  /** Bytes or end-of-stream can be read. */
  onReadable?(sock: TcpSocket): void;
  /** Send-buffer space became free after a short write. */
  onWritable?(sock: TcpSocket): void;
  /** The connection failed: ECONNREFUSED, ETIMEDOUT, ECONNRESET (also EADDRNOTAVAIL never here: connect throws it). */
  onError?(sock: TcpSocket, errno: Errno): void;
  /** The connection is completely gone (CLOSED after TIME-WAIT, LAST-ACK, or an abort). */
  onFreed?(sock: TcpSocket): void;
}

export interface ListenHandler {
  /** The accept queue has at least one connection: call `accept()`. */
  onAcceptable?(listener: ListenSocket): void;
}

export interface ConnectOptions {
  /**
   * TCP Fast Open connect (sendto MSG_FASTOPEN): this many bytes go with the connect, in the SYN
   * when a cookie is cached (Connection.connect); with `fastOpenFlags` FO_DEFER / FO_NONBLOCK.
   */
  fastOpen?: number;
  fastOpenFlags?: number;
  /**
   * TCP_FASTOPEN_CONNECT on this socket (as the host's tcp.fastOpenConnect): with a cached cookie
   * connect() returns at once and the first write goes out in the SYN; without, the SYN asks for
   * one. Only with the client bit of tcp.fastOpen (Linux tcp_fastopen_defer_connect).
   */
  fastOpenConnect?: boolean;
  /** Bind to this local port instead of an ephemeral one. */
  localPort?: number;
  /** SO_REUSEADDR: bind may share the port with sockets that set it too (not with a listener). */
  reuseAddr?: boolean;
  /** SO_LINGER with l_linger = 0: close() sends RST. */
  lingerZero?: boolean;
  /** TCP_NODELAY: no Nagle. */
  noDelay?: boolean;
  /** IP_TOS: the DSCP bits every packet carries (default 0). */
  ipTos?: number;
  /** IP_MTU_DISCOVER: 0 DONT (no DF), 1 WANT (default), 2 DO, 3 PROBE (Connection.setPmtuDisc). */
  pmtuDisc?: number;
  /** Per-socket parameter overrides (setsockopt-style: keepalive, userTimeout, …). */
  params?: Partial<TcpParams>;
}

export interface TcpSocket {
  /** RFC 9293 state name: "SYN_SENT", "ESTABLISHED", "TIME_WAIT", … */
  readonly state: string;
  /** TCP Fast Open client: bytes the SYN carried; the SYN still waits for the first write (TCP_FASTOPEN_CONNECT). */
  readonly synDataBytes?: number;
  readonly fastOpenDeferred?: boolean;
  readonly localAddr: number;
  readonly localPort: number;
  readonly remoteAddr: number;
  readonly remotePort: number;
  /** Bytes ready to read. */
  readonly readable: number;
  /** The peer's FIN has been read up to: recv() returns 0 from now on. */
  readonly eof: boolean;
  /** Pending asynchronous error (SO_ERROR), cleared when read. */
  takeError(): Errno | null;
  handler: SocketHandler;
  /**
   * Queues up to `bytes` for sending; returns how many were accepted (0 when the buffer is full),
   * or the errno: a pending error once (ECONNRESET, ETIMEDOUT), EPIPE after shutdown(wr) or a
   * reset, ENOTCONN before connecting. `flags`: SEND_EOR (MSG_EOR), SEND_MORE (MSG_MORE) from
   * src/tcp/api.ts.
   */
  send(bytes: number, flags?: number): number | Errno;
  /** Bytes queued and not yet acknowledged (ioctl SIOCOUTQ). */
  readonly unacked: number;
  /** Bytes queued and not yet sent (ioctl SIOCOUTQNSD, tcpi_notsent_bytes). */
  readonly unsent: number;
  /** poll()'s POLLOUT (Linux tcp_poll: sk_stream_is_writeable and TCP_NOTSENT_LOWAT). */
  readonly writable: boolean;
  /** TCP_CORK. */
  setCork(on: boolean): void;
  /** TCP_NOTSENT_LOWAT on this socket (0: net.ipv4.tcp_notsent_lowat). */
  setNotsentLowat(bytes: number): void;
  /** TCP_MAXSEG on a connected socket. */
  /** IP_TOS on a connection: later packets carry it, the cached route is refreshed (Linux sk_dst_reset). */
  setIpTos?(tos: number): void;
  /** IP_MTU_DISCOVER on a connection (Connection.setPmtuDisc). */
  setPmtuDisc?(mode: number): void;
  setUserMss(mss: number): void;
  /** getsockopt(TCP_MAXSEG): the current send MSS (Linux tp->mss_cache). */
  readonly mss: number;
  /**
   * Reads up to `max` bytes; returns the count, 0 at end of stream, 'EAGAIN' when nothing is there
   * yet, or a pending error (ECONNRESET, ETIMEDOUT) when nothing is left to read.
   */
  recv(max: number): number | Errno;
  shutdown(how: 'rd' | 'wr' | 'rdwr'): void;
  /** close(): FIN after queued data, or RST when unread data remains or linger is zero (RFC 9293 3.10.4, Linux tcp_close). */
  close(): void;
  setOption<K extends keyof TcpParams>(name: K, value: TcpParams[K]): void;
  setNoDelay(on: boolean): void;
  setLingerZero(on: boolean): void;
  /**
   * Registers who is told when received bytes are held out of order (null: nobody), for
   * head-of-line measurements; optional for stand-in sockets.
   */
  watchOutOfOrder?(watch: OutOfOrderWatch | null): void;
  /** getsockopt(TCP_INFO): a snapshot of the connection's state and counters. */
  info(): TcpInfo;
  /** getsockopt(TCP_INFO) with Linux's field names (without `tcpi_`) and units; only modelled fields. */
  linuxInfo(): TcpInfoFields;
}

/** What Linux's TCP_INFO reports, the subset tcplab models. Times in ns, windows in bytes. */
export interface TcpInfo {
  state: string;
  cwnd: number;
  ssthresh: number;
  srtt: number;
  rto: number;
  retransmits: number;
  bytesAcked: number;
  bytesReceived: number;
}

export type { TcpInfoFields, OutOfOrderWatch };

/** SOCK_RAW with IP_HDRINCL: whole IPv4 packets as the application built them (hping3-style tools). */
export interface RawSocket {
  send(packet: Packet): void;
}

export interface ListenSocket {
  readonly localPort: number;
  readonly backlog: number;
  handler: ListenHandler;
  /** TCP_FASTOPEN after listen(): the Fast Open queue length (optional: stacks without Fast Open). */
  setFastOpenQueue?(qlen: number): void;
  /**
   * TCP_FASTOPEN_KEY: the listener's own Fast Open cookie keys, as the sysctl writes them
   * ("w0-w1-w2-w3[,backup]"); false when malformed. Optional: stacks without Fast Open.
   */
  setFastOpenKey?(text: string): boolean;
  /** getsockopt(TCP_FASTOPEN_KEY): the keys cookies are made with (16 bytes each, primary first), or null without Fast Open. */
  fastOpenKeyBytes?(): Uint8Array | null;
  /** TCP_MAXSEG on the listener: the MSS its SYN-ACKs advertise and its connections use. */
  setUserMss(mss: number): void;
  /** Takes the oldest completed connection, or null (EAGAIN) when the accept queue is empty. */
  accept(handler?: SocketHandler): TcpSocket | null;
  close(): void;
  /** The listener's queues and counters (what `ss -lnt` and /proc/net/netstat show on Linux). */
  stats(): ListenerSnapshot;
}

export interface ListenerSnapshot {
  /** Half-open requests now (SYN_RCVD entries, or SYN-cache entries). */
  synQueue: number;
  /** The SYN queue's largest size: min(backlog, somaxconn) + 1 on Linux. */
  synQueueCapacity: number;
  synQueuePeak: number;
  /** SYNs dropped because the SYN queue (or accept queue) was full, without a cookie sent. */
  synQueueDrops: number;
  /** Completed connections waiting for accept(). */
  acceptQueue: number;
  acceptQueueCapacity: number;
  acceptQueuePeak: number;
  /** Final ACKs dropped (or answered with RST) because the accept queue was full (ListenOverflows). */
  acceptQueueDrops: number;
  cookiesSent: number;
  cookiesAccepted: number;
  /** TCP Fast Open queue (children in SYN_RCVD made from SYN-data): its length now, capacity, peak, and SYNs it turned away (Linux TCPFastOpenListenOverflow). */
  fastOpenQueue?: number;
  fastOpenQueueCapacity?: number;
  fastOpenQueuePeak?: number;
  fastOpenQueueDrops?: number;
}

/** A host stack's counters (Linux: /proc/net/snmp, /proc/net/sockstat). */
export interface StackStats {
  segmentsSent: number;
  segmentsRetransmitted: number;
  /** Connections now in ESTABLISHED or CLOSE_WAIT (Linux's CurrEstab). */
  established: number;
  timeWait: number;
  timeWaitPeak: number;
  /**
   * TCP Fast Open client connections (fastopen.ts FO_EVENT_*): SYNs that asked for a cookie;
   * SYN-data the SYN-ACK acknowledged (Linux TCPFastOpenActive); SYN-data sent again after it did
   * not (TCPFastOpenActiveFail).
   */
  fastOpenRequested?: number;
  fastOpenAccepted?: number;
  fastOpenFallback?: number;
}

/** A host's TCP stack, as applications see it. */
export interface TcpStack {
  readonly address: number;
  /**
   * Starts an active open. Fails as connect() does, with a value: EADDRNOTAVAIL when no ephemeral
   * port toward that destination is free (port exhaustion is a normal outcome, not a bug),
   * EADDRINUSE / EADDRNOTAVAIL for a taken explicit port.
   */
  connect(remoteAddr: number, remotePort: number, handler: SocketHandler, options?: ConnectOptions): TcpSocket | Errno;
  /** listen(backlog): backlog defaults to the host's `tcp.backlog`. EADDRINUSE when the port has a listener. */
  listen(port: number, handler: ListenHandler, backlog?: number, params?: Partial<TcpParams>): ListenSocket | Errno;
  /** A raw socket: packets go out as given, source address included (spoofing is allowed, as on Linux as root). */
  openRaw(): RawSocket;
  stats(): StackStats;
  /** `ip tcp_metrics delete <addr>`: forget what the host cached about a destination (its Fast Open cookie among it). */
  forgetDestination?(remoteAddr: number): void;
}
