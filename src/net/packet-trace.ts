/**
 * Per-packet trace records (tx, rx, drop) in DESIGN.md's format. Built only when someone asked
 * for packet records (`tracer.packets`), so a run without --trace formats no strings per packet.
 *
 * TCP:     {t, node, ev, [reason], flags, seq, ack, len, win, src: "ip:port", dst: "ip:port", [retx: true]}
 * non-TCP: {t, node, ev, [reason], proto, len, src: "ip", dst: "ip"}  (len: bytes after the IP header)
 */
import type { Nanos } from '../sim/time.ts';
import type { TraceRecord } from '../sim/trace.ts';
import { formatFlags } from '../wire/flags.ts';
import { formatIpv4 } from '../wire/ip.ts';
import { ANNOT_RETRANSMIT, type Packet } from '../wire/segment.ts';

export type PacketEvent = 'tx' | 'rx' | 'drop';
export type DropReason = 'loss' | 'queue' | 'no-route';

export function packetRecord(t: Nanos, node: string, ev: PacketEvent, packet: Packet, reason?: DropReason): TraceRecord {
  const seg = packet.tcp;
  const rec: TraceRecord = { t, node, ev };
  if (reason !== undefined) rec.reason = reason;
  if (seg === null) {
    rec.proto = packet.protocol;
    rec.len = packet.dataBytes;
    rec.src = formatIpv4(packet.src);
    rec.dst = formatIpv4(packet.dst);
    return rec;
  }
  rec.flags = formatFlags(seg.flags);
  rec.seq = seg.seq;
  rec.ack = seg.ack;
  rec.len = seg.len;
  rec.win = seg.window;
  rec.src = `${formatIpv4(packet.src)}:${seg.srcPort}`;
  rec.dst = `${formatIpv4(packet.dst)}:${seg.dstPort}`;
  if (packet.annot & ANNOT_RETRANSMIT) rec.retx = true;
  return rec;
}
