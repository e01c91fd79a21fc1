/**
 * Packet records to real IPv4 + TCP (or UDP) bytes with correct checksums, for pcap files and
 * round-trip tests. The header fields are set the way Linux sets them:
 * - IPv4: version 4, IHL 5 (no IP options), TOS from the record's `tos` (DSCP) and `ecn`, DF set
 *   unless the record says `df: false` (Linux does path-MTU discovery by default, ip_no_pmtu_disc
 *   = 0, so TCP data, its SYN-ACKs and its RSTs all carry DF), fragment offset 0, the record's
 *   identification and TTL.
 * - ICMP errors (icmp.ts): type, code, checksum, the next-hop MTU (RFC 1191 4), then the quoted
 *   datagram's IP header (with its own checksum) and its first 8 data bytes (TCP ports and sequence).
 * - TCP: data offset from the option area, reserved bits 0, options in the Linux layout (options.ts).
 * - Payload: `payload` if present, otherwise `len` zero bytes.
 * Records that cannot be represented are programming errors and throw a RangeError.
 */
import { finishChecksum, pseudoHeaderSum, sumWords } from './checksum.ts';
import { MAX_OPTIONS_BYTES, writeOptions } from './options.ts';
import { ICMP_HEADER_BYTES, ICMP_QUOTED_DATA_BYTES, type IcmpMessage } from './icmp.ts';
import {
  IPV4_HEADER_BYTES,
  PROTO_ICMP,
  PROTO_TCP,
  PROTO_UDP,
  TCP_HEADER_BYTES,
  optionsLength,
  packetBytes,
} from './segment.ts';
import type { Packet, Segment } from './segment.ts';

/** IPv4 flags/fragment-offset word with Don't Fragment set (RFC 791 3.1). */
const IP_FLAG_DF = 0x4000;
export const UDP_HEADER_BYTES = 8;
/**
 * Records carry no UDP ports (only a byte count), so datagrams use the discard port (RFC 863) on
 * both sides: a valid, recognisably synthetic datagram.
 */
export const UDP_FILLER_PORT = 9;
const MAX_IP_PACKET = 65535;

/** The encoded size of a packet: the same number links use to serialize it. */
export function encodedLength(p: Packet): number {
  return packetBytes(p);
}

/** Encodes a packet into a new byte array. */
export function encode(p: Packet): Uint8Array {
  const out = new Uint8Array(packetBytes(p));
  encodeInto(p, out, 0);
  return out;
}

/**
 * Encodes a packet into out[at ...] (which must have encodedLength(p) bytes free) and returns the
 * bytes written. Allocates nothing, so a pcap writer can encode straight into its buffer.
 */
export function encodeInto(p: Packet, out: Uint8Array, at: number): number {
  const total = packetBytes(p);
  if (total > MAX_IP_PACKET)
    throw new RangeError(`packet of ${total} bytes exceeds the IPv4 maximum of ${MAX_IP_PACKET}`);
  if (at + total > out.length) throw new RangeError(`buffer too small: need ${total} bytes at offset ${at}`);
  writeIpv4Header(p, total, out, at);
  const l4 = at + IPV4_HEADER_BYTES;
  if (p.tcp !== null) {
    if (p.protocol !== PROTO_TCP) throw new RangeError(`packet carries a TCP segment but protocol is ${p.protocol}`);
    writeTcp(p, p.tcp, out, l4, total - IPV4_HEADER_BYTES);
  } else {
    out.fill(0, l4, at + total);
    if (p.protocol === PROTO_UDP) writeUdp(p, out, l4, p.dataBytes);
    else if (p.protocol === PROTO_ICMP && p.icmp !== undefined) writeIcmpError(p.icmp, out, l4, p.dataBytes);
    else if (p.protocol === PROTO_ICMP && p.dataBytes >= 4) {
      // A message with no content (type 0, code 0, zeros) still carries a valid checksum.
      const sum = finishChecksum(sumWords(out, l4, l4 + p.dataBytes, 0));
      out[l4 + 2] = sum >>> 8;
      out[l4 + 3] = sum & 255;
    }
  }
  return total;
}

function writeIpv4Header(p: Packet, total: number, b: Uint8Array, at: number): void {
  b[at] = 0x45; // version 4, IHL 5 words
  b[at + 1] = ((p.tos ?? 0) & 0xfc) | ((p.ecn ?? 0) & 3); // DSCP (IP_TOS) and ECN (RFC 3168 5)
  b[at + 2] = total >>> 8;
  b[at + 3] = total & 255;
  b[at + 4] = (p.id >>> 8) & 255;
  b[at + 5] = p.id & 255;
  b[at + 6] = p.df === false ? 0 : IP_FLAG_DF >>> 8;
  b[at + 7] = 0;
  b[at + 8] = p.ttl & 255;
  b[at + 9] = p.protocol & 255;
  b[at + 10] = 0;
  b[at + 11] = 0;
  put32(b, at + 12, p.src);
  put32(b, at + 16, p.dst);
  const sum = finishChecksum(sumWords(b, at, at + IPV4_HEADER_BYTES, 0));
  b[at + 10] = sum >>> 8;
  b[at + 11] = sum & 255;
}

function writeTcp(p: Packet, s: Segment, b: Uint8Array, at: number, tcpLength: number): void {
  const optLen = optionsLength(s.options);
  if (optLen > MAX_OPTIONS_BYTES)
    throw new RangeError(`TCP options need ${optLen} bytes; at most ${MAX_OPTIONS_BYTES} fit`);
  const headerLen = TCP_HEADER_BYTES + optLen;
  b[at] = (s.srcPort >>> 8) & 255;
  b[at + 1] = s.srcPort & 255;
  b[at + 2] = (s.dstPort >>> 8) & 255;
  b[at + 3] = s.dstPort & 255;
  put32(b, at + 4, s.seq);
  put32(b, at + 8, s.ack);
  b[at + 12] = (headerLen >>> 2) << 4; // data offset in words; reserved bits zero
  b[at + 13] = s.flags & 255;
  b[at + 14] = (s.window >>> 8) & 255;
  b[at + 15] = s.window & 255;
  b[at + 16] = 0; // checksum, filled below
  b[at + 17] = 0;
  b[at + 18] = (s.urgent >>> 8) & 255;
  b[at + 19] = s.urgent & 255;
  if (s.options !== null && writeOptions(s.options, b, at + TCP_HEADER_BYTES) !== optLen) {
    throw new RangeError('TCP option layout disagrees with optionsLength()');
  }
  const data = at + headerLen;
  if (s.payload !== null) {
    if (s.payload.length !== s.len) throw new RangeError(`payload has ${s.payload.length} bytes but len is ${s.len}`);
    b.set(s.payload, data);
  } else {
    b.fill(0, data, data + s.len);
  }
  // RFC 9293 3.1: the checksum covers the pseudo-header, the TCP header and the data.
  const sum = finishChecksum(sumWords(b, at, at + tcpLength, pseudoHeaderSum(p.src, p.dst, PROTO_TCP, tcpLength)));
  b[at + 16] = sum >>> 8;
  b[at + 17] = sum & 255;
}

function writeUdp(p: Packet, b: Uint8Array, at: number, length: number): void {
  if (length < UDP_HEADER_BYTES)
    throw new RangeError(`a UDP datagram needs at least ${UDP_HEADER_BYTES} bytes; dataBytes is ${length}`);
  b[at] = UDP_FILLER_PORT >>> 8;
  b[at + 1] = UDP_FILLER_PORT & 255;
  b[at + 2] = UDP_FILLER_PORT >>> 8;
  b[at + 3] = UDP_FILLER_PORT & 255;
  b[at + 4] = length >>> 8;
  b[at + 5] = length & 255;
  const sum = finishChecksum(sumWords(b, at, at + length, pseudoHeaderSum(p.src, p.dst, PROTO_UDP, length)));
  // RFC 768: a computed checksum of zero is sent as all ones (zero means "no checksum").
  const wire = sum === 0 ? 0xffff : sum;
  b[at + 6] = wire >>> 8;
  b[at + 7] = wire & 255;
}

/**
 * An ICMP error: header, then the quoted datagram's IP header as it was sent (total length and
 * checksum of the original) and its first 8 data bytes; the checksum covers the whole message.
 */
function writeIcmpError(m: IcmpMessage, b: Uint8Array, at: number, length: number): void {
  if (length < ICMP_HEADER_BYTES + IPV4_HEADER_BYTES + ICMP_QUOTED_DATA_BYTES) {
    throw new RangeError(
      `an ICMP error needs ${ICMP_HEADER_BYTES + IPV4_HEADER_BYTES + ICMP_QUOTED_DATA_BYTES} bytes; dataBytes is ${length}`,
    );
  }
  const q = m.quoted;
  b[at] = m.type & 255;
  b[at + 1] = m.code & 255;
  b[at + 6] = (m.mtu >>> 8) & 255; // RFC 1191 4: next-hop MTU in the low 16 bits of the unused word
  b[at + 7] = m.mtu & 255;
  const qip = at + ICMP_HEADER_BYTES;
  writeIpv4Header(q, Math.min(packetBytes(q), MAX_IP_PACKET), b, qip);
  const l4 = qip + IPV4_HEADER_BYTES;
  const s = q.tcp;
  if (s !== null) {
    b[l4] = (s.srcPort >>> 8) & 255;
    b[l4 + 1] = s.srcPort & 255;
    b[l4 + 2] = (s.dstPort >>> 8) & 255;
    b[l4 + 3] = s.dstPort & 255;
    put32(b, l4 + 4, s.seq);
  } else if (q.protocol === PROTO_UDP) {
    b[l4] = UDP_FILLER_PORT >>> 8;
    b[l4 + 1] = UDP_FILLER_PORT & 255;
    b[l4 + 2] = UDP_FILLER_PORT >>> 8;
    b[l4 + 3] = UDP_FILLER_PORT & 255;
    b[l4 + 4] = (q.dataBytes >>> 8) & 255;
    b[l4 + 5] = q.dataBytes & 255;
  }
  const sum = finishChecksum(sumWords(b, at, at + length, 0));
  b[at + 2] = sum >>> 8;
  b[at + 3] = sum & 255;
}

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 255;
  b[at + 2] = (v >>> 8) & 255;
  b[at + 3] = v & 255;
}
