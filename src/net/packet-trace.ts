/**
 * Per-packet trace records (tx, rx, drop): src/schema/trace.ts PacketRecord, in docs/design.md's
 * format. Built only when someone asked for packet records (`tracer.packets`), so a run without
 * --trace formats no strings per packet.
 *
 * TCP:     {t, node, ev, [reason], flags, seq, ack, len, win, src: "ip:port", dst: "ip:port", [retx: true],
 *           [tfo: "request" | "cookie"]}   (tfo: the segment carries a TCP Fast Open option, RFC 7413:
 *           an empty one asks for a cookie, a non-empty one carries it; with len > 0 on a SYN, SYN-data)
 * non-TCP: {t, node, ev, [reason], proto, len, src: "ip", dst: "ip"}  (len: bytes after the IP header)
 *          an ICMP error adds {icmp: "unreachable frag_needed mtu 800" (packetdrill's words, icmp.ts),
 *          quoted: "ip:port>ip:port", qseq}: the TCP datagram it is about and its sequence number
 */
import type {
  DropReason,
  IpPacketFields,
  PacketEventName,
  PacketHead,
  PacketRecord,
  TcpSegmentFields,
} from '../schema/trace.ts';
import type { Nanos } from '../sim/time.ts';
import { formatFlags } from '../wire/flags.ts';
import { describeIcmp } from '../wire/icmp.ts';
import { formatIpv4 } from '../wire/ip.ts';
import { ANNOT_RETRANSMIT, type Packet } from '../wire/segment.ts';

/**
 * Dotted addresses already formatted: a traced run meets the same few addresses again and again.
 * Cleared when it grows past the limit (a spoofing flood brings many one-off sources).
 */
const ipTextCache = new Map<number, string>();
const IP_TEXT_CACHE_LIMIT = 65_536;

function ipText(address: number): string {
  let text = ipTextCache.get(address);
  if (text === undefined) {
    if (ipTextCache.size >= IP_TEXT_CACHE_LIMIT) ipTextCache.clear();
    text = formatIpv4(address);
    ipTextCache.set(address, text);
  }
  return text;
}
/** A packet's record; `reason` only on a drop (the network's own reasons: a fault rule's `filter` is packet-filter.ts's). */
export function packetRecord(
  t: Nanos,
  node: string,
  ev: PacketEventName,
  packet: Packet,
  reason?: Exclude<DropReason, 'filter'>,
): PacketRecord {
  const seg = packet.tcp;
  // One object literal per record, its fields in the written order (JSON keeps insertion order);
  // a drop's reason comes right after ev, so each kind has two literals (no copy, no Object.assign:
  // a traced run builds one per packet event).
  if (seg === null) {
    const proto = packet.protocol;
    const len = packet.dataBytes;
    const src = ipText(packet.src);
    const dst = ipText(packet.dst);
    const rec: PacketHead & IpPacketFields =
      reason === undefined ? { t, node, ev, proto, len, src, dst } : { t, node, ev, reason, proto, len, src, dst };
    const m = packet.icmp;
    if (m !== undefined) {
      rec.icmp = describeIcmp(m);
      const q = m.quoted.tcp;
      if (q !== null) {
        rec.quoted = `${ipText(m.quoted.src)}:${q.srcPort}>${ipText(m.quoted.dst)}:${q.dstPort}`;
        rec.qseq = q.seq >>> 0;
      }
    }
    return rec;
  }
  const flags = formatFlags(seg.flags);
  const { seq, ack, len, window: win } = seg;
  const src = `${ipText(packet.src)}:${seg.srcPort}`;
  const dst = `${ipText(packet.dst)}:${seg.dstPort}`;
  const rec: PacketHead & TcpSegmentFields =
    reason === undefined
      ? { t, node, ev, flags, seq, ack, len, win, src, dst }
      : { t, node, ev, reason, flags, seq, ack, len, win, src, dst };
  if (packet.annot & ANNOT_RETRANSMIT) rec.retx = true;
  const fo = seg.options !== null ? seg.options.fastOpen : undefined;
  if (fo !== undefined) rec.tfo = fo.length === 0 ? 'request' : 'cookie';
  return rec;
}
