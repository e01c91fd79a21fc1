/**
 * Segments a listener sends for its half-open requests (SYN-ACK, the ACK for an out-of-window
 * segment, RST) and the option negotiation of a passive open (Linux tcp_openreq_init,
 * tcp_make_synack). Pure functions: the listener decides when.
 */
import { ACK, CWR, ECE, SYN, type Segment, type TcpOptions } from '../wire/segment.ts';
import type { TcpParams } from './params.ts';
import { MAX_WSCALE } from './window.ts';

/** RFC 9293 3.7.1: the MSS assumed when a SYN carries no MSS option. */
export const DEFAULT_PEER_MSS = 536;

/** What a passive open agreed from the peer's SYN. */
export interface SynOptions {
  /** Peer's MSS option, or 536 when absent. */
  peerMss: number;
  /** Peer's window-scale shift, -1 when scaling is off (either side). */
  peerWscale: number;
  sackOk: boolean;
  tsOk: boolean;
  /** Peer's TSval (TS.Recent) when tsOk. */
  tsVal: number;
  /** ECN agreed: the SYN-ACK carries ECE and the connection runs with ECN (RFC 3168 6.1.1). */
  ecnOk: boolean;
}

/**
 * Negotiates a SYN's options against our parameters (RFC 7323 2.2/3.2, RFC 2018 2), and ECN as
 * Linux tcp_ecn_create_request: an ECN-setup SYN (ECE and CWR) that arrived not-ECT is agreed to
 * whenever net.ipv4.tcp_ecn is 1 or 2 (passive ECN, RFC 3168 6.1.1); `codepoint` is the SYN's IP ECN field.
 */
export function negotiateSyn(seg: Segment, params: TcpParams, into: SynOptions, codepoint = 0): SynOptions {
  const o = seg.options;
  into.peerMss = o?.mss !== undefined && o.mss > 0 ? o.mss : DEFAULT_PEER_MSS;
  into.peerWscale = params.windowScaling && o?.wscale !== undefined ? Math.min(o.wscale, MAX_WSCALE) : -1;
  into.sackOk = params.sack && o?.sackPermitted === true;
  into.tsOk = params.timestamps && o?.timestamp !== undefined;
  into.tsVal = into.tsOk ? o!.timestamp!.val >>> 0 : 0;
  into.ecnOk = params.ecn !== 0 && (seg.flags & (ECE | CWR)) === (ECE | CWR) && codepoint === 0;
  return into;
}

/**
 * A SYN-ACK <SEQ=ISS><ACK=IRS+1><CTL=SYN,ACK> (RFC 9293 3.10.7.2). Options mirror what the
 * peer offered: our MSS always, window scale / SACK-permitted / timestamps only if it sent them;
 * ECE when ECN was agreed (Linux tcp_ecn_make_synack).
 */
export function buildSynAck(
  lport: number,
  rport: number,
  iss: number,
  irs: number,
  window: number,
  mss: number,
  wscale: number,
  sackOk: boolean,
  tsVal: number,
  tsEcr: number,
  tsOk: boolean,
  ecnOk = false,
): Segment {
  const options: TcpOptions = { mss };
  if (sackOk) options.sackPermitted = true;
  if (tsOk) options.timestamp = { val: tsVal, ecr: tsEcr };
  if (wscale >= 0) options.wscale = wscale;
  return {
    srcPort: lport,
    dstPort: rport,
    seq: iss >>> 0,
    ack: (irs + 1) >>> 0,
    flags: ecnOk ? SYN | ACK | ECE : SYN | ACK,
    window,
    urgent: 0,
    options,
    len: 0,
    payload: null,
  };
}

/** An ACK <SEQ=ISS+1><ACK=IRS+1> for an unacceptable segment on a request (Linux tcp_check_req). */
export function buildRequestAck(lport: number, rport: number, iss: number, irs: number, window: number): Segment {
  return {
    srcPort: lport,
    dstPort: rport,
    seq: (iss + 1) >>> 0,
    ack: (irs + 1) >>> 0,
    flags: ACK,
    window,
    urgent: 0,
    options: null,
    len: 0,
    payload: null,
  };
}
