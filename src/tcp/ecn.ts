/**
 * Classic ECN (RFC 3168) as Linux runs it with net.ipv4.tcp_ecn = 1 (net/ipv4/tcp_input.c,
 * tcp_output.c, include/net/tcp_ecn.h): the active opener's SYN carries ECE and CWR; a SYN-ACK
 * with ECE and without CWR agrees. Then new data goes out ECT(0) (never retransmissions or pure
 * ACKs, RFC 3168 6.1.5); a CE mark on arriving data makes every ACK carry ECE until the peer's
 * CWR; an ECE on an ACK halves the congestion window once per window of data (6.1.2) and the next
 * new data segment carries CWR. Passive ECN (tcp_ecn 1 or 2): a listener agrees to an ECN-setup
 * SYN that arrived not-ECT with ECE on its SYN-ACK (tcp_ecn_create_request, tcp_ecn_make_synack;
 * request-segments.ts negotiateSyn) and the child runs with ECN (tcp_ecn_openreq_child); the
 * same signals then apply on both sides.
 */
import { CWR, ECE, SYN, type Segment } from '../wire/segment.ts';
import { seqGe } from './seq.ts';
import type { Tcb } from './tcb.ts';

/** IPv4 ECN codepoints (RFC 3168 5). */
export const ECN_NOT_ECT = 0;
export const ECN_ECT1 = 1;
export const ECN_ECT0 = 2;
export const ECN_CE = 3;

/** The first SYN of an active open asks for ECN when tcp_ecn = 1 (a retransmitted SYN does not: tcp_ecn_clear_syn). */
export function ecnSynFlags(t: Tcb, retransmit: boolean): number {
  if (t.params.ecn !== 1 || retransmit) {
    t.ecnOk = false;
    return 0;
  }
  t.ecnOk = true;
  return ECE | CWR;
}

/** Linux tcp_ecn_rcv_syn (crossed SYNs): ECN holds only if the peer's SYN asked for it too. */
export function ecnSyn(t: Tcb, seg: Segment): void {
  if (t.ecnOk && ((seg.flags & ECE) === 0 || (seg.flags & CWR) === 0)) t.ecnOk = false;
}

/** A SYN-ACK (a Fast Open child's, or after crossed SYNs) says ECN with ECE alone (tcp_ecn_make_synack, tcp_ecn_send_synack). */
export function ecnSynAckFlags(t: Tcb): number {
  return t.ecnOk ? ECE : 0;
}

/** Linux tcp_ecn_rcv_synack: ECN holds only if the SYN-ACK has ECE without CWR. */
export function ecnSynAck(t: Tcb, seg: Segment): void {
  if (t.ecnOk && ((seg.flags & ECE) === 0 || (seg.flags & CWR) !== 0)) t.ecnOk = false;
}

/**
 * Flags and IP codepoint of an outgoing segment (Linux tcp_ecn_send): returns the codepoint and
 * adds ECE/CWR to `seg.flags` as due.
 */
export function ecnOutgoing(t: Tcb, seg: Segment, retransmit: boolean): number {
  if (!t.ecnOk || (seg.flags & SYN) !== 0) return ECN_NOT_ECT;
  if (t.ecnDemandCwr) seg.flags |= ECE;
  if (seg.len === 0 || retransmit) return ECN_NOT_ECT;
  if (t.ecnQueueCwr) {
    seg.flags |= CWR;
    t.ecnQueueCwr = false;
  }
  return ECN_ECT0;
}

/** An arriving segment's ECN signals (Linux tcp_ecn_accept_cwr, tcp_ecn_check_ce, the ECE branch of tcp_ack). */
export function ecnIncoming(t: Tcb, seg: Segment, codepoint: number): void {
  if (!t.ecnOk) return;
  if (codepoint !== ECN_NOT_ECT) t.ecnSeen = true;
  if (seg.len > 0 && (seg.flags & CWR) !== 0) t.ecnDemandCwr = false;
  if (codepoint === ECN_CE && seg.len > 0) {
    t.ecnDemandCwr = true;
    t.ackNow = true;
  }
  if ((seg.flags & ECE) !== 0 && (seg.flags & SYN) === 0 && seqGe(seg.ack, t.ecnRecover) && t.flight > 0) {
    // RFC 3168 6.1.2: halve once per window of data (Linux tcp_enter_cwr).
    const half = Math.max(2, Math.floor(t.cc.cwnd / 2));
    t.cc.ssthresh = half;
    t.cc.cwnd = half;
    t.ecnRecover = t.sndMax;
    t.ecnQueueCwr = true;
  }
}
