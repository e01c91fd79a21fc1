/**
 * Real IPv4 + TCP/UDP bytes back to Packet records, validating as a receiving host would:
 * header lengths, total length, both checksums, TCP options. Malformed input never throws; the
 * result says why it was rejected, with a code and the byte offset where the problem is.
 */
import { internetChecksum, pseudoHeaderSum } from './checksum.ts';
import { parseOptions } from './options.ts';
import type { OptionsErrorCode } from './options.ts';
import { ICMP_DEST_UNREACH, ICMP_ERROR_BYTES, ICMP_HEADER_BYTES, ICMP_TIME_EXCEEDED } from './icmp.ts';
import { IPV4_HEADER_BYTES, PROTO_ICMP, PROTO_TCP, PROTO_UDP, TCP_HEADER_BYTES } from './segment.ts';
import type { Packet, Segment } from './segment.ts';

export type DecodeErrorCode =
  | 'truncated'
  | 'not-ipv4'
  | 'bad-ip-header-length'
  | 'bad-total-length'
  | 'bad-ip-checksum'
  | 'fragment'
  | 'bad-tcp-data-offset'
  | 'bad-tcp-checksum'
  | 'bad-udp-length'
  | 'bad-udp-checksum'
  | 'bad-icmp-checksum'
  | OptionsErrorCode;

export interface DecodeError {
  code: DecodeErrorCode;
  /** Byte offset of the offending field, from the start of the IPv4 header. */
  offset: number;
  /** One line for a person: what was expected and what was found. */
  message: string;
}

export type DecodeResult = { ok: true; packet: Packet } | { ok: false; error: DecodeError };

export interface DecodeOptions {
  /** Skip checksum verification (e.g. for captures taken with checksum offload). Default false. */
  ignoreChecksums?: boolean;
}

function fail(code: DecodeErrorCode, offset: number, message: string): DecodeResult {
  return { ok: false, error: { code, offset, message } };
}

function get16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function get32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

const hex16 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

/**
 * Decodes one IPv4 packet from `bytes` (trailing bytes beyond the IP total length, such as
 * Ethernet padding, are ignored). IP options are accepted and skipped: the record has no place
 * for them. The TCP payload comes back as a copy in `payload` (null when empty); `annot` is 0.
 * For other protocols the record keeps only the byte count (`dataBytes`).
 */
export function decode(bytes: Uint8Array, opts: DecodeOptions = {}): DecodeResult {
  const verify = opts.ignoreChecksums !== true;
  if (bytes.length < IPV4_HEADER_BYTES)
    return fail('truncated', 0, `${bytes.length} bytes is shorter than an IPv4 header`);
  const version = bytes[0]! >>> 4;
  if (version !== 4) return fail('not-ipv4', 0, `IP version ${version}, expected 4`);
  const ihl = (bytes[0]! & 15) * 4;
  if (ihl < IPV4_HEADER_BYTES) return fail('bad-ip-header-length', 0, `IHL gives ${ihl} bytes, at least 20 expected`);
  const total = get16(bytes, 2);
  if (total < ihl) return fail('bad-total-length', 2, `total length ${total} is shorter than the ${ihl}-byte header`);
  if (total > bytes.length) return fail('truncated', 2, `total length ${total} but only ${bytes.length} bytes present`);
  if (verify && internetChecksum(bytes, 0, ihl) !== 0) {
    return fail('bad-ip-checksum', 10, `IPv4 header checksum ${hex16(get16(bytes, 10))} does not match the header`);
  }
  const frag = get16(bytes, 6);
  // More-fragments set or a non-zero offset: a piece of a datagram, which records cannot hold.
  if ((frag & 0x2000) !== 0 || (frag & 0x1fff) !== 0)
    return fail('fragment', 6, 'IPv4 fragment (MF set or non-zero offset)');

  const packet: Packet = {
    src: get32(bytes, 12),
    dst: get32(bytes, 16),
    ttl: bytes[8]!,
    id: get16(bytes, 4),
    protocol: bytes[9]!,
    tcp: null,
    dataBytes: 0,
    annot: 0,
  };
  readTosAndDf(bytes, 0, packet);
  const l4Length = total - ihl;
  if (packet.protocol === PROTO_TCP) {
    return decodeTcp(bytes, ihl, total, packet, verify) ?? { ok: true, packet };
  }
  if (packet.protocol === PROTO_UDP) {
    const bad = checkUdp(bytes, ihl, total, packet, verify);
    if (bad !== null) return bad;
  }
  if (packet.protocol === PROTO_ICMP) {
    if (verify && l4Length >= 4 && internetChecksum(bytes, ihl, total) !== 0) {
      return fail(
        'bad-icmp-checksum',
        ihl + 2,
        `ICMP checksum ${hex16(get16(bytes, ihl + 2))} does not match the message`,
      );
    }
    readIcmpError(bytes, ihl, total, packet);
  }
  packet.dataBytes = l4Length;
  return { ok: true, packet };
}

/** The TOS byte (DSCP and ECN) and the DF bit, set on the record only when not the defaults. */
function readTosAndDf(b: Uint8Array, at: number, p: Packet): void {
  const tos = b[at + 1]!;
  if ((tos & 0xfc) !== 0) p.tos = tos & 0xfc;
  if ((tos & 3) !== 0) p.ecn = tos & 3;
  if ((get16(b, at + 6) & 0x4000) === 0) p.df = false;
}

/**
 * A destination-unreachable or time-exceeded message whose quoted datagram is whole enough (an
 * IPv4 header and 8 bytes): p.icmp with the quoted datagram as a record (TCP: ports and sequence
 * number; its length from the quoted total length). Other ICMP messages keep only their size.
 */
function readIcmpError(b: Uint8Array, at: number, end: number, p: Packet): void {
  const type = b[at]!;
  if ((type !== ICMP_DEST_UNREACH && type !== ICMP_TIME_EXCEEDED) || end - at < ICMP_ERROR_BYTES) return;
  const q = at + ICMP_HEADER_BYTES;
  if (b[q]! >>> 4 !== 4) return;
  const qihl = (b[q]! & 15) * 4;
  if (qihl < IPV4_HEADER_BYTES || q + qihl + 8 > end) return;
  const quoted: Packet = {
    src: get32(b, q + 12),
    dst: get32(b, q + 16),
    ttl: b[q + 8]!,
    id: get16(b, q + 4),
    protocol: b[q + 9]!,
    tcp: null,
    dataBytes: 0,
    annot: 0,
  };
  readTosAndDf(b, q, quoted);
  const qtotal = get16(b, q + 2);
  const l4 = q + qihl;
  if (quoted.protocol === PROTO_TCP) {
    const len = qtotal - qihl - TCP_HEADER_BYTES;
    quoted.tcp = {
      srcPort: get16(b, l4),
      dstPort: get16(b, l4 + 2),
      seq: get32(b, l4 + 4),
      ack: 0,
      flags: 0,
      window: 0,
      urgent: 0,
      options: null,
      len: len > 0 ? len : 0,
      payload: null,
    };
  } else quoted.dataBytes = qtotal > qihl ? qtotal - qihl : 0;
  const mtu = b[at + 1] === 4 && type === ICMP_DEST_UNREACH ? get16(b, at + 6) : 0;
  p.icmp = { type, code: b[at + 1]!, mtu, quoted };
}

/** Reads the TCP segment into p.tcp; returns the failure, or null when it decoded. */
function decodeTcp(b: Uint8Array, at: number, end: number, p: Packet, verify: boolean): DecodeResult | null {
  const length = end - at;
  if (length < TCP_HEADER_BYTES) return fail('truncated', at, `${length} bytes is shorter than a TCP header`);
  const headerLen = (b[at + 12]! >>> 4) * 4;
  if (headerLen < TCP_HEADER_BYTES || headerLen > length) {
    return fail('bad-tcp-data-offset', at + 12, `data offset gives ${headerLen} header bytes; segment has ${length}`);
  }
  if (verify && internetChecksum(b, at, end, pseudoHeaderSum(p.src, p.dst, PROTO_TCP, length)) !== 0) {
    return fail('bad-tcp-checksum', at + 16, `TCP checksum ${hex16(get16(b, at + 16))} does not match the segment`);
  }
  const parsed = parseOptions(b, at + TCP_HEADER_BYTES, at + headerLen);
  if (!parsed.ok) {
    const where = at + TCP_HEADER_BYTES + parsed.offset;
    return fail(parsed.code, where, `malformed TCP option (kind ${b[where]}) at byte ${where}`);
  }
  const len = length - headerLen;
  const segment: Segment = {
    srcPort: get16(b, at),
    dstPort: get16(b, at + 2),
    seq: get32(b, at + 4),
    ack: get32(b, at + 8),
    flags: b[at + 13]!,
    window: get16(b, at + 14),
    urgent: get16(b, at + 18),
    options: parsed.options,
    len,
    payload: len > 0 ? b.slice(at + headerLen, end) : null,
  };
  p.tcp = segment;
  return null;
}

function checkUdp(b: Uint8Array, at: number, end: number, p: Packet, verify: boolean): DecodeResult | null {
  const length = end - at;
  if (length < 8) return fail('truncated', at, `${length} bytes is shorter than a UDP header`);
  const udpLength = get16(b, at + 4);
  if (udpLength !== length) return fail('bad-udp-length', at + 4, `UDP length ${udpLength}, IP carries ${length}`);
  // RFC 768: a zero checksum field means the sender computed none.
  if (
    verify &&
    get16(b, at + 6) !== 0 &&
    internetChecksum(b, at, end, pseudoHeaderSum(p.src, p.dst, PROTO_UDP, length)) !== 0
  ) {
    return fail('bad-udp-checksum', at + 6, `UDP checksum ${hex16(get16(b, at + 6))} does not match the datagram`);
  }
  return null;
}
