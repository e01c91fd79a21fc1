import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/wire/decode.ts';
import { encode } from '../../src/wire/encode.ts';
import { MAX_OPTIONS_BYTES } from '../../src/wire/options.ts';
import { PROTO_TCP, optionsLength, packetBytes } from '../../src/wire/segment.ts';
import type { Packet, Segment, TcpOptions } from '../../src/wire/segment.ts';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u8 = fc.integer({ min: 0, max: 0xff });

const options: fc.Arbitrary<TcpOptions | null> = fc.option(
  fc
    .record(
      {
        mss: u16,
        wscale: u8,
        sackPermitted: fc.constant(true as const),
        timestamp: fc.record({ val: u32, ecr: u32 }, { noNullPrototype: true }),
        sack: fc.array(fc.tuple(u32, u32), { minLength: 1, maxLength: 4 }),
      },
      { requiredKeys: [], noNullPrototype: true },
    )
    .filter((o) => Object.keys(o).length > 0 && optionsLength(o) <= MAX_OPTIONS_BYTES),
  { nil: null },
);

const payload = fc.integer({ min: 0, max: 1600 }).chain((len) =>
  fc.record({
    len: fc.constant(len),
    payload: fc.option(fc.uint8Array({ minLength: len, maxLength: len }), { nil: null }),
  }),
);

const segment: fc.Arbitrary<Segment> = fc
  .record({
    srcPort: u16,
    dstPort: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    window: u16,
    urgent: u16,
    options,
    body: payload,
  })
  .map(({ body, ...rest }) => ({ ...rest, len: body.len, payload: body.payload }));

const packet: fc.Arbitrary<Packet> = fc.record({
  src: u32,
  dst: u32,
  ttl: u8,
  id: u16,
  protocol: fc.constant(PROTO_TCP),
  tcp: segment,
  dataBytes: fc.constant(0),
  annot: fc.constant(0),
});

/** What decode must give back: the same record, with a missing payload read as the zeros sent. */
function expected(p: Packet): Packet {
  const s = p.tcp!;
  const bytes = s.len === 0 ? null : (s.payload ?? new Uint8Array(s.len));
  return { ...p, tcp: { ...s, payload: bytes } };
}

describe('decode(encode(x)) == x', () => {
  it('for random valid TCP packets', () => {
    fc.assert(
      fc.property(packet, (p) => {
        const bytes = encode(p);
        expect(bytes.length).toBe(packetBytes(p));
        const r = decode(bytes);
        if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
        expect(r.packet).toStrictEqual(expected(p));
      }),
      { numRuns: 500, seed: 0x7c91ab },
    );
  });

  it('and any single flipped bit is caught by a checksum or a header check', () => {
    fc.assert(
      fc.property(packet, fc.nat(), fc.integer({ min: 0, max: 7 }), (p, where, bit) => {
        const bytes = encode(p);
        const i = where % bytes.length;
        bytes[i]! ^= 1 << bit;
        expect(decode(bytes).ok).toBe(false);
      }),
      { numRuns: 500, seed: 0x5eed },
    );
  });
});
