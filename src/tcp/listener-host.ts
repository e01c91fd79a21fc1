/**
 * A listener's contract with its owner (the host stack): what it asks of the host, and how it is
 * configured at listen().
 */
import type { Nanos } from '../sim/time.ts';
import type { Segment } from '../wire/segment.ts';
import type { EngineOutput } from './api.ts';
import type { HandshakeInfo } from './handshake.ts';
import type { TcpParams } from './params.ts';
import type { CookieSecret } from './syn-cookies.ts';
import type { DstMetrics } from './dst-metrics.ts';
import type { FastOpenState } from './fastopen.ts';

/** What a listener needs from its host stack. */
export interface ListenerHost<C> {
  /** ISS for a new request (RFC 6528 / Linux secure_tcp_seq). */
  initialSeq(laddr: number, lport: number, raddr: number, rport: number, now: Nanos): number;
  /** The connection's TSval offset (Linux secure_tcp_ts_off): a function of the addresses, so a cookie ACK can recompute it. */
  tsOffset(laddr: number, raddr: number): number;
  /**
   * Creates the connection (Connection.fromHandshake: SYN_RCVD → ESTABLISHED), registers it for
   * demultiplexing and hands it the final ACK, so data on the third ACK is received.
   */
  completeHandshake(h: HandshakeInfo, ack: Segment, now: Nanos): C | null;
  /**
   * TCP Fast Open: creates the child for a SYN whose data is accepted (Connection.fromFastOpen,
   * in SYN_RCVD) and registers it. Optional: a host without it never accepts data in a SYN.
   */
  fastOpenChild?(h: HandshakeInfo, syn: Segment, fo: FastOpenState, now: Nanos): C | null;
  /** Aborts a connection nobody accepted (the listener closed): Linux sends RST. */
  abortChild(child: C, now: Nanos): void;
}

export interface ListenerConfig<C> {
  localAddr: number;
  localPort: number;
  backlog: number;
  params: TcpParams;
  out: EngineOutput;
  host: ListenerHost<C>;
  /** The host's SYN-cookie secret (also keys the SYN cache's bucket hash). */
  secret: CookieSecret;
  cacheKey?: [number, number];
  /** The host's destination metrics: who is a proven peer (tcp_peer_is_proven). None = nobody. */
  metrics?: DstMetrics | null;
}
