/**
 * ICMPv4 error messages (RFC 792): destination unreachable (type 3) and time exceeded (type 11),
 * with the next-hop MTU of "fragmentation needed" (RFC 1191 4). An error quotes the IP header of
 * the datagram that caused it and its first 8 data bytes (RFC 792, RFC 1812 4.3.2.3 allows more;
 * Linux sends 8 for a router's error): for TCP that is the ports and the sequence number, which
 * is what the receiving host demultiplexes on (Linux tcp_v4_err).
 *
 * In a Packet record the error is `icmp`: type, code, MTU and the quoted packet itself (a record:
 * encode.ts writes its IP header and first 8 TCP bytes; decode.ts rebuilds such a record).
 */
import { IPV4_HEADER_BYTES, PROTO_ICMP, type Packet } from './segment.ts';

export const ICMP_DEST_UNREACH = 3;
export const ICMP_TIME_EXCEEDED = 11;

/** Destination-unreachable codes (RFC 792, RFC 1122 3.2.2.1, RFC 1812 5.2.7.1). */
export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_FRAG_NEEDED = 4;
export const ICMP_NET_ANO = 9;
export const ICMP_HOST_ANO = 10;
export const ICMP_PKT_FILTERED = 13;
/** Linux NR_ICMP_UNREACH: the highest destination-unreachable code it knows. */
export const NR_ICMP_UNREACH = 15;

/** ICMP header (type, code, checksum, 4 bytes of rest-of-header) plus the quoted IP header and 8 bytes. */
export const ICMP_HEADER_BYTES = 8;
export const ICMP_QUOTED_DATA_BYTES = 8;
export const ICMP_ERROR_BYTES = ICMP_HEADER_BYTES + IPV4_HEADER_BYTES + ICMP_QUOTED_DATA_BYTES;

export interface IcmpMessage {
  type: number;
  code: number;
  /** Next-hop MTU of a fragmentation-needed error (RFC 1191 4), else 0. */
  mtu: number;
  /** The datagram the error is about (only its IP header and first 8 data bytes travel). */
  quoted: Packet;
}

/** packetdrill's names for destination-unreachable codes (icmp_packet.c), index = code. */
export const UNREACH_CODE_NAMES: readonly string[] = [
  'net_unreachable',
  'host_unreachable',
  'protocol_unreachable',
  'port_unreachable',
  'frag_needed',
  'source_route_failed',
  'net_unknown',
  'host_unknown',
  'source_host_isolated',
  'net_prohibited',
  'host_prohibited',
  'net_unreachable_for_tos',
  'host_unreachable_for_tos',
  'packet_filtered',
  'precedence_violation',
  'precedence_cutoff',
];

/**
 * The error a node at `from` sends back to the source of `original` (RFC 792; RFC 1812 4.3.2.4:
 * never about another ICMP error). `id` is the error's own IP identification.
 */
export function buildIcmpError(
  from: number,
  original: Packet,
  type: number,
  code: number,
  mtu: number,
  id: number,
): Packet | null {
  if (original.icmp !== undefined) return null;
  return {
    src: from,
    dst: original.src,
    ttl: 64,
    id: id & 0xffff,
    protocol: PROTO_ICMP,
    tcp: null,
    dataBytes: ICMP_ERROR_BYTES,
    annot: 0,
    icmp: { type, code, mtu, quoted: original },
  };
}

/** Words for traces and text: "unreachable host_unreachable", "unreachable frag_needed mtu 800", "time_exceeded". */
export function describeIcmp(m: IcmpMessage): string {
  if (m.type === ICMP_TIME_EXCEEDED) return m.code === 0 ? 'time_exceeded' : `time_exceeded code_${m.code}`;
  if (m.type !== ICMP_DEST_UNREACH) return `type_${m.type} code_${m.code}`;
  const name = UNREACH_CODE_NAMES[m.code] ?? `code_${m.code}`;
  return m.code === ICMP_FRAG_NEEDED ? `unreachable ${name} mtu ${m.mtu}` : `unreachable ${name}`;
}
