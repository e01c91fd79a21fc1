/**
 * A pcap writer (the classic libpcap format, nanosecond variant) for one capture point.
 * Records are encoded straight into one growable buffer (doubling), so a long capture costs one
 * block of memory, not one object per packet. It knows nothing about nodes or files: the experiment
 * layer attaches one writer per host through the network's taps, calls add() for each packet, and
 * stores bytes() with the run (src/experiment/store.ts writes it atomically).
 *
 * Format (https://www.tcpdump.org/manpages/pcap-savefile.5.html), written little-endian so the
 * file is byte-identical on every machine: a 24-byte global header with magic 0xa1b23c4d
 * (timestamps in nanoseconds), version 2.4, snaplen, link type; then per packet a 16-byte record
 * header (seconds, nanoseconds, captured length, original length) and the captured bytes.
 */
import { encodeInto } from './encode.ts';
import { packetBytes } from './segment.ts';
import type { Packet } from './segment.ts';

export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Raw IP: the packet starts at the IP header (version nibble tells v4 from v6). */
export const LINKTYPE_RAW = 101;
/** Raw IPv4 only. */
export const LINKTYPE_IPV4 = 228;

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const NS_PER_SEC = 1_000_000_000;

export interface PcapOptions {
  /** LINKTYPE_RAW (default) or LINKTYPE_IPV4. */
  linkType?: typeof LINKTYPE_RAW | typeof LINKTYPE_IPV4;
  /** Bytes kept per packet (the rest is counted in the original length only). Default 65535. */
  snapLen?: number;
  /** Wall-clock seconds that simulated time 0 maps to. Default 0 (1970-01-01). */
  epochSeconds?: number;
  /** Initial buffer size in bytes; the buffer doubles as needed. Default 64 KiB. */
  initialBytes?: number;
}

export class PcapWriter {
  private buf: Uint8Array;
  private view: DataView;
  private used = 0;
  private count = 0;
  private readonly snapLen: number;
  private readonly epochSeconds: number;

  constructor(options: PcapOptions = {}) {
    const linkType = options.linkType ?? LINKTYPE_RAW;
    this.snapLen = options.snapLen ?? 65535;
    this.epochSeconds = options.epochSeconds ?? 0;
    if (!Number.isInteger(this.snapLen) || this.snapLen < 1)
      throw new RangeError(`snapLen must be a positive integer, got ${this.snapLen}`);
    this.buf = new Uint8Array(Math.max(GLOBAL_HEADER_BYTES + RECORD_HEADER_BYTES, options.initialBytes ?? 65536));
    this.view = new DataView(this.buf.buffer);
    const v = this.view;
    v.setUint32(0, PCAP_MAGIC_NS, true);
    v.setUint16(4, 2, true); // version 2.4
    v.setUint16(6, 4, true);
    v.setInt32(8, 0, true); // thiszone: timestamps are UTC
    v.setUint32(12, 0, true); // sigfigs
    v.setUint32(16, this.snapLen, true);
    v.setUint32(20, linkType, true);
    this.used = GLOBAL_HEADER_BYTES;
  }

  /** Packets recorded so far. */
  get packets(): number {
    return this.count;
  }

  /** Bytes in the buffer: the file so far, or what was recorded since the last drain(). */
  get byteLength(): number {
    return this.used;
  }

  /** Bytes add(packet) will append: the record header and the packet up to snapLen. */
  recordBytes(packet: Packet): number {
    const size = packetBytes(packet);
    return RECORD_HEADER_BYTES + (size < this.snapLen ? size : this.snapLen);
  }

  /** Records a packet seen at simulated time `timeNs` (integer nanoseconds), encoded with real checksums. */
  add(timeNs: number, packet: Packet): void {
    const size = packetBytes(packet);
    const at = this.reserve(size);
    encodeInto(packet, this.buf, at + RECORD_HEADER_BYTES);
    this.commit(timeNs, at, size);
  }

  /** Records already-encoded bytes (an IPv4 packet starting at its header). */
  addBytes(timeNs: number, bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    this.buf.set(bytes, at + RECORD_HEADER_BYTES);
    this.commit(timeNs, at, bytes.length);
  }

  /** The file's bytes as a view of the internal buffer: valid until the next add(). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.used);
  }

  /**
   * Hands over the bytes recorded since the last drain (the global header on the first) and
   * empties the buffer, so a writer streaming to a file holds one piece at a time. The view is
   * valid until the next add().
   */
  drain(): Uint8Array {
    const out = this.buf.subarray(0, this.used);
    this.used = 0;
    return out;
  }

  /** The file's bytes as a new Buffer (a copy: later adds do not change it). */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.used));
  }

  /** Makes room for a record whose packet has `size` bytes; returns the record's offset. */
  private reserve(size: number): number {
    const need = this.used + RECORD_HEADER_BYTES + size;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.used));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    return this.used;
  }

  /** Writes the record header and keeps only the first snapLen bytes of the packet. */
  private commit(timeNs: number, at: number, size: number): void {
    if (!Number.isInteger(timeNs) || timeNs < 0)
      throw new RangeError(`pcap time must be a non-negative integer of ns, got ${timeNs}`);
    const sec = Math.floor(timeNs / NS_PER_SEC);
    const kept = size < this.snapLen ? size : this.snapLen;
    const v = this.view;
    v.setUint32(at, this.epochSeconds + sec, true);
    v.setUint32(at + 4, timeNs - sec * NS_PER_SEC, true);
    v.setUint32(at + 8, kept, true);
    v.setUint32(at + 12, size, true);
    this.used = at + RECORD_HEADER_BYTES + kept;
    this.count++;
  }
}
