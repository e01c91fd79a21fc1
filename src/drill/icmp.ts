/**
 * packetdrill's inbound ICMP lines as packets (icmp_packet.c, run_packet.c): the scripted peer
 * sends an ICMPv4 error that quotes an IP header from us to it and the first 8 bytes of a TCP
 * segment on the connection under test: its ports and the sequence number written in the line,
 * relative to our ISN (map_inbound_icmp_tcp_packet), 0 (our ISN) when the line gives none.
 */
import type { DrillEndpoints, Flow } from './flows.ts';
import {
  ICMP_DEST_UNREACH,
  ICMP_ERROR_BYTES,
  ICMP_FRAG_NEEDED,
  ICMP_HOST_UNREACH,
  ICMP_TIME_EXCEEDED,
  UNREACH_CODE_NAMES,
} from '../wire/icmp.ts';
import { PROTO_ICMP, PROTO_TCP, type Packet } from '../wire/segment.ts';
import type { IcmpSpec } from './script.ts';

/**
 * Symbols packetdrill's wrappers define with -D for ICMP lines. The fastopen/server icmp scripts
 * write `icmp unreachable CODE` and expect read() to fail with EHOSTUNREACH: CODE is a host
 * unreachable code (packetdrill itself refuses an undefined code name).
 */
export const ICMP_CODE_SYMBOLS: ReadonlyMap<string, number> = new Map([['CODE', ICMP_HOST_UNREACH]]);

/** The ICMP type number of a line's type word, or null if TCP takes no ICMP of that kind. */
export function icmpType(name: string): number | null {
  if (name === 'unreachable') return ICMP_DEST_UNREACH;
  if (name === 'time_exceeded') return ICMP_TIME_EXCEEDED;
  const m = /^type_(\d+)$/.exec(name);
  return m !== null && Number(m[1]) <= 255 ? Number(m[1]) : null;
}

/** The code number of a line's code word (none: 0), or null when unknown. */
export function icmpCode(name: string | null): number | null {
  if (name === null) return 0;
  const i = UNREACH_CODE_NAMES.indexOf(name);
  if (i >= 0) return i;
  const sym = ICMP_CODE_SYMBOLS.get(name);
  if (sym !== undefined) return sym;
  const m = /^code_(\d+)$/.exec(name);
  return m !== null && Number(m[1]) <= 255 ? Number(m[1]) : null;
}

/** Why a script's ICMP line cannot run (features.ts), or null. */
export function icmpGap(spec: IcmpSpec): string | null {
  const type = icmpType(spec.type);
  if (type === null) return `icmp ${spec.type} packets`;
  if (icmpCode(spec.code) === null) return `ICMP code ${spec.code}`;
  return null;
}

/** The ICMP error the line describes, from the peer, about the flow's latest segment numbers; a string on error. */
export function inboundIcmp(spec: IcmpSpec, flow: Flow, ends: DrillEndpoints): Packet | string {
  const type = icmpType(spec.type);
  const code = icmpCode(spec.code);
  if (type === null || code === null) return `ICMP ${spec.type} ${spec.code ?? ''} not understood`;
  if (spec.mtu !== null && !(type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED))
    return 'ICMPv4 MTU is only valid for unreachable-frag_needed';
  const quoted: Packet = {
    src: ends.localAddr,
    dst: ends.remoteAddr,
    ttl: 0,
    id: 0,
    protocol: PROTO_TCP,
    dataBytes: 0,
    annot: 0,
    tcp: {
      srcPort: flow.localPort,
      dstPort: flow.remotePort,
      seq: (spec.seq + flow.localOffset) >>> 0,
      ack: 0,
      flags: 0,
      window: 0,
      urgent: 0,
      options: null,
      len: spec.len,
      payload: null,
    },
  };
  return {
    src: ends.remoteAddr,
    dst: ends.localAddr,
    ttl: 64,
    id: 0,
    protocol: PROTO_ICMP,
    tcp: null,
    dataBytes: ICMP_ERROR_BYTES,
    annot: 0,
    icmp: { type, code, mtu: spec.mtu ?? 0, quoted },
  };
}
