/**
 * The engine's boundary. The engine does no I/O: every entry point takes `now`, and everything it
 * wants done comes out through an EngineOutput the caller supplies (the host stack in a
 * simulation, the packetdrill runner in a conformance test). After every call the caller reads
 * `deadline` and keeps one wake-up for it.
 */
import { TCP_STATE_NAMES, type TcpStateName } from '../schema/trace.ts';
import type { Nanos } from '../sim/time.ts';
import type { Segment } from '../wire/segment.ts';
import type { FastOpenBlackhole } from './fastopen-blackhole.ts';

/** RFC 9293 3.3.2 states (LISTEN belongs to listeners; SYN_RCVD is also a listener's request). */
export const TcpState = {
  CLOSED: 0,
  LISTEN: 1,
  SYN_SENT: 2,
  SYN_RCVD: 3,
  ESTABLISHED: 4,
  FIN_WAIT_1: 5,
  FIN_WAIT_2: 6,
  CLOSE_WAIT: 7,
  CLOSING: 8,
  LAST_ACK: 9,
  TIME_WAIT: 10,
} as const;
export type TcpState = (typeof TcpState)[keyof typeof TcpState];

/** Names as written in traces and results, indexed by TcpState (whose values follow the schema's list in order). */
export const STATE_NAMES: readonly TcpStateName[] = TCP_STATE_NAMES;

/** Connection.send flags: MSG_EOR (a record ends here) and MSG_MORE (more data follows at once). */
export const SEND_EOR = 1;
export const SEND_MORE = 2;
/** A non-blocking write that opens a TCP Fast Open connection: only what the SYN carries is taken. */
export const SEND_SYN_DATA_ONLY = 4;

/** errno-style failures reported to sockets. */
export type Errno =
  | 'ECONNREFUSED'
  | 'ETIMEDOUT'
  | 'ECONNRESET'
  | 'EADDRNOTAVAIL'
  | 'EADDRINUSE'
  | 'EPIPE'
  | 'ENOTCONN'
  | 'EAGAIN'
  | 'EINVAL'
  | 'EISCONN'
  | 'EALREADY'
  | 'EINPROGRESS'
  | 'ECONNABORTED'
  // ICMP errors (icmp-error.ts, Linux icmp_err_convert)
  | 'ENETUNREACH'
  | 'EHOSTUNREACH'
  | 'ENOPROTOOPT'
  | 'EMSGSIZE'
  | 'EOPNOTSUPP'
  | 'EHOSTDOWN'
  | 'ENONET';

/** A connection's addresses (IPv4 as uint32) and ports. */
export interface Endpoints {
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
}

/**
 * Endpoints lent to one EngineOutput call: read-only, and valid only until the call returns (a
 * listener passes one reused object for all its requests, the stack one for its resets). A callee
 * copies the fields it keeps, never the object.
 */
export type LentEndpoints = Readonly<Endpoints>;

/** What the engine tells its owner. Implemented by src/stack (and the packetdrill runner). */
export interface EngineOutput {
  /** Put `seg` on the wire from `ep.localAddr` to `ep.remoteAddr`. `retransmit` marks a resend; `ecn` is the IP ECN codepoint (ecn.ts, default Not-ECT); `tos` the socket's IP_TOS DSCP bits, `noDf` IP_PMTUDISC_DONT (no Don't Fragment bit). */
  transmit(ep: LentEndpoints, seg: Segment, retransmit: boolean, ecn?: number, tos?: number, noDf?: boolean): void;
  /**
   * The host's own queue refuses every packet (a qdisc with no room, as `tc qdisc add ... pfifo
   * limit 0`): Linux's tcp_transmit_skb fails locally, nothing counts as sent (tcp_write_xmit).
   */
  readonly localDrop?: boolean;
  /** Every state transition, exactly once, in order (the trace's `ev: state`). */
  stateChanged(ep: LentEndpoints, from: TcpState, to: TcpState): void;
  /** Socket-facing news for the connection's owner. */
  notify(ep: LentEndpoints, what: ConnEvent, errno?: Errno): void;
  /**
   * The host's path MTU to `remoteAddr` (its route cache, learned from ICMP fragmentation-needed;
   * RFC 1191), 0 when nothing limits it below the device MTU; optional.
   */
  pathMtu?(remoteAddr: number): number;
  /**
   * An ICMP fragmentation-needed reported `mtu` toward `remoteAddr` (RFC 1191): the host's route
   * takes it; returns the route's MTU afterwards (`deviceMtu` when nothing is learned). Optional.
   */
  updatePathMtu?(remoteAddr: number, mtu: number, deviceMtu: number): number;
  /** TCP Fast Open news for counters (fastopen.ts FO_EVENT_*: requested, accepted, fallback); optional. */
  fastOpen?(ep: LentEndpoints, event: number): void;
  /** The host's active Fast Open blackhole state (fastopen-blackhole.ts); absent: never paused. */
  readonly fastOpenBlackhole?: FastOpenBlackhole;
}

export const ConnEvent = {
  /** Active open finished: connect() succeeded. */
  CONNECTED: 1,
  /** Bytes or EOF can be read. */
  READABLE: 2,
  /** Send-buffer space freed. */
  WRITABLE: 3,
  /** The connection failed (errno given): refused, timed out, reset. */
  ERROR: 4,
  /** The TCB reached CLOSED (after TIME-WAIT or abort) and may be forgotten by the demultiplexer. */
  FREED: 5,
  /** A listener's accept queue gained a connection. */
  ACCEPTABLE: 6,
} as const;
export type ConnEvent = (typeof ConnEvent)[keyof typeof ConnEvent];

/** Anything the stack keeps one wake-up for. */
export interface TimedEntity {
  /** Earliest time the entity needs `onTimer`, or Infinity. */
  readonly deadline: Nanos;
  onTimer(now: Nanos): void;
}
