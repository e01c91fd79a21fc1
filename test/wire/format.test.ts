import { describe, expect, it } from 'vitest';
import { formatOptions, formatPacket, formatSegment } from '../../src/wire/format.ts';
import { parseIpv4 } from '../../src/wire/ip.ts';
import { ACK, FIN, PROTO_TCP, PROTO_UDP, PSH, RST, SYN, URG } from '../../src/wire/segment.ts';
import type { Packet, Segment } from '../../src/wire/segment.ts';
import { CLIENT_ISN, LINUX_PACKETS, LINUX_RST, LINUX_SYN_NO_SACK, SERVER_ISN } from './linux-capture.ts';

function seg(over: Partial<Segment>): Segment {
  return {
    srcPort: 40001,
    dstPort: 80,
    seq: 0,
    ack: 0,
    flags: ACK,
    window: 65535,
    urgent: 0,
    options: null,
    len: 0,
    payload: null,
    ...over,
  };
}

describe('formatSegment, packetdrill style', () => {
  it.each([
    [
      'S',
      seg({ flags: SYN, options: { mss: 1460, sackPermitted: true, timestamp: { val: 100, ecr: 0 }, wscale: 7 } }),
      'S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>',
    ],
    ['S.', seg({ flags: SYN | ACK, ack: 1, options: { mss: 1460 } }), 'S. 0:0(0) ack 1 win 65535 <mss 1460>'],
    ['.', seg({ seq: 1, ack: 1, window: 502 }), '. 1:1(0) ack 1 win 502'],
    ['P.', seg({ flags: PSH | ACK, seq: 1, ack: 1, window: 502, len: 1000 }), 'P. 1:1001(1000) ack 1 win 502'],
    ['F.', seg({ flags: FIN | ACK, seq: 1001, ack: 1, window: 502 }), 'F. 1001:1001(0) ack 1 win 502'],
    ['R', seg({ flags: RST, seq: 5, ack: 0, window: 0 }), 'R 5:5(0) win 0'],
    ['R.', seg({ flags: RST | ACK, seq: 0, ack: 1, window: 0 }), 'R. 0:0(0) ack 1 win 0'],
    ['FP.', seg({ flags: FIN | PSH | ACK, seq: 1, ack: 1, len: 7 }), 'FP. 1:8(7) ack 1 win 65535'],
  ])('%s', (_flags, s, text) => {
    expect(formatSegment(s)).toBe(text);
  });

  it('the ack number is printed only when the ACK bit is set', () => {
    expect(formatSegment(seg({ flags: SYN, ack: 12345 }))).toBe('S 0:0(0) win 65535');
  });

  it('urgent pointer shown when URG is set', () => {
    expect(formatSegment(seg({ flags: URG | ACK, urgent: 3, seq: 1, ack: 1, len: 4 }))).toBe(
      'U. 1:5(4) ack 1 win 65535 urg 3',
    );
  });

  it('real Linux segments print with relative numbers from the ISN pair', () => {
    const clientToServer = { seq: CLIENT_ISN, ack: SERVER_ISN };
    for (const c of LINUX_PACKETS) expect(formatSegment(c.packet.tcp!, clientToServer)).toBe(c.text);
    expect(formatSegment(LINUX_RST.packet.tcp!)).toBe(LINUX_RST.text);
    expect(formatSegment(LINUX_SYN_NO_SACK.packet.tcp!)).toBe(LINUX_SYN_NO_SACK.text);
  });

  it('relative numbers wrap modulo 2^32', () => {
    const s = seg({ flags: PSH | ACK, seq: 0x00000010, ack: 5, len: 100 });
    expect(formatSegment(s, { seq: 0xfffffff0, ack: 0xffffffff })).toBe('P. 32:132(100) ack 6 win 65535');
    // seq + len past 2^32 in absolute numbers
    expect(formatSegment(seg({ flags: ACK, seq: 0xffffffff, len: 2 }))).toBe('. 4294967295:1(2) ack 0 win 65535');
  });

  it('SACK blocks print in the receiver sequence space, relative to the ack base', () => {
    const s = seg({
      seq: 1,
      ack: 1001,
      options: {
        timestamp: { val: 7, ecr: 8 },
        sack: [
          [2001, 3001],
          [4001, 5001],
        ],
      },
    });
    expect(formatSegment(s, { seq: 0, ack: 1000 })).toBe(
      '. 1:1(0) ack 1 win 65535 <nop,nop,TS val 7 ecr 8,nop,nop,sack 1001:2001 3001:4001>',
    );
  });

  it('options show the nops of the Linux layout', () => {
    expect(formatOptions(seg({ options: { sackPermitted: true } }))).toBe('nop,nop,sackOK');
    expect(formatOptions(seg({ options: { mss: 536, sackPermitted: true, wscale: 0 } }))).toBe(
      'mss 536,nop,nop,sackOK,nop,wscale 0',
    );
    expect(formatOptions(seg({ options: {} }))).toBe('');
    expect(formatOptions(seg({ options: null }))).toBe('');
  });
});

describe('formatPacket', () => {
  const a = parseIpv4('10.0.0.2')!;
  const b = parseIpv4('10.0.0.1')!;
  it('prefixes src:port > dst:port', () => {
    const p: Packet = {
      src: a,
      dst: b,
      ttl: 64,
      id: 0,
      protocol: PROTO_TCP,
      tcp: seg({ flags: SYN | ACK, ack: 1, srcPort: 40001, dstPort: 80, options: { mss: 1460 } }),
      dataBytes: 0,
      annot: 0,
    };
    expect(formatPacket(p)).toBe('10.0.0.2:40001 > 10.0.0.1:80 S. 0:0(0) ack 1 win 65535 <mss 1460>');
  });
  it('UDP shows its payload size', () => {
    const p: Packet = { src: a, dst: b, ttl: 64, id: 0, protocol: PROTO_UDP, tcp: null, dataBytes: 108, annot: 0 };
    expect(formatPacket(p)).toBe('10.0.0.2 > 10.0.0.1 udp (100)');
  });
});
