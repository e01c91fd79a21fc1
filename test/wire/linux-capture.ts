/**
 * Packets captured from a real Linux 6.18 kernel: a connect() from 10.0.0.1 to 10.0.0.2:80 routed
 * into a TUN device inside a fresh network namespace (TUN has no checksum offload, so the kernel
 * wrote full checksums), the peer's SYN-ACK and a SYN to a closed port injected through the TUN.
 * `hex` is exactly what the kernel emitted; `packet` the record it must decode to.
 */
import { ACK, FIN, PROTO_TCP, PSH, RST, SYN } from '../../src/wire/segment.ts';
import type { Packet, Segment } from '../../src/wire/segment.ts';

export const CLIENT = 0x0a000001; // 10.0.0.1
export const SERVER = 0x0a000002; // 10.0.0.2
export const CLIENT_ISN = 0x84de0334;
export const SERVER_ISN = 1000;

function tcp(src: number, dst: number, id: number, seg: Segment): Packet {
  return { src, dst, ttl: 64, id, protocol: PROTO_TCP, tcp: seg, dataBytes: 0, annot: 0 };
}

const base = { srcPort: 52122, dstPort: 80, urgent: 0, payload: null } as const;

export interface CapturedPacket {
  name: string;
  hex: string;
  packet: Packet;
  /** packetdrill text relative to the ISNs (CLIENT_ISN, SERVER_ISN). */
  text: string;
}

export const LINUX_PACKETS: CapturedPacket[] = [
  {
    name: 'SYN with SACK and timestamps',
    hex: '4500003cf3ac40004006330d0a0000010a000002cb9a005084de033400000000a002faf017010000020405b40402080a700b5e00000000000103030a',
    packet: tcp(CLIENT, SERVER, 0xf3ac, {
      ...base,
      seq: CLIENT_ISN,
      ack: 0,
      flags: SYN,
      window: 64240,
      len: 0,
      options: { mss: 1460, sackPermitted: true, timestamp: { val: 0x700b5e00, ecr: 0 }, wscale: 10 },
    }),
    text: 'S 0:0(0) win 64240 <mss 1460,sackOK,TS val 1879793152 ecr 0,nop,wscale 10>',
  },
  {
    name: 'final ACK of the handshake',
    hex: '45000034f3ad4000400633140a0000010a000002cb9a005084de0335000003e98010003f290100000101080a700b5e0000001388',
    packet: tcp(CLIENT, SERVER, 0xf3ad, {
      ...base,
      seq: CLIENT_ISN + 1,
      ack: SERVER_ISN + 1,
      flags: ACK,
      window: 63,
      len: 0,
      options: { timestamp: { val: 0x700b5e00, ecr: 5000 } },
    }),
    text: '. 1:1(0) ack 1 win 63 <nop,nop,TS val 1879793152 ecr 5000>',
  },
  {
    name: 'data, 11 bytes (odd length)',
    hex: '4500003ff3ae4000400633080a0000010a000002cb9a005084de0335000003e98018003f971f00000101080a700b5e000000138868656c6c6f20776f726c64',
    packet: tcp(CLIENT, SERVER, 0xf3ae, {
      ...base,
      seq: CLIENT_ISN + 1,
      ack: SERVER_ISN + 1,
      flags: PSH | ACK,
      window: 63,
      len: 11,
      options: { timestamp: { val: 0x700b5e00, ecr: 5000 } },
      payload: new TextEncoder().encode('hello world'),
    }),
    text: 'P. 1:12(11) ack 1 win 63 <nop,nop,TS val 1879793152 ecr 5000>',
  },
  {
    name: 'FIN after shutdown(SHUT_WR)',
    hex: '45000034f3af4000400633120a0000010a000002cb9a005084de0340000003e98011003f28c300000101080a700b5e3200001388',
    packet: tcp(CLIENT, SERVER, 0xf3af, {
      ...base,
      seq: CLIENT_ISN + 12,
      ack: SERVER_ISN + 1,
      flags: FIN | ACK,
      window: 63,
      len: 0,
      options: { timestamp: { val: 0x700b5e32, ecr: 5000 } },
    }),
    text: 'F. 12:12(0) ack 1 win 63 <nop,nop,TS val 1879793202 ecr 5000>',
  },
];

/** RST, ACK answering a SYN (seq 777) from 10.0.0.2:40000 to closed port 81: IP id 0, DF, win 0. */
export const LINUX_RST: CapturedPacket = {
  name: 'RST for a SYN to a closed port',
  hex: '4500002800004000400626ce0a0000010a00000200519c40000000000000030a50140000fc320000',
  packet: tcp(CLIENT, SERVER, 0, {
    srcPort: 81,
    dstPort: 40000,
    seq: 0,
    ack: 778,
    flags: RST | ACK,
    window: 0,
    urgent: 0,
    options: null,
    len: 0,
    payload: null,
  }),
  text: 'R. 0:0(0) ack 778 win 0',
};

/** A SYN from the same kernel with net.ipv4.tcp_sack=0: mss, nop, nop, TS, nop, wscale. */
export const LINUX_SYN_NO_SACK: CapturedPacket = {
  name: 'SYN without SACK',
  hex: '4500003cb6944000400670250a0000010a000002deda0050c174a40500000000a002faf090b30000020405b40101080a99f3ccbe000000000103030a',
  packet: tcp(CLIENT, SERVER, 0xb694, {
    srcPort: 57050,
    dstPort: 80,
    seq: 0xc174a405,
    ack: 0,
    flags: SYN,
    window: 64240,
    urgent: 0,
    len: 0,
    options: { mss: 1460, timestamp: { val: 0x99f3ccbe, ecr: 0 }, wscale: 10 },
    payload: null,
  }),
  text: 'S 3245646853:3245646853(0) win 64240 <mss 1460,nop,nop,TS val 2582891710 ecr 0,nop,wscale 10>',
};

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
