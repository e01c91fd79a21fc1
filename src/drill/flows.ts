/**
 * The connections a script talks about and the mapping between script and live numbers, as
 * packetdrill's run_packet.c keeps it per socket:
 * - the peer's SYN or SYN-ACK number is used as written, and once a connection exists (our SYN-ACK
 *   answered its SYN, or its SYN-ACK ours) its later numbers are relative to it
 *   (`< S 1428932:1428932(0)` then `< . 1:1(0)`), as the engine's ACKs of them are except in the
 *   SYN-ACK (`> S. 0:0(0) ack 1428933`, later `> . 1:1(0) ack 1`): what the upstream suite's
 *   scripts expect of packetdrill; a RST answering a SYN on a closed port stays absolute;
 * - the engine's sequence numbers are relative to its ISN, learnt from the first SYN or SYN-ACK it
 *   sends after a connect() or an injected SYN;
 * - an inbound TS ecr names a TS val the script expected from the engine, and is rewritten to the
 *   TS val the engine really sent in that packet.
 * Lines without explicit ports (`< 40001>8080 S ...`) concern the connection under test: the last
 * one a connect() or an injected SYN opened.
 */
import type { Packet, Segment, TcpOptions } from '../wire/segment.ts';
import { ACK, PROTO_TCP, SYN } from '../wire/segment.ts';
import type { EcnSpec, PacketEvent, ScriptOption } from './script.ts';

/** IP ECN codepoints of the script's `[...]` specs (RFC 3168 5); `ect01` sends ECT(1). */
export const ECN_CODEPOINTS: Readonly<Record<EcnSpec, number>> = { noecn: 0, ect1: 1, ect0: 2, ce: 3, ect01: 1 };

export interface Flow {
  localPort: number;
  remotePort: number;
  /** Engine's live sequence numbers minus the script's (mod 2^32); 0 until its ISN is learnt. */
  localOffset: number;
  /** The next SYN or SYN-ACK from the engine on this flow sets `localOffset`. */
  learnIsn: boolean;
  /** Peer's live sequence numbers minus the script's: its SYN's (or SYN-ACK's) number, else 0. */
  remoteOffset: number;
  /** The peer's SYN number, which our SYN-ACK makes the base of its later numbers. */
  peerIsn: number;
  /** Script TS val → live TS val, for every outbound packet whose TS the script wrote. */
  tsVals: Map<number, number>;
  firstTs: { script: number; live: number } | null;
  /** MSS the peer announced in its SYN or SYN-ACK, and whether each side's SYN carried timestamps (for TCP_INFO packet counts). */
  peerMss: number | null;
  peerTs: boolean;
  engineTs: boolean;
}

export interface DrillEndpoints {
  localAddr: number;
  remoteAddr: number;
  /** Local port of a passive open (packetdrill --bind_port, 8080). */
  bindPort: number;
  /** Remote port of a passive open's peer when the script names none. */
  defaultRemotePort: number;
}

export class Flows {
  private readonly byPorts = new Map<string, Flow>();
  /** The connection under test. */
  current: Flow | null = null;
  private newPassive = false;
  private passiveUsed = false;
  private passivePort: number;

  constructor(readonly ends: DrillEndpoints) {
    this.passivePort = ends.defaultRemotePort;
  }

  get(localPort: number, remotePort: number): Flow {
    const key = `${localPort}/${remotePort}`;
    let f = this.byPorts.get(key);
    if (f === undefined) {
      f = {
        localPort,
        remotePort,
        localOffset: 0,
        learnIsn: false,
        remoteOffset: 0,
        peerIsn: 0,
        tsVals: new Map(),
        firstTs: null,
        peerMss: null,
        peerTs: false,
        engineTs: false,
      };
      this.byPorts.set(key, f);
    }
    return f;
  }

  /** A connect() from `localPort`: its SYN will teach the engine's ISN. */
  connecting(localPort: number, remotePort: number): Flow {
    const f = this.get(localPort, remotePort);
    f.learnIsn = true;
    f.remoteOffset = 0;
    this.current = f;
    return f;
  }

  /**
   * A listen(): the next SYN without ports opens a new passive connection, from a new remote port
   * once one was used (packetdrill gives each passive socket its own ephemeral port).
   */
  listening(): void {
    this.newPassive = true;
  }

  /** The flow an inbound script packet belongs to (creating the connection under test if needed). */
  forInbound(ev: PacketEvent): Flow {
    if (ev.ports !== null) return this.get(ev.ports.dst, ev.ports.src);
    if (this.newPassive && (ev.flags & (SYN | ACK)) === SYN) {
      this.newPassive = false;
      if (this.passiveUsed) this.passivePort++;
      this.passiveUsed = true;
      this.current = this.get(this.ends.bindPort, this.passivePort);
      return this.current;
    }
    if (this.current === null) {
      this.passiveUsed = true;
      this.current = this.get(this.ends.bindPort, this.passivePort);
    }
    return this.current;
  }

  /** The flow an outbound script packet is expected on, given the packet the engine actually sent. */
  forOutbound(ev: PacketEvent, actual: Segment): Flow {
    if (ev.ports !== null) return this.get(ev.ports.src, ev.ports.dst);
    if (this.current === null) this.current = this.get(actual.srcPort, actual.dstPort);
    return this.current;
  }
}

function toTcpOptions(
  list: ScriptOption[],
  flow: Flow,
  isAck: boolean,
  tsEcrScaled: boolean,
): TcpOptions | null | string {
  let o: TcpOptions | null = null;
  for (const opt of list) {
    switch (opt.kind) {
      case 'mss':
        (o ??= {}).mss = opt.value;
        break;
      case 'wscale':
        (o ??= {}).wscale = opt.value;
        break;
      case 'sackOK':
        (o ??= {}).sackPermitted = true;
        break;
      case 'fastopen': {
        // symbols (TFO_COOKIE) were resolved to hex before the run (runner.ts)
        const hex = opt.cookie ?? '';
        const b = new Uint8Array(hex.length >> 1);
        for (let i = 0; i < b.length; i++) b[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
        (o ??= {}).fastOpen = b;
        if (opt.exp) o.fastOpenExp = true;
        break;
      }
      case 'sack':
        // SACK edges acknowledge the engine's data: they move with its ISN, as the ACK field does.
        (o ??= {}).sack = opt.blocks.map(([l, r]) => [(l + flow.localOffset) >>> 0, (r + flow.localOffset) >>> 0]);
        break;
      case 'TS': {
        let ecr = opt.ecr;
        if (isAck) {
          const live = flow.tsVals.get(opt.ecr);
          if (live !== undefined) ecr = live;
          else if (tsEcrScaled && flow.firstTs !== null)
            ecr = (opt.ecr - flow.firstTs.script + flow.firstTs.live) >>> 0;
          else
            return `unable to infer live TS ecr for script TS ecr ${opt.ecr}; no matching or preceding outbound TS val`;
        }
        (o ??= {}).timestamp = { val: opt.val, ecr };
        break;
      }
      default:
        break; // nop, eol: layout only
    }
  }
  return o;
}

/** Builds the live packet for an inbound script line; a string when it cannot (TS ecr unknown). */
export function inboundPacket(
  ev: PacketEvent,
  flow: Flow,
  ends: DrillEndpoints,
  tsEcrScaled: boolean,
): Packet | string {
  const isAck = (ev.flags & ACK) !== 0;
  const options = toTcpOptions(ev.options ?? [], flow, isAck, tsEcrScaled);
  if (typeof options === 'string') return options;
  if (ev.flags & SYN) {
    // Numbers become relative once a connection exists: at our SYN-ACK for a peer's SYN
    // (learnFromOutbound), at the peer's SYN-ACK for our SYN.
    if (!isAck) {
      flow.learnIsn = true;
      flow.remoteOffset = 0;
      flow.peerIsn = ev.seq >>> 0;
    } else flow.remoteOffset = ev.seq >>> 0;
    flow.peerMss = options?.mss ?? null;
    flow.peerTs = options?.timestamp !== undefined;
  }
  const seg: Segment = {
    srcPort: flow.remotePort,
    dstPort: flow.localPort,
    seq: ev.flags & SYN ? ev.seq >>> 0 : (ev.seq + flow.remoteOffset) >>> 0,
    ack: ev.ack === null ? 0 : (ev.ack + flow.localOffset) >>> 0,
    flags: ev.flags,
    window: ev.win ?? 0,
    urgent: ev.urg,
    options,
    len: ev.len,
    payload: null,
  };
  const packet: Packet = {
    src: ends.remoteAddr,
    dst: ends.localAddr,
    ttl: 64,
    id: 0,
    protocol: PROTO_TCP,
    tcp: seg,
    dataBytes: 0,
    annot: 0,
  };
  const ecn = ev.ecn === null ? 0 : ECN_CODEPOINTS[ev.ecn];
  if (ecn !== 0) packet.ecn = ecn;
  return packet;
}
