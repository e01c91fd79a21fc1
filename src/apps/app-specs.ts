/**
 * The application records of an experiment (`apps:` in docs/design.md part 2), validated and with every
 * default filled in by src/experiment: units parsed to integers (time in ns, rates per second,
 * sizes in bytes), `target` resolved to one node. The apps in this folder are built from them.
 */
import type { Nanos } from '../sim/time.ts';
import type { TcpParams } from '../tcp/params.ts';

/** A resolved `target: "node:port"`: `node` is always a single node name, never a group. */
export interface Endpoint {
  node: string;
  port: number;
}

/** A parsed IPv4 CIDR range such as 198.18.0.0/15 (RFC 2544 benchmarking space). */
export interface CidrRange {
  /** Network address as an unsigned 32-bit integer, host bits cleared. */
  base: number;
  prefixLength: number;
  /** As written, e.g. "198.18.0.0/15". */
  text: string;
}

export interface AppCommon {
  /** The key under `apps:`, e.g. "flood". */
  id: string;
  /** A node name or a group name as written; the run starts one instance per group member. */
  on: string;
}

/**
 * Apps with a `start` may stagger it over a group: member i (0-based, in group order: client1 is
 * member 0) starts at start + i × stagger. Unset (the default) starts every member at `start`.
 */
export interface Staggered {
  stagger?: Nanos;
}

/** When member `index` of the app's group starts. */
export function memberStart(app: { start: Nanos } & Staggered, index: number): Nanos {
  return app.stagger === undefined ? app.start : app.start + index * app.stagger;
}

/** Listens on `port` and answers each request with `responseBytes`. */
export interface ServerApp extends AppCommon {
  kind: 'server';
  port: number; // default 80
  responseBytes: number; // default 1000
  /** listen() backlog; undefined = the host's tcp.backlog. */
  backlog?: number;
  /** HTTP/2 peers (client mode h2): the largest DATA frame payload, 1–16 384. Default 16 384. */
  frameBytes: number;
  /** HTTP/2 peers: SETTINGS_MAX_CONCURRENT_STREAMS, which h2 clients honour. Default 100. */
  maxConcurrentStreams: number;
  /**
   * TCP_FASTOPEN on the listener: its Fast Open queue length (RFC 7413; children made from
   * SYN-data not yet out of SYN_RCVD); undefined = the host's tcp.fastOpenQueue. Needs bit 2 of
   * the server's tcp.fastOpen.
   */
  fastOpenQueue?: number;
}

export type ArrivalProcess = 'periodic' | 'poisson';
/**
 * http1.0: one request per connection; keepalive: requests reuse one open connection; pipelined:
 * several in flight; h2: requests as concurrent streams of one HTTP/2 connection.
 */
export type ClientMode = 'http1.0' | 'keepalive' | 'pipelined' | 'h2';
/** Who closes first after the response (decides which side holds TIME-WAIT). */
export type Closer = 'client' | 'server';
/**
 * TCP Fast Open on a client's connections (RFC 7413): false, plain connects; true, sockets set
 * TCP_FASTOPEN_CONNECT (the first visit asks for a cookie, repeat visits send the request in the
 * SYN); 'first-visit', the same but the cached cookie is forgotten before each connect (`ip
 * tcp_metrics delete`), so every connection is a first visit.
 */
export type ClientFastOpen = boolean | 'first-visit';

export interface ClientApp extends AppCommon, Staggered {
  kind: 'client';
  target: Endpoint;
  start: Nanos; // default 0
  stop: Nanos; // default: the experiment duration
  /** New pages (connections under http1.0, requests otherwise) per second, per instance. Default 10. */
  rate: number;
  arrival: ArrivalProcess; // default periodic
  /** Total pages per instance; undefined = unbounded until `stop`. */
  count?: number;
  mode: ClientMode; // default http1.0
  requestBytes: number; // default 200
  closer: Closer; // default client
  /** Requests per page (page-load studies). Default 1. */
  objects: number;
  /** http1.0: connections at once per page; keepalive / pipelined: the pool of persistent connections (opened as needed, kept across pages); h2: always one connection. Default 1. */
  connections: number;
  /** h2: the receive window per stream (SETTINGS_INITIAL_WINDOW_SIZE) and per connection, in bytes. Default 65 535 each. */
  streamWindow: number;
  connectionWindow: number;
  /** TCP Fast Open (ClientFastOpen). Default false. Needs bit 1 of the client's tcp.fastOpen (Linux's default). */
  fastOpen: ClientFastOpen;
}

/** Spoofed-source SYN flood (RFC 4987 section 2). */
export interface SynFloodApp extends AppCommon, Staggered {
  kind: 'synflood';
  target: Endpoint;
  start: Nanos; // default 0
  stop: Nanos; // default: the experiment duration
  /** SYNs per second, per instance. Default 1000. */
  rate: number;
  /** periodic (default): one SYN every 1/rate; poisson: exponential gaps with that mean, as a flood from many bots. */
  arrival: ArrivalProcess;
  spoof: CidrRange; // default 198.18.0.0/15
  /**
   * Bytes of data in each SYN (default 0): a Fast Open flood (RFC 7413 5.1), which a server that
   * takes SYN data without a cookie (tcp.fastOpen bit 0x200) turns into full children until its
   * Fast Open queue is full.
   */
  data: number;
}

/** One long transfer, for window and congestion studies. */
export interface BulkApp extends AppCommon, Staggered {
  kind: 'bulk';
  target: Endpoint;
  bytes: number; // default 10 MB
  start: Nanos; // default 0
}

/** `shutdown:` in a script step, as shutdown(2)'s SHUT_RD, SHUT_WR, SHUT_RDWR. */
export type ShutdownHow = 'rd' | 'wr' | 'rdwr';

/** Socket options a script may set on its socket (setsockopt), by TcpParams name. */
export type SocketOptionName =
  | 'keepalive'
  | 'keepaliveIdle'
  | 'keepaliveInterval'
  | 'keepaliveProbes'
  | 'userTimeout'
  | 'nagle'
  | 'delayedAck'
  | 'sndBuf'
  | 'rcvBuf'
  | 'mss'
  | 'synRetries'
  | 'finWait2Timeout'
  | 'fastOpenConnect'
  | 'fastOpenQueue';
export type SocketOptions = Partial<Pick<TcpParams, SocketOptionName>>;

/** One socket call of a script app, at `at` (absolute simulated time). */
export type ScriptStep = { at: Nanos } /** listen(port, backlog); backlog undefined = the host's tcp.backlog. */ & (
  | { op: 'listen'; port: number; backlog?: number }
  /** accept(): takes the next connection as soon as one is queued at or after `at`. */
  | { op: 'accept' }
  /**
   * connect() to `target`, from `localPort` when given (both sides fixed: a simultaneous open is
   * possible); `reuseAddr` sets SO_REUSEADDR before the bind.
   */
  | { op: 'connect'; target: Endpoint; localPort?: number; reuseAddr?: boolean }
  | { op: 'send'; bytes: number }
  /** recv(): what is there, at most `bytes` when given. */
  | { op: 'read'; bytes?: number }
  | { op: 'shutdown'; how: ShutdownHow }
  | { op: 'close' }
  /** SO_LINGER with l_linger = 0 (on) or linger off: close() then sends RST. */
  | { op: 'linger0'; on: boolean }
  /** setsockopt(); before a connect/listen the options apply to the socket it creates. */
  | { op: 'setsockopt'; options: SocketOptions }
);
export type ScriptOp = ScriptStep['op'];

/** A timeline of socket calls on one host (one connection at a time), for textbook scenarios. */
export interface ScriptApp extends AppCommon {
  kind: 'script';
  /** In time order (validated non-decreasing). */
  steps: ScriptStep[];
  /** Read data as it arrives (default); false leaves it unread until a `read` step (close then sends RST). */
  autoRead: boolean;
}

export type AppSpec = ServerApp | ClientApp | SynFloodApp | BulkApp | ScriptApp;
export type AppKind = AppSpec['kind'];
