import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/wire/decode.ts';
import { encode } from '../../src/wire/encode.ts';
import { parseIpv4 } from '../../src/wire/ip.ts';
import { LINKTYPE_IPV4, LINKTYPE_RAW, PCAP_MAGIC_NS, PcapWriter } from '../../src/wire/pcap.ts';
import { ACK, FIN, PROTO_TCP, PROTO_UDP, PSH, RST, SYN } from '../../src/wire/segment.ts';
import type { Packet, Segment } from '../../src/wire/segment.ts';
import { LINUX_PACKETS, LINUX_RST, toHex } from './linux-capture.ts';
import { hasTshark, inCi, mustRunTshark } from '../tshark.ts';

const dir = mkdtempSync(join(tmpdir(), 'tcplab-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLIENT = parseIpv4('10.0.0.2')!;
const SERVER = parseIpv4('10.0.0.1')!;
const C_ISN = 0xfffffff0; // wraps during the exchange: seq arithmetic mod 2^32 on the wire
const S_ISN = 123456789;

function tcp(
  fromClient: boolean,
  id: number,
  s: Omit<Segment, 'srcPort' | 'dstPort' | 'urgent' | 'payload'> & { payload?: Uint8Array },
): Packet {
  return {
    src: fromClient ? CLIENT : SERVER,
    dst: fromClient ? SERVER : CLIENT,
    ttl: 64,
    id,
    protocol: PROTO_TCP,
    tcp: {
      srcPort: fromClient ? 40001 : 80,
      dstPort: fromClient ? 80 : 40001,
      urgent: 0,
      payload: null,
      ...s,
      seq: s.seq >>> 0,
      ack: s.ack >>> 0,
    },
    dataBytes: 0,
    annot: 0,
  };
}

const TS = (val: number, ecr: number) => ({ timestamp: { val, ecr } });

/** A connection set-up, one odd-sized request, close and a reset, as packets with their times. */
const EXCHANGE: Array<[number, Packet]> = [
  [
    0,
    tcp(true, 1, {
      seq: C_ISN,
      ack: 0,
      flags: SYN,
      window: 64240,
      len: 0,
      options: { mss: 1460, sackPermitted: true, ...TS(1000, 0), wscale: 7 },
    }),
  ],
  [
    10_000_000,
    tcp(false, 0, {
      seq: S_ISN,
      ack: C_ISN + 1,
      flags: SYN | ACK,
      window: 65160,
      len: 0,
      options: { mss: 1460, sackPermitted: true, ...TS(5000, 1000), wscale: 7 },
    }),
  ],
  [
    20_000_001,
    tcp(true, 2, { seq: C_ISN + 1, ack: S_ISN + 1, flags: ACK, window: 502, len: 0, options: TS(1010, 5000) }),
  ],
  [
    20_000_002,
    tcp(true, 3, { seq: C_ISN + 1, ack: S_ISN + 1, flags: PSH | ACK, window: 502, len: 201, options: TS(1010, 5000) }),
  ],
  [
    30_000_000,
    tcp(false, 1, { seq: S_ISN + 1, ack: C_ISN + 202, flags: ACK, window: 508, len: 0, options: TS(5010, 1010) }),
  ],
  [
    30_500_000,
    tcp(true, 4, {
      seq: C_ISN + 202,
      ack: S_ISN + 1,
      flags: FIN | PSH | ACK,
      window: 502,
      len: 3,
      payload: Uint8Array.of(0x61, 0x62, 0x63),
      options: TS(1011, 5010),
    }),
  ],
  [
    40_000_000,
    tcp(false, 2, { seq: S_ISN + 1, ack: C_ISN + 206, flags: FIN | ACK, window: 508, len: 0, options: TS(5020, 1011) }),
  ],
  [50_000_000, tcp(true, 0, { seq: C_ISN + 206, ack: 0, flags: RST, window: 0, len: 0, options: null })],
  [
    1_000_000_007,
    { src: CLIENT, dst: SERVER, ttl: 64, id: 9, protocol: PROTO_UDP, tcp: null, dataBytes: 8 + 17, annot: 0 },
  ],
];

function u32le(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
}

describe('PcapWriter', () => {
  it('writes the nanosecond pcap header, little-endian, raw IP by default', () => {
    const b = new PcapWriter().bytes();
    expect(b.length).toBe(24);
    expect(toHex(b)).toBe('4d3cb2a1' + '0200' + '0400' + '00000000' + '00000000' + 'ffff0000' + '65000000');
    expect(u32le(b, 0)).toBe(PCAP_MAGIC_NS);
    expect(u32le(new PcapWriter({ linkType: LINKTYPE_IPV4 }).bytes(), 20)).toBe(228);
    expect(LINKTYPE_RAW).toBe(101);
  });

  it('records carry seconds, nanoseconds, lengths and the encoded packet', () => {
    const w = new PcapWriter({ epochSeconds: 1_700_000_000 });
    const p = LINUX_PACKETS[2]!.packet;
    w.add(3_000_000_042, p);
    const b = w.bytes();
    expect(u32le(b, 24)).toBe(1_700_000_003);
    expect(u32le(b, 28)).toBe(42);
    expect(u32le(b, 32)).toBe(63);
    expect(u32le(b, 36)).toBe(63);
    expect(toHex(b.subarray(40))).toBe(LINUX_PACKETS[2]!.hex);
    expect(w.packets).toBe(1);
    expect(w.byteLength).toBe(24 + 16 + 63);
  });

  it('grows its buffer without losing records', () => {
    const w = new PcapWriter({ initialBytes: 64 });
    for (let i = 0; i < 1000; i++) w.add(i * 1000, EXCHANGE[i % EXCHANGE.length]![1]);
    const b = w.toBuffer();
    let at = 24;
    for (let i = 0; i < 1000; i++) {
      const len = u32le(b, at + 8);
      expect(u32le(b, at + 4)).toBe(i * 1000);
      const r = decode(b.subarray(at + 16, at + 16 + len));
      expect(r.ok).toBe(true);
      at += 16 + len;
    }
    expect(at).toBe(b.length);
  });

  it('snapLen keeps only the first bytes and records the original length', () => {
    const w = new PcapWriter({ snapLen: 40 });
    const data = EXCHANGE[3]![1];
    w.add(0, data);
    const b = w.bytes();
    expect(u32le(b, 16)).toBe(40);
    expect(u32le(b, 24 + 8)).toBe(40);
    expect(u32le(b, 24 + 12)).toBe(20 + 32 + 201);
    expect(b.length).toBe(24 + 16 + 40);
    expect(toHex(b.subarray(40))).toBe(toHex(encode(data).subarray(0, 40)));
  });

  it('toBuffer is a snapshot; refuses negative or fractional times', () => {
    const w = new PcapWriter();
    const snap = w.toBuffer();
    w.add(1, EXCHANGE[0]![1]);
    expect(snap.length).toBe(24);
    expect(() => w.add(-1, EXCHANGE[0]![1])).toThrow(RangeError);
    expect(() => w.add(0.5, EXCHANGE[0]![1])).toThrow(RangeError);
    expect(w.packets).toBe(1);
  });

  it('is deterministic: the same packets give the same bytes', () => {
    const a = new PcapWriter();
    const b = new PcapWriter();
    for (const [t, p] of EXCHANGE) {
      a.add(t, p);
      b.add(t, p);
    }
    expect(toHex(a.bytes())).toBe(toHex(b.bytes()));
  });
});

const tshark = hasTshark ? 'tshark' : null;
const mustRun = mustRunTshark;
/** Test title: says why it is skipped locally, or why it fails in CI, when tshark is missing. */
const title = (what: string): string =>
  tshark !== null
    ? what
    : inCi
      ? `${what}: FAILS, tshark is missing and CI is set`
      : `${what} (skipped: tshark not installed)`;

describe('tshark reads our pcap', () => {
  it.runIf(mustRun)(title('valid IP/TCP/UDP checksums and the expected header fields'), () => {
    if (tshark === null) throw new Error('tshark is not installed but CI is set: install it (apt-get install tshark)');
    const w = new PcapWriter();
    for (const [t, p] of EXCHANGE) w.add(t, p);
    const path = join(dir, 'exchange.pcap');
    writeFileSync(path, w.bytes());
    const fields = [
      'frame.time_epoch',
      'ip.checksum.status',
      'ip.flags.df',
      'tcp.checksum.status',
      'udp.checksum.status',
      'tcp.flags',
      'tcp.seq_raw',
      'tcp.ack_raw',
      'tcp.len',
      'tcp.options.mss_val',
      'tcp.options.wscale.shift',
      'tcp.options.timestamp.tsval',
      'udp.length',
      '_ws.malformed',
    ];
    const out = execFileSync(
      tshark,
      [
        '-r',
        path,
        '-o',
        'ip.check_checksum:TRUE',
        '-o',
        'tcp.check_checksum:TRUE',
        '-o',
        'udp.check_checksum:TRUE',
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
      .map((line) => {
        const v = line.split('|');
        return Object.fromEntries(fields.map((f, i) => [f, v[i] ?? '']));
      });
    expect(rows).toHaveLength(EXCHANGE.length);
    // checksum.status: 1 = good (0 bad, 2 unverified); every packet carries DF, none is malformed
    for (const r of rows) {
      expect(r['ip.checksum.status']).toBe('1');
      expect(r['ip.flags.df']).toMatch(/^(1|True)$/);
      expect(r['_ws.malformed']).toBe('');
    }
    const tcpRows = rows.slice(0, 8);
    expect(tcpRows.map((r) => r['tcp.checksum.status'])).toEqual(Array(8).fill('1'));
    const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
    expect(
      tcpRows.map((r) => [r['tcp.flags'], Number(r['tcp.seq_raw']), Number(r['tcp.ack_raw']), Number(r['tcp.len'])]),
    ).toEqual(EXCHANGE.slice(0, 8).map(([, p]) => [hex(p.tcp!.flags), p.tcp!.seq, p.tcp!.ack, p.tcp!.len]));
    expect(tcpRows[0]).toMatchObject({
      'tcp.options.mss_val': '1460',
      'tcp.options.wscale.shift': '7',
      'tcp.options.timestamp.tsval': '1000',
    });
    expect(tcpRows[3]!['tcp.len']).toBe('201');
    expect(rows[8]).toMatchObject({ 'udp.checksum.status': '1', 'udp.length': '25' });
    expect(rows[3]!['frame.time_epoch']).toBe('0.020000002');
    expect(rows[8]!['frame.time_epoch']).toBe('1.000000007');
  });

  it.runIf(mustRun)(title('checksums of our re-encoded Linux packets are good'), () => {
    if (tshark === null) throw new Error('tshark is not installed but CI is set: install it (apt-get install tshark)');
    const w = new PcapWriter({ linkType: LINKTYPE_IPV4 });
    for (const c of [...LINUX_PACKETS, LINUX_RST]) w.add(0, c.packet);
    const path = join(dir, 'linux.pcap');
    writeFileSync(path, w.bytes());
    const out = execFileSync(
      tshark,
      [
        '-r',
        path,
        '-o',
        'ip.check_checksum:TRUE',
        '-o',
        'tcp.check_checksum:TRUE',
        '-T',
        'fields',
        '-E',
        'separator=|',
        '-e',
        'ip.checksum.status',
        '-e',
        'tcp.checksum.status',
        '-e',
        'tcp.len',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    expect(out.trim().split('\n')).toEqual(['1|1|0', '1|1|0', '1|1|11', '1|1|0', '1|1|0']);
  });

  it.runIf(mustRun)(
    title(
      'decodes the Fast Open options: a cookie request, a cookie (kind 34), the experimental form (kind 254, 0xF989)',
    ),
    () => {
      if (tshark === null)
        throw new Error('tshark is not installed but CI is set: install it (apt-get install tshark)');
      const cookie = Uint8Array.of(0xab, 0xcd, 0x12, 0x34, 1, 2, 3, 4);
      const syn = (flags: number, options: Segment['options'], len: number): Packet => ({
        src: 0x0a000002,
        dst: 0x0a000001,
        ttl: 64,
        id: 1,
        protocol: PROTO_TCP,
        annot: 0,
        dataBytes: 0,
        tcp: {
          srcPort: 40000,
          dstPort: 80,
          seq: 1,
          ack: flags & ACK ? 5 : 0,
          flags,
          window: 1000,
          urgent: 0,
          options,
          len,
          payload: null,
        },
      });
      const w = new PcapWriter();
      w.add(0, syn(SYN, { mss: 1460, fastOpen: new Uint8Array(0) }, 0));
      w.add(1, syn(SYN | ACK, { mss: 1460, fastOpen: cookie }, 0));
      w.add(2, syn(SYN, { mss: 1460, fastOpen: cookie, fastOpenExp: true }, 100));
      const path = join(dir, 'fastopen.pcap');
      writeFileSync(path, w.bytes());
      const out = execFileSync(
        tshark,
        [
          '-r',
          path,
          '-o',
          'tcp.check_checksum:TRUE',
          '-T',
          'fields',
          '-E',
          'separator=|',
          '-e',
          'tcp.checksum.status',
          '-e',
          'tcp.options.tfo.request',
          '-e',
          'tcp.options.tfo.cookie',
          '-e',
          'tcp.options.experimental.exid',
          '-e',
          '_ws.malformed',
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      expect(out.trim().split('\n')).toEqual(['1|1|||', '1||abcd123401020304||', '1||abcd123401020304|0xf989|']);
    },
  );
});
