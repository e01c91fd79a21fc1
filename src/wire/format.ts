/**
 * One-line text for segments and packets in packetdrill's style (packet_to_string.c), which is
 * tcpdump's: flags, seq:end(len), ack when the ACK bit is set, win, then the options in wire order.
 *   S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>
 *   P. 1:1001(1000) ack 1 win 502 <nop,nop,TS val 200 ecr 100>
 * Not for the per-packet hot path: it builds strings (traces store the fields, not this text).
 */
import { formatFlags } from './flags.ts';
import { describeIcmp } from './icmp.ts';
import { formatIpv4 } from './ip.ts';
import { describeOptions, writeOptions } from './options.ts';
import { ACK, PROTO_ICMP, PROTO_UDP, URG, optionsLength } from './segment.ts';
import type { Packet, Segment } from './segment.ts';

/**
 * Initial sequence numbers to print relative to, as packetdrill does: `seq` is the ISN of the
 * segment's sender, `ack` the ISN of its receiver (SACK edges are in the receiver's space too).
 */
export interface SeqBase {
  seq: number;
  ack: number;
}

let scratch = new Uint8Array(64);

/** The options as packetdrill writes them, e.g. "mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7"; '' if none. */
export function formatOptions(seg: Segment, base: SeqBase | null = null): string {
  if (seg.options === null) return '';
  const n = optionsLength(seg.options);
  if (n === 0) return '';
  if (n > scratch.length) scratch = new Uint8Array(n);
  // Lay the options out exactly as the encoder does, so the text shows the real wire order and nops.
  writeOptions(seg.options, scratch, 0);
  return describeOptions(scratch, 0, n, base === null ? 0 : base.ack);
}

/** One segment, e.g. `S. 0:0(0) ack 1 win 65535 <mss 1460>`; relative numbers when `base` is given. */
export function formatSegment(seg: Segment, base: SeqBase | null = null): string {
  const seq = base === null ? seg.seq >>> 0 : (seg.seq - base.seq) >>> 0;
  let out = `${formatFlags(seg.flags)} ${seq}:${(seq + seg.len) >>> 0}(${seg.len})`;
  if (seg.flags & ACK) out += ` ack ${base === null ? seg.ack >>> 0 : (seg.ack - base.ack) >>> 0}`;
  out += ` win ${seg.window}`;
  if (seg.flags & URG) out += ` urg ${seg.urgent}`;
  const opts = formatOptions(seg, base);
  if (opts !== '') out += ` <${opts}>`;
  return out;
}

/** A packet with its endpoints, e.g. `10.0.0.1:40001 > 10.0.0.2:80 S 0:0(0) win 65535 <mss 1460>`. */
export function formatPacket(p: Packet, base: SeqBase | null = null): string {
  const src = formatIpv4(p.src);
  const dst = formatIpv4(p.dst);
  if (p.tcp !== null) return `${src}:${p.tcp.srcPort} > ${dst}:${p.tcp.dstPort} ${formatSegment(p.tcp, base)}`;
  if (p.protocol === PROTO_UDP) return `${src} > ${dst} udp (${Math.max(0, p.dataBytes - 8)})`;
  if (p.protocol === PROTO_ICMP && p.icmp !== undefined) {
    const q = p.icmp.quoted;
    const about =
      q.tcp !== null
        ? ` [${formatIpv4(q.src)}:${q.tcp.srcPort} > ${formatIpv4(q.dst)}:${q.tcp.dstPort} seq ${q.tcp.seq >>> 0}]`
        : '';
    return `${src} > ${dst} icmp ${describeIcmp(p.icmp)}${about}`;
  }
  if (p.protocol === PROTO_ICMP) return `${src} > ${dst} icmp (${p.dataBytes})`;
  return `${src} > ${dst} proto ${p.protocol} (${p.dataBytes})`;
}
