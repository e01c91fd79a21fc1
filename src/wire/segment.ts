/**
 * The records every layer passes around: a TCP segment and the IPv4 packet that carries it.
 * The engine works on these records; bytes exist only for pcap and round-trip tests (encode.ts).
 *
 * Payload is a byte count: applications in tcplab move sizes, not contents, so a segment carries
 * `len` and, only if someone supplied real bytes, `payload`. On the wire a missing payload is zeros.
 */
import type { IcmpMessage } from './icmp.ts';

/** TCP header flag bits, as in the header's flags byte (RFC 9293 3.1). */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;

export const IPV4_HEADER_BYTES = 20;
export const TCP_HEADER_BYTES = 20;

/** TCP options carried by a segment (RFC 9293 3.2, RFC 7323, RFC 2018). Absent fields are not sent. */
export interface TcpOptions {
  mss?: number;
  /** Window-scale shift count (RFC 7323 2). */
  wscale?: number;
  sackPermitted?: boolean;
  /** Timestamps option: TSval and TSecr (RFC 7323 3). */
  timestamp?: { val: number; ecr: number };
  /** SACK blocks as [left, right) sequence pairs (RFC 2018 3). */
  sack?: Array<[number, number]>;
  /**
   * TCP Fast Open cookie option (RFC 7413 4.1.1, kind 34): the cookie bytes, empty for a cookie
   * request. With `fastOpenExp` it is the experimental form Linux also speaks (kind 254, magic
   * 0xF989, RFC 6994).
   */
  fastOpen?: Uint8Array;
  fastOpenExp?: boolean;
}

export interface Segment {
  srcPort: number;
  dstPort: number;
  /** Sequence and acknowledgment numbers, unsigned 32-bit. */
  seq: number;
  ack: number;
  /** OR of FIN, SYN, RST, PSH, ACK, URG, ECE, CWR. */
  flags: number;
  /** The 16-bit window field as sent (before the receiver applies window scaling). */
  window: number;
  urgent: number;
  /** null when the segment carries no options (most data segments without timestamps). */
  options: TcpOptions | null;
  /** Payload length in bytes. */
  len: number;
  /** Payload bytes when an application supplied real ones; otherwise zeros of length `len`. */
  payload: Uint8Array | null;
}

/** An IPv4 packet. Addresses are unsigned 32-bit integers (see ip.ts for text form). */
export interface Packet {
  src: number;
  dst: number;
  ttl: number;
  /** IPv4 identification field. */
  id: number;
  protocol: number;
  /** The TCP segment when protocol is PROTO_TCP. */
  tcp: Segment | null;
  /** For non-TCP packets: bytes after the IP header (e.g. a UDP datagram). */
  dataBytes: number;
  /** Simulation annotations, never on the wire: OR of ANNOT_* bits (e.g. a retransmission). */
  annot: number;
  /** IP ECN codepoint (RFC 3168 5: 1 ECT(1), 2 ECT(0), 3 CE); absent = Not-ECT. */
  ecn?: number;
  /** The TOS byte's upper six bits (DSCP, RFC 2474; the socket's IP_TOS with the ECN bits clear); absent = 0. */
  tos?: number;
  /** false: Don't Fragment clear (IP_PMTUDISC_DONT); absent = set, as Linux sends TCP (ip_no_pmtu_disc 0). */
  df?: boolean;
  /** For PROTO_ICMP error messages (icmp.ts): type, code, next-hop MTU and the quoted datagram. */
  icmp?: IcmpMessage;
}

/** Packet.annot: the sender's TCP retransmitted this segment (traces mark it; ladders draw it). */
export const ANNOT_RETRANSMIT = 1;

/**
 * Bytes the options occupy on the wire, exactly as encode.ts lays them out (Linux's
 * tcp_options_write(), see options.ts): mss 4; timestamps 12 (nop, nop, TS, or sackOK, TS when
 * SACK is permitted too); sackOK alone 4 (nop, nop, sackOK); wscale 4 (nop, wscale);
 * SACK blocks 4 + 8 per block (nop, nop, sack). Always a multiple of 4.
 */
export function optionsLength(o: TcpOptions | null): number {
  if (o === null) return 0;
  let n = 0;
  if (o.mss !== undefined) n += 4;
  if (o.timestamp !== undefined) n += 12;
  else if (o.sackPermitted) n += 4;
  if (o.wscale !== undefined) n += 4;
  if (o.sack !== undefined && o.sack.length > 0) n += 4 + 8 * o.sack.length;
  if (o.fastOpen !== undefined) n += fastOpenOptionBytes(o.fastOpen.length, o.fastOpenExp === true);
  return n;
}

/**
 * Bytes the Fast Open option takes with its padding (Linux tcp_options_write): kind 34 is 2 + the
 * cookie, padded with two nops to a word; the experimental kind 254 is 4 + the cookie.
 */
export function fastOpenOptionBytes(cookieLen: number, exp: boolean): number {
  return (cookieLen + (exp ? 4 : 2) + 3) & ~3;
}

/** Total bytes of the IPv4 packet: what a link serializes. */
export function packetBytes(p: Packet): number {
  if (p.tcp === null) return IPV4_HEADER_BYTES + p.dataBytes;
  return IPV4_HEADER_BYTES + TCP_HEADER_BYTES + optionsLength(p.tcp.options) + p.tcp.len;
}

/** Sequence space a segment occupies: payload plus one for SYN and one for FIN (RFC 9293 3.4). */
export function segmentSpace(s: Segment): number {
  return s.len + (s.flags & SYN ? 1 : 0) + (s.flags & FIN ? 1 : 0);
}
