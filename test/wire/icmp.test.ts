/**
 * ICMPv4 errors on the wire (RFC 792, RFC 1191): the bytes encode.ts writes, what decode.ts reads
 * back, the TOS byte and DF bit, and what tshark makes of them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { internetChecksum } from '../../src/wire/checksum.ts';
import { decode } from '../../src/wire/decode.ts';
import { encode } from '../../src/wire/encode.ts';
import { formatPacket } from '../../src/wire/format.ts';
import {
  ICMP_DEST_UNREACH,
  ICMP_ERROR_BYTES,
  ICMP_FRAG_NEEDED,
  ICMP_HOST_UNREACH,
  ICMP_TIME_EXCEEDED,
  buildIcmpError,
} from '../../src/wire/icmp.ts';
import { parseIpv4 } from '../../src/wire/ip.ts';
import { PcapWriter } from '../../src/wire/pcap.ts';
import { ACK, PSH, PROTO_ICMP, PROTO_TCP, type Packet } from '../../src/wire/segment.ts';
import { packetRecord } from '../../src/net/packet-trace.ts';
import { hasTshark, mustRunTshark } from '../tshark.ts';

const CLIENT = parseIpv4('10.0.0.1')!;
const SERVER = parseIpv4('10.0.1.1')!;
const ROUTER = parseIpv4('10.0.0.254')!;

/** A 1400-byte data segment from the client: what a 1000-byte link refuses. */
const DATA: Packet = {
  src: CLIENT,
  dst: SERVER,
  ttl: 64,
  id: 7,
  protocol: PROTO_TCP,
  annot: 0,
  dataBytes: 0,
  tcp: {
    srcPort: 40000,
    dstPort: 80,
    seq: 0x01020304,
    ack: 0x0a0b0c0d,
    flags: ACK | PSH,
    window: 502,
    urgent: 0,
    options: null,
    len: 1400,
    payload: null,
  },
};

describe('an ICMP fragmentation-needed error', () => {
  const err = buildIcmpError(ROUTER, DATA, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1000, 9)!;
  const bytes = encode(err);
  const original = encode(DATA);

  it('is 56 bytes: IP header, ICMP header, the quoted IP header and 8 bytes of TCP', () => {
    expect(err.dataBytes).toBe(ICMP_ERROR_BYTES);
    expect(bytes.length).toBe(20 + 8 + 20 + 8);
    expect(bytes[9]).toBe(PROTO_ICMP);
  });

  it('carries type 3 code 4, the next-hop MTU in the low half of the unused word, a valid checksum', () => {
    expect([bytes[20], bytes[21]]).toEqual([3, 4]);
    expect([bytes[24], bytes[25]]).toEqual([0, 0]);
    expect((bytes[26]! << 8) | bytes[27]!).toBe(1000);
    expect(internetChecksum(bytes, 20, bytes.length)).toBe(0);
    expect(internetChecksum(bytes, 0, 20)).toBe(0);
  });

  it('quotes the original IP header byte for byte (its total length 1440, its checksum) and the TCP ports and sequence', () => {
    expect(Array.from(bytes.subarray(28, 48))).toEqual(Array.from(original.subarray(0, 20)));
    expect(Array.from(bytes.subarray(48, 56))).toEqual(Array.from(original.subarray(20, 28)));
    expect((bytes[30]! << 8) | bytes[31]!).toBe(1440);
  });

  it('decodes back to the error and the quoted segment (ports, sequence, length)', () => {
    const r = decode(bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const m = r.packet.icmp!;
    expect([m.type, m.code, m.mtu]).toEqual([ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1000]);
    expect(m.quoted.src).toBe(CLIENT);
    expect(m.quoted.dst).toBe(SERVER);
    expect(m.quoted.tcp).toMatchObject({ srcPort: 40000, dstPort: 80, seq: 0x01020304, len: 1400 });
    expect(r.packet.dst).toBe(CLIENT);
    expect(formatPacket(r.packet)).toBe(
      '10.0.0.254 > 10.0.0.1 icmp unreachable frag_needed mtu 1000 [10.0.0.1:40000 > 10.0.1.1:80 seq 16909060]',
    );
  });

  it('a corrupted message is refused by its checksum', () => {
    const bad = bytes.slice();
    bad[50]! ^= 1;
    const r = decode(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('bad-icmp-checksum');
  });

  it('is traced with its kind, the connection it quotes and the quoted sequence number', () => {
    expect(packetRecord(5, 'r1', 'tx', err)).toEqual({
      t: 5,
      node: 'r1',
      ev: 'tx',
      proto: 1,
      len: 36,
      src: '10.0.0.254',
      dst: '10.0.0.1',
      icmp: 'unreachable frag_needed mtu 1000',
      quoted: '10.0.0.1:40000>10.0.1.1:80',
      qseq: 0x01020304,
    });
  });

  it('is never sent about another ICMP error (RFC 1812 4.3.2.4)', () => {
    expect(buildIcmpError(SERVER, err, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0, 1)).toBeNull();
  });
});

describe('the TOS byte and the DF bit', () => {
  it('IP_TOS bits and ECN share the TOS byte; IP_PMTUDISC_DONT clears DF; both decode back', () => {
    const p: Packet = { ...DATA, tos: 0x10, ecn: 2, df: false };
    const b = encode(p);
    expect(b[1]).toBe(0x12);
    expect(b[6]! & 0x40).toBe(0);
    const r = decode(b);
    expect(r.ok && [r.packet.tos, r.packet.ecn, r.packet.df]).toEqual([0x10, 2, false]);
    const plain = encode(DATA);
    expect([plain[1], plain[6]! & 0x40]).toEqual([0, 0x40]);
    const back = decode(plain);
    expect(back.ok && [back.packet.tos, back.packet.ecn, back.packet.df]).toEqual([undefined, undefined, undefined]);
  });
});

const tshark = hasTshark;
const mustRun = mustRunTshark;

describe('tshark reads our ICMP errors', () => {
  it.runIf(mustRun)(
    tshark
      ? 'type, code, next-hop MTU, checksums and the quoted TCP header'
      : 'tshark: FAILS, tshark is missing and CI is set',
    () => {
      if (!tshark) throw new Error('tshark is not installed but CI is set: install it (apt-get install tshark)');
      const w = new PcapWriter();
      w.add(0, buildIcmpError(ROUTER, DATA, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1000, 9)!);
      w.add(1000, buildIcmpError(ROUTER, DATA, ICMP_TIME_EXCEEDED, 0, 0, 10)!);
      w.add(2000, { ...DATA, tos: 0x10 });
      const path = join(mkdtempSync(join(tmpdir(), 'tcplab-icmp-')), 'icmp.pcap');
      writeFileSync(path, w.bytes());
      const fields = [
        'icmp.type',
        'icmp.code',
        'icmp.mtu',
        'icmp.checksum.status',
        'ip.checksum.status',
        'tcp.srcport',
        'tcp.dstport',
        'tcp.seq',
        'ip.dsfield.dscp',
        '_ws.malformed',
      ];
      const out = execFileSync(
        'tshark',
        [
          '-r',
          path,
          '-o',
          'ip.check_checksum:TRUE',
          '-T',
          'fields',
          '-E',
          'separator=|',
          ...fields.flatMap((f) => ['-e', f]),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      const rows = out
        .trim()
        .split('\n')
        .map((l) => l.split('|'));
      // ip.checksum.status lists the outer header then the quoted one; the dscp of both (0 and 0)
      expect(rows[0]!.slice(0, 4)).toEqual(['3', '4', '1000', '1']);
      expect(rows[0]![4]).toBe('1,1');
      expect(rows[0]!.slice(5, 8)).toEqual(['40000', '80', '16909060']);
      expect(rows[1]!.slice(0, 2)).toEqual(['11', '0']);
      expect(rows[2]![8]).toBe('4');
      for (const r of rows) expect(r[9]).toBe('');
    },
  );
});
