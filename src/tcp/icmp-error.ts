/**
 * What an ICMP error does to a connection: Linux tcp_v4_err, tcp_v4_mtu_reduced and
 * tcp_ld_RTO_revert (net/ipv4/tcp_ipv4.c), with the errno of icmp_err_convert (net/ipv4/icmp.c).
 *
 * - The quoted sequence number must lie in [SND.UNA, SND.NXT] (a Fast Open child in SYN-RECEIVED:
 *   from its ISN); otherwise the error is ignored and counted (LINUX_MIB_OUTOFWINDOWICMPS). This
 *   is RFC 5927 4.1's check against blind ICMP attacks.
 * - Fragmentation needed (RFC 1191): the path MTU to the peer drops (the host's route cache) and,
 *   if it is below the MTU the connection sends at (icsk_pmtu_cookie) and the socket does path-MTU
 *   discovery, the MSS shrinks (tcp_sync_mss) and segments now too large are resent at once
 *   (tcp_simple_retransmit). A SYN with Fast Open data is resent as a plain SYN (Linux commit
 *   c31b70c9968f: the SYN-data is taken as lost).
 * - Other unreachable codes and time exceeded: in SYN-SENT, and in SYN-RECEIVED (simultaneous
 *   open, a Fast Open child not yet accepted) a hard error: the connection closes with the errno
 *   (connect() fails with EHOSTUNREACH, ENETUNREACH, ECONNREFUSED ... instead of timing out).
 *   Once synchronized only a soft error (RFC 1122 4.2.3.9, sk_err_soft): the connection keeps
 *   trying, and if it times out it reports that errno instead of ETIMEDOUT (tcp_write_err).
 * - Net or host unreachable about the oldest outstanding segment while the RTO is backed off
 *   undoes one backoff (RFC 6069, tcp_ld_RTO_revert): the path is down, not congested.
 */
import type { Nanos } from '../sim/time.ts';
import { reducedMtu } from '../net/route-cache.ts';
import {
  ICMP_DEST_UNREACH,
  ICMP_FRAG_NEEDED,
  ICMP_HOST_UNREACH,
  ICMP_NET_UNREACH,
  ICMP_TIME_EXCEEDED,
  NR_ICMP_UNREACH,
} from '../wire/icmp.ts';
import { TcpState, type Errno } from './api.ts';
import { setEffectiveMss } from './handshake.ts';
import { sendSyn } from './output.ts';
import { onRetransmitTimer } from './retransmit.ts';
import { output } from './send.ts';
import { seqSub } from './seq.ts';
import type { Tcb } from './tcb.ts';
import { terminate } from './teardown.ts';
import { timerExpiry } from './timer-wheel.ts';

/** IPv4 + TCP header bytes: MSS = MTU - 40 (Linux __tcp_mtu_to_mss without options). */
export const IP_TCP_HEADER_BYTES = 40;

/** Linux icmp_err_convert: the errno of each destination-unreachable code, 0 to 15. */
const UNREACH_ERRNO: readonly Errno[] = [
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENOPROTOOPT',
  'ECONNREFUSED',
  'EMSGSIZE',
  'EOPNOTSUPP',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENONET',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EHOSTUNREACH',
  'EHOSTUNREACH',
  'EHOSTUNREACH',
];

/** The errno an ICMP error maps to, or null for a message TCP ignores. */
export function icmpErrno(type: number, code: number): Errno | null {
  if (type === ICMP_TIME_EXCEEDED) return 'EHOSTUNREACH';
  if (type === ICMP_DEST_UNREACH && code <= NR_ICMP_UNREACH) return UNREACH_ERRNO[code]!;
  return null;
}

/** What the connection made of an ICMP error. */
export const IcmpVerdict = {
  /** Acted on (or a kind TCP ignores). */
  HANDLED: 0,
  /** The quoted sequence number is outside the window: ignored, counted (OutOfWindowIcmps). */
  OUT_OF_WINDOW: 1,
} as const;
export type IcmpVerdict = (typeof IcmpVerdict)[keyof typeof IcmpVerdict];

/**
 * Linux tcp_v4_err for a full socket. `seq`: the quoted TCP sequence number; `mtu`: the next-hop
 * MTU of a fragmentation-needed error; `accepted`: accept() has taken this connection (a Fast
 * Open child is then treated as a connected socket).
 */
export function icmpError(
  t: Tcb,
  type: number,
  code: number,
  mtu: number,
  seq: number,
  accepted: boolean,
  now: Nanos,
): IcmpVerdict {
  if (t.state === TcpState.CLOSED || t.state === TcpState.TIME_WAIT || t.state === TcpState.LISTEN)
    return IcmpVerdict.HANDLED;
  // A Fast Open child still in SYN-RECEIVED: SND.UNA stands at the ISN (tcp_v4_err's XXX (TFO)).
  const fastOpenChild = t.state === TcpState.SYN_RCVD && t.fo !== null && t.fo.queue !== null;
  const una = fastOpenChild ? t.iss : t.sndUna;
  if (seqSub(seq, una) < 0 || seqSub(t.sndMax, seq) < 0) return IcmpVerdict.OUT_OF_WINDOW;
  if (type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED) {
    // tcp_v4_mtu_reduced -> inet_csk_update_pmtu: the host's route learns the MTU first.
    const device = t.params.mss + IP_TCP_HEADER_BYTES; // the device MTU the host's MSS setting implies
    const routeMtu =
      t.out.updatePathMtu?.(t.ep.remoteAddr, mtu, device) ?? reducedMtu(t.pmtu > 0 ? t.pmtu : device, mtu);
    mtuReduced(t, routeMtu, now);
    return IcmpVerdict.HANDLED;
  }
  const err = icmpErrno(type, code);
  if (err === null) return IcmpVerdict.HANDLED;
  if (type === ICMP_DEST_UNREACH && !fastOpenChild && (code === ICMP_NET_UNREACH || code === ICMP_HOST_UNREACH))
    rtoRevert(t, seq, now);
  if (t.state === TcpState.SYN_SENT || (t.state === TcpState.SYN_RCVD && !(t.fo !== null && accepted))) {
    // A hard error while connecting (the socket is not owned by the user in a simulation).
    terminate(t, err);
    return IcmpVerdict.HANDLED;
  }
  // Synchronized: RFC 1122 4.2.3.9 soft error (no IP_RECVERR), reported only if we time out.
  t.errSoft = err;
  return IcmpVerdict.HANDLED;
}

/**
 * Linux tcp_v4_mtu_reduced. The route already holds the lower MTU (`routeMtu`); a socket doing
 * path-MTU discovery (not IP_PMTUDISC_DONT) that sends bigger packets takes the new MSS
 * (tcp_sync_mss) and resends what no longer fits (tcp_simple_retransmit).
 */
export function mtuReduced(t: Tcb, routeMtu: number, now: Nanos): void {
  if (routeMtu <= 0 || t.pmtuDisc === 0 || t.pmtuDisc >= 3) return;
  const cookie = t.pmtu > 0 ? t.pmtu : t.params.mss + IP_TCP_HEADER_BYTES;
  if (cookie <= routeMtu) return;
  syncMss(t, routeMtu);
  simpleRetransmit(t, now);
}

/**
 * Linux tcp_sync_mss with a new path MTU: the send MSS from it; a SYN not yet answered also
 * advertises the lower MSS when sent again (tcp_advertise_mss reads the route's advmss).
 */
export function syncMss(t: Tcb, mtu: number): void {
  t.pmtu = mtu;
  if (t.state === TcpState.SYN_SENT) {
    const adv = mtu - IP_TCP_HEADER_BYTES;
    if (adv < t.advMss) t.advMss = adv;
  }
  setEffectiveMss(t);
}

/**
 * Linux tcp_simple_retransmit after the MSS shrank: the congestion window stays (the data in the
 * network did not grow, its units changed), what was sent is resent in the new size. In SYN-SENT
 * with Fast Open data the SYN-data counts as lost and a plain SYN goes out (its data waits for
 * the SYN-ACK, clientSynAck); a plain SYN fits any MTU and is not resent.
 */
function simpleRetransmit(t: Tcb, now: Nanos): void {
  if (t.state === TcpState.SYN_SENT) {
    if (t.fo === null || t.fo.synData === 0 || t.sndUna !== t.iss) return;
    sendSyn(t, now, true);
    t.rtoAt = timerExpiry(t.params, now, t.rtt.rto, true); // tcp_xmit_retransmit_queue re-arms at the head
    return;
  }
  if (t.state === TcpState.SYN_RCVD || seqSub(t.sndMax, t.sndUna) <= 0) return;
  // Segments sent in the old size go again from SND.UNA, cut to the new MSS (Linux marks the
  // too-large skbs lost and tcp_xmit_retransmit_queue refragments them).
  t.rtxq.markAllLost();
  t.sndNxt = t.sndUna;
  output(t, now, true);
  if (t.rtoAt === Infinity) t.rtoAt = timerExpiry(t.params, now, t.rtt.rto, true);
}

/**
 * RFC 6069 / Linux tcp_ld_RTO_revert: an unreachable about SND.UNA while the RTO is backed off
 * takes one backoff back; the timer is re-armed for the remaining time, or fires now.
 */
function rtoRevert(t: Tcb, seq: number, now: Nanos): void {
  if (seq !== t.sndUna || t.retransmits === 0 || t.rtt.backoffs === 0 || t.rtxq.size === 0) return;
  t.rtt.revertBackoff(t.params.initialRto);
  const remaining = t.rtt.rto - (now - t.rtxq.xmitAt(0));
  if (remaining > 0) t.rtoAt = timerExpiry(t.params, now, remaining, true);
  else onRetransmitTimer(t, now);
}
