import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { seqAdd, seqGe, seqGt, seqInRange, seqLe, seqLt, seqMax, seqMin, seqSub } from '../../src/tcp/seq.ts';
import { resetForUnmatched } from '../../src/tcp/reset.ts';
import { initialWindow, ourWindowScale, tsValue } from '../../src/tcp/window.ts';
import { tcpParams } from '../../src/tcp/params.ts';
import { ACK, FIN, RST, SYN, type Segment } from '../../src/wire/segment.ts';
import { MS } from '../../src/sim/time.ts';

describe('sequence arithmetic mod 2^32', () => {
  test('comparisons across the wrap', () => {
    expect(seqLt(0xffffff00, 0x10)).toBe(true);
    expect(seqGt(0x10, 0xffffff00)).toBe(true);
    expect(seqLe(5, 5)).toBe(true);
    expect(seqGe(5, 5)).toBe(true);
    expect(seqLt(5, 5)).toBe(false);
    expect(seqAdd(0xffffffff, 2)).toBe(1);
    expect(seqAdd(0, -1)).toBe(0xffffffff);
    expect(seqSub(1, 0xffffffff)).toBe(2);
    expect(seqMax(0xfffffff0, 3)).toBe(3);
    expect(seqMin(0xfffffff0, 3)).toBe(0xfffffff0);
    expect(seqInRange(0, 0xfffffff0, 0x10)).toBe(true);
    expect(seqInRange(0x10, 0xfffffff0, 0x10)).toBe(false);
    expect(seqInRange(7, 7, 7)).toBe(false);
  });

  test('a + n is after a for 0 < n < 2^31, whatever a', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (a, n) => {
        const b = seqAdd(a, n);
        return seqGt(b, a) && seqLt(a, b) && seqSub(b, a) === n && b >= 0 && b <= 0xffffffff;
      }),
    );
  });
});

const seg = (flags: number, seq: number, ack: number, len = 0): Segment => ({
  srcPort: 1234,
  dstPort: 80,
  seq,
  ack,
  flags,
  window: 100,
  urgent: 0,
  options: null,
  len,
  payload: null,
});

describe('resetForUnmatched (RFC 9293 3.10.7.1)', () => {
  test('a segment with ACK gets <SEQ=SEG.ACK><CTL=RST>', () => {
    const r = resetForUnmatched(seg(ACK, 100, 5000, 10))!;
    expect(r).toMatchObject({ srcPort: 80, dstPort: 1234, seq: 5000, flags: RST, window: 0, len: 0 });
  });
  test('a SYN gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SYN and FIN counted', () => {
    expect(resetForUnmatched(seg(SYN, 0xffffffff, 0))).toMatchObject({ seq: 0, ack: 0, flags: RST | ACK });
    expect(resetForUnmatched(seg(FIN, 10, 0, 5))).toMatchObject({ seq: 0, ack: 16, flags: RST | ACK });
  });
  test('a RST is never answered', () => {
    expect(resetForUnmatched(seg(RST | ACK, 1, 2))).toBeNull();
    expect(resetForUnmatched(seg(RST, 1, 0))).toBeNull();
  });
});

describe('SYN window and scale', () => {
  test('Linux defaults: window 64240 (44 x 1460), wscale 7', () => {
    const p = tcpParams('linux');
    expect(initialWindow(p)).toBe(64240);
    expect(ourWindowScale(p)).toBe(7);
    expect(ourWindowScale(tcpParams('linux', { windowScaling: false }))).toBe(-1);
    expect(ourWindowScale(tcpParams('linux', { rcvBuf: 32 * 1024 * 1024 }))).toBe(10);
    expect(initialWindow(tcpParams('linux', { rcvBuf: 8000 }))).toBe(2920);
  });
  test('TSval is a millisecond clock plus the offset, mod 2^32', () => {
    expect(tsValue(100, 2500 * MS)).toBe(2600);
    expect(tsValue(0xffffffff, 2 * MS)).toBe(1);
  });
});
