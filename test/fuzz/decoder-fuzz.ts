/**
 * The wire-decoder fuzz (issue 13: 600 k random byte strings into the decoder): hostile bytes
 * into decode(), which must never throw and must describe every packet it accepts consistently.
 * Inputs, from a seeded generator so a failure can be replayed:
 * - random bytes, short (most of a header's branches are in the first 60 bytes), half of them
 *   starting like IPv4 (version 4, a plausible header length);
 * - valid packets (random fields, options and payload) with a few bytes changed, cut or extended;
 * - the same with checksums ignored, so the changed bytes reach the header and option parsers
 *   instead of stopping at a checksum.
 * Checks: no exception; a rejection names a known code and an offset inside the input; an accepted
 * packet's lengths agree with the bytes (payload length, header sizes), and writing it back with
 * encode() gives a packet decode() reads as the same record.
 */
import { isDeepStrictEqual } from 'node:util';
import { decode } from '../../src/wire/decode.ts';
import { encode } from '../../src/wire/encode.ts';
import { MAX_OPTIONS_BYTES } from '../../src/wire/options.ts';
import { optionsLength, PROTO_TCP, type Packet, type TcpOptions } from '../../src/wire/segment.ts';

export interface DecoderFuzzReport {
  inputs: number;
  accepted: number;
  rejected: number;
  /** decode() threw: message and the input in hex (cut). */
  crashes: { message: string; hex: string }[];
  /** A result that contradicts the input or itself. */
  violations: { message: string; hex: string }[];
}

/** mulberry32: small, seeded, good enough to spread inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fuzzDecoder(opts: { inputs: number; seed: number }): DecoderFuzzReport {
  const r = rng(opts.seed);
  const int = (n: number): number => Math.floor(r() * n);
  const u32 = (): number => int(2 ** 32);
  const report: DecoderFuzzReport = { inputs: 0, accepted: 0, rejected: 0, crashes: [], violations: [] };
  const hex = (b: Uint8Array): string =>
    Buffer.from(b.subarray(0, 2048)).toString('hex') + (b.length > 2048 ? `… (${b.length} bytes)` : '');

  const randomOptions = (): TcpOptions | null => {
    if (int(3) === 0) return null;
    const o: TcpOptions = {};
    if (int(2)) o.mss = int(65536);
    if (int(2)) o.wscale = int(256);
    if (int(2)) o.sackPermitted = true;
    if (int(2)) o.timestamp = { val: u32(), ecr: u32() };
    if (int(3) === 0) o.sack = Array.from({ length: 1 + int(4) }, () => [u32(), u32()] as [number, number]);
    if (int(5) === 0) o.fastOpen = Uint8Array.from({ length: [0, 4, 8, 16][int(4)]! }, () => int(256));
    return Object.keys(o).length > 0 && optionsLength(o) <= MAX_OPTIONS_BYTES ? o : null;
  };
  const randomPacket = (): Packet => {
    const len = int(4) === 0 ? int(1500) : int(40);
    return {
      src: u32(),
      dst: u32(),
      ttl: int(256),
      id: int(65536),
      protocol: PROTO_TCP,
      tcp: {
        srcPort: int(65536),
        dstPort: int(65536),
        seq: u32(),
        ack: u32(),
        flags: int(256),
        window: int(65536),
        urgent: int(65536),
        len,
        payload: int(2) ? Uint8Array.from({ length: len }, () => int(256)) : null,
        options: randomOptions(),
      },
      dataBytes: 0,
      annot: 0,
    };
  };
  const randomBytes = (): Uint8Array => {
    const b = Uint8Array.from({ length: int(4) === 0 ? int(200) : int(64) }, () => int(256));
    if (b.length > 0 && int(2)) b[0] = 0x40 | (5 + int(11)); // IPv4, IHL 5..15
    return b;
  };
  const mutated = (): Uint8Array => {
    let b = encode(randomPacket());
    for (let k = 1 + int(8); k > 0; k--) {
      const what = int(10);
      if (what < 7 && b.length > 0) b[int(b.length)] = int(256);
      else if (what < 9) b = b.subarray(0, int(b.length + 1));
      else b = Uint8Array.from([...b, ...Array.from({ length: 1 + int(16) }, () => int(256))]);
    }
    return b;
  };

  const check = (bytes: Uint8Array, ignoreChecksums: boolean): void => {
    report.inputs++;
    let res;
    try {
      res = decode(bytes, { ignoreChecksums });
    } catch (e) {
      report.crashes.push({
        message: (e as Error).stack?.split('\n').slice(0, 3).join(' | ') ?? String(e),
        hex: hex(bytes),
      });
      return;
    }
    const bad = (message: string): void => void report.violations.push({ message, hex: hex(bytes) });
    if (!res.ok) {
      report.rejected++;
      const { offset, message } = res.error;
      if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length)
        bad(`rejection offset ${offset} outside the ${bytes.length}-byte input`);
      if (typeof message !== 'string' || message.length === 0 || message.length > 300)
        bad(`rejection message of ${String(message).length} characters`);
      return;
    }
    report.accepted++;
    const p = res.packet;
    const totalLength = (bytes[2]! << 8) | bytes[3]!;
    if (totalLength > bytes.length)
      bad(`accepted a packet whose total length ${totalLength} is past the ${bytes.length} bytes`);
    if (p.protocol !== PROTO_TCP || p.tcp === null || p.tcp === undefined) return;
    const s = p.tcp;
    if (!Number.isInteger(s.len) || s.len < 0 || s.len > totalLength)
      return bad(`payload length ${s.len} for a ${totalLength}-byte packet`);
    if ((s.payload?.length ?? 0) !== s.len) return bad(`payload of ${s.payload?.length} bytes for len ${s.len}`);
    // What was accepted can be written back and read again as the same record.
    let again;
    try {
      again = decode(encode(p));
    } catch (e) {
      return bad(`re-encoding an accepted packet threw: ${(e as Error).message}`);
    }
    if (!again.ok) return bad(`re-encoded packet rejected: ${again.error.code} ${again.error.message}`);
    if (!isDeepStrictEqual(again.packet, p)) bad('re-encoded packet reads back as another record');
  };

  while (report.inputs < opts.inputs) {
    const kind = int(3);
    if (kind === 0) check(randomBytes(), int(2) === 0);
    else if (kind === 1) check(mutated(), false);
    else check(mutated(), true);
  }
  return report;
}
