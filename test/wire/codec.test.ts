import { describe, expect, it } from 'vitest';
import { decode } from '../../src/wire/decode.ts';
import { encode, encodeInto, encodedLength } from '../../src/wire/encode.ts';
import { internetChecksum } from '../../src/wire/checksum.ts';
import { parseIpv4 } from '../../src/wire/ip.ts';
import { ACK, PROTO_ICMP, PROTO_TCP, PROTO_UDP, PSH, SYN, optionsLength, packetBytes } from '../../src/wire/segment.ts';
import type { Packet, Segment, TcpOptions } from '../../src/wire/segment.ts';
import { LINUX_PACKETS, LINUX_RST, LINUX_SYN_NO_SACK, fromHex, toHex } from './linux-capture.ts';

const A = parseIpv4('192.168.1.10')!;
const B = parseIpv4('10.20.30.40')!;

function seg(over: Partial<Segment>): Segment {
  return {
    srcPort: 40001,
    dstPort: 80,
    seq: 1,
    ack: 1,
    flags: ACK,
    window: 502,
    urgent: 0,
    options: null,
    len: 0,
    payload: null,
    ...over,
  };
}

function pkt(s: Segment, over: Partial<Packet> = {}): Packet {
  return { src: A, dst: B, ttl: 64, id: 0x1234, protocol: PROTO_TCP, tcp: s, dataBytes: 0, annot: 0, ...over };
}

function decodeOk(bytes: Uint8Array): Packet {
  const r = decode(bytes);
  if (!r.ok) throw new Error(`decode failed: ${r.error.code}: ${r.error.message}`);
  return r.packet;
}

describe('real Linux packets, byte for byte', () => {
  for (const c of [...LINUX_PACKETS, LINUX_RST, LINUX_SYN_NO_SACK]) {
    it(`${c.name}: encode gives the kernel's bytes, checksums included`, () => {
      expect(toHex(encode(c.packet))).toBe(c.hex);
    });
    it(`${c.name}: decode reads the kernel's bytes back to the record`, () => {
      expect(decodeOk(fromHex(c.hex))).toEqual(c.packet);
    });
  }

  it('a Linux SYN carries 20 option bytes and optionsLength agrees', () => {
    const syn = LINUX_PACKETS[0]!.packet;
    expect(optionsLength(syn.tcp!.options)).toBe(20);
    expect(optionsLength(LINUX_SYN_NO_SACK.packet.tcp!.options)).toBe(20);
    expect(packetBytes(syn)).toBe(60);
  });

  it('sets DF and leaves the fragment offset zero, as Linux does', () => {
    const b = encode(pkt(seg({})));
    expect(b[6]).toBe(0x40);
    expect(b[7]).toBe(0);
  });
});

describe('option layout (Linux tcp_options_write)', () => {
  const cases: Array<[string, TcpOptions, string]> = [
    ['mss only (a SYN-ACK answered with a cookie, no timestamps)', { mss: 1460 }, '020405b4'],
    ['wscale alone: nop, wscale', { wscale: 7 }, '01030307'],
    ['sackOK without timestamps: nop, nop, sackOK', { sackPermitted: true }, '01010402'],
    ['timestamps alone: nop, nop, TS', { timestamp: { val: 0x01020304, ecr: 0xfffffffe } }, '0101080a01020304fffffffe'],
    [
      'sackOK with timestamps share a word',
      { sackPermitted: true, timestamp: { val: 1, ecr: 2 } },
      '0402080a0000000100000002',
    ],
    [
      'SYN without timestamps: mss, nop, nop, sackOK, nop, wscale',
      { mss: 536, sackPermitted: true, wscale: 0 },
      '02040218' + '01010402' + '01030300',
    ],
    ['one SACK block: nop, nop, sack', { sack: [[100, 200]] }, '0101050a00000064000000c8'],
    [
      'timestamps and two SACK blocks',
      {
        timestamp: { val: 5, ecr: 6 },
        sack: [
          [0xfffffff0, 0x10],
          [0x20, 0x30],
        ],
      },
      '0101080a' + '00000005' + '00000006' + '01010512' + 'fffffff0' + '00000010' + '00000020' + '00000030',
    ],
  ];
  for (const [name, options, hex] of cases) {
    it(name, () => {
      const b = encode(pkt(seg({ options })));
      expect(toHex(b.subarray(40))).toBe(hex);
      expect(optionsLength(options)).toBe(hex.length / 2);
      expect(b[32]! >> 4).toBe((20 + hex.length / 2) / 4); // data offset in words
      expect(decodeOk(b).tcp!.options).toEqual(options);
    });
  }

  it('timestamps with three SACK blocks fill all 40 option bytes; four do not fit', () => {
    const three: TcpOptions = {
      timestamp: { val: 1, ecr: 1 },
      sack: [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    };
    expect(optionsLength(three)).toBe(40);
    expect(decodeOk(encode(pkt(seg({ options: three })))).tcp!.options).toEqual(three);
    const four: TcpOptions = {
      ...three,
      sack: [
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
      ],
    };
    expect(() => encode(pkt(seg({ options: four })))).toThrow(RangeError);
  });

  it('an empty options object encodes nothing and decodes as null', () => {
    const b = encode(pkt(seg({ options: {} })));
    expect(b.length).toBe(40);
    expect(decodeOk(b).tcp!.options).toBeNull();
  });
});

describe('decode reads options in any layout', () => {
  /** A TCP header + options built by hand, with a valid checksum. */
  function withRawOptions(optHex: string): Uint8Array {
    const opts = fromHex(optHex);
    if (opts.length % 4 !== 0) throw new Error('option area must fill whole words');
    const base = encode(pkt(seg({})));
    const out = new Uint8Array(40 + opts.length);
    out.set(base.subarray(0, 40));
    out.set(opts, 40);
    out[3] = out.length; // IP total length (< 256 here)
    out[10] = 0;
    out[11] = 0;
    const ipSum = internetChecksum(out, 0, 20);
    out[10] = ipSum >> 8;
    out[11] = ipSum & 255;
    out[32] = ((out.length - 20) / 4) << 4;
    out[36] = 0;
    out[37] = 0;
    const tcpLen = out.length - 20;
    const pseudo = (A >>> 16) + (A & 0xffff) + (B >>> 16) + (B & 0xffff) + PROTO_TCP + tcpLen;
    const sum = internetChecksum(out, 20, out.length, pseudo);
    out[36] = sum >> 8;
    out[37] = sum & 255;
    return out;
  }

  it('BSD order with EOL padding: mss, nop, wscale, sackOK, TS, eol', () => {
    const p = decodeOk(
      withRawOptions('020405b4' + '010303' + '06' + '0402' + '080a0000000700000000' + '00' + '000000'),
    );
    expect(p.tcp!.options).toEqual({ mss: 1460, wscale: 6, sackPermitted: true, timestamp: { val: 7, ecr: 0 } });
  });

  it('skips an unknown option (kind 30, MPTCP) by its length', () => {
    const p = decodeOk(withRawOptions('020405b4' + '1e02' + '0101'));
    expect(p.tcp!.options).toEqual({ mss: 1460 });
  });

  it('reads a Fast Open cookie request (kind 34, length 2) and an experimental-form cookie (kind 254, magic 0xF989)', () => {
    expect(decodeOk(withRawOptions('020405b4' + '2202' + '0101')).tcp!.options).toEqual({
      mss: 1460,
      fastOpen: new Uint8Array(0),
    });
    expect(decodeOk(withRawOptions('fe08f989' + 'abcd1234')).tcp!.options).toEqual({
      fastOpen: Uint8Array.of(0xab, 0xcd, 0x12, 0x34),
      fastOpenExp: true,
    });
    expect(decodeOk(withRawOptions('fe08f988' + 'abcd1234')).tcp!.options).toBeNull(); // another experiment: skipped
  });

  it('stops at EOL: bytes after it are padding', () => {
    const p = decodeOk(withRawOptions('00' + '020405b4' + '000000'));
    expect(p.tcp!.options).toBeNull();
  });

  it.each([
    ['option running past the header', '020805b4', 'bad-option-length'],
    ['option length below 2', '02010000', 'bad-option-length'],
    ['kind with no length byte at the end', '01010102', 'bad-option-length'],
    ['MSS of length 3', '02030501', 'bad-mss'],
    ['window scale of length 4', '03040701', 'bad-wscale'],
    ['timestamp of length 8', '080800000001000000020000', 'bad-timestamp'],
    ['SACK with no block', '01010502', 'bad-sack'],
  ])('reports %s', (_name, optHex, code) => {
    const r = decode(withRawOptions(optHex));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.offset).toBeGreaterThanOrEqual(40);
    }
  });
});

describe('checksums', () => {
  const data = pkt(
    seg({
      flags: PSH | ACK,
      len: 7,
      payload: Uint8Array.of(1, 2, 3, 4, 5, 6, 255),
      options: { timestamp: { val: 9, ecr: 8 } },
    }),
  );

  it('decode verifies what encode wrote', () => {
    const b = encode(data);
    expect(internetChecksum(b, 0, 20)).toBe(0);
    expect(decodeOk(b)).toEqual(data);
  });

  it('a corrupted IP header byte is reported as a bad IP checksum', () => {
    const b = encode(data);
    b[8]! ^= 1; // TTL
    const r = decode(b);
    expect(r).toMatchObject({ ok: false, error: { code: 'bad-ip-checksum', offset: 10 } });
  });

  it.each([
    ['sequence number', 24],
    ['window', 34],
    ['a timestamp byte', 47],
    ['the odd last payload byte', 58],
  ])('a corrupted %s is reported as a bad TCP checksum', (_what, index) => {
    const b = encode(data);
    expect(b.length).toBe(59);
    b[index]! ^= 0x80;
    expect(decode(b)).toMatchObject({ ok: false, error: { code: 'bad-tcp-checksum', offset: 36 } });
  });

  it('a changed address (pseudo-header) breaks the TCP checksum even with a fixed IP checksum', () => {
    const moved = encode({ ...data, dst: B + 1 });
    const b = encode(data);
    b.set(moved.subarray(0, 20), 0); // valid IP header for B+1, TCP checksum computed for B
    expect(decode(b)).toMatchObject({ ok: false, error: { code: 'bad-tcp-checksum' } });
  });

  it('ignoreChecksums accepts a corrupted packet (captures with checksum offload)', () => {
    const b = encode(data);
    b[36]! ^= 0xff;
    expect(decode(b, { ignoreChecksums: true }).ok).toBe(true);
  });

  it('odd-length payloads of zeros (no bytes supplied) decode to zero bytes', () => {
    for (const len of [1, 3, 999, 1461]) {
      const p = pkt(seg({ flags: PSH | ACK, len }));
      const b = encode(p);
      expect(b.length).toBe(40 + len);
      const back = decodeOk(b).tcp!;
      expect(back.len).toBe(len);
      expect(back.payload).toEqual(new Uint8Array(len));
    }
  });
});

describe('malformed input is a value, not an exception', () => {
  const good = encode(pkt(seg({ len: 10 })));
  it.each([
    ['empty', new Uint8Array(0), 'truncated'],
    ['19 bytes', good.subarray(0, 19), 'truncated'],
    ['cut short of the total length', good.subarray(0, 45), 'truncated'],
    ['IPv6 version nibble', Uint8Array.from([0x60, ...good.subarray(1)]), 'not-ipv4'],
    ['IHL of 4 words', Uint8Array.from([0x44, ...good.subarray(1)]), 'bad-ip-header-length'],
  ])('%s', (_name, bytes, code) => {
    const r = decode(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });

  function patched(edit: (b: Uint8Array) => void): Uint8Array {
    const b = Uint8Array.from(good);
    edit(b);
    b[10] = 0;
    b[11] = 0;
    const s = internetChecksum(b, 0, 20);
    b[10] = s >> 8;
    b[11] = s & 255;
    return b;
  }

  it('total length below the header', () => {
    expect(
      decode(
        patched((b) => {
          b[2] = 0;
          b[3] = 10;
        }),
      ),
    ).toMatchObject({ ok: false, error: { code: 'bad-total-length' } });
  });
  it('a fragment', () => {
    expect(
      decode(
        patched((b) => {
          b[6] = 0x20;
        }),
      ),
    ).toMatchObject({ ok: false, error: { code: 'fragment' } });
  });
  it('TCP data offset below 5 words or beyond the segment', () => {
    expect(
      decode(
        patched((b) => {
          b[32] = 0x40;
        }),
      ),
    ).toMatchObject({ ok: false, error: { code: 'bad-tcp-data-offset' } });
    expect(
      decode(
        patched((b) => {
          b[32] = 0xf0;
        }),
      ),
    ).toMatchObject({ ok: false, error: { code: 'bad-tcp-data-offset' } });
  });
  it('ignores trailing bytes past the IP total length (Ethernet padding)', () => {
    const rst = fromHex(LINUX_RST.hex);
    const padded = new Uint8Array(46);
    padded.set(rst);
    expect(decodeOk(padded)).toEqual(LINUX_RST.packet);
  });
  it('accepts and skips IP options', () => {
    const b = new Uint8Array(good.length + 4);
    b.set(good.subarray(0, 20));
    b.set(Uint8Array.of(1, 1, 1, 0), 20); // nop, nop, nop, eol
    b.set(good.subarray(20), 24);
    b[0] = 0x46;
    b[3] = b.length;
    b[10] = 0;
    b[11] = 0;
    const s = internetChecksum(b, 0, 24);
    b[10] = s >> 8;
    b[11] = s & 255;
    expect(decodeOk(b).tcp).toEqual(decodeOk(good).tcp);
  });
});

describe('non-TCP packets', () => {
  it('UDP encodes as a valid datagram of dataBytes with a checksum', () => {
    const p: Packet = { src: A, dst: B, ttl: 63, id: 7, protocol: PROTO_UDP, tcp: null, dataBytes: 8 + 33, annot: 0 };
    const b = encode(p);
    expect(b.length).toBe(20 + 41);
    expect((b[24]! << 8) | b[25]!).toBe(41); // UDP length
    expect((b[26]! << 8) | b[27]!).not.toBe(0); // checksum present
    expect(decodeOk(b)).toEqual(p);
    b[60]! ^= 1;
    expect(decode(b)).toMatchObject({ ok: false, error: { code: 'bad-udp-checksum' } });
  });

  it('UDP shorter than its header is refused at encode time', () => {
    expect(() =>
      encode({ src: A, dst: B, ttl: 64, id: 0, protocol: PROTO_UDP, tcp: null, dataBytes: 4, annot: 0 }),
    ).toThrow(RangeError);
  });

  it('other protocols carry dataBytes of zeros', () => {
    const p: Packet = { src: A, dst: B, ttl: 1, id: 0, protocol: PROTO_ICMP, tcp: null, dataBytes: 12, annot: 0 };
    expect(decodeOk(encode(p))).toEqual(p);
  });
});

describe('encodeInto', () => {
  it('writes at an offset, returns the length, touches nothing else', () => {
    const p = LINUX_PACKETS[2]!.packet;
    const out = new Uint8Array(100).fill(0xee);
    expect(encodeInto(p, out, 7)).toBe(encodedLength(p));
    expect(toHex(out.subarray(7, 7 + encodedLength(p)))).toBe(LINUX_PACKETS[2]!.hex);
    expect(out[6]).toBe(0xee);
    expect(out[7 + encodedLength(p)]).toBe(0xee);
  });

  it('refuses a payload whose size disagrees with len', () => {
    expect(() => encode(pkt(seg({ len: 3, payload: Uint8Array.of(1, 2) })))).toThrow(RangeError);
  });

  it('carries any flag byte and urgent pointer as they are', () => {
    const p = pkt(seg({ flags: 0xff, urgent: 0xbeef }));
    expect(decodeOk(encode(p)).tcp).toMatchObject({ flags: 0xff, urgent: 0xbeef });
  });

  it('wraps sequence numbers to 32 bits', () => {
    const p = pkt(seg({ flags: SYN, seq: 0xffffffff, ack: 0 }));
    expect(decodeOk(encode(p)).tcp!.seq).toBe(0xffffffff);
  });
});
